import {
  GENERATION_COLUMNS,
  ProjectionError,
  StorageGuard,
  callDescriptions as doing,
  changesOf,
  concurrentRunner,
  generationInfo as toInfo,
  generationMissing,
  readModelTables,
  type AnyReadModelTables,
  type CommitChange,
  type GenerationInfo,
  type GenerationRow,
  type IndexPosition,
  type IndexRange,
  type IndexRow,
  type KeyRange,
  type KeySpan,
  type ModelChanges,
  type ReadModelStorage,
  type StoredDocument,
  type StoredIndexEntry,
  type TablesShown,
} from '@taawun/projections';
import type { Pool, PoolClient, PoolConfig } from 'pg';
import { createPool, describe, describeTarget, quoteIdentifier, toPoolConfig, translateError, type PostgresTarget } from './connection.js';
import type { PostgresEventStore } from './event-store.js';
import { DEFAULT_SCHEMA } from './event-store.js';
import { layOutTables } from './read-model-layout.js';
import { READ_MODELS_COMPONENT, readModelMigrations } from './read-model-schema.js';
import { PostgresReads } from './read-model-reads.js';
import { clearTables, inTransaction, lockReadModel, maintainTables, modelInTransaction } from './read-model-rewrite.js';
import { migrate } from './schema.js';

export interface PostgresReadModelStorageOptions {
  /** The schema of the tables. Default: the event store's (given a store), else `taawun`. */
  readonly schema?: string;
  /**
   * Which read models are also kept as rm_ tables: `true` (the default) every
   * built-in one that has tables (`readModelTables` of @taawun/projections),
   * `false` none (only the engine's tables are written: it works the same, report
   * tools have no tables), or a list of built-in read-model names and
   * descriptions (`defineReadModelTables`, a user's read model's included).
   */
  readonly tables?: boolean | readonly (string | AnyReadModelTables)[];
  /** Clock for `updatedAt` (default: the system clock). */
  readonly now?: () => Date;
}

/** A check run inside a write's transaction (holding the read model's lock); it throws to refuse the write. */
export type WriteFence = (client: PoolClient, name: string) => Promise<void>;

/** Rows per INSERT of documents or index entries: at most 5 parameters each, under PostgreSQL's 65,535 per statement. */
const ROWS_PER_INSERT = 5_000;

/** `($3, $4), ($5, $6), …`: `rows` tuples of `width` parameters each, after the statement's leading ones. */
const rowsOfParameters = (rows: number, width: number, leading: string): string => {
  const first = leading.split(',').length + 1;
  return Array.from({ length: rows }, (_, r) => `(${leading}, ${Array.from({ length: width }, (_, c) => `$${first + r * width + c}`).join(', ')})`).join(', ');
};

/** The storage, as its messages name it. */
const whereOf = (target: PostgresTarget, schema: string) => `${describe(target)}, schema "${schema}"`;

/**
 * Read models in PostgreSQL: one row per generation (with its checkpoint), its
 * documents and index entries as rows (written in the same transaction as the
 * checkpoint), and the active generation of each read model it is given tables
 * for also as plain rm_ tables, rewritten in the same transaction as the commit
 * or the activation that changes it. Open with `openPostgresReadModelStorage`.
 */
export class PostgresReadModelStorage implements ReadModelStorage {
  private readonly generationsTable: string;
  private readonly s: string;
  /** What this storage last wrote to each read model's tables, and from what: to write only what a commit touches. */
  private readonly tracked = new Map<string, TablesShown>();
  private readonly reads: PostgresReads;
  private readonly guard: StorageGuard;

  /** Use `openPostgresReadModelStorage`. */
  constructor(
    readonly pool: Pool,
    readonly schema: string,
    readonly target: PostgresTarget,
    /** Whether `close()` ends the pool (it does not when it is the event store's). */
    private readonly ownsPool: boolean,
    private readonly tables: ReadonlyMap<string, AnyReadModelTables>,
    private readonly now: () => Date = () => new Date(),
    /** Run in every write's transaction, after the read model's lock: throws to refuse the write (a node's lease, see read-model-leases.ts). */
    private readonly fence?: WriteFence,
  ) {
    this.guard = new StorageGuard(
      () => this.where(),
      (error, what) => translateError(error, target, what).message,
    );
    this.s = quoteIdentifier(schema);
    this.generationsTable = `${this.s}.read_model_generations`;
    this.reads = new PostgresReads(pool, this.s, () => this.where());
  }

  documents(name: string, generation: number, keys: readonly string[]): Promise<Map<string, string>> {
    return this.guard.runAsync(doing.documents(name), () => this.reads.documents(name, generation, keys));
  }

