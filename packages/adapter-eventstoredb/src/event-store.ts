import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  WrongExpectedVersionError,
  type AllStreamRecordedEvent,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type Direction,
  type ReadRevision,
  type ResolvedEvent,
} from '@eventstore/db-client';
import {
  assertValidBatch,
  EventStoreError,
  matchesFilter,
  type AppendResult,
  type EventFilter,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type FollowOptions,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  type StreamRevision,
} from '@taawun/domain';
import { parseConnectionString, redactConnectionString, withClientDefaults, type EventStoreDbTarget } from './connection-string.js';
import { assertStorableHere, fromRecordedEvent, isSystemEvent, toClientEvent } from './envelope.js';
import { isStreamNotFound, toEventStoreError, toRevisionNumber, toWrongExpectedRevision } from './errors.js';
import { isLastPage, isPastCursor, pageRequest } from './all-pages.js';
import { decodePosition, encodePosition } from './position.js';
import { DEFAULT_RESUBSCRIBE, resubscribing, type ResubscribePolicy } from './resubscribe.js';
import { serverFilterFor, toClientFilter, type ServerFilter } from './server-filter.js';
import { guarded } from './streaming.js';

export interface EventStoreDbStoreOptions {
  /**
   * How long the server may stay silent: to connect, to answer an append, between
   * two events of a read, before confirming a subscription. Default 10 s.
   */
  readonly deadlineMs?: number;
  /** gRPC keep-alive: how often an idle connection is pinged, and how long an answer may take (client defaults: 10 s each). */
  readonly keepAliveIntervalMs?: number;
  readonly keepAliveTimeoutMs?: number;
  /** Events per request when reading $all. Default 500. */
  readonly pageSize?: number;
  /** Read the head of $all when opening, so a wrong address fails at once. Default true. */
  readonly verifyConnection?: boolean;
  /** How `follow` subscribes again after its subscription drops. */
  readonly resubscribe?: Partial<ResubscribePolicy>;
}

const DEFAULT_DEADLINE_MS = 10_000;
const DEFAULT_PAGE_SIZE = 500;
/** Events per page when looking for the head of the log backwards: past the server's own events, the first of ours is it. */
const HEAD_PAGE_SIZE = 32;
/** Our own timer backs up the client's deadline; the client's, when it works, should speak first. */
const DEADLINE_GRACE_MS = 1_000;

/** The port's expected revision in the client's terms (revisions are bigints there). */
export function toClientExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === 'no-stream') return NO_STREAM;
  if (expected === 'any') return ANY;
  if (expected === 'stream-exists') return STREAM_EXISTS;
  return BigInt(expected);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The EventStore port on an EventStoreDB / KurrentDB server or cluster. */
export class EventStoreDbEventStore implements EventStore {
  private closed = false;
  private readonly closing = new AbortController();
  private readonly deadlineMs: number;
  private readonly pageSize: number;
  private readonly resubscribe: ResubscribePolicy;

  constructor(
    /** The client, for what the port does not cover (projections, stream metadata); the store owns and disposes it. */
    readonly client: EventStoreDBClient,
    readonly target: EventStoreDbTarget,
    options: EventStoreDbStoreOptions = {},
  ) {
    this.deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
    this.pageSize = Math.max(1, Math.floor(options.pageSize ?? DEFAULT_PAGE_SIZE));
    this.resubscribe = { ...DEFAULT_RESUBSCRIBE, ...options.resubscribe };
  }

