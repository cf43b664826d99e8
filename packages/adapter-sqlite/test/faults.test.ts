import { createHash } from 'node:crypto';
import { existsSync, openSync, readFileSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isEventStoreError } from '@taawun/domain';
import { newTestEvent } from '@taawun/domain/testing';
import { openSqliteEventStore } from '../src/index.js';
import { tempDatabases } from './temp-files.js';

const newDatabase = tempDatabases();
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const failure = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isEventStoreError(error)) throw new Error(`expected an EventStoreError, got ${String(error)}`);
  return error;
};
const bulky = (n: number) => Array.from({ length: n }, (_, i) => newTestEvent('ReportAttached', { i, text: 'تقرير '.repeat(200) }));

describe('disk full (PRAGMA max_page_count)', () => {
  it('rolls the failing batch back whole, says the disk is full, and the store stays usable', async () => {
    const path = newDatabase();
    const store = await openSqliteEventStore(path);
    await store.append('partner-1', bulky(5), { expectedRevision: 'no-stream' });
    const before = await store.checkpoint();
    const pages = Number(store.database.pragma('page_count', { simple: true }));
    store.database.pragma(`max_page_count = ${pages + 3}`);

    const error = await failure(store.append('partner-1', bulky(200), { expectedRevision: 4 }));
    expect(error.code).toBe('storage-full');
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/disk is full/);

    expect(await store.checkpoint()).toEqual(before);
    expect(await store.readStream('partner-1')).toHaveLength(5);
    expect(await store.verify()).toMatchObject({ intact: true, events: 5 });
    expect(store.database.pragma('integrity_check', { simple: true })).toBe('ok');
    // A batch that fits still goes in while the limit holds; a bigger one once space is freed.
    expect(await store.append('partner-1', [newTestEvent()], { expectedRevision: 4 })).toMatchObject({ ok: true, nextExpectedRevision: 5 });
    store.database.pragma('max_page_count = 1073741823');
    expect(await store.append('partner-1', bulky(200), { expectedRevision: 5 })).toMatchObject({ ok: true, nextExpectedRevision: 205 });
    expect(await store.verify()).toMatchObject({ intact: true, events: 206 });
    await store.close();
  });
});

describe('files that cannot be trusted', () => {
  it('a file that is not a database: corrupt, naming the file; the file is untouched', async () => {
    const path = newDatabase();
    writeFileSync(path, 'partner,activity\nGIZ,training of trainers\n'.repeat(200));
    const before = sha256(path);
    const error = await failure(openSqliteEventStore(path));
    expect(error.code).toBe('corrupt');
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/not a SQLite database/);
    expect(sha256(path)).toBe(before);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  describe('a corrupted page', () => {
    async function fileWithACorruptedPage(): Promise<string> {
      const path = newDatabase();
      const store = await openSqliteEventStore(path);
      for (let i = 0; i < 10; i++) await store.append(`partner-${i}`, bulky(20), { expectedRevision: 'no-stream' });
      const pageSize = Number(store.database.pragma('page_size', { simple: true }));
      const { rootpage } = store.database.prepare(`SELECT rootpage FROM sqlite_schema WHERE name = 'events'`).get() as { rootpage: number };
      await store.close(); // checkpoints the WAL into the file
      const fd = openSync(path, 'r+');
      writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (rootpage - 1) * pageSize);
      closeSync(fd);
      return path;
    }

    it('is refused on open: corrupt, naming the file; the file is untouched', async () => {
      const path = await fileWithACorruptedPage();
      const before = sha256(path);
      const error = await failure(openSqliteEventStore(path));
      expect(error.code).toBe('corrupt');
      expect(error.message).toContain(path);
      expect(error.message).toMatch(/corrupted/);
      expect(sha256(path)).toBe(before);
    });

    it('with the open-time check turned off, is reported as corrupt by the first read, and an append writes nothing', async () => {
      const path = await fileWithACorruptedPage();
      const store = await openSqliteEventStore(path, { integrityCheck: 'none' });
      const before = sha256(path);
      const readError = await failure((async () => { for await (const _ of store.readAll()) { /* read through */ } })());
      expect(readError.code).toBe('corrupt');
      expect(readError.message).toContain(path);
      const appendError = await failure(store.append('partner-x', [newTestEvent()], { expectedRevision: 'any' }));
      expect(appendError.code).toBe('corrupt');
      await store.close();
      expect(sha256(path)).toBe(before);
    });
  });
});
