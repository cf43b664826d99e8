import { ProjectionRunner, allRows, column, defineReadModelTables, readModelTables, replay, table, wholeModel } from '@taawun/projections';
import { sessionsHeldTables, sessionsPerPartnerProjection } from '@taawun/projections/testing';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { PostgresEventStore } from './event-store.js';
import { readModelTablesSql } from './read-model-ddl.js';
import { openPostgresReadModelStorage } from './read-model-storage.js';
import { migrate } from './schema.js';
import { adminClient, reportSql, schemaPool } from './test-support/database.js';
import { copyInto, enmCourse, instituteLog, record } from './test-support/institute.js';
import { legacyReadModelMigrations } from './test-support/legacy-read-model-schema.js';
import { expectedTable, tableAsJson } from './test-support/tables.js';

const schemas = schemaPool('rm_layout');
const admin = await adminClient();
afterAll(() => Promise.all([admin.end(), schemas.dropAll()]));

/** A store holding the institute's record. */
async function instituteStore(): Promise<PostgresEventStore> {
  const store = await schemas.open();
  await copyInto(store, await instituteLog());
  return store;
}

/** Each table's oid: the same oid is the same table, not one made again. */
const oids = async (store: PostgresEventStore) =>
  Object.fromEntries(
    (await admin.query(`SELECT relname, oid::int FROM pg_class WHERE relnamespace = $1::regnamespace AND relkind = 'r' AND relname LIKE 'rm\\_%'`, [store.schema])).rows.map((r) => [r.relname, r.oid]),
  );

