import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryEventStore, handle } from '@taawun/domain';
import { deterministicContext } from '@taawun/domain/testing';
import { exportModel, isProjectionError, ProjectionRunner, projections, queryPartnerHistory, replay, type ReadModelStorage } from '@taawun/projections';
import { readModelStorageContract } from '@taawun/projections/testing';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteEventStore, type SqliteEventStore } from './event-store.js';
import { openSqliteReadModelStorage, readModelMigrations, SqliteReadModelStorage } from './read-model-storage.js';

const folders: string[] = [];
afterAll(() => folders.forEach((f) => rmSync(f, { recursive: true, force: true })));
const newFolder = () => {
  const folder = mkdtempSync(join(tmpdir(), 'taawun-read-models-'));
  folders.push(folder);
  return folder;
};

const stores = new WeakMap<ReadModelStorage, SqliteEventStore>();

readModelStorageContract(
  'sqlite, in the event store\'s file',
  async () => {
    const store = await openSqliteEventStore(join(newFolder(), 'events.db'));
    const storage = await openSqliteReadModelStorage(store);
    stores.set(storage, store);
    return storage;
  },
  {
    reopen: async (storage) => {
      const store = stores.get(storage)!;
      await store.close();
      const again = await openSqliteEventStore(store.file);
      const reopened = await openSqliteReadModelStorage(again);
      stores.set(reopened, again);
      return reopened;
    },
    close: async (storage) => {
      await (storage as SqliteReadModelStorage).close();
      await stores.get(storage)?.close();
    },
  },
);

readModelStorageContract('sqlite, in a file of its own', async () => openSqliteReadModelStorage(join(newFolder(), 'read-models', 'models.db')), {
  reopen: async (storage) => {
    const { file } = storage as SqliteReadModelStorage;
    await (storage as SqliteReadModelStorage).close();
    return openSqliteReadModelStorage(file);
  },
  close: (storage) => (storage as SqliteReadModelStorage).close(),
});

const errorOf = async (work: () => Promise<unknown>) => work().then(() => undefined, (e: unknown) => e);

