import { openPostgresEventStore, replicationStatus, waitForLogPosition, type PostgresEventStore } from '@taawun/adapter-postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporaryFolder } from '../support.js';
import { command, eventually, prepareSite, startNode, startPostgres, startStandby, type PostgresServer, type ServerNode } from './harness.js';

// The ground for reads from a hot standby: a standby made with pg_basebackup -R
// streams the primary's log, and a reader can wait for a command's position on it.

let primary: PostgresServer;
let standby: PostgresServer;
let folder: { path: string; remove: () => Promise<void> };
let node: ServerNode | undefined;
const opened: PostgresEventStore[] = [];

beforeAll(async () => {
  primary = await startPostgres('primary');
  standby = await startStandby(primary, 'standby');
  folder = await temporaryFolder('standby');
}, 90_000);
afterAll(async () => {
  await node?.stop();
  await Promise.all(opened.map((s) => s.close()));
  await standby?.destroy();
  await primary?.destroy();
  await folder?.remove();
});

describe('a streaming standby of the primary (pg_basebackup -R)', () => {
  it('replays every command a node takes on the primary; a reader waits for a command\'s position there, or is told it is not there yet', async () => {
    const schema = 'standby_reads';
    const site = await prepareSite(folder.path, `${primary.url}?schema=${schema}`, schema);
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
});

async function openPrimary(schema: string): Promise<PostgresEventStore> {
  const store = await openPostgresEventStore(primary.url, { schema, listen: false });
  opened.push(store);
  return store;
}
