import Database from 'better-sqlite3';
import { instituteRecord } from '@taawun/example-institute-record';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasNoStackTrace, taawun, temporaryFolder } from './support.js';

let folder: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  folder = await temporaryFolder('seed');
});
afterAll(() => folder.remove());

describe('taawun seed', () => {
  it("loads the institute's record into the default SQLite file, creating its folder, and a second run adds nothing", async () => {
    const first = await taawun(['seed'], { cwd: folder.path });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`${folder.path}/data/taawun.db`);
    expect(first.stdout).toContain(`${instituteRecord.length} commands recorded, 0 already present`);

    const second = await taawun(['seed'], { cwd: folder.path });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`0 commands recorded, ${instituteRecord.length} already present`);
  });

  it('takes the store from TAAWUN_STORE, and --store wins over it', async () => {
    const fromEnv = await taawun(['seed'], { cwd: folder.path, env: { TAAWUN_STORE: 'sqlite:env.db' } });
    expect(fromEnv.stdout).toContain(`${folder.path}/env.db`);
    const fromFlag = await taawun(['seed', '--store', 'sqlite:flag.db'], { cwd: folder.path, env: { TAAWUN_STORE: 'sqlite:env.db' } });
    expect(fromFlag.stdout).toContain(`${folder.path}/flag.db`);
    expect(fromFlag.stdout).toContain(`${instituteRecord.length} commands recorded`);
  });
});

describe('taawun verify', () => {
  const store = () => `sqlite:${folder.path}/verified.db`;

  it('says intact with the event count and a checkpoint, exit 0', async () => {
    await taawun(['seed', '--store', store()], { cwd: folder.path });
    const result = await taawun(['verify', '--store', store()], { cwd: folder.path });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^intact: \d+ events in SQLite file .*; checkpoint \d+:[0-9a-f]{64}\n$/);
  });

  it('accepts its own checkpoint with --against, and refuses a malformed one as bad usage', async () => {
    const first = await taawun(['verify', '--store', store()], { cwd: folder.path });
    const checkpoint = /checkpoint (\d+:[0-9a-f]{64})/.exec(first.stdout)![1]!;
    expect((await taawun(['verify', '--store', store(), '--against', checkpoint], { cwd: folder.path })).code).toBe(0);
    const bad = await taawun(['verify', '--store', store(), '--against', '12:nothex'], { cwd: folder.path });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('finds a changed event: exit 1 and the first bad position', async () => {
    const file = `${folder.path}/tampered.db`;
    await taawun(['seed', '--store', `sqlite:${file}`], { cwd: folder.path });
    const db = new Database(file);
    const position = db.prepare(`SELECT position FROM events WHERE type = 'SessionHeld' AND data LIKE '%"count":20,%' ORDER BY position LIMIT 1`).pluck().get() as number;
    db.exec(`DROP TRIGGER events_are_never_updated; UPDATE events SET data = replace(data, '"count":20', '"count":200') WHERE position = ${position}`);
    db.close();

    const result = await taawun(['verify', '--store', `sqlite:${file}`], { cwd: folder.path });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`BROKEN at position ${position} (hash-mismatch)`);
  });

  it('refuses a store without a hash chain with exit 2 and one line on stderr', async () => {
    const result = await taawun(['verify', '--store', 'memory:'], { cwd: folder.path });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('taawun: the in-memory store keeps no hash chain: there is nothing to verify (only SQLite and PostgreSQL stores do)\n');
  });

  it('reports a file that is not a SQLite database in one line, exit 1, no stack trace', async () => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(`${folder.path}/not-a-db.db`, 'this is not a database, it is a text file that is long enough to have a header'.repeat(20));
    const result = await taawun(['verify', '--store', `sqlite:${folder.path}/not-a-db.db`], { cwd: folder.path });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('not-a-db.db');
    expect(hasNoStackTrace(result.stderr)).toBe(true);
  });
});

describe('EventStoreDB URLs (no server on this machine: what is decided before and at connecting)', () => {
  it('verify refuses EventStoreDB without connecting: no hash chain, exit 2', async () => {
    const result = await taawun(['verify', '--store', 'esdb://127.0.0.1:1?tls=false'], { cwd: folder.path });
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toBe('taawun: EventStoreDB esdb://127.0.0.1:1?tls=false keeps no hash chain: there is nothing to verify (only SQLite and PostgreSQL stores do)\n');
  });

  it('asks for --keys (exit 2), and names an unreachable server in one line (exit 1)', async () => {
    const noKeys = await taawun(['export', '--store', 'eventstoredb:esdb://127.0.0.1:1?tls=false'], { cwd: folder.path });
    expect(noKeys.code).toBe(2);
    expect(noKeys.stderr).toMatch(/^taawun: EventStoreDB esdb:\/\/127\.0\.0\.1:1\?tls=false needs --keys sqlite:PATH/);
    const unreachable = await taawun(['export', '--store', 'esdb://127.0.0.1:1?tls=false', '--keys', 'memory:'], { cwd: folder.path });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(unreachable.stderr).toMatch(/^taawun: EventStoreDB at 127\.0\.0\.1:1 is unavailable: .*\(store: unavailable\)$/m);
    expect(hasNoStackTrace(unreachable.stderr)).toBe(true);
  });
});
