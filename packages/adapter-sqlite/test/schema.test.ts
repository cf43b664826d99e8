import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { newTestEvent } from '@taawun/domain/testing';
import { storedNodeIndex, verifyConsistency } from '@taawun/domain';
import {
  EVENT_STORE_COMPONENT,
  EVENT_STORE_SCHEMA_VERSION,
  SCHEMA_VERSIONS_TABLE,
  migrate,
  openSqliteEventStore,
  readSchemaVersion,
  type Migration,
} from '../src/index.js';
import { tempDatabases } from './temp-files.js';

const newDatabase = tempDatabases();
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('schema versions', () => {
  it('records the event store schema version in its own table', async () => {
    const path = newDatabase();
    const store = await openSqliteEventStore(path);
    const rows = store.database.prepare(`SELECT component, version FROM ${SCHEMA_VERSIONS_TABLE}`).all();
    expect(rows).toEqual([{ component: EVENT_STORE_COMPONENT, version: EVENT_STORE_SCHEMA_VERSION }]);
    expect(EVENT_STORE_SCHEMA_VERSION).toBe(3);
    const columns = store.database.prepare(`SELECT name, type, "notnull", pk FROM pragma_table_info('events') ORDER BY cid`).all();
    expect(columns).toEqual([
      { name: 'position', type: 'INTEGER', notnull: 0, pk: 1 },
      { name: 'stream', type: 'TEXT', notnull: 1, pk: 0 },
      { name: 'revision', type: 'INTEGER', notnull: 1, pk: 0 },
      { name: 'id', type: 'TEXT', notnull: 1, pk: 0 },
      { name: 'type', type: 'TEXT', notnull: 1, pk: 0 },
      { name: 'schema_version', type: 'INTEGER', notnull: 1, pk: 0 },
      { name: 'recorded_at', type: 'TEXT', notnull: 1, pk: 0 },
      { name: 'data', type: 'TEXT', notnull: 1, pk: 0 },
      { name: 'metadata', type: 'TEXT', notnull: 1, pk: 0 },
      { name: 'hash', type: 'TEXT', notnull: 1, pk: 0 },
    ]);
    await store.close();
  });

  it('sets up its tables in an existing SQLite file that holds other tables, leaving them alone', async () => {
    const path = newDatabase();
    const other = new Database(path);
    other.exec(`CREATE TABLE institute_notes (note TEXT); INSERT INTO institute_notes VALUES ('kept')`);
    other.close();
    const store = await openSqliteEventStore(path);
    await store.append('a', [newTestEvent()], { expectedRevision: 'no-stream' });
    expect(store.database.prepare('SELECT note FROM institute_notes').all()).toEqual([{ note: 'kept' }]);
    expect(readSchemaVersion(store.database, EVENT_STORE_COMPONENT)).toBe(EVENT_STORE_SCHEMA_VERSION);
    await store.close();
  });

  describe('migrating forward (a component with two versions)', () => {
    const v1: Migration = { version: 1, description: 'table', up: (db) => db.exec('CREATE TABLE things (name TEXT NOT NULL)') };
    const v2: Migration = { version: 2, description: 'a column', up: (db) => db.exec(`ALTER TABLE things ADD COLUMN colour TEXT NOT NULL DEFAULT 'blue'`) };

    it('applies only the missing migrations, keeps the rows, and records the new version', () => {
      const path = newDatabase();
      const db = new Database(path);
      expect(migrate(db, path, 'things', [v1])).toEqual({ from: 0, to: 1 });
      db.prepare(`INSERT INTO things (name) VALUES ('first')`).run();
      expect(migrate(db, path, 'things', [v1, v2])).toEqual({ from: 1, to: 2 });
      expect(db.prepare('SELECT name, colour FROM things').all()).toEqual([{ name: 'first', colour: 'blue' }]);
      expect(readSchemaVersion(db, 'things')).toBe(2);
      expect(migrate(db, path, 'things', [v1, v2])).toEqual({ from: 2, to: 2 });
      db.close();
    });

    it('a failing migration leaves the file at the previous version, with no half-applied change', () => {
      const path = newDatabase();
      const db = new Database(path);
      migrate(db, path, 'things', [v1]);
      const broken: Migration = {
        version: 2,
        description: 'fails half-way',
        up: (d) => {
          d.exec('CREATE TABLE half_done (x TEXT)');
          throw new Error('disk trouble');
        },
      };
      expect(() => migrate(db, path, 'things', [v1, broken])).toThrow(/disk trouble/);
      expect(readSchemaVersion(db, 'things')).toBe(1);
      expect(db.prepare(`SELECT name FROM sqlite_schema WHERE name = 'half_done'`).get()).toBeUndefined();
      db.close();
    });

    it('refuses migrations that are not numbered 1, 2, 3, ...', () => {
      const db = new Database(':memory:');
      expect(() => migrate(db, ':memory:', 'things', [v2])).toThrow(/numbered/);
      db.close();
    });
  });

  it('refuses a file written by a newer version with schema-too-new, naming the file, and writes nothing', async () => {
    const path = newDatabase();
    const store = await openSqliteEventStore(path);
    await store.append('a', [newTestEvent()], { expectedRevision: 'no-stream' });
    store.database.prepare(`UPDATE ${SCHEMA_VERSIONS_TABLE} SET version = 7 WHERE component = ?`).run(EVENT_STORE_COMPONENT);
    await store.close();
    const before = sha256(path);

    const error = await openSqliteEventStore(path).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'EventStoreError', code: 'schema-too-new' });
    const message = (error as Error).message;
    expect(message).toContain(path);
    expect(message).toMatch(/schema version 7/);
    expect(message).toMatch(/newer/);
    expect(message).not.toMatch(/\n\s+at /); // no stack trace in the message
    expect(sha256(path)).toBe(before);
  });
});