  listDocuments(name: string, generation: number, range?: KeyRange): Promise<StoredDocument[]> {
    return this.guard.runAsync(doing.listDocuments(name), () => this.reads.listDocuments(name, generation, range));
  }

  listKeys(name: string, generation: number, range?: KeyRange): Promise<string[]> {
    return this.guard.runAsync(doing.listKeys(name), () => this.reads.listKeys(name, generation, range));
  }

  countKeys(name: string, generation: number, range?: KeySpan): Promise<number> {
    return this.guard.runAsync(doing.countKeys(name), () => this.reads.countKeys(name, generation, range));
  }

  readIndex(name: string, generation: number, index: string, key: string, range?: IndexRange): Promise<StoredIndexEntry[]> {
    return this.guard.runAsync(doing.readIndex(name, index), () => this.reads.readIndex(name, generation, index, key, range));
  }

  countIndex(name: string, generation: number, index: string, key: string): Promise<number> {
    return this.guard.runAsync(doing.countIndex(name, index), () => this.reads.countIndex(name, generation, index, key));
  }

  listIndex(name: string, generation: number, range?: { after?: IndexPosition; limit?: number }): Promise<IndexRow[]> {
    return this.guard.runAsync(doing.listIndex(name), () => this.reads.listIndex(name, generation, range));
  }

  async generations(name: string): Promise<GenerationInfo[]> {
    return this.guard.runAsync(doing.generations(name), async () => {
      const { rows } = await this.pool.query<GenerationRow>(`SELECT ${GENERATION_COLUMNS} FROM ${this.generationsTable} WHERE name = $1 ORDER BY generation`, [name]);
      return rows.map(toInfo);
    });
  }

  async create(name: string, version: number): Promise<GenerationInfo> {
    return this.transaction(name, doing.create(name), async (client) => {
      const at = this.now().toISOString();
      const { rows } = await client.query<GenerationRow>(
        `INSERT INTO ${this.generationsTable} (name, generation, version, status, position, events_applied, created_at, updated_at)
         SELECT $1, coalesce(max(generation), 0) + 1, $2, 'building', NULL, 0, $3, $3 FROM ${this.generationsTable} WHERE name = $1
         RETURNING ${GENERATION_COLUMNS}`,
        [name, version, at],
      );
      return toInfo(rows[0]!);
    });
  }

  async commit(name: string, generation: number, change: CommitChange): Promise<GenerationInfo> {
    return this.rewriting(name, doing.commit(name, change.position), async (client, write) => {
      // Compare-and-set: the checkpoint must still be the one this change was computed from.
      const { rows } = await client.query<GenerationRow>(
        `UPDATE ${this.generationsTable} SET position = $1, events_applied = $2, updated_at = $3
         WHERE name = $4 AND generation = $5 AND position IS NOT DISTINCT FROM $6::bigint
         RETURNING ${GENERATION_COLUMNS}`,
        [change.position.toString(), change.eventsApplied, this.now().toISOString(), name, generation, change.expectedPosition?.toString() ?? null],
      );
      const updated = rows[0];
      if (!updated) {
        const { rows: found } = await client.query<{ position: string | null }>(`SELECT position FROM ${this.generationsTable} WHERE name = $1 AND generation = $2`, [name, generation]);
        if (found.length === 0) throw generationMissing(this.where(), name, generation, 'another runner replaced it');
        throw concurrentRunner(this.where(), name, generation, found[0]!.position, change.expectedPosition);
      }
      await this.writeChange(client, name, generation, change);
      const info = toInfo(updated);
      if (info.status === 'active') await write(info, changesOf(change));
      return info;
    });
  }

  async activate(name: string, generation: number): Promise<void> {
    await this.rewriting(name, doing.activate(name, generation), async (client, write) => {
      const { rows } = await client.query<GenerationRow>(
        `SELECT ${GENERATION_COLUMNS} FROM ${this.generationsTable} WHERE name = $1 AND generation = $2 FOR UPDATE`,
        [name, generation],
      );
      const row = rows[0];
      if (!row) throw generationMissing(this.where(), name, generation);
      // Their documents and index entries go with them (ON DELETE CASCADE).
      await client.query(`DELETE FROM ${this.generationsTable} WHERE name = $1 AND generation <> $2`, [name, generation]);
      await client.query(`UPDATE ${this.generationsTable} SET status = 'active', updated_at = $3 WHERE name = $1 AND generation = $2`, [name, generation, this.now().toISOString()]);
      await write({ ...toInfo(row), status: 'active' });
    });
  }

