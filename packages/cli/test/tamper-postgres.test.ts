import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS_HASH } from '@taawun/domain';
import { taawun, temporaryFolder } from './support.js';
import { instituteRecord } from '@taawun/runtime';
import { relink, tamperCases, witnessedSizes, type Row } from './tamper-cases.js';
import { readFileSync } from 'node:fs';
import { historyFileOf } from '@taawun/runtime';
import { processIo, witnessLocationOf } from '../src/io.js';

/** The seeded log: one event per command of the institute's record. */
const seededEvents = instituteRecord.length;

/**
 * The intruder of issue 17 on PostgreSQL: full write access to the database
 * (triggers bypassed, the log_head row forged to match), none to the witness
 * kept beside the configuration. `taawun verify` must find each edit.
 */
const DATABASE_URL = process.env['TAAWUN_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `taawun_tamper_${process.pid}_${randomBytes(4).toString('hex')}`;
const store = ['--store', `${DATABASE_URL}?schema=${schema}`, '--keys', 'sqlite:keys.db'];
const s = pg.escapeIdentifier(schema);

let folder: { path: string; remove: () => Promise<void> };
let admin: pg.Client;
let original: Row[] = [];
/** The sizes of the checkpoints the seed's witness kept (a first one at once, then at most one a second, the last at the end). */
let witnessed: number[] = [];

beforeAll(async () => {
  folder = await temporaryFolder('tamper-pg');
  expect((await taawun(['seed', ...store], { cwd: folder.path })).code).toBe(0);
  const witnessFile = witnessLocationOf({ store: store[1] }, { ...processIo(), cwd: folder.path, env: {} })!.witnessFile;
  witnessed = witnessedSizes(readFileSync(historyFileOf(witnessFile), 'utf8'));
  expect(witnessed.at(-1)).toBe(seededEvents);
  admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  original = (await admin.query(`SELECT position::text, stream, revision, id, type, schema_version, recorded_at, data::text AS data, metadata::text AS metadata FROM ${s}.events ORDER BY events.position`)).rows.map(
    (r): Row => ({ position: BigInt(r.position), stream: r.stream, revision: r.revision, id: r.id, type: r.type, schemaVersion: r.schema_version, recordedAt: r.recorded_at, dataJson: r.data, metadataJson: r.metadata }),
  );
}, 60_000);
afterAll(async () => {
  await admin.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  await admin.end();
  await folder.remove();
});

/** Replace the log with `rows`, re-linked, its Merkle tree rebuilt and log_head forged to match, bypassing the append-only triggers. */
async function replaceLog(rows: readonly Row[]): Promise<void> {
  const { rows: linked, nodes } = relink(rows);
  await admin.query('BEGIN');
  try {
    await write(linked, nodes);
    await admin.query('COMMIT');
  } catch (error) {
    await admin.query('ROLLBACK');
    throw error;
  }
}

async function write(linked: ReturnType<typeof relink>['rows'], nodes: ReturnType<typeof relink>['nodes']): Promise<void> {
  await admin.query(`SET LOCAL session_replication_role = replica`);
  await admin.query(`DELETE FROM ${s}.events; DELETE FROM ${s}.merkle_nodes`);
  for (const r of linked) {
    await admin.query(`INSERT INTO ${s}.events (position, stream, revision, id, type, schema_version, recorded_at, data, metadata, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, [
      r.position.toString(), r.stream, r.revision, r.id, r.type, r.schemaVersion, r.recordedAt, r.dataJson, r.metadataJson, r.hash,
    ]);
  }
  await admin.query(`INSERT INTO ${s}.merkle_nodes (level, idx, hash) SELECT * FROM unnest($1::int[], $2::bigint[], $3::bytea[])`, [
    nodes.map((n) => n.level), nodes.map((n) => n.index), nodes.map((n) => Buffer.from(n.hash)),
  ]);
  const last = linked.at(-1);
  await admin.query(`UPDATE ${s}.log_head SET last_position = $1, head_hash = $2`, [last ? last.position.toString() : '0', last ? last.hash : GENESIS_HASH]);
}

const verify = () => taawun(['verify', ...store], { cwd: folder.path });

describe('taawun verify against its own witness, after an intruder edited the PostgreSQL log (head row forged too)', () => {
  it('passes the untouched log, proven through its last position', async () => {
    const result = await verify();
    expect(result.stdout).toMatch(new RegExp(`^intact: ${seededEvents} events .*; proven by ${witnessed.length} signed checkpoint\\(s\\) kept outside the log, through position ${seededEvents}\\n$`));
    expect(result.code).toBe(0);
  });

  for (const [index, [name]] of tamperCases(seededEvents, []).entries()) {
    it(`finds ${name}: exit 1, naming the first unproven position`, async () => {
      const [, edit, expected] = tamperCases(seededEvents, witnessed)[index]!;
      await replaceLog(edit(original.map((r) => ({ ...r }))));
      try {
        const result = await verify();
        expect(result.stderr).toBe('');
        expect(result.code).toBe(1);
        expect(result.stdout).toMatch(expected);
      } finally {
        await replaceLog(original);
      }
    });
  }

  it('passes again once the log is put back as it was', async () => {
    expect((await verify()).code).toBe(0);
  });
});
