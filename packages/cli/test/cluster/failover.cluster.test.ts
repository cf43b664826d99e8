import { openRuntime, type Runtime } from '@taawun/runtime';
import type { ChainCheckpoint } from '@taawun/domain';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporaryFolder } from '../support.js';
import { command, eventually, killPostgres, prepareSite, promoteStandby, startNode, startPostgres, startStandby, type PostgresServer, type ServerNode, type Site } from './harness.js';

// Failover without losing a command: one synchronous standby (remote_apply), the
// primary SIGKILLed under load, the standby promoted, the nodes (one multi-host
// connection string, target_session_attrs=read-write) go on on it by themselves.

let primary: PostgresServer;
let standby: PostgresServer;
let folder: { path: string; remove: () => Promise<void> };
const nodes: ServerNode[] = [];
const runtimes: Runtime[] = [];

beforeAll(async () => {
  primary = await startPostgres('failover-primary');
  standby = await startStandby(primary, 'failover-standby');
  folder = await temporaryFolder('failover');
}, 90_000);
afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  await Promise.all(runtimes.map((r) => r.close()));
  await standby?.destroy();
  await primary?.destroy();
  await folder?.remove();
});

async function sql<T extends pg.QueryResultRow>(server: PostgresServer, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

interface Acknowledged {
  readonly partnerId: string;
  readonly position: bigint;
  readonly eventId: string;
}

interface FailoverRun {
  readonly sent: number;
  readonly acknowledged: readonly Acknowledged[];
  readonly acknowledgedAtKill: number;
  readonly afterFailover: number;
  readonly refused: readonly number[];
  readonly backAfterMs: number;
  readonly checkpoint: ChainCheckpoint;
}

/** Four clients sending commands to the nodes; the primary SIGKILLed once 40 are acknowledged, the standby promoted, until 20 more are. */
async function killAndPromoteUnderLoad(
  site: Site,
  on: readonly ServerNode[],
  from: PostgresServer,
  to: PostgresServer,
  schema: string,
  beforeKill?: (acknowledged: readonly Acknowledged[]) => Promise<void>,
): Promise<FailoverRun> {
  const acknowledged: Acknowledged[] = [];
  const refused: number[] = [];
  let phase: 'before' | 'down' | 'after' = 'before';
  let afterFailover = 0;
  let stop = false;
  let sent = 0;
  const worker = async (node: ServerNode, w: number) => {
    for (let i = 0; !stop && i < 2_000; i++) {
      const partnerId = `fo-${w}-${i}`;
      sent++;
      const answer = await command(node, site.key, 'register-partner', { partnerId, name: { fr: `Partenaire ${partnerId}` }, kind: 'school', country: 'FR' });
      if (answer.status === 200) {
        const event = (answer.body as { events: { id: string; position: string }[] }).events.at(-1)!;
        acknowledged.push({ partnerId, position: BigInt(event.position), eventId: event.id });
        if (phase === 'after') afterFailover++;
      } else {
        refused.push(answer.status);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  const load = Promise.all(on.flatMap((node, n) => [worker(node, 2 * n), worker(node, 2 * n + 1)]));

  await eventually('commands acknowledged under load', async () => (acknowledged.length >= 40 ? true : undefined));
  const checkpoint: ChainCheckpoint = await (async () => {
    const runtime = await openRuntime(`${from.url}?schema=${schema}`, { cwd: site.folder, keys: 'sqlite:keys.db' });
    try {
      return await runtime.chain!.checkpoint();
    } finally {
      await runtime.close();
    }
  })();
  await beforeKill?.(acknowledged);
  killPostgres(from);
  phase = 'down';
  const killedAt = Date.now();
  const acknowledgedAtKill = acknowledged.length;
  await new Promise((resolve) => setTimeout(resolve, 500));
  await promoteStandby(to);
  phase = 'after';
  await eventually('commands acknowledged again after the promotion', async () => (afterFailover >= 20 ? true : undefined), 30_000);
  const backAfterMs = Date.now() - killedAt;
  stop = true;
  await load;

  return { sent, acknowledged, acknowledgedAtKill, afterFailover, refused, backAfterMs, checkpoint };
}

/** The acknowledged commands whose event is not at its acknowledged position in `log`. */
async function missingFrom(log: Runtime['log'], acknowledged: readonly Acknowledged[]): Promise<Acknowledged[]> {
  const missing: Acknowledged[] = [];
  for (const ack of acknowledged) {
    const found: string[] = [];
    for await (const e of log.readAll({ after: ack.position - 1n, maxCount: 1 })) if (e.position === ack.position) found.push(e.id);
    if (found[0] !== ack.eventId) missing.push(ack);
  }
  return missing;
}

describe('failover to a promoted standby, nodes on a multi-host connection string', () => {
  it('synchronous (remote_apply, one synchronous standby): primary SIGKILLed under load, standby promoted, nodes reconnected: every acknowledged command is in the promoted log, the chain intact', async () => {
    // Set after the base backup, so the standby, once promoted, waits for no one.
    await sql(primary, `ALTER SYSTEM SET synchronous_standby_names = '*'`);
    await sql(primary, `ALTER SYSTEM SET synchronous_commit = 'remote_apply'`);
    await sql(primary, 'SELECT pg_reload_conf()');
    await eventually('the standby is synchronous', async () =>
      (await sql<{ sync_state: string }>(primary, 'SELECT sync_state FROM pg_stat_replication'))[0]?.sync_state === 'sync' ? true : undefined,
    );

    const schema = 'failover';
    const both = `postgres://postgres@127.0.0.1:${primary.port},127.0.0.1:${standby.port}/postgres?target_session_attrs=read-write&schema=${schema}`;
    const site = await prepareSite(folder.path, both, 'site');
    nodes.push(...(await Promise.all([startNode(site, 'node-1', ['--lease', '1']), startNode(site, 'node-2', ['--lease', '1'])])));

    const { sent, acknowledged, acknowledgedAtKill, afterFailover, refused, backAfterMs, checkpoint } = await killAndPromoteUnderLoad(site, nodes, primary, standby, schema);
    const promoted = await openRuntime(`${standby.url}?schema=${schema}`, { cwd: site.folder, keys: 'sqlite:keys.db' });
    runtimes.push(promoted);
    const missing = await missingFrom(promoted.log, acknowledged);
    const report = await promoted.chain!.verify({ against: checkpoint });
    console.log(
      `[failover] ${sent} commands sent, ${acknowledged.length} acknowledged (${acknowledgedAtKill} before the kill, ${afterFailover} after the promotion), ` +
        `${refused.length} refused while down (${[...new Set(refused)].join(', ')}); writes back ${backAfterMs} ms after the kill; acknowledged and missing: ${missing.length}; chain ${report.intact ? `intact over ${report.events} events` : report.message}`,
    );
    expect(missing).toEqual([]);
    expect(report.intact).toBe(true);
    expect(refused.every((s) => s === 503 || s === 0)).toBe(true);
    for (const node of nodes) expect(node.process.exitCode, node.log()).toBeNull();
  }, 120_000);

  it('the same with asynchronous replication, the standby cut off for the last half second: what a promotion loses is exactly what it had not received, the end of the log', async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
    // The promoted server is the primary now; a new standby of it streams asynchronously (no synchronous_standby_names).
    const second = await startStandby(standby, 'failover-async-standby');
    try {
      const schema = 'failover_async';
      const both = `postgres://postgres@127.0.0.1:${standby.port},127.0.0.1:${second.port}/postgres?target_session_attrs=read-write&schema=${schema}`;
      const site = await prepareSite(folder.path, both, 'async-site');
      nodes.push(...(await Promise.all([startNode(site, 'async-1', ['--lease', '1']), startNode(site, 'async-2', ['--lease', '1'])])));
      let cutAt = 0;
      // A network cut between primary and standby, as a lagging link would be: the standby stops receiving (its primary_conninfo emptied).
      const cutOff = async (acknowledged: readonly Acknowledged[]) => {
        cutAt = acknowledged.length;
        await sql(second, `ALTER SYSTEM SET primary_conninfo = ''`);
        await sql(second, 'SELECT pg_reload_conf()');
        await new Promise((resolve) => setTimeout(resolve, 500));
      };
      const run = await killAndPromoteUnderLoad(site, nodes, standby, second, schema, cutOff);
      const promoted = await openRuntime(`${second.url}?schema=${schema}`, { cwd: site.folder, keys: 'sqlite:keys.db' });
      try {
        const beforeKill = run.acknowledged.slice(0, run.acknowledgedAtKill);
        const lost = await missingFrom(promoted.log, beforeKill);
        const report = await promoted.chain!.verify();
        console.log(
          `[failover, asynchronous] ${run.acknowledgedAtKill} commands acknowledged before the kill, ${run.acknowledgedAtKill - cutAt} of them after the standby was cut off; ` +
            `${lost.length} not in the promoted log; writes back ${run.backAfterMs} ms after the kill; chain ${report.intact ? `intact over ${report.events} events` : report.message}`,
        );
        // Everything the standby received survives; what is lost was acknowledged after the cut, and is the end of the log, never a hole.
        expect(await missingFrom(promoted.log, beforeKill.slice(0, cutAt))).toEqual([]);
        expect(lost.length).toBeGreaterThan(0);
        const firstLost = lost.reduce((min, l) => (l.position < min ? l.position : min), lost[0]!.position);
        expect(beforeKill.filter((a) => a.position >= firstLost).every((a) => lost.includes(a))).toBe(true);
        expect(report.intact).toBe(true);
      } finally {
        await promoted.close();
        await Promise.all(nodes.splice(0).map((n) => n.stop()));
      }
    } finally {
      await second.destroy();
    }
  }, 120_000);
});
