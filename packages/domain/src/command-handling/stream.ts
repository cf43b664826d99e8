import { decodeEvent, type RecordedEvent } from '../catalogue/decoding.js';
import { domainError, type DomainError } from '../errors.js';
import { err, ok, type Result } from '../result.js';
import type { StoredEvent } from '../store/envelope.js';
import type { EventStore, ExpectedRevision, StreamRevision } from '../store/port.js';

/** A stream as a command is decided on it: its events decoded, and as stored. */
export interface LoadedStream {
  readonly events: readonly RecordedEvent[];
  readonly raw: readonly StoredEvent[];
  readonly revision: StreamRevision;
}

export const revisionOf = (events: readonly unknown[]): StreamRevision => (events.length === 0 ? 'no-stream' : events.length - 1);

export async function loadStream(store: EventStore, stream: string): Promise<Result<LoadedStream, DomainError>> {
  const raw = await store.readStream(stream);
  const events: RecordedEvent[] = [];
  for (const stored of raw) {
    const decoded = decodeEvent(stored);
    if (!decoded.ok) return err(domainError('store-failure', `cannot read ${stream}: ${decoded.error.message}`));
    events.push(decoded.value);
  }
  return ok({ events, raw, revision: revisionOf(raw) });
}

/** The caller's expected revision (HTTP If-Match) against the stream's: a mismatch is a conflict. */
export function checkExpectedRevision(stream: string, expected: ExpectedRevision | undefined, current: StreamRevision): Result<void, DomainError> {
  if (expected === undefined || expected === 'any' || expected === current) return ok(undefined);
  if (expected === 'stream-exists' && current !== 'no-stream') return ok(undefined);
  return err(domainError('wrong-expected-revision', `${stream} is at revision ${current}, not ${String(expected)}`, {
    details: { stream, expected, actual: current },
  }));
}
