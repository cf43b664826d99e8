import Database from 'better-sqlite3';
import { instituteRecord } from '@taawun/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasNoStackTrace, taawun, temporaryFolder, twoAtATime } from './support.js';

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
    expect(result.stdout).toMatch(/^intact: \d+ events in SQLite file .*; checkpoint \d+:[0-9a-f]{64}; proven by \d+ signed checkpoint\(s\) kept outside the log, through position \d+\n$/);
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
    expect(result.stderr).toBe('taawun: the in-memory store keeps no hash chain: there is nothing to verify (SQLite, PostgreSQL and EventStoreDB stores do)\n');
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

describe('a store that does not exist', () => {
  const missing = () => `sqlite:mistyped/path.db`;
  const nothingCreated = async () => (await import('node:fs')).existsSync(`${folder.path}/mistyped`);

  it('verify says the SQLite file does not exist, in one line, exit 1, and creates nothing', async () => {
    const result = await taawun(['verify', '--store', missing()], { cwd: folder.path });
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `taawun: SQLite file ${folder.path}/mistyped/path.db does not exist: nothing was created; check --store (taawun seed or taawun import creates a store)\n`,
    });
    expect(await nothingCreated()).toBe(false);
  });

  it('so does every command that reads or changes a log: partners, history, reports, export, replay, erase-participant', async () => {
    const commands = [
      ['history', 'enm-france'],
      ['report', 'participants'],
      ['report', 'agreements'],
      ['partners'],
      ['audit', 'partner-enm-france'],
      ['export'],
      ['replay', 'partner-history'],
      ['erase-participant', 'attache-41-a', '--reason', 'request of 2024-05-28'],
    ];
    const results = await twoAtATime(commands, (args) => taawun([...args, '--store', missing()], { cwd: folder.path }));
    for (const [i, args] of commands.entries()) {
      const result = results[i]!;
      expect([args[0], result.code, result.stdout]).toEqual([args[0], 1, '']);
      expect(result.stderr).toMatch(/^taawun: SQLite file .*\/mistyped\/path\.db does not exist: nothing was created; check --store/);
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
    expect(await nothingCreated()).toBe(false);
  });

  it('a key file given with --keys must exist too (a mistyped one would read every name as undecryptable)', async () => {
    const store = `sqlite:${folder.path}/with-keys.db`;
    expect((await taawun(['seed', '--store', store, '--keys', 'sqlite:keys.db'], { cwd: folder.path })).code).toBe(0);
    const result = await taawun(['history', 'enm-france', '--store', store, '--keys', 'sqlite:kyes.db'], { cwd: folder.path });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`taawun: the key file ${folder.path}/kyes.db (--keys) does not exist: nothing was created; check --keys (it must be the file this log's keys were written to)\n`);
    expect((await import('node:fs')).existsSync(`${folder.path}/kyes.db`)).toBe(false);
    expect((await taawun(['history', 'enm-france', '--store', store, '--keys', 'sqlite:keys.db'], { cwd: folder.path })).code).toBe(0);
  });

  it('seed and import create the store', async () => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(`${folder.path}/empty.ndjson`, '');
    const imported = await taawun(['import', 'empty.ndjson', '--store', 'sqlite:new/from-import.db'], { cwd: folder.path });
    expect(imported.code).toBe(0);
    expect((await taawun(['verify', '--store', 'sqlite:new/from-import.db'], { cwd: folder.path })).stdout).toMatch(/^intact: 0 events in SQLite file .*from-import\.db; the log is empty; no witnessed checkpoint for this log in the witness file .*from-import-[0-9a-f]{12}\.checkpoint \(nothing outside the log proves it; .* give it with --against\)\n$/);
  });
});

describe('EventStoreDB URLs (no server on this machine: what is decided before and at connecting)', () => {
  it('verify on EventStoreDB reads $all to compute the chain and tree there: an unreachable server is one line, exit 1', async () => {
    const result = await taawun(['verify', '--store', 'esdb://127.0.0.1:1?tls=false'], { cwd: folder.path });
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^taawun: EventStoreDB at 127\.0\.0\.1:1 is unavailable: .*\(store: unavailable\)$/m);
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