  async append(stream: string, events: readonly EventToAppend[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    this.assertOpen();
    const expected = options.expectedRevision;
    assertValidBatch(stream, events, expected);
    assertStorableHere(events);
    const toAppend = events.map(toClientEvent);
    const doing = `appending ${plural(events.length, 'event')} to "${stream}"`;
    // The head before writing tells a fresh write (it lands after the head) from an idempotent retry (it does not).
    const before = await this.headRevision(stream, doing);
    if (events.length === 0) return this.emptyAppend(stream, expected, before);

    let last: number;
    try {
      const written = await this.answered(this.client.appendToStream(stream, toAppend, { expectedRevision: toClientExpectedRevision(expected), deadline: this.deadlineMs }), doing);
      last = toRevisionNumber(written.nextExpectedRevision);
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) return { ok: false, error: toWrongExpectedRevision(error, stream, expected) };
      // close() cancels the call: say so, rather than pass on the client's "Cancelled on client".
      this.assertOpen();
      throw toEventStoreError(error, { target: this.target, doing });
    }
    // The server reports only the last revision; read the batch back for each event's revision and position.
    const first = last - events.length + 1;
    const stored = await this.readRevisions(stream, first, events.length, `reading back the events just appended to "${stream}"`);
    if (stored.length !== events.length || stored.some((e, i) => e.id !== events[i]!.id)) {
      throw new EventStoreError('failure', `${this.target.description}: the append to "${stream}" succeeded, but revisions ${first}..${last} do not hold the events sent`);
    }
    const idempotentRetry = before !== 'no-stream' && before >= last;
    return { ok: true, nextExpectedRevision: idempotentRetry ? before : last, events: stored };
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    const maxCount = options.maxCount ?? Number.POSITIVE_INFINITY;
    if (maxCount <= 0) return [];
    const doing = `reading stream "${stream}"`;
    if (options.direction !== 'backwards') return this.readRaw(stream, FORWARDS, options.fromRevision === undefined ? START : BigInt(options.fromRevision), maxCount, doing);
    if (options.fromRevision === undefined) return this.readRaw(stream, BACKWARDS, END, maxCount, doing);
    // The server counts a backwards read's window from the revision asked for, even past the end: start at the head instead.
    const head = Number.isFinite(maxCount) ? await this.headRevision(stream, doing) : options.fromRevision;
    if (head === 'no-stream') return [];
    return this.readRaw(stream, BACKWARDS, BigInt(Math.min(options.fromRevision, head)), maxCount, doing);
  }

  async *readAll(options: ReadAllOptions = {}): AsyncGenerator<StoredEvent> {
    this.assertOpen();
    const maxCount = options.maxCount ?? Number.POSITIVE_INFINITY;
    if (serverFilterFor(options.filter) === 'nothing' || maxCount <= 0) return;
    let yielded = 0;
    // Filtered here, event by event: the client's public readAll cannot ask the server to filter.
    const pageSize = Math.max(1, Math.floor(options.pageSize ?? this.pageSize));
    for await (const recorded of this.scanAll(FORWARDS, options.after, pageSize, 'reading $all')) {
      if (!this.isOurs(recorded, options.filter)) continue;
      yield fromRecordedEvent(recorded, this.target.description);
      if (++yielded >= maxCount) return;
    }
  }

  follow(options: FollowOptions = {}): AsyncIterable<StoredEvent> {
    return this.following(options);
  }

  async lastPosition(): Promise<bigint | undefined> {
    this.assertOpen();
    for await (const recorded of this.scanAll(BACKWARDS, undefined, HEAD_PAGE_SIZE, 'reading the head of $all')) {
      if (!isSystemEvent(recorded)) return encodePosition(recorded.position);
    }
    return undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort();
    await this.client.dispose();
  }

  private async *following(options: FollowOptions): AsyncGenerator<StoredEvent> {
    this.assertOpen();
    const signal = AbortSignal.any([this.closing.signal, ...(options.signal ? [options.signal] : [])]);
    const server = serverFilterFor(options.filter);
    const describe = `${this.target.description}: following $all`;
    if (server === 'nothing') await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
    else {
      yield* resubscribing((after) => this.subscription(after, server, options.filter, signal), {
        ...(options.after === undefined ? {} : { after: options.after }),
        signal,
        policy: this.resubscribe,
        describe,
      });
    }
    if (this.closed && !options.signal?.aborted) throw new EventStoreError('closed', `${describe} stopped: the event store was closed`);
  }

