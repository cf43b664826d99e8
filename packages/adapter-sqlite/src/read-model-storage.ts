import {
  GENERATION_COLUMNS,
  ProjectionError,
  StorageGuard,
  callDescriptions as doing,
  concurrentRunner,
  generationInfo as toInfo,
  generationMissing,
  prefixEnd,
  type CommitChange,
  type GenerationInfo,
  type GenerationRow,
  type IndexPosition,
  type IndexRange,
  type IndexRow,
  type KeyRange,
  type KeySpan,
  type ReadModelStorage,
  type StoredDocument,
  type StoredIndexEntry,
} from '@taawun/projections';
import type { Database, Statement } from 'better-sqlite3';
import { describeFile, openConnection, type ConnectionOptions } from './connection.js';
import { toEventStoreError } from './errors.js';
import type { SqliteEventStore } from './event-store.js';
import { assertSchemaNotTooNew, migrateIfBehind, type Migration } from './schema.js';

export const READ_MODELS_COMPONENT = 'read-models';

/**
 * Generations, their documents and their index entries. A generation's
 * checkpoint is a column of its row; documents and index entries are rows keyed
 * by the generation's `id`, so one transaction writes all three together.
 */
export const readModelMigrations: readonly Migration[] = [
  {
    version: 1,
    description: 'read-model generations: state and checkpoint in one row',
    up: (db) =>
      db.exec(`
        CREATE TABLE read_model_generations (
          name           TEXT    NOT NULL,
          generation     INTEGER NOT NULL CHECK (generation >= 1),
          version        INTEGER NOT NULL CHECK (version >= 1),
          status         TEXT    NOT NULL CHECK (status IN ('building', 'active')),
          position       INTEGER CHECK (position >= 0),
          events_applied INTEGER NOT NULL CHECK (events_applied >= 0),
          state          TEXT    NOT NULL,
          created_at     TEXT    NOT NULL,
          updated_at     TEXT    NOT NULL,
          PRIMARY KEY (name, generation)
        ) STRICT;
        CREATE UNIQUE INDEX read_model_generations_one_active ON read_model_generations (name) WHERE status = 'active';
      `),
  },
  {
    version: 2,
    // Read models are derived data: the whole-state generations of version 1 are dropped and rebuilt from the log.
    description: 'read models as documents and index entries, rebuilt from the log',
    up: (db) =>
      db.exec(`
        DROP TABLE read_model_generations;
        CREATE TABLE read_model_generations (
          id             INTEGER PRIMARY KEY AUTOINCREMENT,
          name           TEXT    NOT NULL,
          generation     INTEGER NOT NULL CHECK (generation >= 1),
          version        INTEGER NOT NULL CHECK (version >= 1),
          status         TEXT    NOT NULL CHECK (status IN ('building', 'active')),
          position       INTEGER CHECK (position >= 0),
          events_applied INTEGER NOT NULL CHECK (events_applied >= 0),
          created_at     TEXT    NOT NULL,
          updated_at     TEXT    NOT NULL,
          UNIQUE (name, generation)
        ) STRICT;
        CREATE UNIQUE INDEX read_model_generations_one_active ON read_model_generations (name) WHERE status = 'active';
        CREATE TABLE read_model_documents (
          model INTEGER NOT NULL,
          key   TEXT    NOT NULL,
          value TEXT    NOT NULL,
          PRIMARY KEY (model, key)
        ) STRICT;
        CREATE TABLE read_model_index (
          model    INTEGER NOT NULL,
          idx      TEXT    NOT NULL,
          key      TEXT    NOT NULL,
          sort     TEXT    NOT NULL,
          document TEXT    NOT NULL,
          value    TEXT,
          PRIMARY KEY (model, idx, key, sort)
        ) STRICT, WITHOUT ROWID;
      `),
  },
];

export interface SqliteReadModelStorageOptions extends ConnectionOptions {
  /** Clock for `updatedAt` (default: the system clock). */
  readonly now?: () => Date;
}

/** A generation's row: its `id` keys its documents and index entries. */
interface SqliteGenerationRow extends GenerationRow {
  readonly id: bigint;
  readonly position: bigint | null;
}

const INFO_COLUMNS = `id, ${GENERATION_COLUMNS}`;

const NO_LIMIT = -1;

