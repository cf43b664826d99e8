import { ProjectionError } from './errors.js';
import type { CommitChange, GenerationInfo, IndexPosition, IndexRange, IndexRow, KeyRange, KeySpan, ReadModelStorage, StoredDocument, StoredIndexEntry } from './storage.js';

interface Generation {
  info: GenerationInfo;
  readonly documents: Map<string, string>;
  /** The documents' keys in order, computed when first listed after a change. */
  sortedKeys?: string[] | undefined;
  /** `index \u0000 key` -> entries sorted by `sort`. */
  readonly index: Map<string, StoredIndexEntry[]>;
}

const binaryOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const indexKey = (index: string, key: string) => `${index}\u0000${key}`;

/** The first position in `sorted` where `before` no longer holds (it holds for a first run of them, then never). */
function firstNotBefore<T>(sorted: readonly T[], before: (item: T) => boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(sorted[mid]!)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Where the keys of `span` lie in sorted `keys`: `[from, to)`, found by halving, so a page and a count cost no walk of the list. */
function spanOf(keys: readonly string[], { prefix, after }: KeySpan): { from: number; to: number } {
  const from = Math.max(
    prefix === undefined ? 0 : firstNotBefore(keys, (key) => key < prefix),
    after === undefined ? 0 : firstNotBefore(keys, (key) => key <= after),
  );
  // The keys starting with the prefix follow one another: every key below it, then them.
  const to = prefix === undefined ? keys.length : firstNotBefore(keys, (key) => key < prefix || key.startsWith(prefix));
  return { from, to: Math.max(from, to) };
}

/** The first position in `entries` whose sort is not below `sort`. */
const lowerBound = (entries: readonly StoredIndexEntry[], sort: string): number => firstNotBefore(entries, (entry) => entry.sort < sort);

/**
 * Read models in memory: for tests, time lenses and embedding where a rebuild at
 * start-up is cheap. Holds documents as JSON text like the durable storages, so
 * a document that would not survive them fails here too.
 */
export class InMemoryReadModelStorage implements ReadModelStorage {
  private readonly models = new Map<string, Map<number, Generation>>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  async generations(name: string): Promise<GenerationInfo[]> {
    return [...(this.models.get(name)?.values() ?? [])].map((g) => g.info).sort((a, b) => a.generation - b.generation);
  }

  async create(name: string, version: number): Promise<GenerationInfo> {
    const generations = this.models.get(name) ?? new Map<number, Generation>();
    this.models.set(name, generations);
    const generation = Math.max(0, ...generations.keys()) + 1;
    const info: GenerationInfo = { name, generation, version, status: 'building', position: undefined, eventsApplied: 0, updatedAt: this.now().toISOString() };
    generations.set(generation, { info, documents: new Map(), index: new Map() });
    return info;
  }

  async commit(name: string, generation: number, change: CommitChange): Promise<GenerationInfo> {
    const stored = this.models.get(name)?.get(generation);
    if (!stored) throw new ProjectionError('generation-missing', `read model ${name}: generation ${generation} no longer exists (another runner replaced it)`);
    if (stored.info.position !== change.expectedPosition) {
      throw new ProjectionError(
        'concurrent-runner',
        `read model ${name} generation ${generation}: the checkpoint is ${String(stored.info.position)}, not ${String(change.expectedPosition)}; another runner wrote first`,
      );
    }
    // Nothing below can fail, so the change is all or nothing.
    for (const { key, value } of change.documents) {
      if (value === null) stored.documents.delete(key);
      else stored.documents.set(key, value);
    }
    if (change.documents.length > 0) stored.sortedKeys = undefined;
    for (const position of change.index.remove) this.removeEntry(stored, position);
    for (const row of change.index.put) this.putEntry(stored, row);
    stored.info = { ...stored.info, position: change.position, eventsApplied: change.eventsApplied, updatedAt: this.now().toISOString() };
    return stored.info;
  }

  async activate(name: string, generation: number): Promise<void> {
    const stored = this.models.get(name)?.get(generation);
    if (!stored) throw new ProjectionError('generation-missing', `read model ${name}: generation ${generation} does not exist`);
    stored.info = { ...stored.info, status: 'active', updatedAt: this.now().toISOString() };
    this.models.set(name, new Map([[generation, stored]]));
  }

  async drop(name: string, generation: number): Promise<void> {
    this.models.get(name)?.delete(generation);
  }

  async documents(name: string, generation: number, keys: readonly string[]): Promise<Map<string, string>> {
    const stored = this.generation(name, generation);
    const found = new Map<string, string>();
    for (const key of keys) {
      const value = stored.documents.get(key);
      if (value !== undefined) found.set(key, value);
    }
    return found;
  }

  async listDocuments(name: string, generation: number, range: KeyRange = {}): Promise<StoredDocument[]> {
    const stored = this.generation(name, generation);
    return this.listed(stored, range).map((key) => ({ key, value: stored.documents.get(key)! }));
  }

  async listKeys(name: string, generation: number, range: KeyRange = {}): Promise<string[]> {
    return this.listed(this.generation(name, generation), range);
  }

  async countKeys(name: string, generation: number, range: KeySpan = {}): Promise<number> {
    const { from, to } = spanOf(this.sorted(this.generation(name, generation)), range);
    return to - from;
  }

  /** The keys of `range` in order. */
  private listed(stored: Generation, range: KeyRange): string[] {
    const { from, to } = spanOf(this.sorted(stored), range);
    const first = from + Math.max(0, range.offset ?? 0);
    return this.sorted(stored).slice(first, range.limit === undefined ? to : Math.min(to, first + range.limit));
  }

  /** The documents' keys in order, sorted again only after a change. */
  private sorted(stored: Generation): string[] {
    return (stored.sortedKeys ??= [...stored.documents.keys()].sort(binaryOrder));
  }

  async readIndex(name: string, generation: number, index: string, key: string, range: IndexRange = {}): Promise<StoredIndexEntry[]> {
    const entries = this.generation(name, generation).index.get(indexKey(index, key)) ?? [];
    let from = 0;
    if (range.after !== undefined) {
      from = lowerBound(entries, range.after);
      if (entries[from]?.sort === range.after) from++;
    }
    from += range.offset ?? 0;
    return entries.slice(from, range.limit === undefined ? undefined : from + range.limit);
  }

  async countIndex(name: string, generation: number, index: string, key: string): Promise<number> {
    return this.generation(name, generation).index.get(indexKey(index, key))?.length ?? 0;
  }

  async listIndex(name: string, generation: number, range: { after?: IndexPosition; limit?: number } = {}): Promise<IndexRow[]> {
    const stored = this.generation(name, generation);
    const rows: IndexRow[] = [];
    for (const [composite, entries] of stored.index) {
      const [index, key] = composite.split('\u0000') as [string, string];
      for (const e of entries) rows.push({ index, key, ...e });
    }
    const order = (a: IndexPosition, b: IndexPosition) => binaryOrder(a.index, b.index) || binaryOrder(a.key, b.key) || binaryOrder(a.sort, b.sort);
    const after = range.after;
    return rows
      .filter((r) => after === undefined || order(r, after) > 0)
      .sort(order)
      .slice(0, range.limit ?? Number.POSITIVE_INFINITY);
  }

  private generation(name: string, generation: number): Generation {
    const stored = this.models.get(name)?.get(generation);
    if (!stored) throw new ProjectionError('generation-missing', `read model ${name}: generation ${generation} does not exist`);
    return stored;
  }

  private removeEntry(stored: Generation, { index, key, sort }: IndexPosition): void {
    const composite = indexKey(index, key);
    const entries = stored.index.get(composite);
    if (!entries) return;
    const at = lowerBound(entries, sort);
    if (entries[at]?.sort !== sort) return;
    entries.splice(at, 1);
    if (entries.length === 0) stored.index.delete(composite);
  }

  private putEntry(stored: Generation, row: IndexRow): void {
    const composite = indexKey(row.index, row.key);
    let entries = stored.index.get(composite);
    if (!entries) stored.index.set(composite, (entries = []));
    const entry: StoredIndexEntry = { sort: row.sort, document: row.document, value: row.value };
    const at = lowerBound(entries, row.sort);
    if (entries[at]?.sort === row.sort) entries[at] = entry;
    else entries.splice(at, 0, entry);
  }
}