const columnsOf = async (store: PostgresEventStore, tableName: string) =>
  (
    await admin.query(
      `SELECT column_name, data_type, is_nullable, col_description(format('%I.%I', table_schema, table_name)::regclass, ordinal_position::int) AS comment
       FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
      [store.schema, tableName],
    )
  ).rows;

const versionOf = async (store: PostgresEventStore) =>
  (await admin.query(`SELECT version FROM ${pg.escapeIdentifier(store.schema)}.schema_versions WHERE component = 'read-models'`)).rows[0]?.version;

describe('a database made by an earlier version', () => {
  it('keeps its rm_ tables and their rows: the first open adopts them (same columns), and writes them as before', async () => {
    const store = await instituteStore();
    const s = pg.escapeIdentifier(store.schema);
    // What an earlier version left: steps 1 and 2, every read model built, its tables written, rm_read_models naming the generation.
    await migrate(store.pool, store.target, store.schema, 'read-models', legacyReadModelMigrations);
    const engineOnly = await openPostgresReadModelStorage(store, { tables: false });
    for (const definition of Object.values(readModelTables)) {
      const runner = new ProjectionRunner(definition.projection, { store, storage: engineOnly });
      await runner.rebuild();
      const rows = await allRows(definition, (await runner.read())!);
      for (const t of definition.tables) {
        await admin.query(`INSERT INTO ${s}.${t.name} SELECT * FROM json_populate_recordset(NULL::${s}.${t.name}, $1::json)`, [JSON.stringify(rows[t.name])]);
      }
      const active = (await engineOnly.generations(definition.projection.name)).find((g) => g.status === 'active')!;
      await admin.query(`INSERT INTO ${s}.rm_read_models VALUES ($1, $2, $3, $4, $5, '2025-01-01T00:00:00.000Z')`, [active.name, active.generation, active.version, active.position!.toString(), active.eventsApplied]);
    }
    const before = await oids(store);
    const rowVersions = async () => (await admin.query(`SELECT xmin::text FROM ${s}.rm_agreement_parties ORDER BY agreement_id, party_order`)).rows;
    const versionsBefore = await rowVersions();
    expect(Object.keys(before)).toHaveLength(14); // 12 tables, rm_read_models, rm_layouts

    const storage = await openPostgresReadModelStorage(store);
    expect(await versionOf(store)).toBe(3);
    // The figures' columns (issue 15) changed the layouts of partner-history and the yearly report: their tables are made
    // again; every other table is adopted as it is, rows untouched.
    const remade = ['rm_partners', 'rm_partner_names', 'rm_partner_history', 'rm_yearly_activity', 'rm_yearly_gaps', 'rm_activities'];
    const after = await oids(store);
    for (const [table, oid] of Object.entries(before)) expect([table, after[table] === oid]).toEqual([table, !remade.includes(table)]);
    expect(await rowVersions()).toEqual(versionsBefore);
    expect((await admin.query(`SELECT read_model, tables FROM ${s}.rm_layouts ORDER BY read_model`)).rows.map((r) => r.read_model)).toEqual(Object.keys(readModelTables).sort());
    expect((await columnsOf(store, 'rm_partners')).find((c) => c.column_name === 'name_ar')).toMatchObject({ comment: 'the latest name' });

    await record(store, enmCourse('enm-course-after-upgrade', '2023', 6));
    for (const definition of Object.values(readModelTables)) await new ProjectionRunner(definition.projection, { store, storage }).catchUp();
    const sql = reportSql(store.schema);
    for (const definition of Object.values(readModelTables)) {
      const expected = await allRows(definition, await replay(store, definition.projection));
      for (const t of definition.tables) expect(await tableAsJson(sql, t), t.name).toEqual(expectedTable(expected, t));
    }
  }, 60_000);

  it('made by step 1 only, shows none of the rows step 1 left (rm_read_models says they show nothing)', async () => {
    const store = await instituteStore();
    const s = pg.escapeIdentifier(store.schema);
    await migrate(store.pool, store.target, store.schema, 'read-models', legacyReadModelMigrations.slice(0, 1));
    await admin.query(`INSERT INTO ${s}.rm_agreement_areas VALUES ('old-agreement', 1, NULL, NULL, 'an area of a whole state dropped by step 2')`);
    await openPostgresReadModelStorage(store);
    expect(await versionOf(store)).toBe(3);
    expect((await admin.query(`SELECT count(*)::int AS n FROM ${s}.rm_agreement_areas`)).rows).toEqual([{ n: 0 }]);
    expect((await admin.query(`SELECT count(*)::int AS n FROM ${s}.rm_layouts`)).rows).toEqual([{ n: 4 }]);
  });
});

describe("a read model of a user's own", () => {
  it('gets tables from its description alone: the DDL with its comments, and its rows, kept by unit', async () => {
    const store = await instituteStore();
    const description = sessionsHeldTables();
    const storage = await openPostgresReadModelStorage(store, { tables: [description] });
    expect(readModelTablesSql('taawun', [description])).toBe(
      [
        '-- sessions-per-partner: sessions held with each partner',
        'CREATE TABLE taawun.rm_sessions_held (',
        '  partner_id     text    PRIMARY KEY,',
        '  held           integer NOT NULL,     -- sessions held with the partner',
        '  last_held_edtf text                  -- the last one, as recorded',
        ');',
      ].join('\n'),
    );
    expect(await columnsOf(store, 'rm_sessions_held')).toEqual([
      { column_name: 'partner_id', data_type: 'text', is_nullable: 'NO', comment: null },
      { column_name: 'held', data_type: 'integer', is_nullable: 'NO', comment: 'sessions held with the partner' },
      { column_name: 'last_held_edtf', data_type: 'text', is_nullable: 'YES', comment: 'the last one, as recorded' },
    ]);
    const runner = new ProjectionRunner(sessionsPerPartnerProjection, { store, storage });
    await runner.rebuild();
    const sql = reportSql(store.schema);
    const [held] = description.tables;
    expect(await tableAsJson(sql, held)).toEqual(expectedTable(await allRows(description, await replay(store, sessionsPerPartnerProjection)), held));
    expect(await sql(`SELECT held, last_held_edtf FROM rm_sessions_held WHERE partner_id = 'giz'`)).toEqual([{ held: 3, last_held_edtf: '2018-11-07/2018-11-08' }]);

    await record(store, enmCourse('enm-course-2024', '2024', 3));
    await runner.catchUp();
    expect(await tableAsJson(sql, held)).toEqual(expectedTable(await allRows(description, await replay(store, sessionsPerPartnerProjection)), held));
    expect(await sql(`SELECT last_held_edtf FROM rm_sessions_held WHERE partner_id = 'enm-france'`)).toEqual([{ last_held_edtf: '2024' }]);
  });

  it('a changed description lays its table out again, filled from the active generation; changed comments only set the comments again', async () => {
    const store = await instituteStore();
    const sql = reportSql(store.schema);
    const first = sessionsHeldTables();
    await new ProjectionRunner(sessionsPerPartnerProjection, { store, storage: await openPostgresReadModelStorage(store, { tables: [first] }) }).rebuild();
    const rowVersions = async () => (await admin.query(`SELECT partner_id, xmin::text FROM ${pg.escapeIdentifier(store.schema)}.rm_sessions_held ORDER BY partner_id`)).rows;
    const [oid, versions] = [await oids(store), await rowVersions()];

    await openPostgresReadModelStorage(store, { tables: [sessionsHeldTables({ heldComment: 'how many sessions were held with the partner' })] });
    expect([await oids(store), await rowVersions()]).toEqual([oid, versions]);
    expect((await columnsOf(store, 'rm_sessions_held'))[1]).toMatchObject({ column_name: 'held', comment: 'how many sessions were held with the partner' });

    const second = sessionsHeldTables({ extra: { often: column.boolean('more than two') }, extraRow: (doc) => ({ often: doc.held > 2 }) });
    await openPostgresReadModelStorage(store, { tables: [second] });
    expect((await oids(store))['rm_sessions_held']).not.toBe(oid['rm_sessions_held']);
    expect((await columnsOf(store, 'rm_sessions_held')).map((c) => c.column_name)).toEqual(['partner_id', 'held', 'last_held_edtf', 'often']);
    expect(await tableAsJson(sql, second.tables[0])).toEqual(expectedTable(await allRows(second, await replay(store, sessionsPerPartnerProjection)), second.tables[0]));
    expect(await sql(`SELECT partner_id, held FROM rm_sessions_held WHERE often ORDER BY partner_id`)).toEqual([
      { partner_id: 'enm-france', held: 3 },
      { partner_id: 'giz', held: 3 },
    ]);

    // Several processes opening with a new description at once: each open succeeds, the table is laid out once.
    const third = sessionsHeldTables({ extra: { often: column.boolean('more than one'), once: column.boolean() }, extraRow: (doc) => ({ often: doc.held > 1, once: doc.held === 1 }) });
    await Promise.all(Array.from({ length: 4 }, () => openPostgresReadModelStorage(store, { tables: [third] })));
    expect(await tableAsJson(sql, third.tables[0])).toEqual(expectedTable(await allRows(third, await replay(store, sessionsPerPartnerProjection)), third.tables[0]));
  }, 60_000);

  it('a view a report tool made on a table stops the layout, naming it, and the tables stay as they were', async () => {
    const store = await instituteStore();
    const s = pg.escapeIdentifier(store.schema);
    const first = sessionsHeldTables();
    await new ProjectionRunner(sessionsPerPartnerProjection, { store, storage: await openPostgresReadModelStorage(store, { tables: [first] }) }).rebuild();
    await admin.query(`CREATE VIEW ${s}.busy_partners AS SELECT partner_id FROM ${s}.rm_sessions_held WHERE held > 2`);
    const second = sessionsHeldTables({ extra: { often: column.boolean() }, extraRow: (doc) => ({ often: doc.held > 2 }) });
    const error = await openPostgresReadModelStorage(store, { tables: [second] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ProjectionError', code: 'storage-failure' });
    expect((error as Error).message).toMatch(/rm_sessions_held cannot be made again: view .*busy_partners depends on table .*rm_sessions_held; drop them, open again/);
    expect((await columnsOf(store, 'rm_sessions_held')).map((c) => c.column_name)).toEqual(['partner_id', 'held', 'last_held_edtf']);
    await admin.query(`DROP VIEW ${s}.busy_partners`);
    await openPostgresReadModelStorage(store, { tables: [second] });
    expect((await columnsOf(store, 'rm_sessions_held')).map((c) => c.column_name)).toEqual(['partner_id', 'held', 'last_held_edtf', 'often']);
  });

  it("may not take another read model's table, nor the storage's own", async () => {
    const store = await instituteStore();
    await openPostgresReadModelStorage(store);
    const taking = (name: string) =>
      defineReadModelTables({
        projection: sessionsPerPartnerProjection,
        tables: [table({ name, columns: { partner_id: column.text() }, primaryKey: ['partner_id'] })],
        ...wholeModel,
        rows: async () => ({}),
      });
    await expect(openPostgresReadModelStorage(store, { tables: [taking('rm_partners')] })).rejects.toMatchObject({
      code: 'invalid-projection',
      message: expect.stringMatching(/rm_partners is already a table of read model partner-history/),
    });
    await expect(openPostgresReadModelStorage(store, { tables: ['partner-history', taking('rm_partners')] })).rejects.toThrow(/rm_partners is already a table of read model partner-history/);
    await expect(openPostgresReadModelStorage(store, { tables: [taking('rm_layouts')] })).rejects.toThrow(/rm_layouts is the storage's own table/);
    expect(() => taking('partners')).toThrow(/table name "partners" is not rm_/);
  });
});
