import type { EventToAppend, StoredEvent } from './envelope.js';

/**
 * Where the next event must land: `no-stream` (the stream must not exist),
 * `stream-exists`, `any`, or the revision of the stream's last event.
 */
export type ExpectedRevision = 'no-stream' | 'stream-exists' | 'any' | number;

/** The stream's current revision: `no-stream`, or the revision of its last event. */
export type StreamRevision = 'no-stream' | number;

export interface WrongExpectedRevision {
  readonly code: 'wrong-expected-revision';
  readonly stream: string;
  readonly expected: ExpectedRevision;
  readonly actual: StreamRevision;
}

export type AppendResult =
  | {
      readonly ok: true;
      /** Revision of the last event in the stream after the append: pass it as the next expected revision. */
      readonly nextExpectedRevision: StreamRevision;
      /** The events as stored (on an idempotent retry, the ones stored the first time). */
      readonly events: readonly StoredEvent[];
    }
  | { readonly ok: false; readonly error: WrongExpectedRevision };

export interface AppendOptions {
  readonly expectedRevision: ExpectedRevision;
  /**
   * With a revision number as `expectedRevision`: the id of the event the caller
   * saw last, at that revision. The batch is written only if the stream still
   * ends with that event; anything else is a conflict and writes nothing. An
   * event of another id there means the stream was written again under its name
   * (a store re-created or restored from an older copy): what the caller decided
   * on is not what the stream holds. Events after it are the caller's to read,
   * even an earlier copy of this very batch: with it, a batch already stored is
   * a conflict, not an idempotent retry. Only for a store whose
   * `checksAppendPreconditions` is true; another store must not be given it.
   */
  readonly expectedLastEventId?: string;
  /**
   * Streams that must hold an event for the batch to be written (the records a
   * command names). The first one that holds none is a conflict on that stream:
   * `{ stream, expected: 'stream-exists', actual: 'no-stream' }`, nothing written.
   * A stream never loses its events, so this check under the lock is as good as a
   * read before it. Only for a store whose `checksAppendPreconditions` is true.
   */
  readonly existingStreams?: readonly string[];
}

export interface ReadStreamOptions {
  readonly direction?: 'forwards' | 'backwards';
  /** Start at this revision (inclusive). Backwards reads default to the end. */
  readonly fromRevision?: number;
  readonly maxCount?: number;
}

export interface EventFilter {
  /** Only these event types. */
  readonly types?: readonly string[];
  /** Only streams whose name starts with one of these (`partner-`, `session-`). */
  readonly streamPrefixes?: readonly string[];
}

export interface ReadAllOptions {
  /** Exclusive checkpoint: events with a position greater than this. Omit to start at the beginning. */
  readonly after?: bigint;
  readonly maxCount?: number;
  readonly filter?: EventFilter;
  /** Events fetched per round trip; the store picks a sensible default. */
  readonly pageSize?: number;
}

export interface FollowOptions {
  readonly after?: bigint;
  readonly filter?: EventFilter;
  /** Stop following: the iterator then ends normally. */
  readonly signal?: AbortSignal;
}

/**
 * The event store port. Every adapter implements it and passes the contract
 * suite in `@taawun/domain/testing`.
 *
 * - `append` is atomic: all events of the batch are stored, in order, or none.
 * - Conflicts are values (`ok: false`); infrastructure failures throw `EventStoreError`.
 * - Idempotent retries: the same event ids re-sent at the same expected revision
 *   (or a prefix of them) succeed without duplicates and return the stored events;
 *   the same ids with new events, or other events, at a stale revision conflict.
 *   Event ids must be unique within a batch (`invalid-batch` otherwise).
 */
export interface EventStore {
  append(stream: string, events: readonly EventToAppend[], options: AppendOptions): Promise<AppendResult>;
  /**
   * True when `append` honours `expectedLastEventId` and `existingStreams`
   * (atomically, with the revision check): the command handler then decides on
   * a state it kept without reading the stream, or the records the command
   * names, first. Absent or false: it reads them.
   */
  readonly checksAppendPreconditions?: boolean;
  /** One stream's events; a stream that does not exist reads as empty. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  /** Every event in global order from a checkpoint, fetched page by page. */
  readAll(options?: ReadAllOptions): AsyncIterable<StoredEvent>;
  /** Catch up from a checkpoint, then keep yielding new events as they are committed, until aborted. */
  follow(options?: FollowOptions): AsyncIterable<StoredEvent>;
  /** Position of the last event in the log, undefined when empty. */
  lastPosition(): Promise<bigint | undefined>;
  close(): Promise<void>;
}

export type EventStoreErrorCode =
  | 'invalid-batch'
  | 'duplicate-event-id'
  | 'unavailable'
  | 'stream-deleted'
  | 'too-large'
  | 'storage-full'
  | 'corrupt'
  | 'schema-too-new'
  | 'closed'
  /** The store cannot be opened as configured: a bad connection string, option or name. */
  | 'invalid-configuration'
  /** A position or a log size past the log's end (a proof of an event or tree the log does not hold yet). */
  | 'out-of-range'
  | 'failure';

/** An infrastructure failure, normalised by every adapter. The message is for people; `cause` keeps the original. */
export class EventStoreError extends Error {
  override readonly name = 'EventStoreError';
  constructor(
    readonly code: EventStoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const isEventStoreError = (e: unknown): e is EventStoreError =>
  e instanceof Error && (e as { name?: string }).name === 'EventStoreError' && typeof (e as { code?: unknown }).code === 'string';

export const matchesFilter = (event: Pick<StoredEvent, 'type' | 'stream'>, filter?: EventFilter): boolean =>
  (!filter?.types || filter.types.includes(event.type)) &&
  (!filter?.streamPrefixes || filter.streamPrefixes.some((p) => event.stream.startsWith(p)));
