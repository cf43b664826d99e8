import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taawun, temporaryFolder } from './support.js';

let folder: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  folder = await temporaryFolder('verify-ro');
});
afterAll(async () => {
  chmodSync(folder.path, 0o755);
  await folder.remove();
});

const fingerprint = (dir: string) => Object.fromEntries(readdirSync(dir).map((n) => [n, createHash('sha256').update(readFileSync(join(dir, n))).digest('hex')]));

describe('taawun verify changes nothing', () => {
  it("works on the auditor's read-only copy in a read-only folder and leaves no -wal/-shm", async () => {
    expect((await taawun(['seed', '--store', 'sqlite:seeded.db'], { cwd: folder.path })).code).toBe(0);
    const copy = join(folder.path, 'copy');
    mkdirSync(copy);
    copyFileSync(join(folder.path, 'seeded.db'), join(copy, 'log.db'));
    chmodSync(join(copy, 'log.db'), 0o444);
    chmodSync(copy, 0o555);
    const before = fingerprint(copy);
    const result = await taawun(['verify', '--store', `sqlite:${copy}/log.db`], { cwd: folder.path });
    chmodSync(copy, 0o755);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^intact: \d+ events in SQLite file .*log\.db; checkpoint \d+:[0-9a-f]{64}; no witnessed checkpoint for this log/);
    expect(fingerprint(copy)).toEqual(before);
  });

  it('reports a damaged -wal frame as damage, exit 1, naming what is proven, and keeps the -wal', async () => {
    writeFileSync(join(folder.path, 'empty.ndjson'), '');
    const live = join(folder.path, 'live.db');
    expect((await taawun(['import', 'empty.ndjson', '--store', `sqlite:${live}`], { cwd: folder.path })).code).toBe(0);
    // A second connection kept open: the seed's commits stay in the WAL, as a crash or a copy of a running log leaves them.
    const hold = new Database(live);
    hold.prepare('SELECT count(*) FROM events').get();
    expect((await taawun(['seed', '--store', `sqlite:${live}`], { cwd: folder.path })).code).toBe(0);
    const copy = join(folder.path, 'wal-copy');
    mkdirSync(copy);
    copyFileSync(live, join(copy, 'log.db'));
    const walBytes = readFileSync(`${live}-wal`);
    writeFileSync(join(copy, 'log.db-wal'), walBytes);
    hold.close();
    const store = `sqlite:${join(copy, 'log.db')}`;
    const intact = await taawun(['verify', '--store', store], { cwd: folder.path });
    expect(intact.code).toBe(0);
    const pageSize = walBytes.readUInt32BE(8);
    walBytes[32 + 24 + pageSize + 24 + 50]! ^= 0xff; // the page of frame 2
    writeFileSync(join(copy, 'log.db-wal'), walBytes);
    const before = fingerprint(copy);
    const damaged = await taawun(['verify', '--store', store], { cwd: folder.path });
    expect(damaged.code).toBe(1);
    expect(damaged.stdout).toMatch(/^BROKEN at position \d+ \(wal-damaged\): frame 2 of the -wal file does not match its checksum: .*; no position is proven intact by a kept checkpoint(; positions 1–\d+ only match their own chain [^;]*)?; the first unproven position is 1\n$/);
    expect(fingerprint(copy)).toEqual(before);
  });

  it('refuses a 0-byte file in one line, exit 1, and leaves it as it was', async () => {
    writeFileSync(join(folder.path, 'zero.db'), '');
    const result = await taawun(['verify', '--store', 'sqlite:zero.db'], { cwd: folder.path });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^taawun: .*zero\.db is empty \(0 bytes\): it holds no taawun log .*\(store: corrupt\)\n$/);
    expect(readFileSync(join(folder.path, 'zero.db')).length).toBe(0);
    expect(readdirSync(folder.path).filter((n) => n.startsWith('zero'))).toEqual(['zero.db']);
  });
});
