import type { EventStore } from '../store/port.js';

/**
 * A stream's decider state as folded up to a revision. Only ever a start
 * point: the command handler reads the stream from `revision` on, checks the
 * event there is still `lastEventId`, and folds what follows, so events
 * another process appended since are always seen. With a store that checks
 * `expectedLastEventId` as it appends, it decides on the state without
 * reading, and the append makes the same check under the store's lock: a
 * write lands only on the stream the state was folded from, at its revision;
 * a stream that moved (or was written again) sends it to the read above.
 */
export interface CachedState {
  /** `StreamFold.version` it was folded under: another version is a miss. */
  readonly version: string;
  readonly revision: number;
  readonly lastEventId: string;
  readonly state: unknown;
  /** Idempotency keys seen in the stream up to `revision`, with the revision of their first event: a retry is found without reading the whole stream. */
  readonly keys: ReadonlyMap<string, number>;
}

export interface StateCacheOptions {
  /** States kept (least recently used dropped first). Default 1,000. */
  readonly maxStreams?: number;
}

/**
 * A bounded cache of folded decider states, by stream, least recently used
 * dropped first. It holds states, never decisions: a command on a cached
 * stream reads only the events after the cached revision, so its cost does
 * not grow with the stream's length.
 */
export class StateCache {
  private readonly entries = new Map<string, CachedState>();
  private readonly maxStreams: number;
  /**
   * Commands that started from a cached state, and those that folded the stream from its first event;
   * `unread`: of the hits, those appended without reading the stream at all.
   */
  readonly stats = { hits: 0, misses: 0, unread: 0 };

  constructor(options: StateCacheOptions = {}) {
    this.maxStreams = Math.max(1, options.maxStreams ?? 1000);
  }

  /**
   * The state kept for `stream` folded under `version`. Kept by both: two
   * aggregates fold the same stream (a correction folds the stream of the
   * record it corrects), and a state of another version is never found.
   */
  get(stream: string, version: string): CachedState | undefined {
    const key = keyOf(stream, version);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    // Re-inserted: a Map iterates in insertion order, so the first key is the least recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  set(stream: string, entry: CachedState): void {
    const key = keyOf(stream, entry.version);
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.maxStreams) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(stream: string, version: string): void {
    this.entries.delete(keyOf(stream, version));
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

const keyOf = (stream: string, version: string): string => `${version}\u0000${stream}`;

const perStore = new WeakMap<EventStore, StateCache>();

/** The cache `handle` uses for a store when the context names none: one per store object, gone with it. */
export function stateCacheOf(store: EventStore): StateCache {
  let cache = perStore.get(store);
  if (!cache) perStore.set(store, (cache = new StateCache()));
  return cache;
}
