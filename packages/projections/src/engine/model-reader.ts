import { ProjectionError } from './errors.js';
import { COUNTERS_PREFIX, LAST_CODE_UNIT, SINGLE_DOCUMENT, type AnyProjection } from './projection.js';
import { ENGINE_NOTES_PREFIX, readShares, SHARES_KEPT, type DocumentShare } from './shares.js';
import { activeGeneration, type GenerationInfo, type IndexRange, type KeyRange, type KeySpan, type ReadModelStorage } from './storage.js';

/** An index entry as a reader sees it: its sort key, the document it comes from, and its value (parsed). */
export interface ModelIndexEntry<V = unknown> {
  readonly sort: string;
  readonly document: string;
  readonly value: V | null;
}

/**
 * Read access to one built model: a stored generation, or a model replayed in
 * memory (time lenses, no storage). Views read only what their answer needs:
 * a few documents by key, an index range, counters.
 */
export interface ModelReader<S = unknown> {
  readonly projection: AnyProjection;
  /** The stored generation read (position and all), or undefined for a model replayed in memory. */
  readonly info: GenerationInfo | undefined;
  /** One document; `undefined` when the model has none under that key. */
  get(key: string): Promise<S | undefined>;
  /** Documents by key: the map holds those that exist. */
  getMany(keys: readonly string[]): Promise<Map<string, S>>;
  /** Document keys in order (binary order of UTF-16 code units), e.g. every `partner-` record; `offset` and `limit` read a page of them. */
  keys(range?: KeyRange): Promise<string[]>;
  /** How many keys `keys(range)` gives without an offset or a limit: a list's length, counted where the keys are, not listed. */
  keyCount(range?: KeySpan): Promise<number>;
  /** The entries of `(index, key)` in sort order, a page at a time. */
  index<V = unknown>(index: string, key: string, range?: IndexRange): Promise<ModelIndexEntry<V>[]>;
  /** How many entries `(index, key)` has. */
  indexSize(index: string, key: string): Promise<number>;
  /** The sums kept by the projection's `counters` under this name (`{}` when none). */
  counters(name: string): Promise<Readonly<Record<string, number>>>;
  /** The one document of a projection without `keyOf` (its initial state when nothing was folded). */
  state(): Promise<S>;
  /** Everything the model holds as canonical JSON text (see `exportModel`): equal exactly when two models are. */
  export(): Promise<string>;
  /**
   * The shares of these documents (`shares.ts`) as the engine keeps them, for
   * a projection that `keepsShares`: `undefined` when this model does not keep
   * them (a reader of no stored generation, or one built before they were kept).
   */
  shares?(keys: readonly string[]): Promise<Map<string, DocumentShare> | undefined>;
}

const parseValue = <V>(value: string | null): V | null => (value === null ? null : (JSON.parse(value) as V));

/** The reads of the storage port: all a model reader needs (a storage can give them inside one of its transactions). */
export type ReadModelReads = Pick<ReadModelStorage, 'documents' | 'listDocuments' | 'listKeys' | 'countKeys' | 'readIndex' | 'countIndex' | 'listIndex'>;

/** After every key of the engine's block (no counters name starts with U+FFFF, nor any note). */
const PAST_ENGINE_KEYS = COUNTERS_PREFIX + LAST_CODE_UNIT;
/** Where the engine's counters and notes (documents under `#`, not the model's) may lie among the keys of a range: they sort together, under one prefix. */
const countersAmong = (prefix = ''): 'all' | 'some' | 'none' => (prefix.startsWith(COUNTERS_PREFIX) ? 'all' : COUNTERS_PREFIX.startsWith(prefix) ? 'some' : 'none');

/**
 * The model's keys of a range, and how many there are, from the storage's: the
 * counters left out. A range they cannot fall in (a record's prefix: every list
 * a view pages) is the storage's page and count as they are; over every key,
 * the page skips their block (they sort together: when the page's first key
 * lies at or past them, the page starts as many keys further).
 */
function modelKeys(storage: ReadModelReads, name: string, generation: number) {
  const countersIn = (range: KeySpan) => storage.countKeys(name, generation, { prefix: COUNTERS_PREFIX, ...(range.after === undefined ? {} : { after: range.after }) });
  return {
    async keys(range: KeyRange): Promise<string[]> {
      const among = countersAmong(range.prefix);
      if (among !== 'some') return among === 'all' ? [] : storage.listKeys(name, generation, range);
      const offset = Math.max(0, range.offset ?? 0);
      if (range.limit !== undefined) {
        // No key before the engine's block (keys are ids, which start past "#"): the page is read past the block, whose
        // size is not read (one note a document for a projection that keeps shares).
        const [first] = await storage.listKeys(name, generation, { ...range, offset: 0, limit: 1 });
        if (first === undefined) return [];
        if (first >= COUNTERS_PREFIX) {
          const after = range.after !== undefined && range.after > PAST_ENGINE_KEYS ? range.after : PAST_ENGINE_KEYS;
          return storage.listKeys(name, generation, { ...range, after, offset });
        }
      }
      const counters = await countersIn(range);
      const read = await storage.listKeys(name, generation, { ...range, offset, ...(range.limit === undefined ? {} : { limit: range.limit + counters }) });
      // The page starts at or past the counters: it is the keys as many further on.
      if (counters > 0 && read[0] !== undefined && read[0] >= COUNTERS_PREFIX) return storage.listKeys(name, generation, { ...range, offset: offset + counters });
      const found = read.filter((key) => !key.startsWith(COUNTERS_PREFIX));
      return range.limit === undefined ? found : found.slice(0, range.limit);
    },
    async keyCount(range: KeySpan): Promise<number> {
      const among = countersAmong(range.prefix);
      if (among !== 'some') return among === 'all' ? 0 : storage.countKeys(name, generation, range);
      const [all, counters] = await Promise.all([storage.countKeys(name, generation, range), countersIn(range)]);
      return all - counters;
    },
  };
}

