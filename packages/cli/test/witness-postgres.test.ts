import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS_HASH } from '@taawun/domain';
import { instituteRecord } from '@taawun/runtime';
import { taawun, temporaryFolder } from './support.js';
import { rewriteSqliteLog } from './tamper-cases.js';

/** The seeded log: one event per command of the institute's record. */
const seededEvents = instituteRecord.length;

/**
 * A witness kept in a PostgreSQL database other than the log's
 * (`--witness postgres://…`): an intruder who rewrites the log (a SQLite file,
 * or a PostgreSQL schema, head row forged too) but cannot write the witness's
 * database is found by `taawun verify`.
 */
const DATABASE_URL = process.env['TAAWUN_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const witnessDatabase = `taawun_witness_${process.pid}_${randomBytes(4).toString('hex')}`;
const witnessUrl = (() => {
  const url = new URL(DATABASE_URL);
  url.pathname = `/${witnessDatabase}`;
  return url.toString();
})();
const logSchema = `taawun_witnessed_${process.pid}_${randomBytes(4).toString('hex')}`;

let folder: { path: string; remove: () => Promise<void> };
let admin: pg.Client;
let witness: pg.Client;
const sqliteLog = () => join(folder.path, 'log.db');
const env = () => ({ TAAWUN_WITNESS: witnessUrl });
const run = (args: string[], store = `sqlite:${sqliteLog()}`) => taawun([...args, '--store', store, '--keys', 'sqlite:keys.db'], { cwd: folder.path, env: env() });
const postgresLog = `${DATABASE_URL}?schema=${logSchema}`;

/** The sizes the witness database accepted for each log, oldest first. */
async function witnessedSizes(): Promise<number[]> {
  const { rows } = await witness.query<{ size: string }>(`SELECT size FROM taawun_witness.checkpoints WHERE origin LIKE '%/log-%' ORDER BY seq`);
  return rows.map((r) => Number(r.size));
}

beforeAll(async () => {
  folder = await temporaryFolder('witness-pg');
  admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(witnessDatabase)}`);
  witness = new pg.Client({ connectionString: witnessUrl });
  await witness.connect();
  expect((await run(['seed'])).code).toBe(0);
}, 60_000);
afterAll(async () => {
  await witness?.end();
  await admin.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(logSchema)} CASCADE`);
  await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(witnessDatabase)} WITH (FORCE)`);
  await admin.end();
  await folder.remove();
});

describe('a witness in another PostgreSQL database, for a SQLite log', () => {
  it('keeps every checkpoint in its table, and none in a file beside the configuration', async () => {
    const sizes = await witnessedSizes();
    expect(sizes.at(-1)).toBe(seededEvents);
    expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
    expect(existsSync(join(folder.path, 'data', 'witness'))).toBe(false);
  });

  it('verify passes the untouched log, proven by the checkpoints in the database', async () => {
    const sizes = await witnessedSizes();
    const result = await run(['verify']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(new RegExp(`^intact: ${seededEvents} events .*; proven by ${sizes.length} signed checkpoint\\(s\\) kept outside the log, through position ${seededEvents}\\n$`));
    expect(result.code).toBe(0);
  });

  it('the table is append-only: a row cannot be changed or deleted', async () => {
    await expect(witness.query(`DELETE FROM taawun_witness.checkpoints`)).rejects.toThrow(/append-only: DELETE refused/);
    await expect(witness.query(`UPDATE taawun_witness.checkpoints SET size = 0`)).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(witness.query(`TRUNCATE taawun_witness.checkpoints`)).rejects.toThrow(/append-only: TRUNCATE refused/);
  });

  it('an event rewritten and re-hashed is found: exit 1, the positions proven by earlier checkpoints and the first unproven one named', async () => {
    const sizes = await witnessedSizes();
    const provenBefore = Math.max(0, ...sizes.filter((size) => size < 20));
    rewriteSqliteLog(sqliteLog(), (rows) => rows.map((r) => (r.position === 20n ? { ...r, dataJson: r.dataJson.replace(/"(\w+)":/, '"$1 ":') } : r)));
    const result = await run(['verify']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^BROKEN at position \\d+ \\(checkpoint-mismatch\\): the log's first \\d+ events are not the ones witnessed in the witness in PostgreSQL .*the first unproven position is ${provenBefore + 1}\\n$`));
  });

  it('the log cut back is found, and the witness refuses it: the refusal is kept in its table, its checkpoints stay', async () => {
    const before = await witnessedSizes();
    const keep = seededEvents - 5;
    rewriteSqliteLog(sqliteLog(), (rows) => rows.slice(0, keep));
    const result = await run(['verify']);
    expect(result.code).toBe(1);
    // The test before rewrote position 20: only checkpoints before it still prove anything.
    const proven = Math.max(0, ...before.filter((size) => size < 20));
    expect(result.stdout).toMatch(
      new RegExp(`^BROKEN at position ${keep + 1} \\(checkpoint-missing\\): the log has ${keep} events but the witness in PostgreSQL .* witnessed ${seededEvents}: positions ${keep + 1}–${seededEvents} were removed; .*the first unproven position is ${proven + 1}\\n$`),
    );
    const erased = await run(['erase-participant', 'madrid-trainer-judge-1', '--reason', 'request 1']);
    expect(erased.code).toBe(0);
    // Refused twice: the cut log as the erasure found it when it opened it, then the log its append made.
    expect(erased.stderr).toMatch(new RegExp(`^taawun: witness: the log has ${keep} events but the witness in PostgreSQL .* witnessed \\d+: events were removed\ntaawun: witness: the log has ${keep + 1} events .*: events were removed\n$`));
    expect(await witnessedSizes()).toEqual(before);
    const refusals = await witness.query<{ reason: string; offered: string }>(`SELECT reason, offered FROM taawun_witness.refusals ORDER BY seq`);
    expect(refusals.rows.map((r) => r.offered.split('\n')[1])).toEqual([String(keep), String(keep + 1)]);
  });
});

