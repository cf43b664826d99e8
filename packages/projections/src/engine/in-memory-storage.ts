import { ProjectionError } from './errors.js';
import type { CommitChange, GenerationInfo, IndexPosition, IndexRange, IndexRow, KeyRange, ReadModelStorage, StoredDocument, StoredIndexEntry } from './storage.js';

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

/** The first position in sorted `keys` not below `key`. */
function firstAtOrAfter(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first position in `entries` whose sort is not below `sort`. */
function lowerBound(entries: readonly StoredIndexEntry[], sort: string): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entries[mid]!.sort < sort) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

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
    const sorted = (stored.sortedKeys ??= [...stored.documents.keys()].sort(binaryOrder));
    const from = [range.prefix, range.after].reduce((at, bound) => (bound === undefined ? at : Math.max(at, firstAtOrAfter(sorted, bound))), 0);
    const found: StoredDocument[] = [];
    for (let i = from; i < sorted.length && found.length < (range.limit ?? Number.POSITIVE_INFINITY); i++) {
      const key = sorted[i]!;
      if (range.after !== undefined && key <= range.after) continue;
      if (range.prefix !== undefined && !key.startsWith(range.prefix)) break;
      found.push({ key, value: stored.documents.get(key)! });
    }
    return found;
  }

  async listKeys(name: string, generation: number, range: KeyRange = {}): Promise<string[]> {
    return (await this.listDocuments(name, generation, range)).map((d) => d.key);
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
