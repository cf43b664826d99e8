import { COUNTERS_PREFIX, SINGLE_DOCUMENT, type GenerationInfo, type ModelReader } from '@taawun/projections';
import type { PoolClient } from 'pg';
import type { ReadModelTables, Row } from './read-model-tables.js';

/*
 * Keeping the rm_ tables to the active generation, inside the transaction that
 * changes it. The rows of a unit (one partner's, one participant's, or a whole
 * read model's) are computed by the read model's views from the documents and
 * index entries they read; every read is noted as a dependency of the unit. When
 * a commit changes documents or index keys, only the units that read one of them
 * (and the records the commit writes) are computed and written again; the others
 * keep their rows. Nothing here knows what a view reads: it is observed.
 */

/** Rows per INSERT (one JSON parameter each). */
const CHUNK = 2_000;

/** What a unit's rows were derived from. */
interface Dependencies {
  readonly documents: Set<string>;
  /** Key prefixes listed (`keys({ prefix })`): any document written under one. */
  readonly prefixes: Set<string>;
  /** `index \0 key` pairs read (entries or their count). */
  readonly indexes: Set<string>;
}

/** What the tables of one read model hold, by this storage's last write to them. */
export interface Tracked {
  readonly generation: number;
  readonly position: string | null;
  readonly units: ReadonlyMap<string, Dependencies>;
}

/** What a commit wrote: document keys, and `index \0 key` pairs whose entries changed. */
export interface Changes {
  readonly documents: readonly string[];
  readonly indexes: readonly string[];
}

const indexPair = (index: string, key: string) => `${index}\u0000${key}`;

/** A model reader that notes every read into `deps`. */
function tracing(model: ModelReader, deps: Dependencies): ModelReader {
  return {
    ...model,
    get: (key) => (deps.documents.add(key), model.get(key)),
    getMany: (keys) => (keys.forEach((k) => deps.documents.add(k)), model.getMany(keys)),
    keys: (range = {}) => (deps.prefixes.add(range.prefix ?? ''), model.keys(range)),
    index: (index, key, range) => (deps.indexes.add(indexPair(index, key)), model.index(index, key, range)),
    indexSize: (index, key) => (deps.indexes.add(indexPair(index, key)), model.indexSize(index, key)),
    counters: (name) => (deps.documents.add(COUNTERS_PREFIX + name), model.counters(name)),
    state: () => (deps.documents.add(SINGLE_DOCUMENT), model.state()),
    // An export reads everything: the empty prefix stands for every document.
    export: () => (deps.prefixes.add(''), model.export()),
  };
}

function touches(deps: Dependencies, changes: Changes, indexes: ReadonlySet<string>): boolean {
  for (const pair of deps.indexes) if (indexes.has(pair)) return true;
  for (const key of changes.documents) {
    if (deps.documents.has(key)) return true;
    for (const prefix of deps.prefixes) if (key.startsWith(prefix)) return true;
  }
  return false;
}

/**
 * PostgreSQL's text and jsonb cannot hold NUL, which the domain's free text may
 * contain: in the tables it reads as U+FFFD. (The stored documents keep the exact text.)
 */
const withoutNul = (_key: string, value: unknown): unknown => (typeof value === 'string' && value.includes('\0') ? value.replaceAll('\0', '\uFFFD') : value);

async function insertRows(client: PoolClient, table: string, rows: readonly Row[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    // Columns are matched by name: each row is a JSON object keyed by column.
    await client.query(`INSERT INTO ${table} SELECT * FROM json_populate_recordset(NULL::${table}, $1::json)`, [JSON.stringify(rows.slice(i, i + CHUNK), withoutNul)]);
  }
}

/**
 * Bring a read model's rm_ tables to the generation `model` reads, inside the
 * caller's transaction (which holds the read model's lock). With `changes` (a
 * commit) and `previous` being what the tables show now (same generation and
 * checkpoint in `rm_read_models`), only the units the changes touch are written
 * again; otherwise every unit is. Returns what the tables then hold, to keep once
 * the transaction has committed.
 */
export async function maintainTables(
  client: PoolClient,
  schema: string,
  definition: ReadModelTables,
  info: GenerationInfo,
  model: ModelReader,
  previous: Tracked | undefined,
  changes: Changes | undefined,
  at: string,
): Promise<Tracked> {
  const [shown] = (await client.query<{ generation: number; position: string | null }>(
    `SELECT generation, position::text AS position FROM ${schema}.rm_read_models WHERE read_model = $1`,
    [definition.readModel],
  )).rows;
  const current = previous && changes && shown && previous.generation === info.generation && shown.generation === previous.generation && shown.position === previous.position;
  const units = new Map(current ? previous.units : []);
  let affected: string[];
  if (current) {
    const indexes = new Set(changes.indexes);
    const touched = new Set([...units].filter(([, deps]) => touches(deps, changes, indexes)).map(([unit]) => unit));
    for (const key of changes.documents) {
      const unit = definition.unitOf(key);
      if (unit !== undefined) touched.add(unit);
    }
    affected = [...touched];
  } else {
    units.clear();
    affected = await definition.units(model);
    for (const table of definition.tables) await client.query(`DELETE FROM ${schema}.${table}`);
  }

  if (affected.length > 0) {
    const rows: Record<string, Row[]> = Object.fromEntries(definition.tables.map((t) => [t, []]));
    for (const unit of affected) {
      const deps: Dependencies = { documents: new Set(), prefixes: new Set(), indexes: new Set() };
      for (const [table, unitRows] of Object.entries(await definition.rows(tracing(model, deps), unit))) rows[table]!.push(...unitRows);
      units.set(unit, deps);
    }
    for (const table of definition.tables) {
      const t = `${schema}.${table}`;
      if (current && definition.unitColumn === undefined) await client.query(`DELETE FROM ${t}`);
      else if (current) await client.query(`DELETE FROM ${t} WHERE ${definition.unitColumn} = ANY($1::text[])`, [affected]);
      await insertRows(client, t, rows[table]!);
    }
  }
  const position = info.position?.toString() ?? null;
  await client.query(
    `INSERT INTO ${schema}.rm_read_models (read_model, generation, version, position, events_applied, materialised_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (read_model) DO UPDATE SET generation = EXCLUDED.generation, version = EXCLUDED.version, position = EXCLUDED.position,
       events_applied = EXCLUDED.events_applied, materialised_at = EXCLUDED.materialised_at`,
    [definition.readModel, info.generation, info.version, position, info.eventsApplied, at],
  );
  return { generation: info.generation, position, units };
}

/** Empty a read model's tables (no active generation, or one this code cannot lay out). */
export async function clearTables(client: PoolClient, schema: string, definition: ReadModelTables): Promise<void> {
  for (const table of definition.tables) await client.query(`DELETE FROM ${schema}.${table}`);
  await client.query(`DELETE FROM ${schema}.rm_read_models WHERE read_model = $1`, [definition.readModel]);
}
