import {
  isProjectionError,
  ProjectionError,
  projections,
  storedModel,
  type AnyProjection,
  type CommitChange,
  type GenerationInfo,
  type IndexPosition,
  type IndexRange,
  type IndexRow,
  type KeyRange,
  type ModelReader,
  type ReadModelStorage,
  type StoredDocument,
  type StoredIndexEntry,
} from '@taawun/projections';
import type { Pool, PoolClient, PoolConfig } from 'pg';
import { createPool, describe, describeTarget, quoteIdentifier, toPoolConfig, translateError, type PostgresTarget } from './connection.js';
import type { PostgresEventStore } from './event-store.js';
import { DEFAULT_SCHEMA } from './event-store.js';
import { READ_MODELS_COMPONENT, readModelMigrations } from './read-model-schema.js';
import { PostgresReads, type Queryable } from './read-model-reads.js';
import { clearTables, maintainTables, type Changes, type Tracked } from './read-model-rewrite.js';
import { builtInReadModelTables, type ReadModelTables } from './read-model-tables.js';
import { migrate } from './schema.js';

export interface PostgresReadModelStorageOptions {
  /** The schema of the tables. Default: the event store's (given a store), else `taawun`. */
  readonly schema?: string;
  /**
   * Which built-in read models are also kept as rm_ tables: `true` (the default)
   * all of them, `false` none (only `read_model_generations` is written: the engine
   * works the same, report tools have no tables), or a list of read-model names.
   */
  readonly tables?: boolean | readonly string[];
  /** Clock for `updatedAt` (default: the system clock). */
  readonly now?: () => Date;
}

interface GenerationRow {
  readonly name: string;
  readonly generation: number;
  readonly version: number;
  readonly status: 'building' | 'active';
  readonly position: string | null;
  readonly events_applied: string;
  readonly updated_at: string;
}

const INFO_COLUMNS = 'name, generation, version, status, position, events_applied, updated_at';

const toInfo = (row: GenerationRow): GenerationInfo => ({
  name: row.name,
  generation: row.generation,
  version: row.version,
  status: row.status,
  position: row.position === null ? undefined : BigInt(row.position),
  eventsApplied: Number(row.events_applied),
  updatedAt: row.updated_at,
});

/**
 * Read models in PostgreSQL: one row per generation (with its checkpoint), its
 * documents and index entries as rows (written in the same transaction as the
 * checkpoint), and the active generation of each built-in read model also as
 * plain rm_ tables, rewritten in the same transaction as the commit or the
 * activation that changes it. Open with `openPostgresReadModelStorage`.
 */
export class PostgresReadModelStorage implements ReadModelStorage {
  private readonly generationsTable: string;
  private readonly s: string;
  /** What this storage last wrote to each read model's tables, and from what: to write only what a commit touches. */
  private readonly tracked = new Map<string, Tracked>();
  private readonly reads: PostgresReads;
  private closed = false;

  /** Use `openPostgresReadModelStorage`. */
  constructor(
    readonly pool: Pool,
    readonly schema: string,
    readonly target: PostgresTarget,
    /** Whether `close()` ends the pool (it does not when it is the event store's). */
    private readonly ownsPool: boolean,
    private readonly tables: ReadonlyMap<string, ReadModelTables>,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.s = quoteIdentifier(schema);
    this.generationsTable = `${this.s}.read_model_generations`;
    this.reads = new PostgresReads(pool, this.s, () => this.where());
  }

  documents(name: string, generation: number, keys: readonly string[]): Promise<Map<string, string>> {
    return this.run(`reading documents of read model ${name}`, () => this.reads.documents(name, generation, keys));
  }

  listDocuments(name: string, generation: number, range?: KeyRange): Promise<StoredDocument[]> {
    return this.run(`listing documents of read model ${name}`, () => this.reads.listDocuments(name, generation, range));
  }

  readIndex(name: string, generation: number, index: string, key: string, range?: IndexRange): Promise<StoredIndexEntry[]> {
    return this.run(`reading index ${index} of read model ${name}`, () => this.reads.readIndex(name, generation, index, key, range));
  }

  countIndex(name: string, generation: number, index: string, key: string): Promise<number> {
    return this.run(`counting index ${index} of read model ${name}`, () => this.reads.countIndex(name, generation, index, key));
  }

  listIndex(name: string, generation: number, range?: { after?: IndexPosition; limit?: number }): Promise<IndexRow[]> {
    return this.run(`listing the index of read model ${name}`, () => this.reads.listIndex(name, generation, range));
  }

  async generations(name: string): Promise<GenerationInfo[]> {
    return this.run(`listing the generations of read model ${name}`, async () => {
      const { rows } = await this.pool.query<GenerationRow>(`SELECT ${INFO_COLUMNS} FROM ${this.generationsTable} WHERE name = $1 ORDER BY generation`, [name]);
      return rows.map(toInfo);
    });
  }

