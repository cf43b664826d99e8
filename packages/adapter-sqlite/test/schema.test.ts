import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { newTestEvent } from '@taawun/domain/testing';
import { chainHash, eventLeaf, verifyConsistency } from '@taawun/domain';
import { expectTreeFromScratch } from '@taawun/domain/testing';
import { EVENT_COLUMNS, toChainedRow, type EventRow } from '../src/rows.js';
import {
  EVENT_STORE_COMPONENT,
  EVENT_STORE_SCHEMA_VERSION,
  SCHEMA_VERSIONS_TABLE,
  eventStoreMigrations,
  migrate,
  openSqliteAudit,
  openSqliteEventStore,
  readSchemaVersion,
  type Migration,
} from '../src/index.js';
import { fileAtVersion } from './old-files.js';
import { tempDatabases } from './temp-files.js';

const newDatabase = tempDatabases();
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('schema versions', () => {
  it('records the event store schema version in its own table', async () => {
    const path = newDatabase();
    const store = await openSqliteEventStore(path);
    const rows = store.database.prepare(`SELECT component, version FROM ${SCHEMA_VERSIONS_TABLE}`).all();
    expect(rows).toEqual([{ component: EVENT_STORE_COMPONENT, version: EVENT_STORE_SCHEMA_VERSION }]);
    expect(EVENT_STORE_SCHEMA_VERSION).toBe(5);
    expect(store.database.prepare("SELECT content_linked_from FROM chain_format").get()).toEqual({ content_linked_from: 1 });
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
      { name: 'tree', type: 'BLOB', notnull: 0, pk: 0 },
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

const leavesOf = (db: Database.Database) =>
  db.prepare<[], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events ORDER BY position`).safeIntegers(true).all().map((row) => eventLeaf(toChainedRow(row)));

describe('the Merkle tree of a file written before it (versions 1, 2 and 3)', () => {
  for (const version of [1, 2, 3]) {
    it(`is in the events' rows once a version-${version} file is next opened: the tree from scratch, each node from level 4 once, and appends go on from there`, async () => {
      const path = newDatabase();
      fileAtVersion(path, version, 37).close();
      const reopened = await openSqliteEventStore(path);
      expect(readSchemaVersion(reopened.database, EVENT_STORE_COMPONENT)).toBe(EVENT_STORE_SCHEMA_VERSION);
      expect(reopened.database.prepare(`SELECT name FROM sqlite_schema WHERE name = 'merkle_nodes'`).all()).toEqual([]);
      // 37 events: two complete subtrees at level 4 (positions 16 and 32) and one at level 5 (position 32).
      expect(reopened.database.prepare('SELECT position, length(tree) / 32 AS nodes FROM events WHERE tree IS NOT NULL').all()).toEqual([
        { position: 16, nodes: 1 },
        { position: 32, nodes: 2 },
      ]);
      await expectTreeFromScratch(reopened, leavesOf(reopened.database));
      const before = await reopened.treeHead();
      await reopened.append('s0', [newTestEvent()], { expectedRevision: 'any' });
      const grown = await reopened.treeHead();
      expect(verifyConsistency(before.size, grown.size, (await reopened.consistencyProof(before.size)).proof, before.root, grown.root)).toBe(true);
      await expectTreeFromScratch(reopened, leavesOf(reopened.database));
      await reopened.close();
    });
  }

  it('keeps the nodes from level 4 a version-2 file held, changed or not: a changed one is still found by verify', async () => {
    const path = newDatabase();
    const db = fileAtVersion(path, 2, 20);
    db.exec(`DROP TRIGGER merkle_nodes_are_never_updated; UPDATE merkle_nodes SET hash = zeroblob(32) WHERE level = 4 AND idx = 0`);
    db.close();
    await (await openSqliteEventStore(path)).close();
    const audit = await openSqliteAudit(path);
    const report = await audit.verify();
    await audit.close();
    expect(report).toMatchObject({ intact: false, problem: 'tree-mismatch' });
  });
});

describe('the chain format of a file written before version 5', () => {
  it('keeps its text-linked links, links every later event by its content hash, and verifies as one chain', async () => {
    const path = newDatabase();
    fileAtVersion(path, 4, 37).close();
    const store = await openSqliteEventStore(path);
    expect(store.database.prepare('SELECT content_linked_from AS from_position FROM chain_format').get()).toEqual({ from_position: 38 });
    const before = await store.checkpoint();
    await store.append('s0', [newTestEvent('New', { i: 37 }), newTestEvent('New', { i: 38 })], { expectedRevision: 'any' });
    // Position 38 follows position 37's link in format 2.
    const [row] = store.database.prepare<[], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE position = 38`).safeIntegers(true).all();
    const stored = store.database.prepare<[], { hash: string }>('SELECT hash FROM events WHERE position = 38').get()!.hash;
    expect(stored).toBe(chainHash(before.headHash, toChainedRow(row!), 2));
    expect(stored).not.toBe(chainHash(before.headHash, toChainedRow(row!), 1));
    expect(await store.verify()).toMatchObject({ intact: true, events: 39 });
    await store.close();
    const audit = await openSqliteAudit(path);
    expect(await audit.verify()).toMatchObject({ intact: true, events: 39 });
    await audit.close();
  });

  it('is part of the evidence: moving where format 2 starts breaks the chain there', async () => {
    const path = newDatabase();
    fileAtVersion(path, 4, 20).close();
    const store = await openSqliteEventStore(path);
    await store.append('s0', [newTestEvent('New'), newTestEvent('New')], { expectedRevision: 'any' });
    await store.close();
    const db = new Database(path);
    expect(() => db.exec('UPDATE chain_format SET content_linked_from = 1')).toThrow(/never changes/);
    db.exec('DROP TRIGGER chain_format_is_never_updated; UPDATE chain_format SET content_linked_from = 1');
    db.close();
    const audit = await openSqliteAudit(path);
    expect(await audit.verify()).toMatchObject({ intact: false, problem: 'hash-mismatch', position: 1n });
    await audit.close();
  });
});
