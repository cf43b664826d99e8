import { afterAll, describe, expect, it } from 'vitest';
import { openPostgresReadModelOwnership, type PostgresReadModelOwnership } from './read-model-leases.js';
import { openPostgresReadModelStorage, type PostgresReadModelStorage } from './read-model-storage.js';
import { schemaPool } from './test-support/database.js';

const schemas = schemaPool('rm_leases');
afterAll(() => schemas.dropAll());

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Two servers on one schema: each its own pool, storage and ownership. */
async function twoNodes(): Promise<[Node, Node]> {
  const schema = schemas.fresh();
  const open = async (): Promise<Node> => {
    const storage = await openPostgresReadModelStorage(await schemas.open({ schema }), { tables: false });
    return { storage, ownership: await openPostgresReadModelOwnership(storage) };
  };
  return [await open(), await open()];
}
interface Node {
  readonly storage: PostgresReadModelStorage;
  readonly ownership: PostgresReadModelOwnership;
}

const change = (position: bigint, expectedPosition: bigint | undefined) => ({
  documents: [{ key: `doc-${position}`, value: JSON.stringify({ at: Number(position) }) }],
  index: { remove: [], put: [] },
  position,
  eventsApplied: Number(position),
  expectedPosition,
});

describe('read-model leases', () => {
  it('one node holds a read model at a time; when its lease is not renewed, the other takes it over with the next epoch', async () => {
    const [a, b] = await twoNodes();
    expect(a.ownership.node).not.toBe(b.ownership.node);
    expect(await a.ownership.acquire('partner-history', 400)).toBe(1);
    expect(await b.ownership.acquire('partner-history', 400)).toBeUndefined();
    expect(await b.ownership.acquire('agreements-register', 400)).toBe(1); // another read model is free
    expect(await a.ownership.renew('partner-history', 1, 400)).toBe(true);
    await wait(500); // a pauses: no renewal
    expect(await a.ownership.renew('partner-history', 1, 400)).toBe(false);
    expect(await b.ownership.acquire('partner-history', 400)).toBe(2);
    expect((await a.ownership.leases()).find((l) => l.readModel === 'partner-history')).toMatchObject({ owner: b.ownership.node, epoch: 2, expired: false });
    await b.ownership.release('partner-history', 2);
    expect(await a.ownership.acquire('partner-history', 400)).toBe(3); // released: taken at once
  });

  it('hold waits for a dead holder\'s lease to expire, then keeps renewing it past its duration', async () => {
    const [a, b] = await twoNodes();
    expect(await a.ownership.acquire('partner-history', 300)).toBe(1); // a "dies": never renews
    const started = Date.now();
    const held = await b.ownership.hold('partner-history', { leaseMs: 400 });
    const tookMs = Date.now() - started;
    expect(held?.epoch).toBe(2);
    expect(tookMs).toBeGreaterThanOrEqual(200);
    expect(tookMs).toBeLessThan(1_500);
    await wait(900); // three lease durations: renewed all along
    expect(held!.lost.aborted).toBe(false);
    expect(await a.ownership.acquire('partner-history', 300)).toBeUndefined();
    await held!.release();
    expect(held!.lost.aborted).toBe(true);
    expect(await a.ownership.acquire('partner-history', 300)).toBe(3);
  });

  it('fencing: a node whose lease expired (paused, then woken) cannot commit; the new holder resumes from the last committed checkpoint', async () => {
    const [a, b] = await twoNodes();
    const name = 'partner-history';
    const epochA = (await a.ownership.acquire(name, 300))!;
    const stale = a.ownership.fencedStorage(name, epochA);
    const { generation } = await stale.create(name, 1);
    await stale.activate(name, generation);
    await stale.commit(name, generation, change(5n, undefined));

    await wait(400); // a is paused past its lease; b takes over
    const epochB = (await b.ownership.acquire(name, 5_000))!;
    expect(epochB).toBe(epochA + 1);

    // a wakes and commits what it folded meanwhile: refused, nothing written.
    await expect(stale.commit(name, generation, change(7n, 5n))).rejects.toMatchObject({ code: 'concurrent-runner', message: expect.stringContaining('(fencing)') });
    await expect(stale.create(name, 1)).rejects.toMatchObject({ code: 'concurrent-runner' });
    const [active] = await b.storage.generations(name);
    expect(active).toMatchObject({ generation, position: 5n });
    expect([...(await b.storage.documents(name, generation, ['doc-5', 'doc-7'])).keys()]).toEqual(['doc-5']);

    // b resumes from position 5 and commits.
    const fresh = b.ownership.fencedStorage(name, epochB);
    await fresh.commit(name, generation, change(7n, 5n));
    expect((await b.storage.generations(name))[0]!.position).toBe(7n);
    // A holder's storage writes only the read model it holds.
    await expect(fresh.create('agreements-register', 1)).rejects.toMatchObject({ code: 'concurrent-runner' });
  });

  it('a takeover waits for a commit in flight: the commit holds the lease row until it ends', async () => {
    const [a, b] = await twoNodes();
    const name = 'partner-history';
    const epochA = (await a.ownership.acquire(name, 300))!;
    const storage = a.ownership.fencedStorage(name, epochA);
    const { generation } = await storage.create(name, 1);
    // A commit whose transaction is held open past the lease's end (a slow server, a long write).
    const client = await a.storage.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT 1 FROM ${a.storage.schema}.read_model_leases WHERE read_model = $1 AND epoch = $2 FOR SHARE`, [name, epochA]);
      await wait(400);
      const takeover = b.ownership.acquire(name, 5_000);
      const first = await Promise.race([takeover.then(() => 'takeover'), wait(200).then(() => 'still waiting')]);
      expect(first).toBe('still waiting');
      await client.query('COMMIT');
      expect(await takeover).toBe(epochA + 1);
    } finally {
      client.release();
    }
    expect(generation).toBe(1);
  });

  it('a holder paused inside a write (its transaction idle) blocks a takeover for one lease duration at most: the server ends that transaction', async () => {
    const [a, b] = await twoNodes();
    const name = 'partner-history';
    const epochA = (await a.ownership.acquire(name, 300))!;
    const client = await a.storage.pool.connect();
    client.on('error', () => undefined);
    try {
      await client.query('BEGIN');
      // What a fenced write runs first; then the holder "pauses" with the transaction open.
      await client.query(`SELECT set_config('idle_in_transaction_session_timeout', '300ms', true), 1 FROM ${a.storage.schema}.read_model_leases WHERE read_model = $1 AND epoch = $2 FOR SHARE`, [name, epochA]);
      const started = Date.now();
      let epoch: number | undefined;
      while (epoch === undefined && Date.now() - started < 5_000) {
        epoch = await b.ownership.acquire(name, 5_000);
        if (epoch === undefined) await wait(50);
      }
      expect(epoch).toBe(epochA + 1);
      expect(Date.now() - started).toBeLessThan(2_000);
      await expect(client.query('COMMIT')).rejects.toThrow(); // its session was ended
    } finally {
      client.release(true);
    }
  });
});
