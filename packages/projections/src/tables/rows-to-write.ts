import type { HeapBound } from '../engine/heap-bound.js';
import type { ModelReader } from '../engine/model-reader.js';
import { COUNTERS_PREFIX, SINGLE_DOCUMENT } from '../engine/projection.js';
import type { CommitChange } from '../engine/storage.js';
import type { TableRow } from './columns.js';
import type { AnyReadModelTables } from './read-model-tables.js';

/*
 * Keeping a read model's tables to its active generation by writing again only
 * what a commit touches. The rows of a unit (one partner's, one participant's, or
 * a whole read model's) are computed by the read model's views; every read they
 * make is noted as a dependency of the unit. When a commit changes documents or
 * index keys, only the units that read one of them (and the records the commit
 * writes) are computed again; the others keep their rows. Nothing here knows what
 * a view reads: it is observed, so a view that starts reading something else is
 * followed without a change here. A storage writes what this returns.
 */

/**
 * What a unit's rows were derived from, each list sorted (binary order of UTF-16
 * code units) without repeats: kept for as long as the tables are, for every
 * unit, so as lists of shared strings (a set costs about eight times the memory:
 * 36 MB against 4 for 1.2 million entries).
 */
export interface Dependencies {
  readonly documents: readonly string[];
  /** Key prefixes listed (`keys({ prefix })`): any document written under one. */
  readonly prefixes: readonly string[];
  /** `index \0 key` pairs read (entries or their count). */
  readonly indexes: readonly string[];
}

/** What a unit's reads note while its rows are computed. */
interface Noted {
  readonly documents: Set<string>;
  readonly prefixes: Set<string>;
  readonly indexes: Set<string>;
}

const settled = (noted: Noted): Dependencies => ({
  documents: [...noted.documents].sort(),
  prefixes: [...noted.prefixes].sort(),
  indexes: [...noted.indexes].sort(),
});

/** Whether a sorted list holds `key` (binary search). */
function holds(sorted: readonly string[], key: string): boolean {
  let low = 0;
  let high = sorted.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const found = sorted[middle]!;
    if (found === key) return true;
    if (found < key) low = middle + 1;
    else high = middle - 1;
  }
  return false;
}

/** What a read model's tables hold after a write: the generation and checkpoint they show, and each unit's dependencies. */
export interface TablesShown {
  readonly generation: number;
  readonly position: bigint | undefined;
  readonly units: ReadonlyMap<string, Dependencies>;
}

/** What a commit wrote: document keys, and `index \0 key` pairs whose entries changed. */
export interface ModelChanges {
  readonly documents: readonly string[];
  readonly indexes: readonly string[];
}

const indexPair = (index: string, key: string) => `${index}\u0000${key}`;

export const changesOf = (change: CommitChange): ModelChanges => ({
  documents: change.documents.map((d) => d.key),
  indexes: [...new Set([...change.index.remove, ...change.index.put].map((e) => indexPair(e.index, e.key)))],
});

/**
 * One string for each key the units read: units read many of the same records
 * (the institute, the people of shared sessions), and every view builds its keys
 * anew, so without it each unit's dependencies would hold copies of their own.
 */
function interning(): (key: string) => string {
  const kept = new Map<string, string>();
  return (key) => {
    const found = kept.get(key);
    if (found !== undefined) return found;
    kept.set(key, key);
    return key;
  };
}

/** A model reader that notes every read into `deps`. */
function tracing(model: ModelReader, deps: Noted, intern: (key: string) => string): ModelReader {
  const note = (key: string) => deps.documents.add(intern(key));
  return {
    ...model,
    get: (key) => (note(key), model.get(key)),
    getMany: (keys) => (keys.forEach(note), model.getMany(keys)),
    keys: (range = {}) => (deps.prefixes.add(range.prefix ?? ''), model.keys(range)),
    keyCount: (range = {}) => (deps.prefixes.add(range.prefix ?? ''), model.keyCount(range)),
    index: (index, key, range) => (deps.indexes.add(intern(indexPair(index, key))), model.index(index, key, range)),
    indexSize: (index, key) => (deps.indexes.add(intern(indexPair(index, key))), model.indexSize(index, key)),
    counters: (name) => (note(COUNTERS_PREFIX + name), model.counters(name)),
    state: () => (deps.documents.add(SINGLE_DOCUMENT), model.state()),
    // An export reads everything: the empty prefix stands for every document.
    export: () => (deps.prefixes.add(''), model.export()),
  };
}

function touches(deps: Dependencies, changes: ModelChanges): boolean {
  for (const pair of changes.indexes) if (holds(deps.indexes, pair)) return true;
  for (const key of changes.documents) {
    if (holds(deps.documents, key)) return true;
    for (const prefix of deps.prefixes) if (key.startsWith(prefix)) return true;
  }
  return false;
}

/**
 * Units computed at once: while one unit's reads are on their way to a database server (PostgreSQL: the
 * server finds and sends the documents on one core), another's views compute on the other. A storage
 * that reads synchronously (SQLite, memory) gains nothing and loses nothing.
 */
const UNITS_AT_ONCE = 4;