describe('version 2: the Merkle tree', () => {
  it('is built from the events of a log written before it, when the log is next opened', async () => {
    const path = newDatabase();
    const store = await openSqliteEventStore(path);
    for (let i = 0; i < 11; i++) await store.append(`s${i % 2}`, [newTestEvent()], { expectedRevision: 'any' });
    const head = await store.treeHead();
    await store.close();
    // The file as version 1 left it: no tree.
    const db = new Database(path);
    db.exec(`DROP TABLE merkle_nodes; UPDATE ${SCHEMA_VERSIONS_TABLE} SET version = 1 WHERE component = '${EVENT_STORE_COMPONENT}'`);
    db.close();
    const reopened = await openSqliteEventStore(path);
    expect(readSchemaVersion(reopened.database, EVENT_STORE_COMPONENT)).toBe(EVENT_STORE_SCHEMA_VERSION);
    expect(await reopened.treeHead()).toEqual(head);
    expect(reopened.database.prepare('SELECT count(*) AS n FROM merkle_nodes').get()).toEqual({ n: 11 + 5 + 2 + 1 });
    await reopened.close();
  });
});

describe('version 3: the Merkle tree keyed by append order', () => {
  it('rekeys the nodes of a version-2 file (kept by level and index): same tree head and proofs, and appends go on from there', async () => {
    const path = newDatabase();
    const store = await openSqliteEventStore(path);
    for (let i = 0; i < 13; i++) await store.append(`s${i % 3}`, [newTestEvent()], { expectedRevision: 'any' });
    const head = await store.treeHead();
    await store.close();
    // The file as version 2 left it: the same nodes, keyed by (level, idx).
    const db = new Database(path);
    db.exec(`
      CREATE TABLE v2_nodes (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx)) STRICT, WITHOUT ROWID;
      INSERT INTO v2_nodes SELECT level, idx, hash FROM merkle_nodes;
      DROP TABLE merkle_nodes;
      ALTER TABLE v2_nodes RENAME TO merkle_nodes;
      UPDATE ${SCHEMA_VERSIONS_TABLE} SET version = 2 WHERE component = '${EVENT_STORE_COMPONENT}'`);
    db.close();
    const reopened = await openSqliteEventStore(path);
    expect(readSchemaVersion(reopened.database, EVENT_STORE_COMPONENT)).toBe(3);
    expect(await reopened.treeHead()).toEqual(head);
    const rows = reopened.database.prepare('SELECT n, level, idx FROM merkle_nodes ORDER BY n').all() as { n: number; level: number; idx: number }[];
    expect(rows.map((r) => r.n)).toEqual(rows.map((_, i) => i + 1));
    expect(rows.every((r) => r.n === storedNodeIndex(r.level, r.idx) + 1)).toBe(true);
    await reopened.append('s0', [newTestEvent()], { expectedRevision: 'any' });
    const grown = await reopened.treeHead();
    const proof = await reopened.consistencyProof(head.size);
    expect(verifyConsistency(head.size, grown.size, proof.proof, head.root, grown.root)).toBe(true);
    expect((await reopened.verify()).intact).toBe(true);
    await reopened.close();
  });
});
