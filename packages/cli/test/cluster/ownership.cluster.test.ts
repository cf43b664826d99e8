import { InMemoryReadModelStorage, ProjectionRunner, activeGeneration, exportActiveModel, projections } from '@taawun/projections';
import { openRuntime, type Runtime } from '@taawun/runtime';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporaryFolder } from '../support.js';
import { command, eventually, prepareSite, startNode, startPostgres, type PostgresServer, type ServerNode, type Site } from './harness.js';

// Several `taawun serve` nodes on one throwaway PostgreSQL primary: each read model
// built by one node at a time (a lease with a fencing epoch), taken over when it dies.

const LEASE_SECONDS = 1.5;
const readModelNames = Object.keys(projections);

let server: PostgresServer;
let folder: { path: string; remove: () => Promise<void> };
const nodes: ServerNode[] = [];

beforeAll(async () => {
  server = await startPostgres('ownership');
  folder = await temporaryFolder('cluster');
}, 90_000);
afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  await server?.destroy();
  await folder?.remove();
});

interface Lease {
  readonly readModel: string;
  readonly owner: string;
  readonly epoch: number;
  readonly live: boolean;
}

async function leases(schema: string): Promise<Lease[]> {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ read_model: string; owner: string; epoch: string; live: boolean }>(
      `SELECT read_model, owner, epoch, expires_at > clock_timestamp() AS live FROM ${schema}.read_model_leases ORDER BY read_model`,
    );
    return rows.map((r) => ({ readModel: r.read_model, owner: r.owner, epoch: Number(r.epoch), live: r.live }));
  } finally {
    await client.end();
  }
}

const ownerPid = (lease: Lease) => Number(lease.owner.split(':').at(-2));
const builderOf = (all: readonly Lease[], name: string) => all.find((l) => l.readModel === name && l.live);

async function startNodes(site: Site, count: number, label: string): Promise<ServerNode[]> {
  const started = await Promise.all(Array.from({ length: count }, (_, i) => startNode(site, `${label}-${i + 1}`, ['--lease', String(LEASE_SECONDS)])));
  nodes.push(...started);
  return started;
}

/** Every read model held by a live lease, each by one of `among`. */
const everyReadModelHeld = (schema: string, among: readonly ServerNode[]) => async () => {
  const all = await leases(schema);
  const held = readModelNames.map((name) => builderOf(all, name));
  return held.every((l) => l && among.some((n) => n.pid === ownerPid(l))) ? all : undefined;
};

/** Wait until every stored read model reached the log's head, then compare each with a fresh replay of the log. */
async function expectEveryReadModelEqualsAFreshReplay(runtime: Runtime): Promise<void> {
  const opened = (await runtime.openReadModelsBesideLog())!;
  try {
    const head = await runtime.store.lastPosition();
    for (const name of readModelNames) {
      await eventually(`read model ${name} at the log's head (${head})`, async () => ((await activeGeneration(opened.storage, name))?.position === head ? true : undefined));
      const memory = new InMemoryReadModelStorage();
      await new ProjectionRunner(projections[name]!, { store: runtime.store, storage: memory }).rebuild();
      const [stored, fresh] = [await activeGeneration(opened.storage, name), await activeGeneration(memory, name)];
      expect({ name, position: stored?.position, eventsApplied: stored?.eventsApplied }).toEqual({ name, position: fresh?.position, eventsApplied: fresh?.eventsApplied });
      expect(await exportActiveModel(opened.storage, name), `read model ${name}`).toBe(await exportActiveModel(memory, name));
    }
  } finally {
    await opened.close();
  }
}

const partner = (partnerId: string) => ({ partnerId, name: { fr: `Partenaire ${partnerId}`, en: `Partner ${partnerId}` }, kind: 'school', country: 'FR' });