  /** One catch-up-then-live subscription to $all, filtered on the server, from just after `after`. */
  private async *subscription(after: bigint | undefined, server: ServerFilter, filter: EventFilter | undefined, signal: AbortSignal): AsyncGenerator<StoredEvent> {
    const doing = after === undefined ? 'subscribing to $all from the start' : `subscribing to $all after position ${after}`;
    const subscription = this.client.subscribeToAll({ fromPosition: after === undefined ? START : decodePosition(after), filter: toClientFilter(server) });
    let confirmed = false;
    subscription.once('confirmation', () => (confirmed = true));
    const events = guarded<AllStreamResolvedEvent>(subscription, {
      deadlineMs: this.deadlineMs,
      settled: () => confirmed,
      onDeadline: () => this.silent(doing, 'did not confirm the subscription'),
      signal,
      cancel: () => subscription.unsubscribe(),
    });
    try {
      for await (const resolved of events) {
        confirmed = true;
        const recorded = resolved.event;
        if (recorded && this.isOurs(recorded, filter)) yield fromRecordedEvent(recorded, this.target.description);
      }
    } catch (error) {
      throw toEventStoreError(error, { target: this.target, doing });
    }
  }

  /**
   * Every event of $all page by page (the server's own and other programs'
   * included: the caller keeps its own), through the client's public `readAll`;
   * see `pageRequest`.
   */
  private async *scanAll(direction: Direction, after: bigint | undefined, pageSize: number, doing: string): AsyncGenerator<AllStreamRecordedEvent> {
    let cursor = after;
    for (;;) {
      const page = this.client.readAll(pageRequest(direction, cursor, pageSize));
      let fresh = 0;
      try {
        for await (const resolved of this.guard<AllStreamResolvedEvent>(page, doing, () => page.cancel())) {
          const recorded = resolved.event;
          if (!recorded) continue;
          const position = encodePosition(recorded.position);
          if (!isPastCursor(position, cursor, direction)) continue;
          cursor = position;
          fresh++;
          yield recorded;
        }
      } catch (error) {
        throw toEventStoreError(error, { target: this.target, doing });
      }
      if (isLastPage(fresh, pageSize)) return;
    }
  }

  private async readRaw(stream: string, direction: Direction, fromRevision: ReadRevision, maxCount: number, doing: string): Promise<StoredEvent[]> {
    const events: StoredEvent[] = [];
    try {
      // Inside the try: the client checks its arguments (a revision out of range) as it builds the read.
      const read = this.client.readStream(stream, { direction, fromRevision, ...(Number.isFinite(maxCount) ? { maxCount } : {}) });
      for await (const resolved of this.guard<ResolvedEvent>(read, doing, () => read.cancel())) {
        if (resolved.event) events.push(fromRecordedEvent(resolved.event, this.target.description));
      }
    } catch (error) {
      // The client reports a missing stream as an error raised during iteration; the port reads it as empty.
      if (isStreamNotFound(error)) return [];
      throw toEventStoreError(error, { target: this.target, doing });
    }
    return events;
  }

  private readRevisions(stream: string, from: number, count: number, doing: string): Promise<StoredEvent[]> {
    return this.readRaw(stream, FORWARDS, BigInt(from), count, doing);
  }

