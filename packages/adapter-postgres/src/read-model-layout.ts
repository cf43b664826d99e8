import { ProjectionError, type AnyReadModelTables } from '@taawun/projections';
import type { Pool, PoolClient } from 'pg';
import { commentsSql, reservedNameIn, sqlTypeOf, tablesSql } from './read-model-ddl.js';
import type { Queryable } from './read-model-reads.js';
import { clearTables, inTransaction, lockReadModel, showActiveGeneration } from './read-model-rewrite.js';

/*
 * Laying out read models' rm_ tables from their descriptions, when the storage
 * opens. `rm_layouts` keeps, per read model, the DDL its tables were made with
 * (without schema or comments) and their comments. When a description no longer
 * gives the same DDL (a column added, a type changed), its tables are dropped and
 * made again, and filled from the active generation, in one transaction: report
 * tools see the old tables until it commits, the new ones, full, after. When only
 * comments changed, the comments are set again. A table a database already holds
 * with no layout (made by step 1 of the migrations, before layouts were kept) is
 * adopted when its columns and key are the described ones, rows and all.
 */

interface Layout {
  readonly tables: readonly string[];
  readonly structure: string;
  readonly comments: string;
}

const layoutOf = (description: AnyReadModelTables): Layout => ({
  tables: description.tables.map((t) => t.name),
  structure: tablesSql('', description, false),
  comments: commentsSql('', description),
});

const sameLayout = (a: Layout | undefined, b: Layout) => a !== undefined && a.structure === b.structure && a.comments === b.comments && a.tables.join() === b.tables.join();

async function storedLayouts(db: Queryable, s: string): Promise<Map<string, Layout>> {
  const { rows } = await db.query<Layout & { read_model: string }>(`SELECT read_model, tables, structure, comments FROM ${s}.rm_layouts`);
  return new Map(rows.map((r) => [r.read_model, { tables: r.tables, structure: r.structure, comments: r.comments }]));
}

/** Does the database hold every table of the description already, with its columns (names, types, nullability, in order) and primary key? */
async function heldAsDescribed(client: PoolClient, s: string, description: AnyReadModelTables): Promise<boolean> {
  for (const t of description.tables) {
    const { rows } = await client.query<{ name: string; type: string; not_null: boolean; key: boolean }>(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
              coalesce(a.attnum = ANY (i.indkey), false) AS key
       FROM pg_attribute a LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary
       WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      [`${s}.${t.name}`],
    );
    const described = Object.entries(t.columns).map(([name, c]) => ({ name, type: sqlTypeOf(c.type), not_null: !c.nullable || t.primaryKey.includes(name), key: t.primaryKey.includes(name) }));
    if (JSON.stringify(rows) !== JSON.stringify(described)) return false;
  }
  return true;
}

function refuseClashes(descriptions: readonly AnyReadModelTables[]): void {
  const owners = new Map<string, string>();
  for (const d of descriptions) {
    const name = d.projection.name;
    const reserved = reservedNameIn(d);
    if (reserved) throw new ProjectionError('invalid-projection', `tables of read model ${name}: ${reserved} is the storage's own table`);
    for (const t of d.tables) {
      const owner = owners.get(t.name);
      if (owner !== undefined) throw new ProjectionError('invalid-projection', `tables of read model ${name}: ${t.name} is already a table of read model ${owner}`);
      owners.set(t.name, name);
    }
  }
}

/**
 * Lay out the tables of these read models in schema `s` (quoted; `schema` the
 * plain name): nothing to do, and one query, when every layout is as described.
 */
export async function layOutTables(pool: Pool, s: string, schema: string, where: () => string, descriptions: readonly AnyReadModelTables[], now: () => Date): Promise<void> {
  refuseClashes(descriptions);
  const wanted = descriptions.map((d) => ({ description: d, layout: layoutOf(d) }));
  const stored = await storedLayouts(pool, s);
  if (wanted.every(({ description, layout }) => sameLayout(stored.get(description.projection.name), layout))) return;

  await inTransaction(pool, async (client) => {
    // Processes opening at once lay out one after the other; the second finds the work done.
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`taawun:layout:${schema}`]);
    const current = await storedLayouts(client, s);
    for (const { description, layout } of wanted) {
      const name = description.projection.name;
      const before = current.get(name);
      if (sameLayout(before, layout)) continue;
      for (const [other, { tables }] of current) {
        const taken = other === name ? undefined : tables.find((t) => layout.tables.includes(t));
        if (taken) throw new ProjectionError('invalid-projection', `tables of read model ${name}: ${taken} is already a table of read model ${other} in schema "${schema}"`);
      }
      await lockReadModel(client, schema, name);
      if (before?.structure !== layout.structure) await layOut(client, s, where, description, before, now);
      await client.query(commentsSql(`${s}.`, description));
      await client.query(
        `INSERT INTO ${s}.rm_layouts (read_model, tables, structure, comments, laid_out_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (read_model) DO UPDATE SET tables = EXCLUDED.tables, structure = EXCLUDED.structure, comments = EXCLUDED.comments, laid_out_at = EXCLUDED.laid_out_at`,
        [name, layout.tables, layout.structure, layout.comments, now().toISOString()],
      );
    }
  });
}

/** Make a read model's tables as described (or adopt the ones a database made before layouts were kept), and show its active generation in them. */
async function layOut(client: PoolClient, s: string, where: () => string, description: AnyReadModelTables, before: Layout | undefined, now: () => Date): Promise<void> {
  if (before === undefined && (await heldAsDescribed(client, s, description))) {
    // Rows written by an earlier version, of the same columns: kept while rm_read_models says what they show.
    const { rowCount } = await client.query(`SELECT 1 FROM ${s}.rm_read_models WHERE read_model = $1`, [description.projection.name]);
    if (!rowCount) await clearTables(client, s, description);
    return;
  }
  // No CASCADE: a view a report tool made on a table stops the layout (the error names it) rather than vanishing.
  for (const table of new Set([...(before?.tables ?? []), ...description.tables.map((t) => t.name)])) {
    await client.query(`DROP TABLE IF EXISTS ${s}.${table}`).catch((error: { code?: string; detail?: string }) => {
      if (error.code !== '2BP01') throw error;
      throw new ProjectionError(
        'storage-failure',
        `${where()}: the tables of read model ${description.projection.name} are described anew, but ${table} cannot be made again: ${error.detail ?? 'other objects depend on it'}; drop them, open again, then make them again`,
        { cause: error },
      );
    });
  }
  await client.query(tablesSql(`${s}.`, description, false));
  await showActiveGeneration(client, s, where, description, now().toISOString());
}
