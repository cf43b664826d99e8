import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporaryFolder } from '../support.js';
import { command, eventually, postgresBin, prepareSite, startNode, startPostgres, type PostgresServer, type ServerNode } from './harness.js';

/*
 * Personal data is never plaintext at rest on PostgreSQL: a participant with a
 * name, e-mail, phone and Arabic name is recorded and their record served from
 * the stored read models; after the erasure and a CHECKPOINT (no VACUUM of any
 * kind), no byte of those values is in pg_dump's output, nor in any relation
 * file or WAL segment under the server's data directory. The server is a
 * throwaway cluster, so its files hold this test's writes and nothing else.
 */

const run = promisify(execFile);
const schema = 'erasure_at_rest';
const participantId = 'attache-77-z';
const personal = {
  fullName: { ar: 'زينب الوزاني', fr: 'Zineb Ouazzani-Elmrini' },
  email: 'zineb.ouazzani@justice.example',
  phone: '+212 661 23 45 67',
};
const needles = [personal.fullName.ar, personal.fullName.fr, personal.email, personal.phone];
/** Each value as UTF-8, UTF-16LE and UTF-16BE (and JSON-escaped, as jsonb and JSON text may hold it). */
const encodings = (value: string): Buffer[] => {
  const le = Buffer.from(value, 'utf16le');
  return [Buffer.from(value, 'utf8'), le, Buffer.from(le).swap16(), Buffer.from(JSON.stringify(value).slice(1, -1), 'utf8')];
};

let server: PostgresServer;
let folder: { path: string; remove: () => Promise<void> };
let node: ServerNode | undefined;

beforeAll(async () => {
  server = await startPostgres('erasure-at-rest');
  // No VACUUM of any kind, autovacuum included: the guarantee must not depend on one.
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query('ALTER SYSTEM SET autovacuum = off');
  await admin.query('SELECT pg_reload_conf()');
  await admin.end();
  folder = await temporaryFolder('erasure-at-rest');
}, 90_000);
afterAll(async () => {
  await node?.stop();
  await server?.destroy();
  await folder?.remove();
});

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : Promise.resolve(e.isFile() ? [join(dir, e.name)] : []))));
  return nested.flat();
}

/** Where any encoding of any of `values` occurs in the data directory's files and in `dump`. */
async function occurrences(values: readonly string[], dump: Buffer): Promise<string[]> {
  const found: string[] = [];
  const places: [string, Buffer][] = [['pg_dump output', dump]];
  for (const file of await filesUnder(server.dataDir)) places.push([file.slice(server.dataDir.length + 1), await readFile(file).catch(() => Buffer.alloc(0))]);
  for (const value of values) {
    for (const [place, bytes] of places) if (encodings(value).some((encoded) => bytes.includes(encoded))) found.push(`${value} in ${place}`);
  }
  return found;
}

async function get(path: string, key: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${node!.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: response.status, body: await response.json().catch(() => undefined) };
}

describe('personal data at rest on PostgreSQL', () => {
  it('is sealed in the log and in the stored read models; after erasure and CHECKPOINT no byte of it is in pg_dump, the relation files or the WAL, without VACUUM', async () => {
    const site = await prepareSite(folder.path, `${server.url}?schema=${schema}`, 'site');
    node = await startNode(site, 'node');
    const registered = await command(node, site.key, 'register-participant', { participantId, kind: 'judicial-attache', cohort: 77, personal });
    expect(registered.status).toBe(200);
    // The stored model (built by the server's followers) serves the name to an admin.
    const record = await eventually('the stored participant record', async () => {
      const answer = await get(`/read-models/participant-record?participantId=${participantId}`, site.key);
      return answer.status === 200 && answer.body.source?.kind === 'stored' ? answer.body : undefined;
    });
    expect(record.result.personal).toEqual(personal);
    expect((await get('/read-models/participants', site.key)).body.result.participants.some((p: { personal: unknown }) => JSON.stringify(p.personal) === JSON.stringify(personal))).toBe(true);

    const database = new pg.Client({ connectionString: server.url });
    await database.connect();
    try {
      await database.query('CHECKPOINT');
      const dump = async () => (await run(join(postgresBin(), 'pg_dump'), ['-h', '127.0.0.1', '-p', String(server.port), '-U', 'postgres', 'postgres'], { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 })).stdout;
      // The scan reads what the server wrote: the participant's id (not personal) is there, in clear…
      expect((await occurrences([participantId], await dump())).some((o) => o.includes('pg_dump output'))).toBe(true);
      expect((await occurrences([participantId], Buffer.alloc(0))).some((o) => o.includes('base/'))).toBe(true);
      // …while their personal data was never written in clear, even before the erasure.
      expect(await occurrences(needles, await dump())).toEqual([]);

      const erased = await fetch(`${node.url}/participants/${participantId}/erasure`, {
        method: 'POST',
        headers: { authorization: `Bearer ${site.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'request of 2026-11-30, file DPO-2026-03' }),
      });
      expect(erased.status).toBe(201);
      const after = await get(`/read-models/participant-record?participantId=${participantId}`, site.key);
      expect(after.body.result).toMatchObject({ personal: null, erased: true });
      await node.stop();
      node = undefined;

      await database.query('CHECKPOINT');
      expect(await occurrences(needles, await dump())).toEqual([]);
      const vacuums = await database.query<{ n: string }>("SELECT coalesce(sum(vacuum_count + autovacuum_count), 0)::text AS n FROM pg_stat_all_tables WHERE schemaname = $1", [schema]);
      expect(vacuums.rows[0]!.n).toBe('0');
    } finally {
      await database.end();
    }
  }, 120_000);
});