  /** The revision of the stream's last event, without decoding it (it need not be one of ours). */
  private async headRevision(stream: string, doing: string): Promise<StreamRevision> {
    const read = this.client.readStream(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 1 });
    try {
      for await (const resolved of this.guard<ResolvedEvent>(read, doing, () => read.cancel())) {
        if (resolved.event) return toRevisionNumber(resolved.event.revision);
      }
      return 'no-stream';
    } catch (error) {
      if (isStreamNotFound(error)) return 'no-stream';
      throw toEventStoreError(error, { target: this.target, doing });
    }
  }

  /** Nothing to write: the expected revision is still checked, against the head just read. */
  private emptyAppend(stream: string, expected: ExpectedRevision, current: StreamRevision): AppendResult {
    const matches = expected === 'any' || (expected === 'stream-exists' ? current !== 'no-stream' : expected === current);
    return matches ? { ok: true, nextExpectedRevision: current, events: [] } : { ok: false, error: { code: 'wrong-expected-revision', stream, expected, actual: current } };
  }

  private isOurs(recorded: { readonly type: string; readonly streamId: string }, filter: EventFilter | undefined): boolean {
    return !isSystemEvent(recorded) && matchesFilter({ type: recorded.type, stream: recorded.streamId }, filter);
  }

  /** A read bounded by the deadline and cut short by `close()`, which then fails it rather than passing it off as complete. */
  private async *guard<T>(source: Parameters<typeof guarded>[0], doing: string, cancel: () => Promise<void>): AsyncGenerator<T> {
    yield* guarded<T>(source, { deadlineMs: this.deadlineMs, onDeadline: () => this.silent(doing, 'did not answer'), signal: this.closing.signal, cancel });
    this.assertOpen();
  }

  /** Wait for a call, but no longer than the deadline: gRPC itself would wait for a silent server forever. */
  private async answered<T>(work: Promise<T>, doing: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.silent(doing, 'did not answer', ' The write may still happen: retrying with the same event ids is safe.')), this.deadlineMs + DEADLINE_GRACE_MS);
    });
    try {
      return await Promise.race([work, deadline]);
    } finally {
      clearTimeout(timer);
      work.catch(() => undefined);
    }
  }

  private silent(doing: string, what: string, advice = ''): EventStoreError {
    const hint = this.target.tls ? ' (for an insecure dev server add ?tls=false)' : ' (the connection string says ?tls=false: is the server insecure?)';
    return new EventStoreError('unavailable', `${this.target.description} is unavailable: ${doing} failed: the server ${what} within ${this.deadlineMs} ms. Check that it is running and reachable, and that it speaks gRPC with the TLS setting of the connection string${hint}.${advice}`);
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreError('closed', `${this.target.description}: the event store is closed`);
  }
}

/**
 * Open the store on `esdb://host:2113` (one node, or `host1,host2,host3` for a
 * cluster) or `esdb+discover://cluster-dns:2113`. Add `?tls=false` for a local
 * insecure server. Unless `verifyConnection` is false, the server must answer.
 */
export async function openEventStoreDbStore(connectionString: string, options: EventStoreDbStoreOptions = {}): Promise<EventStoreDbEventStore> {
  const target = parseConnectionString(connectionString);
  const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  if (!Number.isFinite(deadlineMs) || deadlineMs <= 0) throw new EventStoreError('invalid-configuration', `deadlineMs must be a positive number of milliseconds, not ${deadlineMs}`);
  let client: EventStoreDBClient;
  try {
    client = EventStoreDBClient.connectionString(
      withClientDefaults(connectionString, { defaultDeadline: deadlineMs, keepAliveInterval: options.keepAliveIntervalMs, keepAliveTimeout: options.keepAliveTimeoutMs }),
    );
  } catch (error) {
    const shown = redactConnectionString(connectionString);
    const password = /^[a-z+]+:\/\/[^:@/?]+:([^@/?]+)@/i.exec(connectionString.trim())?.[1];
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
    const reason = password ? message.split(password).join('***') : message;
    throw new EventStoreError('invalid-configuration', `"${shown}" could not be used to connect to ${target.description}: ${reason}`, { cause: error });
  }
  const store = new EventStoreDbEventStore(client, target, { ...options, deadlineMs });
  if (options.verifyConnection !== false) {
    try {
      await store.lastPosition();
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  return store;
}
