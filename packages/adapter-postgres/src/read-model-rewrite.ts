import type { GenerationInfo, ModelReader } from '@taawun/projections';
import type { PoolClient } from 'pg';
import type { ReadModelTables, Row } from './read-model-tables.js';

/** Rows per statement (one JSON parameter each). */
const CHUNK = 2_000;

/** What a read model's tables hold: per table, each row's JSON text by its key. */
export type TableContents = ReadonlyMap<string, ReadonlyMap<string, string>>;

/** What the tables of one read model were last rewritten to, by this process. */
export interface Written {
  readonly generation: number;
  readonly position: string | null;
  readonly contents: TableContents;
}

const keyOf = (row: Row, key: readonly string[]): string => JSON.stringify(key.map((column) => row[column]));

/**
 * PostgreSQL's text and jsonb cannot hold NUL, which the domain's free text may
 * contain: in the tables it reads as U+FFFD. (The stored documents keep the exact text.)
 */
const withoutNul = (_key: string, value: unknown): unknown => (typeof value === 'string' && value.includes('\0') ? value.replaceAll('\0', '\uFFFD') : value);

function contentsOf(definition: ReadModelTables, rows: Record<string, Row[]>): TableContents {
  return new Map(
    definition.tables.map((table) => {
      const key = definition.keys[table]!;
      return [table, new Map((rows[table] ?? []).map((row) => [keyOf(row, key), JSON.stringify(row, withoutNul)]))];
    }),
  );
}

async function inChunks(rows: readonly string[], write: (json: string) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await write(`[${rows.slice(i, i + CHUNK).join(',')}]`);
}

/**
 * Bring a read model's rm_ tables to the generation `model` reads, inside the caller's transaction
 * (which holds the read model's lock). When `previous` is what the tables hold
 * now (they show its generation and position), only the rows that differ are
 * deleted and inserted; otherwise every row is. Returns what the tables then
 * hold, for the next call, once the transaction has committed.
 */
export async function rewriteTables(
  client: PoolClient,
  schema: string,
  definition: ReadModelTables,
  info: GenerationInfo,
  model: ModelReader,
  previous: Written | undefined,
  at: string,
): Promise<Written> {
  const [shown] = (await client.query<{ generation: number; position: string | null }>(
    `SELECT generation, position::text AS position FROM ${schema}.rm_read_models WHERE read_model = $1`,
    [definition.readModel],
  )).rows;
  const current = previous && shown && shown.generation === previous.generation && shown.position === previous.position ? previous.contents : undefined;
  const next = contentsOf(definition, await definition.rows(model));

  for (const table of definition.tables) {
    const t = `${schema}.${table}`;
    const key = definition.keys[table]!;
    const rows = next.get(table)!;
    let gone: string[];
    let added: string[];
    if (current) {
      const before = current.get(table) ?? new Map<string, string>();
      gone = [...before].filter(([k, json]) => rows.get(k) !== json).map(([, json]) => json);
      added = [...rows].filter(([k, json]) => before.get(k) !== json).map(([, json]) => json);
    } else {
      await client.query(`DELETE FROM ${t}`);
      gone = [];
      added = [...rows.values()];
    }
    const matches = key.map((column) => `${t}.${column} = gone.${column}`).join(' AND ');
    await inChunks(gone, (json) => client.query(`DELETE FROM ${t} USING json_populate_recordset(NULL::${t}, $1::json) AS gone WHERE ${matches}`, [json]));
    // Columns are matched by name: each row is a JSON object keyed by column.
    await inChunks(added, (json) => client.query(`INSERT INTO ${t} SELECT * FROM json_populate_recordset(NULL::${t}, $1::json)`, [json]));
  }
  const position = info.position?.toString() ?? null;
  await client.query(
    `INSERT INTO ${schema}.rm_read_models (read_model, generation, version, position, events_applied, materialised_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (read_model) DO UPDATE SET generation = EXCLUDED.generation, version = EXCLUDED.version, position = EXCLUDED.position,
       events_applied = EXCLUDED.events_applied, materialised_at = EXCLUDED.materialised_at`,
    [definition.readModel, info.generation, info.version, position, info.eventsApplied, at],
  );
  return { generation: info.generation, position, contents: next };
}

/** Empty a read model's tables (no active generation, or one this code cannot lay out). */
export async function clearTables(client: PoolClient, schema: string, definition: ReadModelTables): Promise<void> {
  for (const table of definition.tables) await client.query(`DELETE FROM ${schema}.${table}`);
  await client.query(`DELETE FROM ${schema}.rm_read_models WHERE read_model = $1`, [definition.readModel]);
}