describe('several taawun serve nodes on one PostgreSQL primary', () => {
  it('three nodes take commands; the read models\' builder is SIGKILLed mid-load; another takes over within the lease, and every read model equals a fresh replay', async () => {
    const schema = 'cluster_takeover';
    const site = await prepareSite(folder.path, `${server.url}?schema=${schema}`, schema);
    const three = await startNodes(site, 3, 'takeover');
    const before = await eventually('every read model built by one of the three nodes', everyReadModelHeld(schema, three));
    const builder = three.find((n) => n.pid === ownerPid(builderOf(before, 'partner-history')!))!;
    const heldByBuilder = before.filter((l) => ownerPid(l) === builder.pid).map((l) => l.readModel);

    // A bounded load: 40 rounds of one command to each node; the builder is killed at round 15.
    const acknowledged: string[] = [];
    const survivors = three.filter((n) => n !== builder);
    let takeover: Promise<{ leases: Lease[]; ms: number }> | undefined;
    for (let round = 0; round < 40; round++) {
      if (round === 15) {
        builder.signal('SIGKILL');
        const killedAt = Date.now();
        // Watched while the load goes on: when did the survivors hold every read model again?
        takeover = eventually('the dead builder\'s read models taken over', everyReadModelHeld(schema, survivors), 30_000, 50).then((leases) => ({ leases, ms: Date.now() - killedAt }));
      }
      const sent = await Promise.all(
        three.map(async (node, i) => {
          const partnerId = `partner-${round}-${i}`;
          return { partnerId, ...(await command(node, site.key, 'register-partner', partner(partnerId))) };
        }),
      );
      for (const s of sent) if (s.status === 200) acknowledged.push(s.partnerId);
      // Commands to the dead node fail; every other one succeeds.
      expect(sent.filter((s, i) => s.status !== 200 && three[i] !== builder)).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const { leases: after, ms: takeoverMs } = await takeover!;
    for (const name of heldByBuilder) expect(builderOf(after, name)!.epoch).toBeGreaterThan(builderOf(before, name)!.epoch);
    // Within the takeover bound of the last renewal, give or take a loaded machine's scheduling.
    expect(takeoverMs, `taken over ${takeoverMs} ms after the kill`).toBeLessThan(LEASE_SECONDS * 1000 + 3_000);
    expect(acknowledged.length).toBeGreaterThanOrEqual(40 * 2);

    const runtime = await openRuntime(site.store, { cwd: site.folder, keys: 'sqlite:keys.db' });
    try {
      const registered = new Set<string>();
      for await (const e of runtime.store.readAll()) if (e.type === 'PartnerRegistered') registered.add((e.data as { partnerId: string }).partnerId);
      for (const id of acknowledged) expect(registered.has(id), `acknowledged ${id} is in the log`).toBe(true);
      await expectEveryReadModelEqualsAFreshReplay(runtime);
    } finally {
      await runtime.close();
    }
    // Every surviving node answers reads from the shared tables.
    for (const node of survivors) {
      const response = await fetch(`${node.url}/read-models/partner-history?partnerId=${acknowledged.at(-1)}`, { headers: { authorization: `Bearer ${site.key}` } });
      expect(response.status).toBe(200);
    }
    const taker = survivors.find((n) => n.log().includes('built by this server'));
    expect(taker, 'a survivor logged that it builds a read model').toBeDefined();
  }, 90_000);

  it('fencing: a builder paused (SIGSTOP) past its lease, then woken, does not commit; the node that took over does', async () => {
    const schema = 'cluster_fencing';
    const site = await prepareSite(folder.path, `${server.url}?schema=${schema}`, schema);
    const two = await startNodes(site, 2, 'fencing');
    const before = await eventually('every read model built by one of the two nodes', everyReadModelHeld(schema, two));
    const stale = two.find((n) => n.pid === ownerPid(builderOf(before, 'partner-history')!))!;
    const other = two.find((n) => n !== stale)!;
    const staleEpoch = builderOf(before, 'partner-history')!.epoch;

    try {
      await pauseAndWake(schema, site, stale, other, staleEpoch);
    } catch (error) {
      (error as Error).message += `\nthe paused node's log (pid ${stale.pid}):\n${stale.log()}\nthe other node's log (pid ${other.pid}):\n${other.log()}`;
      throw error;
    }
  }, 60_000);
});

async function pauseAndWake(schema: string, site: Site, stale: ServerNode, other: ServerNode, staleEpoch: number): Promise<void> {
  stale.signal('SIGSTOP');
  for (let i = 0; i < 5; i++) expect((await command(other, site.key, 'register-partner', partner(`while-paused-${i}`))).status).toBe(200);
  // The other node takes the read model over, with a newer epoch, while the paused one still believes it holds it.
  const taken = await eventually('partner-history taken over from the paused node', async () => {
    const lease = builderOf(await leases(schema), 'partner-history');
    return lease && ownerPid(lease) === other.pid ? lease : undefined;
  });
  expect(taken.epoch).toBeGreaterThan(staleEpoch);

  stale.signal('SIGCONT');
  // Woken, it either notices by its own clock that its lease ran out, or tries to commit first and is refused by the
  // database: by the fence, or because the server already ended the transaction it was frozen in (lock_timeout /
  // idle_in_transaction_session_timeout of one lease), so the write never commits either way.
  await eventually(
    'the woken node noticed it lost its lease, or was refused',
    async () => (/partner-history: (lost its lease of epoch \d+|.*the write is refused \(fencing\)|following failed \(.*(unavailable|terminat))/.test(stale.log()) ? true : undefined),
    10_000,
  );
  // Both take commands again; the woken one waits its turn to build.
  for (let i = 0; i < 5; i++) {
    expect((await command(stale, site.key, 'register-partner', partner(`after-wake-${i}`))).status).toBe(200);
    expect((await command(other, site.key, 'register-partner', partner(`after-wake-other-${i}`))).status).toBe(200);
  }
  // The woken node never wrote with its old epoch; it may build again later only with a newer one.
  await eventually('partner-history held with an epoch at least the takeover\'s', async () =>
    (builderOf(await leases(schema), 'partner-history')?.epoch ?? 0) >= taken.epoch ? true : undefined,
  );

  const runtime = await openRuntime(site.store, { cwd: site.folder, keys: 'sqlite:keys.db' });
  try {
    await expectEveryReadModelEqualsAFreshReplay(runtime);
  } finally {
    await runtime.close();
  }
}
