import { decodeEvent, type DecodeResult, type RecordedEvent } from '../catalogue/decoding.js';
import { eventDefinition } from '../catalogue/events.js';
import { erasedPersonalFields } from '../personal-data/encrypting-store.js';
import { domainError, type DomainError } from '../errors.js';
import { err, ok, type Result } from '../result.js';
import type { StoredEvent } from '../store/envelope.js';
import type { EventStore, ExpectedRevision, StreamRevision } from '../store/port.js';
import type { StreamFold } from '../catalogue/routing.js';
import type { CommandContext } from './context.js';
import type { CachedState, StateCache } from './state-cache.js';

/** A stream as a command is decided on it: its folded state at a revision, and the idempotency keys it holds. */
export interface LoadedState {
  readonly state: unknown;
  readonly revision: StreamRevision;
  readonly lastEventId: string | undefined;
  readonly keys: ReadonlyMap<string, number>;
}

const empty = (fold: StreamFold): LoadedState => ({ state: fold.initialState, revision: 'no-stream', lastEventId: undefined, keys: new Map() });

/** Decode and fold `events` onto `from`; a row that does not decode is a store failure. */
export function foldOnto(fold: StreamFold, stream: string, from: LoadedState, events: readonly StoredEvent[], decode: (stored: StoredEvent) => DecodeResult = decodeEvent): Result<LoadedState, DomainError> {
  if (events.length === 0) return ok(from);
  let { state } = from;
  let keys = from.keys;
  for (const stored of events) {
    const decoded = decode(stored);
    if (!decoded.ok) return err(domainError('store-failure', `cannot read ${stream}: ${decoded.error.message}`));
    state = fold.evolve(state, decoded.value);
    const key = stored.metadata.idempotencyKey;
    if (key !== undefined && !keys.has(key)) {
      // Copied, not changed: an entry another command holds stays as it was read.
      if (keys === from.keys) keys = new Map(keys);
      (keys as Map<string, number>).set(key, stored.revision);
    }
  }
  const last = events[events.length - 1]!;
  return ok({ state, revision: last.revision, lastEventId: last.id, keys });
}

/**
 * An event this process has just appended, as decoding it would give it, without
 * parsing its data again: `toAppend` parsed it with its type's current schema
 * and the store gave it back as stored (JSON), and parsing a schema's own output
 * gives it back unchanged (the event schemas transform nothing; their defaults
 * are already filled in), so a reader decoding the stream folds the same values.
 * An event at another schema version (not one `toAppend` makes), or one whose
 * personal data the store gave back erased, is decoded.
 */
export function decodeJustAppended(stored: StoredEvent): DecodeResult {
  if (eventDefinition(stored.type)?.schemaVersion !== stored.schemaVersion) return decodeEvent(stored);
  // A store may give back other data than was written: the encrypting store, personal data in its erased form.
  if (erasedPersonalFields(stored).length > 0) return decodeEvent(stored);
  return { ok: true, value: stored as RecordedEvent };
}

/**
 * The state kept for a stream, to decide a command on without reading the
 * stream, appending after the kept revision and last event: only when the
 * store checks that event as it appends (the revision alone would not tell a
 * stream written again under its name), and never for a command with an
 * idempotency key (an earlier attempt stored after the kept revision must be
 * found and answered as such, not appended over).
 */
export function keptState(store: EventStore, stream: string, fold: StreamFold, cache: StateCache | undefined, context: CommandContext): CachedState | undefined {
  if (!cache || store.checksAppendPreconditions !== true || context.idempotencyKey !== undefined) return undefined;
  return cache.get(stream, fold.version);
}

/**
 * Load a stream's state: from the cached state when there is one folded under
 * the same version, reading only the events from its revision on (the first of
 * them must still be the event it was folded up to), else from the first event.
 * The result is cached again.
 */
export async function loadState(store: EventStore, stream: string, fold: StreamFold, cache: StateCache | undefined): Promise<Result<LoadedState, DomainError>> {
  const cached = cache?.get(stream, fold.version);
  let loaded: Result<LoadedState, DomainError> | undefined;
  if (cached) {
    const tail = await store.readStream(stream, { fromRevision: cached.revision });
    if (tail[0]?.id === cached.lastEventId && tail[0]?.revision === cached.revision) {
      cache!.stats.hits++;
      loaded = foldOnto(fold, stream, cached, tail.slice(1));
    }
  }
  if (!loaded) {
    if (cache) cache.stats.misses++;
    loaded = foldOnto(fold, stream, empty(fold), await store.readStream(stream));
  }
  if (!loaded.ok) {
    cache?.delete(stream, fold.version);
    return loaded;
  }
  remember(cache, stream, fold, loaded.value);
  return loaded;
}

/** Keep a state folded up to an event (a stream with no event has nothing worth keeping). */
export function remember(cache: StateCache | undefined, stream: string, fold: StreamFold, loaded: LoadedState): void {
  if (!cache || loaded.revision === 'no-stream' || loaded.lastEventId === undefined) return;
  cache.set(stream, { version: fold.version, revision: loaded.revision, lastEventId: loaded.lastEventId, state: loaded.state, keys: loaded.keys });
}

/** The caller's expected revision (HTTP If-Match) against the stream's: a mismatch is a conflict. */
export function checkExpectedRevision(stream: string, expected: ExpectedRevision | undefined, current: StreamRevision): Result<void, DomainError> {
  if (expected === undefined || expected === 'any' || expected === current) return ok(undefined);
  if (expected === 'stream-exists' && current !== 'no-stream') return ok(undefined);
  return err(domainError('wrong-expected-revision', `${stream} is at revision ${current}, not ${String(expected)}`, {
    details: { stream, expected, actual: current },
  }));
}
