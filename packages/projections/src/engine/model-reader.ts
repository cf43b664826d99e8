import { ProjectionError } from './errors.js';
import { CORRECTIONS_KNOWN_TO, COUNTERS_PREFIX, SINGLE_DOCUMENT, type AnyProjection } from './projection.js';
import { activeGeneration, type GenerationInfo, type IndexRange, type KeyRange, type ReadModelStorage } from './storage.js';

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
  /** Document keys in order (binary order of UTF-16 code units), e.g. every `partner-` record. */
  keys(range?: KeyRange): Promise<string[]>;
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
}

const parseValue = <V>(value: string | null): V | null => (value === null ? null : (JSON.parse(value) as V));

/** The reads of the storage port: all a model reader needs (a storage can give them inside one of its transactions). */
export type ReadModelReads = Pick<ReadModelStorage, 'documents' | 'listDocuments' | 'listKeys' | 'readIndex' | 'countIndex' | 'listIndex'>;

/** A reader over one generation of a storage. */
export function storedModel<S>(storage: ReadModelReads, projection: AnyProjection, info: GenerationInfo): ModelReader<S> {
  const { name } = projection;
  const { generation } = info;
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
    async keys(range = {}) {
      return (await storage.listKeys(name, generation, range)).filter((key) => !key.startsWith(COUNTERS_PREFIX));
    },
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
  };
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
    // The engine's note of corrections read ahead is bookkeeping, not the model.
    for (const d of page) if (d.key !== CORRECTIONS_KNOWN_TO) documents.push([d.key, JSON.parse(d.value)]);
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
