import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { keyStoreContract } from '@taawun/domain/testing';
import { tempDatabases, tempFolders } from '../test/temp-files.js';
import { openSqliteEventStore } from './event-store.js';
import { EVENT_STORE_SCHEMA_VERSION } from './schema.js';
import { openSqliteKeyStore } from './key-store.js';

const newDatabase = tempDatabases();
const newFolder = tempFolders();

keyStoreContract('SQLite, in the event store\'s file and connection', async () => {
  const path = newDatabase();
  const store = await openSqliteEventStore(path);
  const keys = await openSqliteKeyStore(store);
  const close = keys.close.bind(keys);
  keys.close = async () => {
    await close();
    await store.close();
  };
  return { keys, reopen: () => openSqliteKeyStore(path) };
});

keyStoreContract('SQLite, in a file of its own', async () => {
  const path = join(newFolder(), 'keys.db');
  return { keys: await openSqliteKeyStore(path), reopen: () => openSqliteKeyStore(path) };
});

keyStoreContract('SQLite, :memory:', async () => ({ keys: await openSqliteKeyStore(':memory:') }));

/** Every file SQLite keeps for the database: the file, its WAL and its shared-memory index. */
const filesOf = (path: string) => [path, `${path}-wal`, `${path}-shm`].filter((f) => existsSync(f));
const filesHolding = (path: string, bytes: Buffer) => filesOf(path).filter((f) => readFileSync(f).includes(bytes)).map((f) => f.slice(path.length) || '(database)');

async function keysOnDisk(participants: number, options: { busyTimeoutMs?: number } = {}) {
  const path = newDatabase();
  const store = await openSqliteEventStore(path, options);
  const keys = await openSqliteKeyStore(store);
  const made: Buffer[] = [];
  for (let i = 0; i < participants; i++) {
    const found = await keys.keyFor(`participant-${i}`);
    if (found.state === 'active') made.push(Buffer.from(found.key));
  }
  return { path, store, keys, made };
}

describe('destroying a key leaves no copy of it in the database file or its WAL', () => {
  it('finds the key before, and in none of the files after, while the store stays open', async () => {
    const { path, store, keys, made } = await keysOnDisk(40);
    const target = made[17]!;
    expect(filesHolding(path, target)).toContain('-wal');

    expect(await keys.destroy('participant-17')).toEqual({ destroyedNow: true, residueCleared: true });
    expect(filesHolding(path, target)).toEqual([]);
    expect(statSync(`${path}-wal`).size).toBe(0);
    // Every other key is still there, and readable.
    for (const [i, key] of made.entries()) if (i !== 17) expect(filesHolding(path, key)).toEqual(['(database)']);
    expect(await keys.lookup('participant-16')).toEqual({ state: 'active', key: made[16] });
    await keys.close();
    await store.close();
    expect(filesHolding(path, target)).toEqual([]);
  });

  it('needs the checkpoint: without it the old page, key included, is still in the database file', async () => {
    const { path, store, keys, made } = await keysOnDisk(40);
    store.database.pragma('wal_checkpoint(TRUNCATE)');
    // The same tombstone update the key store makes, without its checkpoint.
    store.database.prepare(`UPDATE participant_keys SET key = NULL, destroyed_at = '2024-01-01T00:00:00.000Z' WHERE participant_id = 'participant-17'`).run();
    expect(filesHolding(path, made[17]!)).toEqual(['(database)']);
    keys.truncateWal();
    expect(filesHolding(path, made[17]!)).toEqual([]);
    await store.close();
  });

  it('needs secure_delete: a row deleted without it leaves the key in the page; with it, zeros', async () => {
    for (const secureDelete of ['OFF', 'ON']) {
      const { path, store, made } = await keysOnDisk(40);
      store.database.pragma(`secure_delete = ${secureDelete}`);
      store.database.prepare(`DELETE FROM participant_keys WHERE participant_id = 'participant-17'`).run();
      store.database.pragma('wal_checkpoint(TRUNCATE)');
      expect(filesHolding(path, made[17]!), `secure_delete ${secureDelete}`).toEqual(secureDelete === 'OFF' ? ['(database)'] : []);
      await store.close();
    }
  });

  it('says so when a reader on an older snapshot blocks the checkpoint, and clears the residue on the next run', async () => {
    const { path, store, keys, made } = await keysOnDisk(40, { busyTimeoutMs: 200 });
    const reader = new Database(path, { readonly: true });
    reader.prepare('BEGIN').run();
    reader.prepare('SELECT count(*) FROM participant_keys').get(); // holds a read snapshot from before the destruction

    expect(await keys.destroy('participant-17')).toEqual({ destroyedNow: true, residueCleared: false });
    expect(filesHolding(path, made[17]!).length).toBeGreaterThan(0);
    expect(await keys.lookup('participant-17')).toEqual({ state: 'destroyed' });

    reader.prepare('COMMIT').run();
    reader.close();
    expect(await keys.destroy('participant-17')).toEqual({ destroyedNow: false, residueCleared: true });
    expect(filesHolding(path, made[17]!)).toEqual([]);
    await store.close();
  });

  it('does the same in a key file of its own', async () => {
    const path = join(newFolder(), 'keys.db');
    const keys = await openSqliteKeyStore(path);
    const found = await keys.keyFor('participant-1');
    await keys.keyFor('participant-2');
    const key = Buffer.from(found.state === 'active' ? found.key : []);
    expect(filesHolding(path, key).length).toBeGreaterThan(0);
    await keys.destroy('participant-1');
    expect(filesHolding(path, key)).toEqual([]);
    await keys.close();
  });
});

describe('the key store\'s table', () => {
  it('has its own schema version row, and refuses a file whose key store is newer', async () => {
    const path = newDatabase();
    const store = await openSqliteEventStore(path);
    const keys = await openSqliteKeyStore(store);
    const versions = store.database.prepare('SELECT component, version FROM taawun_schema_versions ORDER BY component').all();
    expect(versions).toEqual([{ component: 'event-store', version: EVENT_STORE_SCHEMA_VERSION }, { component: 'key-store', version: 1 }]);
    await keys.close();
    store.database.prepare(`UPDATE taawun_schema_versions SET version = 9 WHERE component = 'key-store'`).run();
    await store.close();
    const before = readFileSync(path);
    await expect(openSqliteKeyStore(path)).rejects.toMatchObject({ code: 'schema-too-new', message: expect.stringContaining('key-store') });
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('cannot hold a key of the wrong length, nor a destroyed row with a key', async () => {
    const keys = await openSqliteKeyStore(':memory:');
    const insert = keys.database.prepare('INSERT INTO participant_keys (participant_id, key, created_at, destroyed_at) VALUES (?, ?, ?, ?)');
    expect(() => insert.run('a', Buffer.alloc(16), 'now', null)).toThrow(/CHECK/);
    expect(() => insert.run('b', Buffer.alloc(32), 'now', 'now')).toThrow(/CHECK/);
    await keys.close();
  });

  it('keeps the shared connection open when closed, and is closed with the event store', async () => {
    const store = await openSqliteEventStore(newDatabase());
    const keys = await openSqliteKeyStore(store);
    await keys.close();
    expect(store.database.open).toBe(true);
    const again = await openSqliteKeyStore(store);
    await store.close();
    await expect(again.lookup('participant-1')).rejects.toMatchObject({ code: 'closed' });
  });
});