  async create(name: string, version: number): Promise<GenerationInfo> {
    return this.transaction(name, `creating a generation of read model ${name}`, async (client) => {
      const at = this.now().toISOString();
      const { rows } = await client.query<GenerationRow>(
        `INSERT INTO ${this.generationsTable} (name, generation, version, status, position, events_applied, created_at, updated_at)
         SELECT $1, coalesce(max(generation), 0) + 1, $2, 'building', NULL, 0, $3, $3 FROM ${this.generationsTable} WHERE name = $1
         RETURNING ${INFO_COLUMNS}`,
        [name, version, at],
      );
      return toInfo(rows[0]!);
    });
  }

  async commit(name: string, generation: number, change: CommitChange): Promise<GenerationInfo> {
    return this.rewriting(name, `committing read model ${name} at position ${change.position}`, async (client, write) => {
      // Compare-and-set: the checkpoint must still be the one this change was computed from.
      const { rows } = await client.query<GenerationRow>(
        `UPDATE ${this.generationsTable} SET position = $1, events_applied = $2, updated_at = $3
         WHERE name = $4 AND generation = $5 AND position IS NOT DISTINCT FROM $6::bigint
         RETURNING ${INFO_COLUMNS}`,
        [change.position.toString(), change.eventsApplied, this.now().toISOString(), name, generation, change.expectedPosition?.toString() ?? null],
      );
      const updated = rows[0];
      if (!updated) {
        const { rows: found } = await client.query<{ position: string | null }>(`SELECT position FROM ${this.generationsTable} WHERE name = $1 AND generation = $2`, [name, generation]);
        if (found.length === 0) throw new ProjectionError('generation-missing', `${this.where()}: read model ${name} generation ${generation} no longer exists (another runner replaced it)`);
        throw new ProjectionError(
          'concurrent-runner',
          `${this.where()}: read model ${name} generation ${generation} is at position ${String(found[0]!.position)}, not ${String(change.expectedPosition)}; another runner wrote first`,
        );
      }
      await this.writeChange(client, name, generation, change);
      const info = toInfo(updated);
      if (info.status === 'active') {
        const indexes = [...change.index.remove, ...change.index.put].map((e) => `${e.index}\u0000${e.key}`);
        await write(info, { documents: change.documents.map((d) => d.key), indexes: [...new Set(indexes)] });
      }
      return info;
    });
  }

  async activate(name: string, generation: number): Promise<void> {
    await this.rewriting(name, `activating generation ${generation} of read model ${name}`, async (client, write) => {
      const { rows } = await client.query<GenerationRow>(
        `SELECT ${INFO_COLUMNS} FROM ${this.generationsTable} WHERE name = $1 AND generation = $2 FOR UPDATE`,
        [name, generation],
      );
      const row = rows[0];
      if (!row) throw new ProjectionError('generation-missing', `${this.where()}: read model ${name} has no generation ${generation}`);
      // Their documents and index entries go with them (ON DELETE CASCADE).
      await client.query(`DELETE FROM ${this.generationsTable} WHERE name = $1 AND generation <> $2`, [name, generation]);
      await client.query(`UPDATE ${this.generationsTable} SET status = 'active', updated_at = $3 WHERE name = $1 AND generation = $2`, [name, generation, this.now().toISOString()]);
      await write({ ...toInfo(row), status: 'active' });
    });
  }

  async drop(name: string, generation: number): Promise<void> {
    await this.rewriting(name, `dropping generation ${generation} of read model ${name}`, async (client, _write, clear) => {
      const { rows } = await client.query<{ status: string }>(`DELETE FROM ${this.generationsTable} WHERE name = $1 AND generation = $2 RETURNING status`, [name, generation]);
      // The tables show the active generation only: with none left, they are empty.
      if (rows[0]?.status === 'active') await clear();
    });
  }

  /** End the pool when it is this storage's own; the event store's stays open. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsPool) await this.pool.end().catch(() => undefined);
  }

  // ---- internals ----

  /** The documents and index changes of a commit, a few statements for all of them (one array parameter per column). */
  private async writeChange(client: PoolClient, name: string, generation: number, change: CommitChange): Promise<void> {
    // One row per key (the last change of a key wins): an upsert cannot touch a row twice.
    const documents = [...new Map(change.documents.map((d) => [d.key, d])).values()];
    const put = documents.filter((d) => d.value !== null);
    const removed = documents.filter((d) => d.value === null).map((d) => d.key);
    if (removed.length > 0) {
      await client.query(`DELETE FROM ${this.s}.read_model_documents WHERE name = $1 AND generation = $2 AND key = ANY($3::text[])`, [name, generation, removed]);
    }
    for (let i = 0; i < put.length; i += 5_000) {
      const chunk = put.slice(i, i + 5_000);
      await client.query(
        `INSERT INTO ${this.s}.read_model_documents (name, generation, key, value)
         SELECT $1, $2, d.key, d.value FROM unnest($3::text[], $4::text[]) AS d (key, value)
         ON CONFLICT (name, generation, key) DO UPDATE SET value = EXCLUDED.value`,
        [name, generation, chunk.map((d) => d.key), chunk.map((d) => d.value)],
      );
    }
    const position = (e: IndexPosition) => JSON.stringify([e.index, e.key, e.sort]);
    const remove = [...new Map(change.index.remove.map((e) => [position(e), e])).values()];
    const entries = [...new Map(change.index.put.map((e) => [position(e), e])).values()];
    for (let i = 0; i < remove.length; i += 5_000) {
      const chunk = remove.slice(i, i + 5_000);
      await client.query(
        `DELETE FROM ${this.s}.read_model_index AS e USING unnest($3::text[], $4::text[], $5::text[]) AS r (idx, key, sort)
         WHERE e.name = $1 AND e.generation = $2 AND e.idx = r.idx AND e.key = r.key AND e.sort = r.sort`,
        [name, generation, chunk.map((e) => e.index), chunk.map((e) => e.key), chunk.map((e) => e.sort)],
      );
    }
    for (let i = 0; i < entries.length; i += 5_000) {
      const chunk = entries.slice(i, i + 5_000);
      await client.query(
        `INSERT INTO ${this.s}.read_model_index (name, generation, idx, key, sort, document, value)
         SELECT $1, $2, e.idx, e.key, e.sort, e.document, e.value FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS e (idx, key, sort, document, value)
         ON CONFLICT (name, generation, idx, key, sort) DO UPDATE SET document = EXCLUDED.document, value = EXCLUDED.value`,
        [name, generation, chunk.map((e) => e.index), chunk.map((e) => e.key), chunk.map((e) => e.sort), chunk.map((e) => e.document), chunk.map((e) => e.value)],
      );
    }
  }

