import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { newTestEvent } from '@taawun/domain/testing';
import { openSqliteEventStore, type SqliteEventStore } from '../src/index.js';
import { BUSY_RETRIES, retryingImmediateBusy } from '../src/errors.js';
import { tempDatabases, tempFolders } from './temp-files.js';

const newDatabase = tempDatabases();
const newFolder = tempFolders();
const opened: SqliteEventStore[] = [];
const open = async (...args: Parameters<typeof openSqliteEventStore>) => {
  const store = await openSqliteEventStore(...args);
  opened.push(store);
  return store;
};
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

const pragmas = (store: SqliteEventStore) => ({
  journalMode: store.database.pragma('journal_mode', { simple: true }),
  synchronous: store.database.pragma('synchronous', { simple: true }),
  busyTimeout: store.database.pragma('busy_timeout', { simple: true }),
  foreignKeys: store.database.pragma('foreign_keys', { simple: true }),
});
const FULL = 2;
const NORMAL = 1;

describe('opening a file', () => {
  it('sets WAL, synchronous=FULL, the busy timeout and foreign keys on a new file', async () => {
    const store = await open(newDatabase(), { busyTimeoutMs: 1234 });
    expect(pragmas(store)).toEqual({ journalMode: 'wal', synchronous: FULL, busyTimeout: 1234, foreignKeys: 1 });
  });

  it('sets synchronous=FULL again when reopening an existing WAL file, which a bare connection opens at NORMAL', async () => {
    const path = newDatabase();
    const first = await open(path);
    await first.append('partner-1', [newTestEvent()], { expectedRevision: 'no-stream' });
    expect(existsSync(`${path}-wal`)).toBe(true);

    // The hazard: better-sqlite3 is built with SQLITE_DEFAULT_WAL_SYNCHRONOUS=1.
    const bare = new Database(path);
    expect(bare.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(bare.pragma('synchronous', { simple: true })).toBe(NORMAL);
    bare.close();

    const second = await open(path); // while the first connection keeps the WAL file open
    expect(pragmas(second)).toMatchObject({ journalMode: 'wal', synchronous: FULL, foreignKeys: 1 });
    await first.close();
    await second.close();

    const third = await open(path); // after the last connection closed and checkpointed
    expect(pragmas(third)).toEqual({ journalMode: 'wal', synchronous: FULL, busyTimeout: 5000, foreignKeys: 1 });
    expect(await third.readStream('partner-1')).toHaveLength(1);
  });

  it('creates missing folders (the default is ./data/taawun.db)', async () => {
    const path = join(newFolder(), 'data', 'nested', 'taawun.db');
    const store = await open(path);
    expect(store.file).toBe(path);
    expect(existsSync(path)).toBe(true);
  });

  it('keeps events across reopening, and positions continue without a gap', async () => {
    const path = newDatabase();
    const first = await open(path);
    await first.append('a', [newTestEvent(), newTestEvent()], { expectedRevision: 'no-stream' });
    await first.close();
    const second = await open(path);
    const result = await second.append('b', [newTestEvent()], { expectedRevision: 'no-stream' });
    expect(result.ok && result.events.map((e) => e.position)).toEqual([3n]);
    expect(await second.lastPosition()).toBe(3n);
  });

  it('works in memory too (no WAL there)', async () => {
    const store = await open(':memory:');
    await store.append('a', [newTestEvent()], { expectedRevision: 'no-stream' });
    expect(await store.readStream('a')).toHaveLength(1);
    expect((await store.verify()).intact).toBe(true);
  });
});

describe('the events table', () => {
  it('refuses updates and deletes: events are immutable', async () => {
    const store = await open(newDatabase());
    await store.append('a', [newTestEvent()], { expectedRevision: 'no-stream' });
    expect(() => store.database.prepare(`UPDATE events SET type = 'Other'`).run()).toThrow(/immutable/);
    expect(() => store.database.prepare('DELETE FROM events').run()).toThrow(/immutable/);
    expect(await store.readStream('a')).toHaveLength(1);
  });

  it('refuses an event id already stored in another stream, writing nothing (duplicate-event-id)', async () => {
    const store = await open(newDatabase());
    const event = newTestEvent();
    await store.append('a', [event], { expectedRevision: 'no-stream' });
    const error = await store.append('b', [newTestEvent(), event], { expectedRevision: 'no-stream' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'EventStoreError', code: 'duplicate-event-id' });
    expect((error as Error).message).toContain(event.id);
    expect(await store.readStream('b')).toEqual([]);
    expect(await store.lastPosition()).toBe(1n);
  });

  it('refuses names with a line break, which would make the hash chain ambiguous (invalid-batch)', async () => {
    const store = await open(newDatabase());
    await expect(store.append('a\nb', [newTestEvent()], { expectedRevision: 'any' })).rejects.toMatchObject({ code: 'invalid-batch' });
    await expect(store.append('a', [newTestEvent('Two\nLines')], { expectedRevision: 'any' })).rejects.toMatchObject({ code: 'invalid-batch' });
    expect(await store.lastPosition()).toBeUndefined();
  });

  it('an empty batch writes nothing and reports the current revision', async () => {
    const store = await open(newDatabase());
    await store.append('a', [newTestEvent()], { expectedRevision: 'no-stream' });
    expect(await store.append('a', [], { expectedRevision: 0 })).toEqual({ ok: true, nextExpectedRevision: 0, events: [] });
    expect(await store.append('new', [], { expectedRevision: 'any' })).toEqual({ ok: true, nextExpectedRevision: 'no-stream', events: [] });
    expect(await store.lastPosition()).toBe(1n);
  });

  it('a closed store refuses every call with closed', async () => {
    const store = await open(newDatabase());
    await store.close();
    await expect(store.append('a', [newTestEvent()], { expectedRevision: 'any' })).rejects.toMatchObject({ code: 'closed' });
    await expect(store.readStream('a')).rejects.toMatchObject({ code: 'closed' });
    await expect(store.lastPosition()).rejects.toMatchObject({ code: 'closed' });
    await expect(store.verify()).rejects.toMatchObject({ code: 'closed' });
  });
});

describe('following', () => {
  it('a follower wakes at once when another store of this process, on the same file, commits', async () => {
    const path = newDatabase();
    const reader = await open(path, { pollIntervalMs: 60_000 }); // polling alone would take a minute
    const writer = await open(path);
    const controller = new AbortController();
    const seen: string[] = [];
    const following = (async () => {
      for await (const e of reader.follow({ signal: controller.signal })) {
        seen.push(e.id);
        controller.abort();
      }
    })();
    await new Promise((r) => setTimeout(r, 30));
    const event = newTestEvent();
    await writer.append('a', [event], { expectedRevision: 'no-stream' });
    await Promise.race([following, new Promise((_, reject) => setTimeout(() => reject(new Error('the follower was not woken')), 2_000))]);
    expect(seen).toEqual([event.id]);
  });
});

describe('locks held by another connection', () => {
  it('waits for the busy timeout, then fails with unavailable naming the file; nothing is written and the store recovers', async () => {
    const path = newDatabase();
    const store = await open(path, { busyTimeoutMs: 150 });
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    const started = performance.now();
    const error = await store.append('a', [newTestEvent()], { expectedRevision: 'any' }).catch((e: unknown) => e);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(error).toMatchObject({ name: 'EventStoreError', code: 'unavailable' });
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toMatch(/locked/);
    other.exec('ROLLBACK');
    other.close();
    expect(await store.append('a', [newTestEvent()], { expectedRevision: 'no-stream' })).toMatchObject({ ok: true });
  });
});

describe('busy errors SQLite reports without waiting (two processes switching a new file to WAL at once)', () => {
  const busy = () => new Database.SqliteError('database is locked', 'SQLITE_BUSY');

  it('are tried again, and the answer of the work comes back once the other connection is done', () => {
    let attempts = 0;
    const answer = retryingImmediateBusy(5000, () => {
      if (++attempts < 3) throw busy();
      return 'opened';
    });
    expect({ answer, attempts }).toEqual({ answer: 'opened', attempts: 3 });
  });

  it('end after a bounded number of attempts, with the error SQLite gave', () => {
    let attempts = 0;
    const failing = () => retryingImmediateBusy(5000, () => {
      attempts++;
      throw busy();
    });
    expect(failing).toThrow(/database is locked/);
    expect(attempts).toBe(BUSY_RETRIES);
  });

  it('a busy error that waited out the busy timeout, or any other error, is final at once', () => {
    let attempts = 0;
    expect(() => retryingImmediateBusy(10, () => {
      attempts++;
      const until = performance.now() + 6; // SQLite waited: over half of the 10 ms timeout
      while (performance.now() < until);
      throw busy();
    })).toThrow(/database is locked/);
    expect(attempts).toBe(1);
    expect(() => retryingImmediateBusy(5000, () => {
      attempts++;
      throw new Database.SqliteError('disk I/O error', 'SQLITE_IOERR');
    })).toThrow(/disk I\/O error/);
    expect(attempts).toBe(2);
  });
});
