import { chmodSync, copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { newTestEvent } from '@taawun/domain/testing';
import { openSqliteAudit, openSqliteEventStore, openSqliteKeyStore, readWal } from '../src/index.js';
import { tempFolders } from './temp-files.js';

const newFolder = tempFolders();

/** Every file of a folder with the SHA-256 of its bytes and its mode: what "not a byte changed" compares. */
const fingerprint = (folder: string) =>
  Object.fromEntries(readdirSync(folder).map((name) => [name, `${createHash('sha256').update(readFileSync(join(folder, name))).digest('hex')} ${statSync(join(folder, name)).mode.toString(8)}`]));

async function appendEvents(store: Awaited<ReturnType<typeof openSqliteEventStore>>, count: number) {
  for (let i = 0; i < count; i++) {
    await store.append(`partner-${i % 3}`, [newTestEvent('CooperationRecorded', { i, note: 'اتفاقية تعاون' })], { expectedRevision: 'any' });
  }
}

/**
 * The auditor's copy of a log in use: the file and its -wal as a crash (or a copy
 * taken while taawun runs) leaves them, 5 events in the file and 20 in the WAL.
 */
async function copyWithWal(): Promise<{ folder: string; file: string }> {
  const live = join(newFolder(), 'events.db');
  const store = await openSqliteEventStore(live);
  await appendEvents(store, 5);
  store.database.pragma('wal_checkpoint(TRUNCATE)');
  await appendEvents(store, 20);
  const folder = newFolder();
  copyFileSync(live, join(folder, 'events.db'));
  copyFileSync(`${live}-wal`, join(folder, 'events.db-wal'));
  await store.close();
  return { folder, file: join(folder, 'events.db') };
}

async function verifyAudited(file: string) {
  const audit = await openSqliteAudit(file);
  try {
    return await audit.verify();
  } finally {
    await audit.close();
  }
}

/** Flip one byte of the page in a frame of a -wal file (1-based frame number). */
function damageFrame(walFile: string, frame: number): void {
  const bytes = readFileSync(walFile);
  const pageSize = bytes.readUInt32BE(8);
  const at = 32 + (frame - 1) * (24 + pageSize) + 24 + 100;
  bytes[at] = bytes[at]! ^ 0xff;
  writeFileSync(walFile, bytes);
}

describe('verify reads a SQLite log without changing a byte', () => {
  it('a closed log in a read-only folder: intact, and the folder holds the same files with the same bytes afterwards (no -wal, no -shm)', async () => {
    const folder = newFolder();
    const file = join(folder, 'events.db');
    const store = await openSqliteEventStore(file);
    await appendEvents(store, 12);
    await store.close();
    chmodSync(file, 0o444);
    chmodSync(folder, 0o555);
    const before = fingerprint(folder);
    try {
      expect(await verifyAudited(file)).toMatchObject({ intact: true, events: 12, headPosition: 12n });
      expect(fingerprint(folder)).toEqual(before);
    } finally {
      chmodSync(folder, 0o755);
    }
  });

  it('a copy with a -wal file: every committed event is read, and the -wal is neither applied, nor removed, nor joined by a -shm', async () => {
    const { folder, file } = await copyWithWal();
    expect(readWal(readFileSync(`${file}-wal`)).damage).toBeUndefined();
    const before = fingerprint(folder);
    expect(Object.keys(before).sort()).toEqual(['events.db', 'events.db-wal']);
    expect(await verifyAudited(file)).toMatchObject({ intact: true, events: 25, headPosition: 25n });
    expect(fingerprint(folder)).toEqual(before);
  });

  it('a damaged frame in the -wal file is damage (wal-damaged, exit 1 in the CLI), naming the first position not readable; the -wal is kept as evidence', async () => {
    const { folder, file } = await copyWithWal();
    const reading = readWal(readFileSync(`${file}-wal`));
    damageFrame(`${file}-wal`, Math.ceil(reading.validFrames / 2));
    const before = fingerprint(folder);
    const report = await verifyAudited(file);
    expect(report.intact).toBe(false);
    if (report.intact) return;
    expect(report.problem).toBe('wal-damaged');
    expect(report.position).toBeGreaterThan(5n);
    expect(report.position).toBeLessThanOrEqual(25n);
    expect(report.message).toMatch(/frame \d+ of the -wal file does not match its checksum: \d+ committed transaction\(s\)/);
    expect(report.provenThrough).toBe(0n);
    expect(fingerprint(folder)).toEqual(before);
    // Opened the ordinary way, SQLite would have dropped those events silently.
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM events').get()).toEqual({ n: Number(report.position) - 1 });
    db.close();
  });

  it("a damaged last commit frame, a damaged salt or a damaged WAL header is damage too; a torn tail that was never committed is not", async () => {
    const { file } = await copyWithWal();
    const bytes = readFileSync(`${file}-wal`);
    const pageSize = bytes.readUInt32BE(8);
    const frames = (bytes.length - 32) / (24 + pageSize);
    const lastCommit = readWal(bytes).validFrames;
    expect(lastCommit).toBe(frames);

    const variant = (edit: (b: Buffer) => void) => {
      const copy = Buffer.from(bytes);
      edit(copy);
      return readWal(copy);
    };
    expect(variant((b) => (b[32 + (lastCommit - 1) * (24 + pageSize) + 24 + 7]! ^= 1)).damage).toMatchObject({ firstBadFrame: lastCommit, lostCommits: 1 });
    expect(variant((b) => (b[32 + (24 + pageSize) + 8]! ^= 1)).damage).toMatchObject({ firstBadFrame: 2, reason: expect.stringContaining('salts') });
    expect(variant((b) => (b[12]! ^= 1)).damage).toMatchObject({ firstBadFrame: 1, reason: expect.stringContaining('header') });
    // A crash while writing the last transaction: its commit frame is cut short, the frames before it never committed.
    const torn = readWal(bytes.subarray(0, bytes.length - 100));
    expect(torn.damage).toBeUndefined();
    expect(torn.validFrames).toBeLessThan(lastCommit);
  });

  it('refuses a 0-byte file, a file that is not SQLite and a SQLite file without a taawun log, changing nothing', async () => {
    const folder = newFolder();
    writeFileSync(join(folder, 'empty.db'), '');
    writeFileSync(join(folder, 'text.db'), 'not a database '.repeat(100));
    const other = new Database(join(folder, 'other.db'));
    other.exec('CREATE TABLE notes (text TEXT)');
    other.close();
    const before = fingerprint(folder);
    await expect(openSqliteAudit(join(folder, 'empty.db'))).rejects.toMatchObject({ code: 'corrupt', message: expect.stringContaining('is empty (0 bytes)') });
    await expect(openSqliteAudit(join(folder, 'text.db'))).rejects.toMatchObject({ code: 'corrupt', message: expect.stringContaining('is not a SQLite database') });
    await expect(openSqliteAudit(join(folder, 'other.db'))).rejects.toMatchObject({ code: 'corrupt', message: expect.stringContaining('holds no taawun log') });
    expect(fingerprint(folder)).toEqual(before);
  });

  it('refuses a log written by a newer taawun (schema-too-new)', async () => {
    const file = join(newFolder(), 'events.db');
    const store = await openSqliteEventStore(file);
    store.database.prepare(`UPDATE taawun_schema_versions SET version = 99 WHERE component = 'event-store'`).run();
    await store.close();
    await expect(openSqliteAudit(file)).rejects.toMatchObject({ code: 'schema-too-new' });
  });
});

describe('the key store kept in the events file', () => {
  it('refuses a key table written by a newer taawun, as a key file of its own does', async () => {
    const file = join(newFolder(), 'events.db');
    const store = await openSqliteEventStore(file);
    await (await openSqliteKeyStore(store)).close();
    store.database.prepare(`UPDATE taawun_schema_versions SET version = 9 WHERE component = 'key-store'`).run();
    await expect(openSqliteKeyStore(store)).rejects.toMatchObject({ code: 'schema-too-new', message: expect.stringContaining('key-store') });
    await store.close();
    expect(existsSync(file)).toBe(true);
  });
});
