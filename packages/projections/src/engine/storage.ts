/**
 * The read-model storage port: where a projection's documents, their index
 * entries and its checkpoint live. In-memory and SQLite implement it here and in
 * `@taawun/adapter-sqlite`; PostgreSQL implements it in `@taawun/adapter-postgres`.
 * Every implementation passes `readModelStorageContract` from `@taawun/projections/testing`.
 *
 * A read model is kept in **generations**. A generation is one build of one
 * projection version: its **documents** (JSON text by key), its **index
 * entries** (rows `(index, key, sort) -> (document, value)` read in `sort`
 * order) and its **checkpoint** (the log position of the last event applied),
 * which change together in one transaction. At most one generation per name is
 * `active` (the one readers use); a rebuild writes a new `building` generation
 * beside it and `activate` swaps it in, so readers never see a half-built model.
 *
 * The storage knows nothing of what documents mean: the engine decides what to
 * write (only what changed) and derives the index entries.
 */
export interface ReadModelStorage {
  /** Every generation kept for the read model `name`, oldest first. */
  generations(name: string): Promise<GenerationInfo[]>;

  /** Start a new, empty `building` generation of `version`, with no checkpoint. Its number is greater than every generation kept for `name`. */
  create(name: string, version: number): Promise<GenerationInfo>;

  /**
   * Write the changed documents, the index changes and the new checkpoint in
   * **one transaction**: after a crash either all of it is there or none of it,
   * so an event is never applied twice nor skipped. Compare-and-set: the stored
   * checkpoint must still be `expectedPosition` (else
   * `ProjectionError('concurrent-runner')`: another runner wrote first); a
   * missing generation is `ProjectionError('generation-missing')`.
   */
  commit(name: string, generation: number, change: CommitChange): Promise<GenerationInfo>;

  /**
   * Atomically make `generation` the active one and delete every other generation
   * of `name` (the one it replaces, and abandoned builds) with their documents and
   * index entries. Readers see the old model until this returns and the new one after.
   */
  activate(name: string, generation: number): Promise<void>;

  /** Delete a generation with its documents and index entries. Deleting one that does not exist does nothing. */
  drop(name: string, generation: number): Promise<void>;

  /** The documents with these keys (JSON text exactly as committed); absent keys are not in the map. */
  documents(name: string, generation: number, keys: readonly string[]): Promise<Map<string, string>>;

  /** Documents in key order (binary order of the UTF-16 code units), a page at a time. */
  listDocuments(name: string, generation: number, range?: KeyRange): Promise<StoredDocument[]>;

  /** The keys `listDocuments` would give, without reading the documents: a list's ids, to page it without holding its records. */
  listKeys(name: string, generation: number, range?: KeyRange): Promise<string[]>;

  /**
   * How many keys `listKeys` gives for `range` without an offset or a limit: a
   * list's length, counted where the keys are (SQL's `count`), so that a page
   * of a long list (`offset` and `limit`) costs a page and a count, not a
   * listing of every key.
   */
  countKeys(name: string, generation: number, range?: KeySpan): Promise<number>;

  /** The entries of one `(index, key)`, in `sort` order, a page at a time. */
  readIndex(name: string, generation: number, index: string, key: string, range?: IndexRange): Promise<StoredIndexEntry[]>;

  /** How many entries `(index, key)` has. */
  countIndex(name: string, generation: number, index: string, key: string): Promise<number>;

  /** Every index entry of the generation, ordered by `(index, key, sort)`, a page at a time (exports, checks). */
  listIndex(name: string, generation: number, range?: { readonly after?: IndexPosition; readonly limit?: number }): Promise<IndexRow[]>;
}

export interface GenerationInfo {
  readonly name: string;
  /** 1, 2, 3, ... per name; a rebuild gets a greater number than what it replaces. */
  readonly generation: number;
  /** The projection version that builds it. */
  readonly version: number;
  readonly status: 'building' | 'active';
  /** The checkpoint: position of the last event applied (or covered); `undefined` before the first commit. */
  readonly position: bigint | undefined;
  /** Events applied to this generation since it was created. */
  readonly eventsApplied: number;
  /** ISO 8601 instant of the last change. */
  readonly updatedAt: string;
}

export interface StoredDocument {
  readonly key: string;
  /** JSON text, exactly as committed. */
  readonly value: string;
}

/** Where an index entry lies: unique within a generation. */
export interface IndexPosition {
  readonly index: string;
  readonly key: string;
  readonly sort: string;
}

export interface IndexRow extends IndexPosition {
  /** The key of the document the entry was derived from. */
  readonly document: string;
  /** JSON text, or null. */
  readonly value: string | null;
}

export interface StoredIndexEntry {
  readonly sort: string;
  readonly document: string;
  readonly value: string | null;
}

export interface KeyRange {
  /** Only keys starting with this. */
  readonly prefix?: string;
  /** Only keys after this one. */
  readonly after?: string;
  /** Skip this many keys (of those `prefix` and `after` leave): a page by its place in the list, skipped where the keys are (SQL's `OFFSET`). */
  readonly offset?: number;
  readonly limit?: number;
}

/** The keys a count covers: a `KeyRange` without its page. */
export type KeySpan = Pick<KeyRange, 'prefix' | 'after'>;

export interface IndexRange {
  /** Only entries whose sort is after this one. */
  readonly after?: string;
  /** Skip this many entries (after `after`). */
  readonly offset?: number;
  readonly limit?: number;
}

export interface CommitChange {
  /** Documents to write (`value`: JSON text) or delete (`value: null`). */
  readonly documents: readonly { readonly key: string; readonly value: string | null }[];
  /** Index entries to delete (by position) and to write (replacing one at the same position). Deletions apply first. */
  readonly index: { readonly remove: readonly IndexPosition[]; readonly put: readonly IndexRow[] };
  /** The new checkpoint. Never smaller than the stored one. */
  readonly position: bigint;
  readonly eventsApplied: number;
  /** The checkpoint this change was computed from (`undefined`: none yet). */
  readonly expectedPosition: bigint | undefined;
}

/** The generation readers use (`undefined` when the read model was never built). */
export async function activeGeneration(storage: Pick<ReadModelStorage, 'generations'>, name: string): Promise<GenerationInfo | undefined> {
  return (await storage.generations(name)).find((g) => g.status === 'active');
}

/** The active generation when a projection of this version built it: what a query without a lens answers from. */
export async function currentGeneration(storage: Pick<ReadModelStorage, 'generations'>, projection: { readonly name: string; readonly version: number }): Promise<GenerationInfo | undefined> {
  const active = await activeGeneration(storage, projection.name);
  return active?.version === projection.version ? active : undefined;
}
