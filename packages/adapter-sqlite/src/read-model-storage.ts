import { isProjectionError, ProjectionError, type CommitChange, type GenerationInfo, type ReadModelStorage, type StoredGeneration } from '@taawun/projections';
import type { Database } from 'better-sqlite3';
import { describeFile, openConnection, type ConnectionOptions } from './connection.js';
import { toEventStoreError } from './errors.js';
import type { SqliteEventStore } from './event-store.js';
import { assertSchemaNotTooNew, migrate, readSchemaVersion, type Migration } from './schema.js';

export const READ_MODELS_COMPONENT = 'read-models';

/**
 * One row per generation of a read model: its state and its checkpoint side by
 * side, so a single-row UPDATE inside one transaction changes both or neither.
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
];

export interface SqliteReadModelStorageOptions extends ConnectionOptions {
  /** Clock for `updatedAt` (default: the system clock). */
  readonly now?: () => Date;
}

interface GenerationRow {
  readonly name: string;
  readonly generation: bigint;
  readonly version: bigint;
  readonly status: 'building' | 'active';
  readonly position: bigint | null;
  readonly events_applied: bigint;
  readonly updated_at: string;
}

const INFO_COLUMNS = 'name, generation, version, status, position, events_applied, updated_at';

const toInfo = (row: GenerationRow): GenerationInfo => ({
  name: row.name,
  generation: Number(row.generation),
  version: Number(row.version),
  status: row.status,
  position: row.position ?? undefined,
  eventsApplied: Number(row.events_applied),
  updatedAt: row.updated_at,
});

/**
 * Read models in SQLite. Given the event store, they live in the same file and use
 * its connection (the default: one file to back up); given a path, in a file of
 * their own. Open with `openSqliteReadModelStorage`.
 */
export class SqliteReadModelStorage implements ReadModelStorage {
  private readonly statements;
  private closed = false;

  /** Use `openSqliteReadModelStorage`. */
  constructor(
    readonly database: Database,
    /** The absolute path of the file (or `:memory:`), as named in error messages. */
    readonly file: string,
    /** Whether `close()` closes the connection (it does not when it is the event store's). */
    private readonly ownsConnection: boolean,
    private readonly now: () => Date = () => new Date(),
  ) {
    const prepare = <P extends unknown[], R>(sql: string) => database.prepare<P, R>(sql).safeIntegers(true);
    this.statements = {
      list: prepare<[string], GenerationRow>(`SELECT ${INFO_COLUMNS} FROM read_model_generations WHERE name = ? ORDER BY generation`),
      one: prepare<[string, number], GenerationRow & { state: string }>(`SELECT ${INFO_COLUMNS}, state FROM read_model_generations WHERE name = ? AND generation = ?`),
      next: prepare<[string], { next: bigint }>(`SELECT coalesce(max(generation), 0) + 1 AS next FROM read_model_generations WHERE name = ?`),
      insert: prepare<[string, number, number, string, string, string], never>(
        `INSERT INTO read_model_generations (name, generation, version, status, position, events_applied, state, created_at, updated_at)
         VALUES (?, ?, ?, 'building', NULL, 0, ?, ?, ?)`,
      ),
      commit: prepare<[string, bigint, number, string, string, number, bigint | null], never>(
        `UPDATE read_model_generations SET state = ?, position = ?, events_applied = ?, updated_at = ?
         WHERE name = ? AND generation = ? AND position IS ?`,
      ),
      dropOthers: prepare<[string, number], never>(`DELETE FROM read_model_generations WHERE name = ? AND generation <> ?`),
      activate: prepare<[string, string, number], never>(`UPDATE read_model_generations SET status = 'active', updated_at = ? WHERE name = ? AND generation = ?`),
      drop: prepare<[string, number], never>(`DELETE FROM read_model_generations WHERE name = ? AND generation = ?`),
    };
  }

  async generations(name: string): Promise<GenerationInfo[]> {
    return this.run(`listing the generations of read model ${name}`, () => this.statements.list.all(name).map(toInfo));
  }

  async create(name: string, version: number, initialState: string): Promise<GenerationInfo> {
    return this.run(`creating a generation of read model ${name}`, () =>
      this.database
        .transaction(() => {
          const generation = Number(this.statements.next.get(name)!.next);
          const at = this.now().toISOString();
          this.statements.insert.run(name, generation, version, initialState, at, at);
          return toInfo(this.statements.one.get(name, generation)!);
        })
        .immediate(),
    );
  }

  async load(name: string, generation: number): Promise<StoredGeneration | undefined> {
    return this.run(`reading read model ${name}`, () => {
      const row = this.statements.one.get(name, generation);
      return row ? { info: toInfo(row), state: row.state } : undefined;
    });
  }

  async commit(name: string, generation: number, change: CommitChange): Promise<GenerationInfo> {
    return this.run(`committing read model ${name} at position ${change.position}`, () =>
      this.database
        .transaction(() => {
          const { changes } = this.statements.commit.run(
            change.state,
            change.position,
            change.eventsApplied,
            this.now().toISOString(),
            name,
            generation,
            change.expectedPosition ?? null,
          );
          const row = this.statements.one.get(name, generation);
          if (!row) throw new ProjectionError('generation-missing', `${this.file}: read model ${name} generation ${generation} no longer exists (another runner replaced it)`);
          if (changes !== 1) {
            throw new ProjectionError(
              'concurrent-runner',
              `${this.file}: read model ${name} generation ${generation} is at position ${String(row.position)}, not ${String(change.expectedPosition)}; another runner wrote first`,
            );
          }
          return toInfo(row);
        })
        .immediate(),
    );
  }

  async activate(name: string, generation: number): Promise<void> {
    this.run(`activating generation ${generation} of read model ${name}`, () =>
      this.database
        .transaction(() => {
          if (!this.statements.one.get(name, generation)) {
            throw new ProjectionError('generation-missing', `${this.file}: read model ${name} has no generation ${generation}`);
          }
          this.statements.dropOthers.run(name, generation);
          this.statements.activate.run(this.now().toISOString(), name, generation);
        })
        .immediate(),
    );
  }

  async drop(name: string, generation: number): Promise<void> {
    this.run(`dropping generation ${generation} of read model ${name}`, () => void this.statements.drop.run(name, generation));
  }

  /** Close the connection when it is this storage's own; the event store's stays open. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.ownsConnection) this.run('closing the read-model storage', () => this.database.close());
    this.closed = true;
  }

  private run<T>(doing: string, work: () => T): T {
    if (this.closed) throw new ProjectionError('storage-failure', `${this.file}: the read-model storage is closed; ${doing} failed`);
    try {
      return work();
    } catch (error) {
      if (isProjectionError(error)) throw error;
      throw new ProjectionError('storage-failure', toEventStoreError(error, this.file, doing).message, { cause: error });
    }
  }
}

/**
 * Open the read-model storage: in the event store's own file and connection (pass
 * the store), or in a file of its own (pass a path; created with its folder if
 * needed, with the same pragmas as the event store). Creates or migrates its table;
 * a file written by a newer version is refused and left unchanged.
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
    if (readSchemaVersion(db, READ_MODELS_COMPONENT) < readModelMigrations.length) migrate(db, file, READ_MODELS_COMPONENT, readModelMigrations);
    return new SqliteReadModelStorage(db, file, !shared, options.now);
  } catch (error) {
    if (!shared) db.close();
    throw new ProjectionError('storage-failure', toEventStoreError(error, file, 'preparing the read-model tables').message, { cause: error });
  }
}
