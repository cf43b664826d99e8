import { openPostgresEventStore, replicationStatus, waitForLogPosition, type PostgresEventStore } from '@taawun/adapter-postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporaryFolder } from '../support.js';
import { command, eventually, prepareSite, startNode, startPostgres, startStandby, type PostgresServer, type ServerNode, type Site } from './harness.js';

// The ground for reads from a hot standby: a standby made with pg_basebackup -R
// streams the primary's log, and a reader can wait for a command's position on it.

let primary: PostgresServer;
let standby: PostgresServer;
let folder: { path: string; remove: () => Promise<void> };
let node: ServerNode | undefined;
let reader: ServerNode | undefined;
let fallbackReader: ServerNode | undefined;
let site: Site;
const schema = 'standby_reads';
const opened: PostgresEventStore[] = [];

beforeAll(async () => {
  primary = await startPostgres('primary');
  standby = await startStandby(primary, 'standby');
  folder = await temporaryFolder('standby');
}, 90_000);
afterAll(async () => {
  await reader?.stop();
  await fallbackReader?.stop();
  await node?.stop();
  await Promise.all(opened.map((s) => s.close()));
  await standby?.destroy();
  await primary?.destroy();
  await folder?.remove();
});

describe('a streaming standby of the primary (pg_basebackup -R)', () => {
  it('replays every command a node takes on the primary; a reader waits for a command\'s position there, or is told it is not there yet', async () => {
    site = await prepareSite(folder.path, `${primary.url}?schema=${schema}`, schema);
    node = await startNode(site, 'primary-node', ['--lease', '1']);
    const onStandby = await openPostgresEventStore(standby.url, { schema, listen: false });
    opened.push(onStandby);

    const status = await replicationStatus(onStandby.pool, onStandby.target);
    expect(status.standby).toBe(true);
    expect((await replicationStatus((await openPrimary(schema)).pool, onStandby.target)).standby).toBe(false);

    for (let i = 0; i < 10; i++) {
      const answer = await command(node, site.key, 'register-partner', { partnerId: `standby-${i}`, name: { fr: `Partenaire ${i}` }, kind: 'school', country: 'FR' });
      expect(answer.status).toBe(200);
      // The answer carries the log position the command was committed at.
      const position = BigInt((answer.body as { events: { position: string }[] }).events.at(-1)!.position);
      expect(await waitForLogPosition(onStandby, position, { timeoutMs: 5_000 })).toBe(true);
      const replayed: string[] = [];
      for await (const e of onStandby.readAll({ after: position - 1n })) replayed.push(e.type);
      expect(replayed).toEqual(['PartnerRegistered']);
    }
    const head = (await onStandby.lastPosition())!;
    // A position not committed yet: not there within the timeout, and said so.
    expect(await waitForLogPosition(onStandby, head + 1_000n, { timeoutMs: 200 })).toBe(false);
    // The standby refuses writes, in one line naming it.
    await expect(onStandby.append('partner-nowhere', [], { expectedRevision: 'any' })).rejects.toMatchObject({ code: 'unavailable', message: expect.stringContaining('is read-only (a standby?)') });
    const status2 = await eventually('the standby caught up', async () => {
      const s = await replicationStatus(onStandby.pool, onStandby.target);
      return s.lagSeconds === 0 ? s : undefined;
    });
    expect(status2.lsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
  }, 90_000);

  it('a node reading from the standby, with read-your-writes: every read after a command sees it or answers 503 with Retry-After, never a stale answer that does not say so', async () => {
    const onStandby = ['--read-store', `${standby.url}?schema=${schema}`, '--min-position-wait', '0.5', '--lease', '1'];
    [reader, fallbackReader] = await Promise.all([startNode(site, 'standby-node', onStandby), startNode(site, 'standby-node-falling-back', [...onStandby, '--when-behind', 'primary'])]);
    const partnerHistory = (id: string, position: string | undefined, on = reader!) =>
      fetch(`${on.url}/read-models/partner-history?partnerId=${id}`, { headers: { authorization: `Bearer ${site.key}`, ...(position ? { 'x-taawun-min-position': position } : {}) } });
    const register = async (id: string, on: ServerNode) => {
      const answer = await fetch(`${on.url}/commands/register-partner`, {
        method: 'POST',
        headers: { authorization: `Bearer ${site.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ partnerId: id, name: { fr: `Partenaire ${id}` }, kind: 'school', country: 'FR' }),
      });
      expect(answer.status).toBe(200);
      const body = (await answer.json()) as { events: { position: string }[] };
      // The position is in a header as well as on each event of the body.
      expect(answer.headers.get('x-taawun-position')).toBe(body.events.at(-1)!.position);
      return answer.headers.get('x-taawun-position')!;
    };

    // Commands to either node (the standby-reading one writes to the primary), each read right after on the standby-reading node.
    const tally = { seen: 0, notYet: 0 };
    for (let i = 0; i < 12; i++) {
      const id = `ryw-${i}`;
      const position = await register(id, i % 2 === 0 ? node! : reader);
      const read = await partnerHistory(id, position);
      if (read.status === 503) {
        expect(read.headers.get('retry-after')).toMatch(/^\d+$/);
        expect(((await read.json()) as { code: string }).code).toBe('read-side-behind');
        tally.notYet++;
      } else {
        expect(read.status).toBe(200);
        expect(await read.text()).toContain(`Partenaire ${id}`);
        tally.seen++;
      }
    }
    console.log(`[standby reads] 12 reads right after their command: ${tally.seen} saw it, ${tally.notYet} answered 503`);
    expect(tally.seen + tally.notYet).toBe(12);

    // The standby stops replaying: reads asking for a new command's position are told so, never answered stale.
    const client = new pg.Client({ connectionString: standby.url });
    await client.connect();
    try {
      await client.query('SELECT pg_wal_replay_pause()');
      const position = await register('ryw-paused', node!);
      const asked = await partnerHistory('ryw-paused', position);
      expect(asked.status).toBe(503);
      expect(asked.headers.get('retry-after')).toBe('1');
      // A node configured to fall back answers it from the primary instead.
      const fromPrimary = await partnerHistory('ryw-paused', position, fallbackReader);
      expect(fromPrimary.status).toBe(200);
      expect(await fromPrimary.text()).toContain('Partenaire ryw-paused');
      // Without the header, the standby answers as it stands (the partner not there yet): the client did not ask.
      for (const on of [reader, fallbackReader]) expect(await (await partnerHistory('ryw-paused', undefined, on)).text()).not.toContain('Partenaire ryw-paused');
      await client.query('SELECT pg_wal_replay_resume()');
      const after = await eventually('the read after the replay resumed', async () => {
        const read = await partnerHistory('ryw-paused', position);
        return read.status === 200 ? read.text() : undefined;
      });
      expect(after).toContain('Partenaire ryw-paused');
      // A malformed position is the client's error.
      expect((await partnerHistory('ryw-paused', 'soon')).status).toBe(400);
      // The standby's lag is a metric of the node reading from it.
      const metrics = await (await fetch(`${reader.url}/metrics`, { headers: { authorization: `Bearer ${site.key}` } })).text();
      expect(metrics).toMatch(/^taawun_read_replication_lag_seconds \d+(\.\d+)?(e[-+]?\d+)?$/m);
    } finally {
      await client.query('SELECT pg_wal_replay_resume()').catch(() => undefined);
      await client.end();
    }
    expect(reader.log()).not.toMatch(/read-only|failed/);
  }, 90_000);
});

async function openPrimary(schema: string): Promise<PostgresEventStore> {
  const store = await openPostgresEventStore(primary.url, { schema, listen: false });
  opened.push(store);
  return store;
}