describe('a witness database named by the configuration', () => {
  it('"witness" in the configuration file is used by every command when --witness is not given', async () => {
    const config = join(folder.path, 'configured', 'taawun.json');
    mkdirSync(dirname(config), { recursive: true });
    writeFileSync(config, JSON.stringify({ witness: witnessUrl }));
    const configured = (args: string[]) => taawun([...args, '--store', 'sqlite:configured.db'], { cwd: folder.path, env: { TAAWUN_CONFIG: config } });
    expect((await configured(['seed'])).code).toBe(0);
    const { rows } = await witness.query<{ size: string }>(`SELECT size FROM taawun_witness.checkpoints WHERE origin LIKE '%/configured-%' ORDER BY seq`);
    expect(Number(rows.at(-1)?.size)).toBe(seededEvents);
    expect(existsSync(join(folder.path, 'configured', 'witness'))).toBe(false);
    const verified = await configured(['verify']);
    expect(verified.stdout).toMatch(new RegExp(`; proven by ${rows.length} signed checkpoint\\(s\\) kept outside the log, through position ${seededEvents}\\n$`));
    expect(verified.code).toBe(0);
  });
});

describe('a witness in another PostgreSQL database, for a PostgreSQL log', () => {
  it('passes the untouched log; every event deleted (head row forged) is found from the witness alone', async () => {
    expect((await run(['seed'], postgresLog)).code).toBe(0);
    const passed = await run(['verify'], postgresLog);
    expect(passed.stdout).toMatch(new RegExp(`^intact: ${seededEvents} events .*; proven by \\d+ signed checkpoint\\(s\\) kept outside the log, through position ${seededEvents}\\n$`));
    expect(passed.code).toBe(0);
    const s = pg.escapeIdentifier(logSchema);
    await admin.query('BEGIN');
    await admin.query('SET LOCAL session_replication_role = replica');
    await admin.query(`DELETE FROM ${s}.events; DELETE FROM ${s}.merkle_nodes`);
    await admin.query(`UPDATE ${s}.log_head SET last_position = 0, head_hash = $1`, [GENESIS_HASH]);
    await admin.query('COMMIT');
    const result = await run(['verify'], postgresLog);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(`^BROKEN at position 1 \\(checkpoint-missing\\): the log has 0 events but the witness in PostgreSQL .* witnessed ${seededEvents}: positions 1–${seededEvents} were removed; no position is proven intact .*the first unproven position is 1\\n$`),
    );
  });
});