/**
 * Read models in SQLite. Given the event store, they live in the same file and use
 * its connection (the default: one file to back up); given a path, in a file of
 * their own. Open with `openSqliteReadModelStorage`.
 *
 * Keys and sorts are compared by SQLite's BINARY collation (bytes of UTF-8), which
 * is JavaScript's order of strings for every character below U+D800: slugs, dates
 * and the engine's separators.
 */
/**
 * The four ways of reading keys in order, by the bounds a range gives after the
 * model's id: from the start, after a key, within a prefix with or without its
 * end. A list's statements then take its limit and offset; a count's, for a
 * prefix without an end, the prefix again.
 */
type Bounds = readonly ['first'] | readonly ['all', after: string] | readonly ['from', prefix: string, after: string] | readonly ['range', prefix: string, after: string, end: string];
type BoundStatements<R> = { readonly [W in Bounds[0]]: Statement<unknown[], R> };

function boundsOf({ prefix, after }: KeySpan): Bounds {
  if (prefix === undefined || prefix === '') return after === undefined ? ['first'] : ['all', after];
  const end = prefixEnd(prefix);
  return end === undefined ? ['from', prefix, after ?? ''] : ['range', prefix, after ?? '', end];
}

export class SqliteReadModelStorage implements ReadModelStorage {
  /** True when opened on the event store's connection (and so in its file). */
  readonly sharesConnection: boolean;
  private readonly statements;
  private readonly guard: StorageGuard;