/**
 * One page of the keys a model holds under `prefix` (every key when none), and
 * how many it holds: a page of keys and a count read where the keys are, so a
 * list read a page at a time costs a page each time, not the whole list.
 */
export async function keysPage(model: ModelReader, page: { readonly offset?: number; readonly limit?: number }, prefix?: string): Promise<{ keys: string[]; total: number }> {
  const span = prefix === undefined ? {} : { prefix };
  const [keys, total] = await Promise.all([
    model.keys({ ...span, offset: Math.max(0, page.offset ?? 0), ...(page.limit === undefined ? {} : { limit: page.limit }) }),
    model.keyCount(span),
  ]);
  return { keys, total };
}

/** A reader over one generation of a storage. */
export function storedModel<S>(storage: ReadModelReads, projection: AnyProjection, info: GenerationInfo): ModelReader<S> {
  const { name } = projection;
  const { generation } = info;
  const keys = modelKeys(storage, name, generation);
  const reader: ModelReader<S> = {
    projection,
    info,
    async get(key) {
      const text = (await storage.documents(name, generation, [key])).get(key);
      return text === undefined ? undefined : (JSON.parse(text) as S);
    },
    async getMany(keys) {
      const unique = [...new Set(keys)];
      const found = new Map<string, S>();
      // Bounded batches: SQL drivers limit the parameters of one statement.
      for (let i = 0; i < unique.length; i += 500) {
        for (const [key, text] of await storage.documents(name, generation, unique.slice(i, i + 500))) found.set(key, JSON.parse(text) as S);
      }
      return found;
    },
    keys: (range = {}) => keys.keys(range),
    keyCount: (range = {}) => keys.keyCount(range),
    async index<V>(index: string, key: string, range: IndexRange = {}) {
      return (await storage.readIndex(name, generation, index, key, range)).map((e) => ({ sort: e.sort, document: e.document, value: parseValue<V>(e.value) }));
    },
    indexSize: (index, key) => storage.countIndex(name, generation, index, key),
    async counters(counters) {
      const text = (await storage.documents(name, generation, [COUNTERS_PREFIX + counters])).get(COUNTERS_PREFIX + counters);
      return text === undefined ? {} : (JSON.parse(text) as Record<string, number>);
    },
    async state() {
      return (await reader.get(SINGLE_DOCUMENT)) ?? (projection.initialState as S);
    },
    export: () => exportModel(storage, name, generation),
    async shares(keys) {
      sharesKept ??= projection.keepsShares ? storage.documents(name, generation, [SHARES_KEPT]).then((found) => found.has(SHARES_KEPT)) : Promise.resolve(false);
      return (await sharesKept) ? readShares(storage, name, generation, keys) : undefined;
    },
  };
  /** Whether the generation keeps its documents' shares: read once. */
  let sharesKept: Promise<boolean> | undefined;
  return reader;
}

/**
 * Everything a generation holds, as canonical JSON text: its documents by key
 * (counters included; the engine's own notes left out) and its index entries in order. Two builds of the same log are equal exactly
 * when their exports are (tests, audits of a rebuild).
 */
export async function exportModel(storage: ReadModelReads, name: string, generation: number): Promise<string> {
  const documents: [string, unknown][] = [];
  for (let after: string | undefined; ; ) {
    const page = await storage.listDocuments(name, generation, { ...(after === undefined ? {} : { after }), limit: 1000 });
    // The engine's notes (corrections read ahead, documents' shares) are bookkeeping, not the model.
    for (const d of page) if (!d.key.startsWith(ENGINE_NOTES_PREFIX)) documents.push([d.key, JSON.parse(d.value)]);
    if (page.length < 1000) break;
    after = page.at(-1)!.key;
  }
  const index: [string, string, string, string, unknown][] = [];
  for (let after: { index: string; key: string; sort: string } | undefined; ; ) {
    const page = await storage.listIndex(name, generation, { ...(after === undefined ? {} : { after }), limit: 1000 });
    for (const e of page) index.push([e.index, e.key, e.sort, e.document, parseValue(e.value)]);
    if (page.length < 1000) break;
    const last = page.at(-1)!;
    after = { index: last.index, key: last.key, sort: last.sort };
  }
  return JSON.stringify({ documents, index });
}

/** Export the active generation of a projection (`undefined` when there is none). */
export async function exportActiveModel(storage: ReadModelStorage, name: string): Promise<string | undefined> {
  const active = await activeGeneration(storage, name);
  return active ? exportModel(storage, name, active.generation) : undefined;
}

/** A query found the stored model changed between two of its reads: it is asked again. */
export const modelChanged = (what: string) => new ProjectionError('model-changed', `${what}; the model changed while it was read`);
