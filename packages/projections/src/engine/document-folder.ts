import type { DomainEventType } from '@taawun/domain';
import { ProjectionError } from './errors.js';
import { COUNTERS_PREFIX, LAST_CODE_UNIT, stateToJson, type EventOfType, type IndexEntry, type Projection } from './projection.js';
import { shareNoteKey, shareOf, SHARES_KEPT } from './shares.js';
import type { CommitChange, GenerationInfo, IndexPosition, IndexRow, ReadModelStorage } from './storage.js';

/** A document in the runner's cache: as last committed, and as it is now. */
interface Cached<S> {
  /** The document as last committed; `undefined` when it was absent. */
  committed: S | undefined;
  current: S | undefined;
  dirty: boolean;
  /** For a projection that keeps shares: the share note of `committed` as written (`null`: no document), once known. */
  committedShare?: string | null;
}

export interface FolderOptions {
  /** Clean documents kept in memory between events (least recently used evicted first). Default 500. */
  readonly cacheSize?: number;
}

type Counters = Record<string, number>;

const entryId = (e: IndexPosition) => `${e.index}\u0000${e.key}\u0000${e.sort}`;

/**
 * Folds events into the documents of one generation: a bounded cache of
 * documents (misses fetched in batches), the ones changed since the last commit
 * tracked as dirty, and a commit that writes exactly those, with the index
 * entries and counters derived from them, and the checkpoint, in one transaction.
 *
 * Index entries and counter contributions are derived from a document as last
 * committed and as it is now, and only their difference is written: a document
 * changed by many events between two commits is derived twice, not once per event.
 */
export class DocumentFolder<S, T extends DomainEventType> {
  private readonly cache = new Map<string, Cached<S>>();
  private readonly dirtyKeys = new Set<string>();
  private readonly cacheSize: number;
  /** Keys certainly absent from storage: every key, for a generation this folder started empty and has written nothing but what it tracks. */
  private readonly written: Set<string> | undefined;
  /** For a projection that keeps shares, a generation this folder started: its first commit says every document has its share note. */
  private sharesKeptToSay: boolean;

  constructor(
    readonly projection: Projection<S, T>,
    private readonly storage: ReadModelStorage,
    private info: GenerationInfo,
    options: FolderOptions = {},
  ) {
    this.cacheSize = Math.max(1, options.cacheSize ?? 500);
    // A fresh generation holds only what this folder writes: a miss on any other key needs no read.
    this.written = info.position === undefined && info.eventsApplied === 0 ? new Set() : undefined;
    this.sharesKeptToSay = projection.keepsShares === true && this.written !== undefined;
  }

  get generation(): GenerationInfo {
    return this.info;
  }

  /** Documents changed since the last commit. */
  get dirtyCount(): number {
    return this.dirtyKeys.size;
  }

  /** Load into the cache, in one read, the documents with these keys (those of a page of events). */
  async prefetch(keys: Iterable<string>): Promise<void> {
    const missing = new Set<string>();
    for (const key of keys) if (!this.cache.has(key)) missing.add(key);
    await this.load([...missing]);
  }

  /**
   * Fold one event into its documents (`keys`: `projection.keysOf(event)`, when
   * already known). Synchronous when they are in the cache (after `prefetch`):
   * a rebuild awaits nothing per event.
   */
  apply(event: EventOfType<T>, keys: readonly string[] = this.projection.keysOf(event)): Promise<void> | undefined {
    for (const key of keys) if (!this.cache.has(key)) return this.load(keys.filter((k) => !this.cache.has(k))).then(() => this.fold(event, keys));
    this.fold(event, keys);
    return undefined;
  }

  private fold(event: EventOfType<T>, keys: readonly string[]): void {
    for (const key of keys) {
      const entry = this.cache.get(key)!;
      const before = entry.current === undefined ? this.projection.initialState : entry.current;
      const after = this.projection.evolve(before, event, key);
      // Most recently used last: eviction takes the oldest first.
      this.cache.delete(key);
      this.cache.set(key, entry);
      if (after === before) continue;
      entry.current = after;
      if (!entry.dirty) {
        entry.dirty = true;
        this.dirtyKeys.add(key);
      }
    }
  }

  /** A document as it is now (the cache, else storage), for readers of an ephemeral model. */
  async current(key: string): Promise<S | undefined> {
    if (!this.cache.has(key)) await this.load([key]);
    return this.cache.get(key)!.current;
  }

  /**
   * Write the dirty documents, their index and counter changes and the
   * checkpoint in one transaction (compare-and-set on the checkpoint), then let
   * clean documents beyond the cache size go. `notes`: the engine's own
   * documents to write in the same transaction (never cached, never derived from).
   */
  async commit(position: bigint, eventsApplied: number, notes: readonly { key: string; value: string | null }[] = []): Promise<GenerationInfo> {
    const { projection } = this;
    const documents: { key: string; value: string | null }[] = [];
    const remove = new Map<string, IndexPosition>();
    const put = new Map<string, IndexRow>();
    const deltas = new Map<string, Counters>();
    // What this commit writes, as it is now: a document folded again while the commit is on its way stays dirty.
    const written: [string, Cached<S>, S | undefined, (string | null)?][] = [];
    for (const key of this.dirtyKeys) {
      const entry = this.cache.get(key)!;
      documents.push({ key, value: stateToJson(entry.current, `${projection.name} document ${JSON.stringify(key)}`) });
      if (projection.indexes) this.diffIndex(key, entry, remove, put);
      if (projection.counters) this.addDeltas(key, entry, deltas);
      if (!projection.keepsShares) {
        written.push([key, entry, entry.current]);
        continue;
      }
      // Its share note, written when the share changes (and with the document, deleted with it).
      const share = this.shareText(key, entry.current);
      if (share !== (entry.committedShare === undefined ? this.shareText(key, entry.committed) : entry.committedShare)) documents.push({ key: shareNoteKey(key), value: share });
      written.push([key, entry, entry.current, share]);
    }
    if (this.sharesKeptToSay) documents.push({ key: SHARES_KEPT, value: 'true' });
    this.dirtyKeys.clear();
    for (const [, entry] of written) entry.dirty = false;
    if (deltas.size > 0) documents.push(...(await this.applyDeltas(deltas)));
    documents.push(...notes);
    const change: CommitChange = {
      documents,
      index: { remove: [...remove.values()], put: [...put.values()] },
      position,
      eventsApplied,
      expectedPosition: this.info.position,
    };
    this.info = await this.storage.commit(projection.name, this.info.generation, change);
    this.sharesKeptToSay = false;
    for (const [key, entry, value, share] of written) {
      entry.committed = value;
      if (share !== undefined) entry.committedShare = share;
      this.written?.add(key);
    }
    this.evict();
    return this.info;
  }