  /** Use `openSqliteReadModelStorage`. */
  constructor(
    readonly database: Database,
    /** The absolute path of the file (or `:memory:`), as named in error messages. */
    readonly file: string,
    /** Whether `close()` closes the connection (it does not when it is the event store's). */
    private readonly ownsConnection: boolean,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.sharesConnection = !ownsConnection;
    this.guard = new StorageGuard(
      () => file,
      (error, what) => toEventStoreError(error, file, what).message,
    );
    const prepare = <P extends unknown[], R>(sql: string) => database.prepare<P, R>(sql).safeIntegers(true);
    const plain = <P extends unknown[], R>(sql: string) => database.prepare<P, R>(sql);
    this.statements = {
      list: prepare<[string], SqliteGenerationRow>(`SELECT ${INFO_COLUMNS} FROM read_model_generations WHERE name = ? ORDER BY generation`),
      one: prepare<[string, number], SqliteGenerationRow>(`SELECT ${INFO_COLUMNS} FROM read_model_generations WHERE name = ? AND generation = ?`),
      byId: prepare<[bigint], SqliteGenerationRow>(`SELECT ${INFO_COLUMNS} FROM read_model_generations WHERE id = ?`),
      // Every read asks it first: the id alone (a lens on the yearly report reads thousands of times).
      idOf: prepare<[string, number], bigint>(`SELECT id FROM read_model_generations WHERE name = ? AND generation = ?`).pluck(),
      next: prepare<[string], { next: bigint }>(`SELECT coalesce(max(generation), 0) + 1 AS next FROM read_model_generations WHERE name = ?`),
      insert: prepare<[string, number, number, string, string], SqliteGenerationRow>(
        `INSERT INTO read_model_generations (name, generation, version, status, position, events_applied, created_at, updated_at)
         VALUES (?, ?, ?, 'building', NULL, 0, ?, ?) RETURNING ${INFO_COLUMNS}`,
      ),
      checkpoint: prepare<[bigint, number, string, bigint, bigint | null], SqliteGenerationRow>(
        `UPDATE read_model_generations SET position = ?, events_applied = ?, updated_at = ?
         WHERE id = ? AND position IS ? RETURNING ${INFO_COLUMNS}`,
      ),
      others: prepare<[string, number], { id: bigint }>(`SELECT id FROM read_model_generations WHERE name = ? AND generation <> ?`),
      activate: prepare<[string, bigint], never>(`UPDATE read_model_generations SET status = 'active', updated_at = ? WHERE id = ?`),
      deleteGeneration: prepare<[bigint], never>(`DELETE FROM read_model_generations WHERE id = ?`),
      deleteDocuments: prepare<[bigint], never>(`DELETE FROM read_model_documents WHERE model = ?`),
      deleteIndex: prepare<[bigint], never>(`DELETE FROM read_model_index WHERE model = ?`),
      putDocument: prepare<[bigint, string, string], never>(
        `INSERT INTO read_model_documents (model, key, value) VALUES (?, ?, ?) ON CONFLICT (model, key) DO UPDATE SET value = excluded.value`,
      ),
      removeDocument: prepare<[bigint, string], never>(`DELETE FROM read_model_documents WHERE model = ? AND key = ?`),
      putEntry: prepare<[bigint, string, string, string, string, string | null], never>(
        `INSERT OR REPLACE INTO read_model_index (model, idx, key, sort, document, value) VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      removeEntry: prepare<[bigint, string, string, string], never>(`DELETE FROM read_model_index WHERE model = ? AND idx = ? AND key = ? AND sort = ?`),
      documents: plain<[bigint, string], { key: string; value: string }>(
        `SELECT key, value FROM read_model_documents WHERE model = ? AND key IN (SELECT value FROM json_each(?))`,
      ),
      listAll: plain<[bigint, string, number, number], StoredDocument>(`SELECT key, value FROM read_model_documents WHERE model = ? AND key > ? ORDER BY key LIMIT ? OFFSET ?`),
      listFirst: plain<[bigint, number, number], StoredDocument>(`SELECT key, value FROM read_model_documents WHERE model = ? ORDER BY key LIMIT ? OFFSET ?`),
      listRange: plain<[bigint, string, string, string, number, number], StoredDocument>(
        `SELECT key, value FROM read_model_documents WHERE model = ? AND key >= ? AND key > ? AND key < ? ORDER BY key LIMIT ? OFFSET ?`,
      ),
      listFrom: plain<[bigint, string, string, number, number], StoredDocument>(
        `SELECT key, value FROM read_model_documents WHERE model = ? AND key >= ? AND key > ? ORDER BY key LIMIT ? OFFSET ?`,
      ),
      keysAll: plain<[bigint, string, number, number], { key: string }>(`SELECT key FROM read_model_documents WHERE model = ? AND key > ? ORDER BY key LIMIT ? OFFSET ?`),
      keysFirst: plain<[bigint, number, number], { key: string }>(`SELECT key FROM read_model_documents WHERE model = ? ORDER BY key LIMIT ? OFFSET ?`),
      keysRange: plain<[bigint, string, string, string, number, number], { key: string }>(
        `SELECT key FROM read_model_documents WHERE model = ? AND key >= ? AND key > ? AND key < ? ORDER BY key LIMIT ? OFFSET ?`,
      ),
      keysFrom: plain<[bigint, string, string, number, number], { key: string }>(
        `SELECT key FROM read_model_documents WHERE model = ? AND key >= ? AND key > ? ORDER BY key LIMIT ? OFFSET ?`,
      ),
      // Counted in the keys' index, within the bounds the lists read by.
      countAll: plain<[bigint, string], { n: number }>(`SELECT count(*) AS n FROM read_model_documents WHERE model = ? AND key > ?`),
      countFirst: plain<[bigint], { n: number }>(`SELECT count(*) AS n FROM read_model_documents WHERE model = ?`),
      countRange: plain<[bigint, string, string, string], { n: number }>(`SELECT count(*) AS n FROM read_model_documents WHERE model = ? AND key >= ? AND key > ? AND key < ?`),
      // A prefix without a simple end (rare: it ends in a surrogate) is checked on each key: instr() is 1 only for a key starting with it.
      countFrom: plain<[bigint, string, string, string], { n: number }>(
        `SELECT count(*) AS n FROM read_model_documents WHERE model = ? AND key >= ? AND key > ? AND instr(key, ?) = 1`,
      ),
      entries: plain<[bigint, string, string, number, number], StoredIndexEntry>(
        `SELECT sort, document, value FROM read_model_index WHERE model = ? AND idx = ? AND key = ? ORDER BY sort LIMIT ? OFFSET ?`,
      ),
      entriesAfter: plain<[bigint, string, string, string, number, number], StoredIndexEntry>(
        `SELECT sort, document, value FROM read_model_index WHERE model = ? AND idx = ? AND key = ? AND sort > ? ORDER BY sort LIMIT ? OFFSET ?`,
      ),
      count: plain<[bigint, string, string], { n: number }>(`SELECT count(*) AS n FROM read_model_index WHERE model = ? AND idx = ? AND key = ?`),
      listIndexFirst: plain<[bigint, number], IndexRow & { idx: string }>(
        `SELECT idx, key, sort, document, value FROM read_model_index WHERE model = ? ORDER BY idx, key, sort LIMIT ?`,
      ),
      listIndexAfter: plain<[bigint, string, string, string, number], IndexRow & { idx: string }>(
        `SELECT idx, key, sort, document, value FROM read_model_index WHERE model = ? AND (idx, key, sort) > (?, ?, ?) ORDER BY idx, key, sort LIMIT ?`,
      ),
    };
  }

  async generations(name: string): Promise<GenerationInfo[]> {
    return this.guard.run(doing.generations(name), () => this.statements.list.all(name).map(toInfo));
  }

  async create(name: string, version: number): Promise<GenerationInfo> {
    return this.guard.run(doing.create(name), () =>
      this.database
        .transaction(() => {
          const generation = Number(this.statements.next.get(name)!.next);
          const at = this.now().toISOString();
          return toInfo(this.statements.insert.get(name, generation, version, at, at)!);
        })
        .immediate(),
    );
  }

  async commit(name: string, generation: number, change: CommitChange): Promise<GenerationInfo> {
    return this.guard.run(doing.commit(name, change.position), () =>
      this.unsynced(() =>
        this.database
          .transaction(() => {
          const model = this.idOf(name, generation, 'another runner replaced it');
          const row = this.statements.checkpoint.get(change.position, change.eventsApplied, this.now().toISOString(), model, change.expectedPosition ?? null);
          if (!row) throw concurrentRunner(this.file, name, generation, this.statements.byId.get(model)!.position, change.expectedPosition);
          const s = this.statements;
          for (const { key, value } of change.documents) {
            if (value === null) s.removeDocument.run(model, key);
            else s.putDocument.run(model, key, value);
          }
          for (const e of change.index.remove) s.removeEntry.run(model, e.index, e.key, e.sort);
          for (const e of change.index.put) s.putEntry.run(model, e.index, e.key, e.sort, e.document, e.value);
          return toInfo(row);
        })
        .immediate(),
      ),
    );
  }

  /**
   * Run a read-model commit without waiting for the disk (`synchronous = NORMAL`
   * for its transaction only, then the connection's own setting again: the event
   * store's appends keep theirs). In WAL mode that loses nothing when the process
   * dies; after a power cut a read model may be a commit or two behind, whole and
   * consistent with its checkpoint, and catches up. Read models are derived from
   * the log, so a rebuild does not pay an fsync per commit.
   */
  private unsynced<T>(work: () => T): T {
    const before = this.database.pragma('synchronous', { simple: true }) as number;
    if (before <= 1) return work();
    this.database.pragma('synchronous = NORMAL');
    try {
      return work();
    } finally {
      this.database.pragma(`synchronous = ${before}`);
    }
  }

  async activate(name: string, generation: number): Promise<void> {
    this.guard.run(doing.activate(name, generation), () =>
      this.database
        .transaction(() => {
          const model = this.idOf(name, generation, 'it does not exist');
          for (const { id } of this.statements.others.all(name, generation)) this.deleteModel(id);
          this.statements.activate.run(this.now().toISOString(), model);
        })
        .immediate(),
    );
  }

  async drop(name: string, generation: number): Promise<void> {
    this.guard.run(doing.drop(name, generation), () =>
      this.database
        .transaction(() => {
          const row = this.statements.one.get(name, generation);
          if (row) this.deleteModel(row.id);
        })
        .immediate(),
    );
  }

  async documents(name: string, generation: number, keys: readonly string[]): Promise<Map<string, string>> {
    return this.guard.run(doing.documents(name), () => {
      const model = this.idOf(name, generation);
      const found = new Map<string, string>();
      if (keys.length === 0) return found;
      for (const { key, value } of this.statements.documents.all(model, JSON.stringify(keys))) found.set(key, value);
      return found;
    });
  }

  async listDocuments(name: string, generation: number, range: KeyRange = {}): Promise<StoredDocument[]> {
    const s = this.statements;
    return this.guard.run(doing.listDocuments(name), () => this.listed(name, generation, range, { first: s.listFirst, all: s.listAll, from: s.listFrom, range: s.listRange }));
  }

  async listKeys(name: string, generation: number, range: KeyRange = {}): Promise<string[]> {
    const s = this.statements;
    return this.guard.run(doing.listKeys(name), () =>
      this.listed(name, generation, range, { first: s.keysFirst, all: s.keysAll, from: s.keysFrom, range: s.keysRange }).map((r) => r.key),
    );
  }

  async countKeys(name: string, generation: number, range: KeySpan = {}): Promise<number> {
    const s = this.statements;
    const counts: BoundStatements<{ n: number }> = { first: s.countFirst, all: s.countAll, from: s.countFrom, range: s.countRange };
    return this.guard.run(doing.countKeys(name), () => {
      const model = this.idOf(name, generation);
      const [which, ...bounds] = boundsOf(range);
      return counts[which].get(model, ...bounds, ...(which === 'from' ? [range.prefix] : []))!.n;
    });
  }

  /** Rows of documents in key order within `range`, by one of the statement sets (with their values, or keys only). */
  private listed<R extends { key: string }>(name: string, generation: number, range: KeyRange, statements: BoundStatements<R>): R[] {
    const model = this.idOf(name, generation);
    const [which, ...bounds] = boundsOf(range);
    const rows = statements[which].all(model, ...bounds, range.limit ?? NO_LIMIT, Math.max(0, range.offset ?? 0));
    // Without an end, the bound reads on past the prefix; its keys come first, so the page is theirs up to there.
    return which === 'from' ? rows.filter((r) => r.key.startsWith(range.prefix!)) : rows;
  }

  async readIndex(name: string, generation: number, index: string, key: string, range: IndexRange = {}): Promise<StoredIndexEntry[]> {
    return this.guard.run(doing.readIndex(name, index), () => {
      const model = this.idOf(name, generation);
      const limit = range.limit ?? NO_LIMIT;
      const offset = range.offset ?? 0;
      return range.after === undefined
        ? this.statements.entries.all(model, index, key, limit, offset)
        : this.statements.entriesAfter.all(model, index, key, range.after, limit, offset);
    });
  }

  async countIndex(name: string, generation: number, index: string, key: string): Promise<number> {
    return this.guard.run(doing.countIndex(name, index), () => this.statements.count.get(this.idOf(name, generation), index, key)!.n);
  }

  async listIndex(name: string, generation: number, range: { after?: IndexPosition; limit?: number } = {}): Promise<IndexRow[]> {
    return this.guard.run(doing.listIndex(name), () => {
      const model = this.idOf(name, generation);
      const limit = range.limit ?? NO_LIMIT;
      const rows = range.after
        ? this.statements.listIndexAfter.all(model, range.after.index, range.after.key, range.after.sort, limit)
        : this.statements.listIndexFirst.all(model, limit);
      return rows.map(({ idx, key, sort, document, value }) => ({ index: idx, key, sort, document, value }));
    });
  }

  /** Close the connection when it is this storage's own; the event store's stays open. */
  async close(): Promise<void> {
    await this.guard.close(() => {
      if (this.ownsConnection) this.database.close();
    });
  }

  /** The row id of a generation, or `generation-missing`. */
  private idOf(name: string, generation: number, why = 'it does not exist'): bigint {
    const id = this.statements.idOf.get(name, generation);
    if (id === undefined) throw generationMissing(this.file, name, generation, why);
    return id;
  }

  private deleteModel(id: bigint): void {
    this.statements.deleteDocuments.run(id);
    this.statements.deleteIndex.run(id);
    this.statements.deleteGeneration.run(id);
  }
}

/**
 * Open the read-model storage: in the event store's own file and connection (pass
 * the store), or in a file of its own (pass a path; created with its folder if
 * needed, with the same pragmas as the event store, and `secure_delete` on, so
 * that a rewritten or deleted document — a participant's personal data — leaves
 * no bytes behind). Creates or migrates its tables; a file written by a newer
 * version is refused and left unchanged.
 */
export async function openSqliteReadModelStorage(target: SqliteEventStore | string, options: SqliteReadModelStorageOptions = {}): Promise<SqliteReadModelStorage> {
  const shared = typeof target !== 'string';
  const file = shared ? target.file : describeFile(target);
  let db: Database;
  try {
    db = shared ? target.database : openConnection(target, options, (d) => assertSchemaNotTooNew(d, file, READ_MODELS_COMPONENT, readModelMigrations));
  } catch (error) {
    throw new ProjectionError('storage-failure', toEventStoreError(error, file, 'opening the read-model storage').message, { cause: error });
  }
  try {
    if (shared) assertSchemaNotTooNew(db, file, READ_MODELS_COMPONENT, readModelMigrations);
    else db.pragma('secure_delete = ON');
    migrateIfBehind(db, file, READ_MODELS_COMPONENT, readModelMigrations);
    return new SqliteReadModelStorage(db, file, !shared, options.now);
  } catch (error) {
    if (!shared) db.close();
    throw new ProjectionError('storage-failure', toEventStoreError(error, file, 'preparing the read-model tables').message, { cause: error });
  }
}