/** `work` for every item, at most `atOnce` at a time, the results given in the items' order (a failure thrown at its item). */
async function* inTurns<I, R>(items: readonly I[], atOnce: number, work: (item: I) => Promise<R>): AsyncGenerator<R> {
  const running: Promise<R>[] = [];
  let next = 0;
  const startMore = () => {
    while (next < items.length && running.length < atOnce) {
      const result = work(items[next++]!);
      // Handled when its turn comes; not unhandled while it waits (or when a failure before it ends the loop).
      result.catch(() => undefined);
      running.push(result);
    }
  };
  startMore();
  while (running.length > 0) {
    const result = await running[0]!;
    running.shift();
    startMore();
    yield result;
  }
}

export interface RowsToWrite {
  /** The rows to delete first: every row of the tables (`'all'`), or the rows of these units (by the unit column). */
  readonly replace: 'all' | readonly string[];
  /** The rows to insert then, per table. */
  readonly rows: Readonly<Record<string, readonly TableRow[]>>;
  /** What the tables hold once written: keep it for the next commit, once the write has committed. */
  readonly shown: TablesShown;
}

/** The rows to write, computed as they are asked for (`batches`): a rewrite of every unit holds a batch of rows at a time, not the whole model's. */
export interface RowsToWriteInBatches {
  readonly replace: RowsToWrite['replace'];
  /**
   * The rows to insert, per table, in the units' order: a batch once it holds at
   * least `rows` rows (whole units; the last batch may hold fewer). Read once.
   * `heap`, when given, is checked after each unit: a unit's views read and
   * parse many documents (a partner's history, every session and person it
   * names), so its garbage is collected a unit at a time, not a batch.
   */
  batches(rows: number, heap?: HeapBound): AsyncGenerator<Readonly<Record<string, readonly TableRow[]>>>;
  /** What the tables hold once written: complete once `batches` has been read to its end. */
  readonly shown: TablesShown;
}

/**
 * The rows to write to bring a read model's tables to the generation `model`
 * reads. With `changes` (a commit) and `previous` (what the tables show now, the
 * same generation), only the units the changes touch; otherwise every unit, and
 * every row replaced.
 */
export async function rowsToWriteInBatches(tables: AnyReadModelTables, model: ModelReader, previous: TablesShown | undefined, changes: ModelChanges | undefined): Promise<RowsToWriteInBatches> {
  const generation = model.info?.generation ?? 0;
  const current = previous !== undefined && changes !== undefined && previous.generation === generation;
  const units = new Map(current ? previous.units : []);
  let affected: string[];
  if (current) {
    const touched = new Set([...units].filter(([, deps]) => touches(deps, changes)).map(([unit]) => unit));
    for (const key of changes.documents) {
      // The engine's own documents (counters, its notes) are no record's: they make no unit.
      const unit = key.startsWith(COUNTERS_PREFIX) ? undefined : tables.unitOf(key);
      if (unit !== undefined) touched.add(unit);
    }
    if (tables.unitsListedIn?.some((key) => changes.documents.includes(key))) {
      for (const unit of await tables.units(model)) if (!units.has(unit)) touched.add(unit);
    }
    affected = [...touched];
  } else {
    affected = await tables.units(model);
  }
  const emptyBatch = (): Record<string, TableRow[]> => Object.fromEntries(tables.tables.map((t) => [t.name, []]));
  async function* batches(size: number, heap?: HeapBound): AsyncGenerator<Readonly<Record<string, readonly TableRow[]>>> {
    const intern = interning();
    const computed = inTurns(affected, UNITS_AT_ONCE, async (unit) => {
      const noted: Noted = { documents: new Set(), prefixes: new Set(), indexes: new Set() };
      const unitRows = await tables.rows(tracing(model, noted, intern), unit);
      return { unit, deps: settled(noted), unitRows };
    });
    let batch = emptyBatch();
    let held = 0;
    // In the units' order, whatever order their reads came back in.
    for await (const { unit, deps, unitRows } of computed) {
      for (const [table, r] of Object.entries(unitRows)) {
        for (const row of r) batch[table]!.push(row);
        held += r.length;
      }
      units.set(unit, deps);
      heap?.check();
      if (held >= size) {
        yield batch;
        batch = emptyBatch();
        held = 0;
      }
    }
    if (held > 0) yield batch;
  }
  // A read model laid out as a whole has no unit column: its one unit's rows are all the rows.
  const replace = !current || (tables.unitColumn === undefined && affected.length > 0) ? 'all' : affected;
  return { replace, batches, shown: { generation, position: model.info?.position, units } };
}

/** Every row to write at once (`rowsToWriteInBatches`, gathered). */
export async function rowsToWrite(tables: AnyReadModelTables, model: ModelReader, previous: TablesShown | undefined, changes: ModelChanges | undefined): Promise<RowsToWrite> {
  const planned = await rowsToWriteInBatches(tables, model, previous, changes);
  const rows: Record<string, TableRow[]> = Object.fromEntries(tables.tables.map((t) => [t.name, []]));
  for await (const batch of planned.batches(Number.POSITIVE_INFINITY)) for (const [table, r] of Object.entries(batch)) for (const row of r) rows[table]!.push(row);
  return { replace: planned.replace, rows, shown: planned.shown };
}
