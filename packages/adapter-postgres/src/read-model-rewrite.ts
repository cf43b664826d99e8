import {
  GENERATION_COLUMNS,
  generationInfo,
  HeapBound,
  rowsToWriteInBatches,
  storedModel,
  type AnyReadModelTables,
  type GenerationInfo,
  type GenerationRow,
  type ModelChanges,
  type ModelReader,
  type TableRow,
  type TablesShown,
} from '@taawun/projections';
import type { Pool, PoolClient } from 'pg';
import { DocumentTextCache } from './document-cache.js';
import { PostgresReads, type Queryable } from './read-model-reads.js';

/*
 * Writing a read model's rm_ tables inside the transaction that changes its
 * active generation. Which rows to write (every unit, or only those a commit
 * touches) is the projections' `rowsToWrite`; this writes them, and records in
 * `rm_read_models` which generation and checkpoint the tables then show.
 */

/** Rows per INSERT (one JSON parameter each). */
const CHUNK = 2_000;

/**
 * Rows held before they are written: whole units, at least this many. At 1M events the partner
 * history's rebuild peaked at 240 MB with 2,000, 223 MB with 500 (its units' rows are 84,032).
 */
const ROWS_PER_BATCH = 500;

/**
 * PostgreSQL's text and jsonb cannot hold NUL, which the domain's free text may
 * contain: in the tables it reads as U+FFFD. (The stored documents keep the exact text.)
 */
const withoutNul = (_key: string, value: unknown): unknown => (typeof value === 'string' && value.includes('\0') ? value.replaceAll('\0', '\uFFFD') : value);

async function insertRows(client: PoolClient, table: string, rows: readonly TableRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    // Columns are matched by name: each row is a JSON object keyed by column.
    await client.query(`INSERT INTO ${table} SELECT * FROM json_populate_recordset(NULL::${table}, $1::json)`, [JSON.stringify(rows.slice(i, i + CHUNK), withoutNul)]);
  }
}

/**
 * The model of a generation as a transaction sees it (its own writes included).
 * The views may read in parallel; a client runs one query at a time, so they queue.
 * A document read once is answered from memory after (the caller writes no
 * document while it reads: the rm_ tables are written from it afterwards).
 */
export function modelInTransaction(client: PoolClient, s: string, where: () => string, tables: AnyReadModelTables, info: GenerationInfo): ModelReader {
  let queue: Promise<unknown> = Promise.resolve();
  const serial: Queryable = {
    query: ((...args: Parameters<PoolClient['query']>) => {
      const next = queue.then(() => (client.query as (...a: unknown[]) => Promise<unknown>)(...args));
      queue = next.catch(() => undefined);
      return next;
    }) as Queryable['query'],
  };
  return storedModel(new PostgresReads(serial, s, where, new DocumentTextCache()), tables.projection, info);
}

/**
 * Bring a read model's rm_ tables to the generation `model` reads, inside the
 * caller's transaction (which holds the read model's lock). `previous` is what
 * this storage last wrote; it counts only while `rm_read_models` still shows that
 * generation and checkpoint (no other process wrote since). Returns what the
 * tables then hold, to keep once the transaction has committed.
 */
export async function maintainTables(
  client: PoolClient,
  s: string,
  tables: AnyReadModelTables,
  info: GenerationInfo,
  model: ModelReader,
  previous: TablesShown | undefined,
  changes: ModelChanges | undefined,
  at: string,
): Promise<TablesShown> {
  const name = tables.projection.name;
  const [shown] = (await client.query<{ generation: number; position: string | null }>(`SELECT generation, position::text AS position FROM ${s}.rm_read_models WHERE read_model = $1`, [name])).rows;
  const stillShown = previous && shown && shown.generation === previous.generation && shown.position === (previous.position?.toString() ?? null);
  const write = await rowsToWriteInBatches(tables, model, stillShown ? previous : undefined, changes);
  for (const t of tables.tables) {
    const qualified = `${s}.${t.name}`;
    if (write.replace === 'all') await client.query(`DELETE FROM ${qualified}`);
    else if (write.replace.length > 0) await client.query(`DELETE FROM ${qualified} WHERE ${tables.unitColumn} = ANY($1::text[])`, [write.replace]);
  }
  // A batch of units' rows at a time (the tables reference no other table's rows): a rewrite of every unit holds one batch, not every row.
  // Its garbage kept near what is live, as a rebuild's (V8 would let it grow to several times that), checked after
  // every unit (the partner history's rebuild at 1M peaked at 260 MB checked after every 2,000 rows, 22 units; 240 after every unit).
  const heap = new HeapBound();
  for await (const batch of write.batches(ROWS_PER_BATCH, heap)) {
    for (const t of tables.tables) await insertRows(client, `${s}.${t.name}`, batch[t.name] ?? []);
    heap.check();
  }
  await client.query(
    `INSERT INTO ${s}.rm_read_models (read_model, generation, version, position, events_applied, materialised_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (read_model) DO UPDATE SET generation = EXCLUDED.generation, version = EXCLUDED.version, position = EXCLUDED.position,
       events_applied = EXCLUDED.events_applied, materialised_at = EXCLUDED.materialised_at`,
    [name, info.generation, info.version, info.position?.toString() ?? null, info.eventsApplied, at],
  );
  return write.shown;
}

/** Empty a read model's tables (no active generation, or one its description cannot lay out). */
export async function clearTables(client: PoolClient, s: string, tables: AnyReadModelTables): Promise<void> {
  for (const t of tables.tables) await client.query(`DELETE FROM ${s}.${t.name}`);
  await client.query(`DELETE FROM ${s}.rm_read_models WHERE read_model = $1`, [tables.projection.name]);
}

/**
 * Bring a read model's tables to its active generation, all rows, or empty them
 * when there is none its description can read (inside the caller's transaction,
 * which holds the read model's lock). Returns what they then hold.
 */
export async function showActiveGeneration(client: PoolClient, s: string, where: () => string, tables: AnyReadModelTables, at: string): Promise<TablesShown | undefined> {
  const info = await activeGenerationIn(client, s, tables.projection.name);
  if (!info || info.version !== tables.projection.version) {
    await clearTables(client, s, tables);
    return undefined;
  }
  return maintainTables(client, s, tables, info, modelInTransaction(client, s, where, tables, info), undefined, undefined, at);
}

async function activeGenerationIn(client: PoolClient, s: string, name: string): Promise<GenerationInfo | undefined> {
  const { rows } = await client.query<GenerationRow>(`SELECT ${GENERATION_COLUMNS} FROM ${s}.read_model_generations WHERE name = $1 AND status = 'active'`, [name]);
  return rows[0] && generationInfo(rows[0]);
}

/** Take a read model's lock for the transaction: its writers (commits, activations, layouts) take turns. */
export async function lockReadModel(client: PoolClient, schema: string, name: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`taawun:read-model:${schema}:${name}`]);
}

/** One READ COMMITTED transaction on a client of the pool: committed when `work` returns, rolled back when it throws. */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
    try {
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // A connection whose rollback failed is in an unknown state: the pool discards it.
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw error;
    }
  } finally {
    client.release(broken);
  }
}