  async drop(name: string, generation: number): Promise<void> {
    await this.rewriting(name, doing.drop(name, generation), async (client, _write, clear) => {
      const { rows } = await client.query<{ status: string }>(`DELETE FROM ${this.generationsTable} WHERE name = $1 AND generation = $2 RETURNING status`, [name, generation]);
      // The tables show the active generation only: with none left, they are empty.
      if (rows[0]?.status === 'active') await clear();
    });
  }

  /** The same storage, on the same pool, whose every write first passes `fence` in its transaction. */
  withFence(fence: WriteFence): PostgresReadModelStorage {
    return new PostgresReadModelStorage(this.pool, this.schema, this.target, false, this.tables, this.now, fence);
  }

  /** End the pool when it is this storage's own; the event store's stays open. */
  async close(): Promise<void> {
    await this.guard.close(async () => {
      if (this.ownsPool) await this.pool.end().catch(() => undefined);
    });
  }

  // ---- internals ----

  /**
   * The documents and index changes of a commit, a few statements for all of them. Each value is a
   * parameter of its own (`VALUES ($3, $4), ($5, $6), …`): it travels as it is, where a text array
   * parameter is first written out by the driver element by element with escapes (for a commit of
   * 2,000 documents of 2 kB that took half a second on this machine, four times the whole insert
   * with one parameter per value).
   */
  private async writeChange(client: PoolClient, name: string, generation: number, change: CommitChange): Promise<void> {
    // One row per key (the last change of a key wins): an upsert cannot touch a row twice.
    const documents = [...new Map(change.documents.map((d) => [d.key, d])).values()];
    const put = documents.filter((d) => d.value !== null);
    const removed = documents.filter((d) => d.value === null).map((d) => d.key);
    if (removed.length > 0) {
      await client.query(`DELETE FROM ${this.s}.read_model_documents WHERE name = $1 AND generation = $2 AND key = ANY($3::text[])`, [name, generation, removed]);
    }
    for (let i = 0; i < put.length; i += ROWS_PER_INSERT) {
      const chunk = put.slice(i, i + ROWS_PER_INSERT);
      await client.query(
        `INSERT INTO ${this.s}.read_model_documents (name, generation, key, value)
         VALUES ${rowsOfParameters(chunk.length, 2, '$1, $2')}
         ON CONFLICT (name, generation, key) DO UPDATE SET value = EXCLUDED.value`,
        [name, generation, ...chunk.flatMap((d) => [d.key, d.value])],
      );
    }
    const position = (e: IndexPosition) => JSON.stringify([e.index, e.key, e.sort]);
    const remove = [...new Map(change.index.remove.map((e) => [position(e), e])).values()];
    const entries = [...new Map(change.index.put.map((e) => [position(e), e])).values()];
    // One index lookup per entry, whatever the planner believes (as in `documents` of read-model-reads.ts):
    // a generation being rebuilt grows faster than its statistics, and a join with the arrays was planned
    // as a scan of every entry of the generation per statement (137 ms per commit that removed any at 1M
    // events, 22 s of a rebuild of the partner history). The entries' rows are found first, then deleted by
    // their row address; the read model's lock keeps every other writer out meanwhile.
    for (let i = 0; i < remove.length; i += 5_000) {
      const chunk = remove.slice(i, i + 5_000);
      await client.query(
        `DELETE FROM ${this.s}.read_model_index WHERE ctid = ANY (ARRAY(
           SELECT e.ctid FROM unnest($3::text[], $4::text[], $5::text[]) AS r (idx, key, sort)
           CROSS JOIN LATERAL (SELECT ctid FROM ${this.s}.read_model_index
             WHERE name = $1 AND generation = $2 AND idx = r.idx COLLATE "C" AND key = r.key COLLATE "C" AND sort = r.sort COLLATE "C" LIMIT 1) e))`,
        [name, generation, chunk.map((e) => e.index), chunk.map((e) => e.key), chunk.map((e) => e.sort)],
      );
    }
    for (let i = 0; i < entries.length; i += ROWS_PER_INSERT) {
      const chunk = entries.slice(i, i + ROWS_PER_INSERT);
      await client.query(
        `INSERT INTO ${this.s}.read_model_index (name, generation, idx, key, sort, document, value)
         VALUES ${rowsOfParameters(chunk.length, 5, '$1, $2')}
         ON CONFLICT (name, generation, idx, key, sort) DO UPDATE SET document = EXCLUDED.document, value = EXCLUDED.value`,
        [name, generation, ...chunk.flatMap((e) => [e.index, e.key, e.sort, e.document, e.value])],
      );
    }
  }

