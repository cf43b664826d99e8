import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresEventStore } from '@taawun/adapter-postgres';
import { openSqliteEventStore } from '@taawun/adapter-sqlite';
import { everyReadModel, taawun, temporaryFolder } from './support.js';

// The real PostgreSQL server of the machine; each run works in a schema of its own, dropped afterwards.
const DATABASE_URL = process.env['TAAWUN_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `taawun_cli_${process.pid}_${randomBytes(4).toString('hex')}`;
const target = `${DATABASE_URL}?schema=${schema}`;

let folder: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  folder = await temporaryFolder('postgres');
});
afterAll(async () => {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
  await client.end();
  await folder.remove();
});

describe('SQLite to PostgreSQL', () => {
  it('export from SQLite, import into PostgreSQL: the same log, verified, and a second import adds nothing', async () => {
    const source = `sqlite:${folder.path}/source.db`;
    await taawun(['seed', '--store', source], { cwd: folder.path });
    const exported = await taawun(['export', '--store', source], { cwd: folder.path });
    await writeFile(`${folder.path}/log.ndjson`, exported.stdout);
    const count = exported.stdout.trimEnd().split('\n').length;

    const keys = ['--keys', 'sqlite:keys.db'];
    const first = await taawun(['import', 'log.ndjson', '--store', target, ...keys], { cwd: folder.path });
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain(`${count} appended, 0 already present`);
    expect(first.stdout).toContain(`(schema ${schema})`);
    const again = await taawun(['import', 'log.ndjson'], { cwd: folder.path, env: { TAAWUN_STORE: target, TAAWUN_KEYS: 'sqlite:keys.db' } });
    expect(again.stdout).toContain(`0 appended, ${count} already present`);

    const back = await taawun(['export', '--store', target, ...keys], { cwd: folder.path });
    const strip = (text: string) => text.trimEnd().split('\n').map((l) => ({ ...JSON.parse(l), position: undefined }));
    expect(strip(back.stdout)).toEqual(strip(exported.stdout));

    const replayed = await taawun(['replay', 'partner-history', '--store', target, ...keys], { cwd: folder.path });
    expect(replayed.stdout).toMatch(new RegExp(`^Replayed partner-history v\\d+: ${count} events \\(\\d+ applied\\) in .*; stored in PostgreSQL .*\\(schema ${schema}\\)\\.\\n$`));
    const history = await taawun(['history', 'enm-france', '--store', target, ...keys, '--format', 'json'], { cwd: folder.path });
    const fromSqlite = await taawun(['history', 'enm-france', '--store', source, '--format', 'json'], { cwd: folder.path });
    expect(JSON.parse(history.stdout).result).toEqual(JSON.parse(fromSqlite.stdout).result);
    const pgStore = await openPostgresEventStore(DATABASE_URL, { schema });
    const sqliteStore = await openSqliteEventStore(`${folder.path}/source.db`);
    try {
      expect(await everyReadModel(pgStore)).toEqual(await everyReadModel(sqliteStore));
    } finally {
      await pgStore.close();
      await sqliteStore.close();
    }

    const verified = await taawun(['verify', '--store', target], { cwd: folder.path });
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(new RegExp(`^intact: ${count} events in PostgreSQL`));
  });

  it('asks for --keys (bad usage) rather than guessing where participants\' keys are', async () => {
    const result = await taawun(['export', '--store', target], { cwd: folder.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^taawun: PostgreSQL .* needs --keys sqlite:PATH/);
  });

  it('a schema without a log is refused in one line (exit 1) and not created, except by seed and import', async () => {
    const absent = `${schema}_typo`;
    const result = await taawun(['verify', '--store', `${DATABASE_URL}?schema=${absent}`], { cwd: folder.path });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`taawun: PostgreSQL ${DATABASE_URL} (schema ${absent}) holds no taawun log (no table ${absent}.events): nothing was created; check --store (taawun seed or taawun import creates a store)\n`);
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [absent]);
      expect(rows).toEqual([]);
    } finally {
      await client.end();
    }
  });

  it('names the server in one line when it cannot be reached', async () => {
    const result = await taawun(['verify', '--store', 'postgres://postgres@127.0.0.1:1/test'], { cwd: folder.path });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('127.0.0.1:1');
  });
});