  /** A document's share note as written (`null`: no document, no note). */
  private shareText(key: string, doc: S | undefined): string | null {
    return doc === undefined ? null : JSON.stringify(shareOf(this.projection, key, doc));
  }

  private diffIndex(key: string, entry: Cached<S>, remove: Map<string, IndexPosition>, put: Map<string, IndexRow>): void {
    const derive = (doc: S | undefined): Map<string, IndexEntry> => {
      const entries = new Map<string, IndexEntry>();
      if (doc === undefined) return entries;
      for (const e of this.projection.indexes!(key, doc)) entries.set(entryId(e), e);
      return entries;
    };
    const before = derive(entry.committed);
    const after = derive(entry.current);
    for (const [id, e] of before) {
      const now = after.get(id);
      if (!now) {
        // Another document may have written the same position in this commit: its put wins.
        if (!put.has(id)) remove.set(id, { index: e.index, key: e.key, sort: e.sort });
      } else if (JSON.stringify(now.value ?? null) === JSON.stringify(e.value ?? null)) {
        after.delete(id);
      }
    }
    for (const [id, e] of after) {
      remove.delete(id);
      put.set(id, { index: e.index, key: e.key, sort: e.sort, document: key, value: e.value === undefined ? null : stateToJson(e.value, `${this.projection.name} index ${e.index}`) });
    }
  }

  private addDeltas(key: string, entry: Cached<S>, deltas: Map<string, Counters>): void {
    const add = (doc: S | undefined, sign: 1 | -1) => {
      if (doc === undefined) return;
      for (const contribution of this.projection.counters!(key, doc)) {
        if (contribution.counters.startsWith(COUNTERS_PREFIX) || contribution.counters.startsWith(LAST_CODE_UNIT)) {
          throw new ProjectionError('invalid-projection', `projection ${this.projection.name}: counters named ${JSON.stringify(contribution.counters)}; a counter name may not start with "${COUNTERS_PREFIX}" (the engine's own notes do) nor with U+FFFF (every engine key sorts before "${COUNTERS_PREFIX}\uffff")`);
        }
        const target = deltas.get(contribution.counters) ?? {};
        deltas.set(contribution.counters, target);
        for (const [name, value] of Object.entries(contribution.values)) target[name] = (target[name] ?? 0) + sign * value;
      }
    };
    add(entry.committed, -1);
    add(entry.current, 1);
  }

  /** Apply counter deltas to the counter documents; the documents to write (null: no counter left). */
  private async applyDeltas(deltas: Map<string, Counters>): Promise<{ key: string; value: string | null }[]> {
    const keys = [...deltas.keys()].map((name) => COUNTERS_PREFIX + name);
    await this.load(keys.filter((key) => !this.cache.has(key)));
    const written: { key: string; value: string | null }[] = [];
    for (const [name, delta] of deltas) {
      const key = COUNTERS_PREFIX + name;
      const entry = this.cache.get(key)! as unknown as Cached<Counters>;
      const existed = entry.current !== undefined;
      // The engine's own object (evolve never sees it): changed in place, keys kept in order.
      let counters: Counters = entry.current ?? {};
      let changed = false;
      let added = false;
      for (const [counter, by] of Object.entries(delta)) {
        if (by === 0) continue;
        changed = true;
        const value = (counters[counter] ?? 0) + by;
        if (!(counter in counters)) added = true;
        if (value === 0) delete counters[counter];
        else counters[counter] = value;
      }
      if (!changed) continue;
      if (added) counters = Object.fromEntries(Object.entries(counters).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      const empty = Object.keys(counters).length === 0;
      // Counter documents are written here, not by evolve: clean once this commit lands.
      entry.current = empty ? undefined : counters;
      entry.committed = entry.current;
      if (empty && !existed) continue;
      written.push({ key, value: empty ? null : JSON.stringify(counters) });
      this.written?.add(key);
    }
    return written;
  }

  private async load(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    const toRead = this.written ? keys.filter((key) => this.written!.has(key)) : keys;
    const found = toRead.length > 0 ? await this.storage.documents(this.projection.name, this.info.generation, toRead) : new Map<string, string>();
    for (const key of keys) {
      if (this.cache.has(key)) continue;
      const text = found.get(key);
      const value = text === undefined ? undefined : (JSON.parse(text) as S);
      this.cache.set(key, { committed: value, current: value, dirty: false });
    }
  }

  private evict(): void {
    let excess = this.cache.size - this.cacheSize;
    if (excess <= 0) return;
    for (const [key, entry] of this.cache) {
      if (excess <= 0) break;
      if (entry.dirty) continue;
      this.cache.delete(key);
      excess--;
    }
  }
}