  /**
   * A transaction that may rewrite the read model's rm_ tables: `write` brings them
   * to a generation (only the units a commit's changes touch, when the tables still
   * show what this storage last wrote), `clear` empties them. What was written is
   * remembered once the transaction has committed, and forgotten if it failed.
   */
  private async rewriting<T>(
    name: string,
    what: string,
    work: (client: PoolClient, write: (info: GenerationInfo, changes?: ModelChanges) => Promise<void>, clear: () => Promise<void>) => Promise<T>,
  ): Promise<T> {
    const definition = this.tables.get(name);
    let touched = false;
    let written: TablesShown | undefined;
    const clear = async (client: PoolClient) => {
      touched = true;
      if (definition) await clearTables(client, this.s, definition);
    };
    try {
      const result = await this.transaction(name, what, (client) =>
        work(
          client,
          async (info, changes) => {
            if (!definition) return;
            // A version its description does not know how to lay out: the tables stay empty rather than wrong.
            if (info.version !== definition.projection.version) return clear(client);
            touched = true;
            const model = modelInTransaction(client, this.s, () => this.where(), definition, info);
            written = await maintainTables(client, this.s, definition, info, model, this.tracked.get(name), changes, this.now().toISOString());
          },
          () => clear(client),
        ),
      );
      if (written) this.tracked.set(name, written);
      else if (touched) this.tracked.delete(name);
      return result;
    } catch (error) {
      this.tracked.delete(name);
      throw error;
    }
  }

  /**
   * One transaction, holding the read model's lock: writers of the same read
   * model (creates, commits, activations, drops) take turns, so generation
   * numbers are unique and two rewrites of its tables never interleave.
   */
  private async transaction<T>(name: string, what: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.guard.runAsync(what, () =>
      inTransaction(this.pool, async (client) => {
        await lockReadModel(client, this.schema, name);
        await this.fence?.(client, name);
        return work(client);
      }),
    );
  }

  private where(): string {
    return whereOf(this.target, this.schema);
  }
}

const isEventStore = (value: unknown): value is PostgresEventStore =>
  typeof value === 'object' && value !== null && 'pool' in value && 'schema' in value && 'target' in value && typeof (value as PostgresEventStore).append === 'function';

/**
 * Open the read-model storage: beside the log, on the event store's pool and in
 * its schema (pass the store: the default, one database to back up), or on a
 * connection of its own (a connection string or `pg` pool config). Creates or
 * migrates its tables; a schema made by a newer taawun is refused and left alone.
 */
export async function openPostgresReadModelStorage(
  source: PostgresEventStore | string | PoolConfig,
  options: PostgresReadModelStorageOptions = {},
): Promise<PostgresReadModelStorage> {
  const tables = tablesFor(options.tables);
  const shared = isEventStore(source);
  const config = shared ? undefined : toPoolConfig(source as string | PoolConfig);
  const target = shared ? source.target : describeTarget(config!);
  const schema = options.schema ?? (shared ? source.schema : DEFAULT_SCHEMA);
  if (schema.length === 0 || Buffer.byteLength(schema) > 63) throw new ProjectionError('storage-failure', `schema name "${schema}" must be 1 to 63 bytes`);
  const pool = shared ? source.pool : createPool(config!);
  const where = () => whereOf(target, schema);
  const guard = new StorageGuard(where, (error, what) => translateError(error, target, what).message);
  try {
    await guard.runAsync('preparing the read-model tables', async () => {
      await migrate(pool, target, schema, READ_MODELS_COMPONENT, readModelMigrations);
      await layOutTables(pool, quoteIdentifier(schema), schema, where, [...tables.values()], options.now ?? (() => new Date()));
    });
  } catch (error) {
    if (!shared) await pool.end().catch(() => undefined);
    throw error;
  }
  return new PostgresReadModelStorage(pool, schema, target, !shared, tables, options.now);
}

/** The read models whose tables to keep, by name: built-ins named, and descriptions given. */
function tablesFor(choice: boolean | readonly (string | AnyReadModelTables)[] = true): ReadonlyMap<string, AnyReadModelTables> {
  const builtIn = new Map(Object.entries(readModelTables));
  if (choice === true) return builtIn;
  if (choice === false) return new Map();
  const unknown = choice.filter((c): c is string => typeof c === 'string' && !builtIn.has(c));
  if (unknown.length > 0) {
    throw new ProjectionError('invalid-projection', `tables: ${unknown.join(', ')} has no tables; choose among ${[...builtIn.keys()].join(', ')}, or give a description`);
  }
  const chosen = choice.map((c) => (typeof c === 'string' ? builtIn.get(c)! : c));
  const names = chosen.map((t) => t.projection.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new ProjectionError('invalid-projection', `tables: read model ${twice} is given twice`);
  return new Map(chosen.map((t) => [t.projection.name, t]));
}