describe('SQLite read-model storage', () => {
  it('keeps read models in the events file by default, beside the log, with its own schema version', async () => {
    const store = await openSqliteEventStore(join(newFolder(), 'events.db'));
    const context = deterministicContext();
    await handle(store, { type: 'RegisterPartner', partnerId: 'enm-france', name: { fr: 'École nationale de la magistrature' }, kind: 'school' }, context);
    const storage = await openSqliteReadModelStorage(store);
    expect(storage.file).toBe(store.file);
    await new ProjectionRunner(projections['partner-history'], { store, storage }).rebuild();
    const tables = store.database.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`).pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['events', 'read_model_documents', 'read_model_generations', 'read_model_index', 'taawun_schema_versions']));
    expect(store.database.prepare(`SELECT version FROM taawun_schema_versions WHERE component = 'read-models'`).pluck().get()).toBe(2);
    const answer = await queryPartnerHistory({ store, storage }, { partnerId: 'enm-france' });
    expect(answer.ok && answer.value.source).toMatchObject({ kind: 'stored', generation: 1, position: '1' });
    // Read-model commits skip the fsync for their own transaction only: the log's appends keep synchronous = FULL.
    expect(store.database.pragma('synchronous', { simple: true })).toBe(2);
    await storage.close(); // the store's connection stays open
    expect(await store.lastPosition()).toBe(1n);
    await store.close();
  });

  it('keeps read models in a separate file when given a path, and leaves the events file alone', async () => {
    const folder = newFolder();
    const store = await openSqliteEventStore(join(folder, 'events.db'));
    await handle(store, { type: 'RegisterPartner', partnerId: 'giz', name: { en: 'GIZ' }, kind: 'agency' }, deterministicContext());
    const storage = await openSqliteReadModelStorage(join(folder, 'models', 'read-models.db'));
    const runner = new ProjectionRunner(projections['agreements-register'], { store, storage });
    await runner.rebuild();
    expect((await runner.read())?.info).toMatchObject({ status: 'active', position: 1n, eventsApplied: 1 });
    const models = new Database(join(folder, 'models', 'read-models.db'), { readonly: true });
    expect(models.pragma('journal_mode', { simple: true })).toBe('wal');
    models.close();
    expect(storage.database.pragma('secure_delete', { simple: true })).toBe(1); // a rewritten document leaves no bytes behind
    expect(store.database.prepare(`SELECT count(*) FROM sqlite_schema WHERE name LIKE 'read_model_%'`).pluck().get()).toBe(0);
    await storage.close();
    await store.close();
  });

  it('refuses a file written by a newer version, and a file that is not a database, naming the file', async () => {
    const folder = newFolder();
    const path = join(folder, 'models.db');
    const storage = await openSqliteReadModelStorage(path);
    storage.database.prepare(`UPDATE taawun_schema_versions SET version = 9 WHERE component = 'read-models'`).run();
    await storage.close();
    const newer = await errorOf(() => openSqliteReadModelStorage(path));
    expect(isProjectionError(newer) && newer.code).toBe('storage-failure');
    expect((newer as Error).message).toMatch(/read-models tables are at schema version 9.*newer taawun/);
    expect((newer as Error).message).toContain(path);

    const junk = join(folder, 'junk.db');
    writeFileSync(junk, 'not a database at all, just text '.repeat(200));
    const notDb = await errorOf(() => openSqliteReadModelStorage(junk));
    expect((notDb as Error).message).toMatch(/junk\.db: the file is not a SQLite database/);
  });

  it('reports a closed storage as a storage failure, not a stack trace', async () => {
    const storage = await openSqliteReadModelStorage(join(newFolder(), 'm.db'));
    await storage.close();
    const error = await errorOf(() => storage.generations('x'));
    expect(isProjectionError(error) && error.code).toBe('storage-failure');
    expect((error as Error).message).toMatch(/m\.db: the read-model storage is closed/);
  });

  it('migrates a file of version 1 (whole states) to documents: the old generations are dropped, to be rebuilt from the log', async () => {
    const path = join(newFolder(), 'models.db');
    const old = new Database(path);
    old.exec(`CREATE TABLE taawun_schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL, migrated_at TEXT NOT NULL) STRICT;
      INSERT INTO taawun_schema_versions VALUES ('read-models', 1, '2026-01-01T00:00:00Z');`);
    readModelMigrations[0]!.up(old);
    old.prepare(`INSERT INTO read_model_generations VALUES ('partner-history', 1, 1, 'active', 9, 9, '{}', 'x', 'x')`).run();
    old.close();
    const storage = await openSqliteReadModelStorage(path);
    expect(storage.database.prepare(`SELECT version FROM taawun_schema_versions WHERE component = 'read-models'`).pluck().get()).toBe(2);
    expect(await storage.generations('partner-history')).toEqual([]);
    expect((await storage.create('partner-history', 2)).generation).toBe(1);
    await storage.close();
  });

  it('stores exactly the model a replay in memory computes', async () => {
    const memory = new InMemoryEventStore();
    const { loadInstituteRecord } = await import('@taawun/example-institute-record');
    await loadInstituteRecord(memory, deterministicContext('seed'));
    const store = await openSqliteEventStore(join(newFolder(), 'events.db'));
    for await (const e of memory.readAll()) await store.append(e.stream, [e], { expectedRevision: 'any' });
    const storage = await openSqliteReadModelStorage(store);
    for (const projection of Object.values(projections)) {
      const runner = new ProjectionRunner(projection, { store, storage, batchSize: 7 });
      await runner.rebuild();
      const { generation } = (await runner.status()).active!;
      expect(await exportModel(storage, projection.name, generation)).toBe(await (await replay(memory, projection)).export());
    }
    await storage.close();
    await store.close();
  });
});
