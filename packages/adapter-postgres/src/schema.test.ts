import { readFileSync } from 'node:fs';
import { GENESIS_HASH, chainHash } from '@taawun/domain';
import { newTestEvent } from '@taawun/domain/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, describeTarget } from './connection.js';
import { openPostgresEventStore } from './event-store.js';
import { eventStoreMigrations, migrate, type Migration } from './schema.js';
import { TEST_DATABASE_URL, adminClient, schemaPool } from './test-support/database.js';

const schemas = schemaPool('schema');
let admin: pg.Client;
beforeAll(async () => {
  admin = await adminClient();
});
afterAll(async () => {
  await admin.end();
  await schemas.dropAll();
});

const versions = async (schema: string) =>
  (await admin.query(`SELECT component, version, migrated_at FROM ${pg.escapeIdentifier(schema)}.schema_versions ORDER BY component`)).rows;

describe('schema creation and versions', () => {
  it('creates the schema, its tables and a version row on first open', async () => {
    const store = await schemas.open();
    const tables = await admin.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`, [store.schema]);
    expect(tables.rows.map((r) => r.table_name)).toEqual(['chain_format', 'events', 'log_head', 'merkle_nodes', 'schema_versions']);
    expect(await versions(store.schema)).toMatchObject([{ component: 'event-store', version: eventStoreMigrations.length }]);
  });

  it('reopening an up-to-date schema changes nothing and keeps the events', async () => {
    const store = await schemas.open();
    await store.append('kept', [newTestEvent()], { expectedRevision: 'no-stream' });
    const before = await versions(store.schema);
    await store.close();
    const again = await schemas.open({ schema: store.schema });
    expect(await versions(store.schema)).toEqual(before);
    expect(await again.readStream('kept')).toHaveLength(1);
  });

  it('several processes opening a fresh schema at once all succeed, and it is created once', async () => {
    const schema = schemas.fresh();
    const stores = await Promise.all(Array.from({ length: 5 }, () => schemas.open({ schema })));
    expect(await versions(schema)).toHaveLength(1);
    const results = await Promise.all(stores.map((s, i) => s.append(`p-${i}`, [newTestEvent()], { expectedRevision: 'no-stream' })));
    expect(results.every((r) => r.ok)).toBe(true);
  });

  it('refuses a schema made by a newer taawun with schema-too-new, naming the schema and versions, writing nothing', async () => {
    const store = await schemas.open();
    await store.close();
    await admin.query(`UPDATE ${pg.escapeIdentifier(store.schema)}.schema_versions SET version = 99 WHERE component = 'event-store'`);
    const error = await openPostgresEventStore(TEST_DATABASE_URL, { schema: store.schema }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'EventStoreError', code: 'schema-too-new' });
    const message = (error as Error).message;
    expect(message).toContain(`"${store.schema}"`);
    expect(message).toContain('version 99');
    expect(message).toContain('127.0.0.1:5432');
    expect(message).not.toContain('\n');
    expect(await versions(store.schema)).toMatchObject([{ version: 99 }]);
  });

  it('applies only the steps a schema lacks, and a failing step leaves the previous version whole', async () => {
    const schema = schemas.fresh();
    const config = { connectionString: TEST_DATABASE_URL };
    const target = describeTarget(config);
    const pool = createPool(config);
    const step1: Migration = { description: 'a table', sql: (s) => `CREATE TABLE ${s}.widgets (id integer PRIMARY KEY)` };
    const step2: Migration = { description: 'a column', sql: (s) => `ALTER TABLE ${s}.widgets ADD COLUMN name text` };
    const broken: Migration = { description: 'half a step', sql: (s) => `CREATE TABLE ${s}.gadgets (id integer); SELECT no_such_function()` };
    try {
      await migrate(pool, target, schema, 'widgets', [step1]);
      await admin.query(`INSERT INTO ${pg.escapeIdentifier(schema)}.widgets VALUES (1)`);
      await migrate(pool, target, schema, 'widgets', [step1, step2]);
      expect(await versions(schema)).toMatchObject([{ component: 'widgets', version: 2 }]);
      expect((await admin.query(`SELECT id, name FROM ${pg.escapeIdentifier(schema)}.widgets`)).rows).toEqual([{ id: 1, name: null }]);

      const error = await migrate(pool, target, schema, 'widgets', [step1, step2, broken]).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'failure' });
      expect((error as Error).message).toContain('migrating the widgets tables');
      expect(await versions(schema)).toMatchObject([{ version: 2 }]);
      expect((await admin.query(`SELECT to_regclass($1) AS t`, [`${schema}.gadgets`])).rows[0].t).toBeNull();
    } finally {
      await pool.end();
    }
  });

  it('keeps components side by side in one schema', async () => {
    const store = await schemas.open();
    await migrate(store.pool, store.target, store.schema, 'read-models', [{ description: 'x', sql: (s) => `CREATE TABLE ${s}.partners (id text PRIMARY KEY)` }]);
    expect((await versions(store.schema)).map((r) => [r.component, r.version])).toEqual([['event-store', eventStoreMigrations.length], ['read-models', 1]]);
  });
});

describe('the chain format of a log written before version 4', () => {
  it('keeps its text-linked links, links every later event by its content hash, and verifies as one chain (also by the README query)', async () => {
    const schema = schemas.fresh();
    const pool = createPool({ connectionString: TEST_DATABASE_URL });
    const target = describeTarget({ connectionString: TEST_DATABASE_URL });
    try {
      // Version 3 as it appended: format-1 links (the tree is built when the store next opens).
      await migrate(pool, target, schema, 'event-store', eventStoreMigrations.slice(0, 3));
      const s = pg.escapeIdentifier(schema);
      let previous = GENESIS_HASH;
      for (let i = 0; i < 5; i++) {
        const e = newTestEvent('Old', { i, name: 'المعهد العالي للقضاء' });
        const row = { position: BigInt(i + 1), stream: `s${i % 2}`, revision: Math.floor(i / 2), id: e.id, type: e.type, schemaVersion: 1, recordedAt: e.recordedAt, dataJson: JSON.stringify(e.data), metadataJson: JSON.stringify(e.metadata) };
        previous = chainHash(previous, row, 1);
        await pool.query(`INSERT INTO ${s}.events (position, stream, revision, id, type, schema_version, recorded_at, data, metadata, hash) VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $8, $9)`, [
          String(row.position), row.stream, row.revision, row.id, row.type, row.recordedAt, row.dataJson, row.metadataJson, previous,
        ]);
      }
      await pool.query(`UPDATE ${s}.log_head SET last_position = 5, head_hash = $1`, [previous]);
    } finally {
      await pool.end();
    }
    const store = await schemas.open({ schema });
    expect((await admin.query(`SELECT content_linked_from FROM ${pg.escapeIdentifier(schema)}.chain_format`)).rows).toEqual([{ content_linked_from: '6' }]);
    await store.append('s0', [newTestEvent('New', { i: 5 }), newTestEvent('New', { i: 6 })], { expectedRevision: 'any' });
    const head = await store.checkpoint();
    expect(await store.verify()).toMatchObject({ intact: true, events: 7, headHash: head.headHash });

    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const query = /<!-- audit-query -->\s*```sql\n([\s\S]*?)```/.exec(readme)![1]!;
    await admin.query(`SET search_path TO ${pg.escapeIdentifier(schema)}`);
    try {
      expect((await admin.query(query)).rows[0]).toEqual({ last_position: '7', chained: '7', first_mismatch: null, head_hash: head.headHash });
    } finally {
      await admin.query('RESET search_path');
    }
  });
});
