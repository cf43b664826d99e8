import { validate as isUuid } from 'uuid';
import type { EventToAppend } from './envelope.js';
import { EventStoreError, type ExpectedRevision, type StreamRevision, type WrongExpectedRevision } from './port.js';

/**
 * The append rules every store shares (the ones EventStoreDB applies):
 * given the stream's current revision and which of the batch's ids the stream
 * already holds, write the batch, report an idempotent retry, or conflict.
 * Stores call it inside their own transaction or lock.
 */
export type AppendDecision =
  | { readonly kind: 'write'; readonly firstRevision: number }
  | { readonly kind: 'already-written'; readonly fromRevision: number; readonly count: number }
  | { readonly kind: 'conflict'; readonly error: WrongExpectedRevision };

export interface AppendFacts {
  readonly stream: string;
  readonly current: StreamRevision;
  readonly expected: ExpectedRevision;
  readonly batchIds: readonly string[];
  /** Events of this stream whose id is in the batch, in revision order. */
  readonly existing: readonly { readonly id: string; readonly revision: number }[];
  /** The caller's `expectedLastEventId`, and the id of the stream's event at the expected revision (undefined: none there). No idempotent retry with it: see `AppendOptions`. */
  readonly lastEventId?: { readonly expected: string; readonly stored: string | undefined };
  /** The first of the caller's `existingStreams` that holds no event, if any. */
  readonly missingStream?: string;
}

export function decideAppend(facts: AppendFacts): AppendDecision {
  const { stream, current, expected, batchIds, existing } = facts;
  const last = current === 'no-stream' ? -1 : current;
  const conflict = (): AppendDecision => ({
    kind: 'conflict',
    error: { code: 'wrong-expected-revision', stream, expected, actual: current },
  });
  if (facts.missingStream !== undefined) {
    return { kind: 'conflict', error: { code: 'wrong-expected-revision', stream: facts.missingStream, expected: 'stream-exists', actual: 'no-stream' } };
  }
  // Named by its last event, the stream must still end there. Another event at that revision: it was written
  // again under its name. Events after it (an earlier copy of this batch among them): the caller's to read first.
  if (facts.lastEventId && (facts.lastEventId.stored !== facts.lastEventId.expected || last !== expected)) return conflict();
  const retryOfWholeBatch = (from: number): boolean =>
    existing.length === batchIds.length &&
    existing.every((e, i) => e.id === batchIds[i] && e.revision === from + i);

  if (expected === 'any' || expected === 'stream-exists') {
    if (expected === 'stream-exists' && current === 'no-stream') return conflict();
    if (existing.length === 0) return { kind: 'write', firstRevision: last + 1 };
    const from = existing[0]!.revision;
    return retryOfWholeBatch(from) && batchIds.length > 0 ? { kind: 'already-written', fromRevision: from, count: batchIds.length } : conflict();
  }

  const expectedLast = expected === 'no-stream' ? -1 : expected;
  if (last === expectedLast) {
    // The ids are already in the stream at an earlier revision: writing would duplicate them.
    return existing.length === 0 ? { kind: 'write', firstRevision: last + 1 } : conflict();
  }
  if (last > expectedLast && batchIds.length > 0 && retryOfWholeBatch(expectedLast + 1)) {
    return { kind: 'already-written', fromRevision: expectedLast + 1, count: batchIds.length };
  }
  return conflict();
}

const isoInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/** The `missingStream` fact for `decideAppend`: the first of `existingStreams` that `exists` says holds no event. */
export function missingOf(existingStreams: readonly string[] | undefined, exists: (stream: string) => boolean): { missingStream?: string } {
  const missing = existingStreams?.find((stream) => !exists(stream));
  return missing === undefined ? {} : { missingStream: missing };
}

/** Checks every store makes before touching storage. Throws `invalid-batch`. */
export function assertValidBatch(stream: string, events: readonly EventToAppend[], expected: ExpectedRevision, expectedLastEventId?: string): void {
  if (expectedLastEventId !== undefined && (typeof expected !== 'number' || typeof expectedLastEventId !== 'string')) {
    throw new EventStoreError('invalid-batch', `stream "${stream}": an expected last event id goes with an expected revision number`);
  }
  if (typeof stream !== 'string' || stream.length === 0) throw new EventStoreError('invalid-batch', 'the stream name is empty');
  if (stream.startsWith('$')) throw new EventStoreError('invalid-batch', `stream "${stream}": names starting with "$" are reserved`);
  // The hash chain separates fields with line breaks, so names and types may not contain one.
  if (/[\r\n\u0000]/.test(stream)) throw new EventStoreError('invalid-batch', 'a stream name may not contain a line break or NUL');
  if (typeof expected === 'number' && (!Number.isSafeInteger(expected) || expected < 0)) {
    throw new EventStoreError('invalid-batch', `expected revision ${expected} is not a revision (0 or more)`);
  }
  const seen = new Set<string>();
  for (const [i, e] of events.entries()) {
    if (typeof e.id !== 'string' || !isUuid(e.id)) throw new EventStoreError('invalid-batch', `event ${i} has id ${String(e.id)}, which is not a uuid`);
    if (seen.has(e.id)) throw new EventStoreError('invalid-batch', `event ${i} repeats id ${e.id} within one batch`);
    seen.add(e.id);
    if (typeof e.type !== 'string' || e.type.length === 0) throw new EventStoreError('invalid-batch', `event ${i} has no type`);
    if (/[\r\n\u0000]/.test(e.type)) throw new EventStoreError('invalid-batch', `event ${i}: a type may not contain a line break or NUL`);
    if (!Number.isInteger(e.schemaVersion) || e.schemaVersion < 1) {
      throw new EventStoreError('invalid-batch', `event ${i} (${e.type}) has schema version ${e.schemaVersion}; versions start at 1`);
    }
    if (typeof e.recordedAt !== 'string' || !isoInstant.test(e.recordedAt) || Number.isNaN(Date.parse(e.recordedAt))) {
      throw new EventStoreError('invalid-batch', `event ${i} (${e.type}) has no valid recordedAt (an ISO 8601 instant such as 2024-03-01T09:30:00.000Z)`);
    }
  }
}

/** Serialise data or metadata, refusing what JSON cannot carry faithfully. */
export function toJson(value: unknown, what: string): string {
  try {
    const text = JSON.stringify(value);
    if (text === undefined) throw new Error('not serialisable');
    return text;
  } catch (cause) {
    throw new EventStoreError('invalid-batch', `${what} cannot be stored as JSON: ${(cause as Error).message}`, { cause });
  }
}