  /**
   * The model of a generation as one of this storage's transactions sees it. The
   * views may read in parallel; a client runs one query at a time, so they queue.
   */
  private modelIn(client: PoolClient, info: GenerationInfo): ModelReader | undefined {
    const projection = (projections as Record<string, AnyProjection>)[info.name];
    if (!projection) return undefined;
    let queue: Promise<unknown> = Promise.resolve();
    const serial: Queryable = {
      query: ((...args: Parameters<PoolClient['query']>) => {
        const next = queue.then(() => (client.query as (...a: unknown[]) => Promise<unknown>)(...args));
        queue = next.catch(() => undefined);
        return next;
      }) as Queryable['query'],
    };
    return storedModel(new PostgresReads(serial, this.s, () => this.where()), projection, info);
  }

  /**
   * A transaction that may rewrite the read model's rm_ tables: `write` brings them
   * to a generation (only the units a commit's changes touch, when the tables still
   * show what this storage last wrote), `clear` empties them. What was written is
   * remembered once the transaction has committed, and forgotten if it failed.
   */
  private async rewriting<T>(
    name: string,
    doing: string,
    work: (client: PoolClient, write: (info: GenerationInfo, changes?: Changes) => Promise<void>, clear: () => Promise<void>) => Promise<T>,
  ): Promise<T> {
    const definition = this.tables.get(name);
    let touched = false;
    let written: Tracked | undefined;
    const clear = async (client: PoolClient) => {
      touched = true;
      if (definition) await clearTables(client, this.s, definition);
    };
    try {
      const result = await this.transaction(name, doing, (client) =>
        work(
          client,
          async (info, changes) => {
            if (!definition) return;
            // A version this code does not know how to lay out: the tables stay empty rather than wrong.
            const model = info.version === definition.version ? this.modelIn(client, info) : undefined;
            if (!model) return clear(client);
            touched = true;
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
  private async transaction<T>(name: string, doing: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.run(doing, async () => {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
        try {
          await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`taawun:read-model:${this.schema}:${name}`]);
          const result = await work(client);
          await client.query('COMMIT');
          return result;
        } catch (error) {
          await client.query('ROLLBACK').catch((e: Error) => (broken = e));
          throw error;
        }
      } finally {
        client.release(broken);
      }
    });
  }

  private async run<T>(doing: string, work: () => Promise<T>): Promise<T> {
    if (this.closed) throw new ProjectionError('storage-failure', `${this.where()}: the read-model storage is closed; ${doing} failed`);
    try {
      return await work();
    } catch (error) {
      if (isProjectionError(error)) throw error;
      throw new ProjectionError('storage-failure', translateError(error, this.target, doing).message, { cause: error });
    }
  }

  private where(): string {
    return `${describe(this.target)}, schema "${this.schema}"`;
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
  try {
    await migrate(pool, target, schema, READ_MODELS_COMPONENT, readModelMigrations);
  } catch (error) {
    if (!shared) await pool.end().catch(() => undefined);
    throw new ProjectionError('storage-failure', translateError(error, target, 'preparing the read-model tables').message, { cause: error });
  }
  return new PostgresReadModelStorage(pool, schema, target, !shared, tables, options.now);
}

function tablesFor(choice: boolean | readonly string[] = true): ReadonlyMap<string, ReadModelTables> {
  if (choice === true) return builtInReadModelTables;
  if (choice === false) return new Map();
  const unknown = choice.filter((name) => !builtInReadModelTables.has(name));
  if (unknown.length > 0) {
    throw new ProjectionError('invalid-projection', `tables: ${unknown.join(', ')} has no tables; choose among ${[...builtInReadModelTables.keys()].join(', ')}`);
  }
  return new Map([...builtInReadModelTables].filter(([name]) => choice.includes(name)));
}
