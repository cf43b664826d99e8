import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { EventToAppend, StoredEvent } from '@taawun/domain';
import { newTestEvent } from '@taawun/domain/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installDelayTrigger } from './test-support/delay-trigger.js';
import { TEST_DATABASE_URL, adminClient, schemaPool } from './test-support/database.js';

const schemas = schemaPool('faults');
let admin: pg.Client;
beforeAll(async () => {
  admin = await adminClient();
  // The writer child runs the built package: build it (a no-op when current).
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const build = spawnSync(process.execPath, [tsc, '-b', fileURLToPath(new URL('..', import.meta.url))], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`building adapter-postgres failed:\n${build.stdout}${build.stderr}`);
}, 120_000);
afterAll(async () => {
  await admin.end();
  await schemas.dropAll();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wait until a backend of this application is waiting on `waitEvent` (a pg_stat_activity wait_event). */
async function untilWaiting(applicationName: string, waitEvent: 'PgSleep' | 'transactionid'): Promise<void> {
  for (let i = 0; i < 1_000; i++) {
    const { rowCount } = await admin.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event = $2`, [applicationName, waitEvent]);
    if (rowCount) return;
    await sleep(10);
  }
  throw new Error(`no backend of ${applicationName} reached ${waitEvent}`);
}

async function untilGone(applicationName: string): Promise<void> {
  for (let i = 0; i < 1_000; i++) {
    const { rowCount } = await admin.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = $1`, [applicationName]);
    if (!rowCount) return;
    await sleep(10);
  }
  throw new Error(`the backend of ${applicationName} did not end`);
}

const within = <T>(ms: number, promise: Promise<T>, what: string): Promise<T> =>
  Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms))]);

describe('a client dying mid-transaction', () => {
  it('SIGKILL of a writer process while its batch is half inserted leaves no partial batch; the lock is freed; a retry succeeds', async () => {
    const child = fileURLToPath(new URL('./test-support/append-child.mjs', import.meta.url));

    const store = await schemas.open();
    await installDelayTrigger(admin, store.schema);
    await store.append('before', [newTestEvent()], { expectedRevision: 'no-stream' });
    const app = `taawun-kill-${process.pid}`;
    // 1,500 events are two INSERT statements; the trigger sleeps after the first, with 1,000 rows written but not committed.
    const writer = spawn(process.execPath, [child, TEST_DATABASE_URL, store.schema, app, 'sleep1500-victim', '1500'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    writer.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => writer.on('exit', (_code, signal) => resolve(signal)));
    await untilWaiting(app, 'PgSleep');
    const inFlight = await admin.query(`SELECT xact_start IS NOT NULL AS open FROM pg_stat_activity WHERE application_name = $1`, [app]);
    expect(inFlight.rows).toEqual([{ open: true }]);
    writer.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    await untilGone(app); // the server notices the dead client and rolls back

    const batch = JSON.parse(output.split('\n')[0]!) as EventToAppend[];
    expect(batch).toHaveLength(1500);
    expect(output).not.toContain('committed');
    expect(await store.readStream('sleep1500-victim')).toEqual([]);
    expect((await admin.query(`SELECT count(*)::int AS n FROM ${pg.escapeIdentifier(store.schema)}.events`)).rows[0].n).toBe(1);
    const after = await within(2_000, store.append('after', [newTestEvent()], { expectedRevision: 'no-stream' }), 'an append after the kill');
    expect(after.ok && after.events[0]!.position).toBe(2n);
    const retry = await store.append('sleep0-victim', batch, { expectedRevision: 'no-stream' });
    expect(retry.ok && retry.events.length).toBe(1500);
    expect(await store.verify()).toMatchObject({ intact: true, events: 1502 });
  }, 30_000);

  it('pg_terminate_backend of an appending session: a clear unavailable error, nothing written, the store keeps working', async () => {
    const app = `taawun-terminate-${process.pid}`;
    const store = await schemas.open({}, { application_name: app });
    await installDelayTrigger(admin, store.schema);
    const events = Array.from({ length: 1200 }, (_, i) => newTestEvent('Terminated', { i }));
    const append = store.append('sleep2000-t', events, { expectedRevision: 'no-stream' }).catch((e: unknown) => e);
    await untilWaiting(app, 'PgSleep');
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND wait_event = 'PgSleep'`, [app]);
    const error = await append;
    expect(error).toMatchObject({ name: 'EventStoreError', code: 'unavailable' });
    expect((error as Error).message).toMatch(/127\.0\.0\.1:5432/);
    expect(await store.readStream('sleep2000-t')).toEqual([]);
    const retry = await store.append('sleep0-t', events, { expectedRevision: 'no-stream' });
    expect(retry.ok && retry.events.map((e) => e.position)).toEqual(events.map((_, i) => BigInt(i + 1)));
  }, 30_000);
});

describe('the unique constraints, the last line of defence', () => {
  /** A raw transaction that writes without the store's lock, held open until `commit`. */
  async function rogueWriter(schema: string, row: { position: number; stream: string; revision: number; id: string }) {
    const rogue = await adminClient();
    await rogue.query('BEGIN');
    await rogue.query(
      `INSERT INTO ${pg.escapeIdentifier(schema)}.events (position, stream, revision, id, type, schema_version, recorded_at, data, metadata, hash)
       VALUES ($1, $2, $3, $4, 'Rogue', 1, '2024-01-01T00:00:00.000Z', '{}', '{}', 'x')`,
      [row.position, row.stream, row.revision, row.id],
    );
    return {
      commit: async () => {
        await rogue.query('COMMIT');
        await rogue.end();
      },
    };
  }

  it('a (stream, revision) taken behind the store’s back becomes a clean conflict', async () => {
    const app = `taawun-unique-${process.pid}`;
    const store = await schemas.open({}, { application_name: app });
    const rogue = await rogueWriter(store.schema, { position: 1_000_000, stream: 'contested', revision: 0, id: crypto.randomUUID() });
    const append = store.append('contested', [newTestEvent()], { expectedRevision: 'no-stream' });
    await untilWaiting(app, 'transactionid'); // blocked on the rogue row in the unique index
    await rogue.commit();
    expect(await append).toEqual({ ok: false, error: { code: 'wrong-expected-revision', stream: 'contested', expected: 'no-stream', actual: 0 } });
    expect((await store.readStream('contested')).map((e) => e.type)).toEqual(['Rogue']);
    expect((await store.append('next', [newTestEvent()], { expectedRevision: 'no-stream' })).ok).toBe(true);
  });

  it('an event id taken behind the store’s back becomes duplicate-event-id', async () => {
    const app = `taawun-unique-id-${process.pid}`;
    const store = await schemas.open({}, { application_name: app });
    const event = newTestEvent();
    const rogue = await rogueWriter(store.schema, { position: 1_000_000, stream: 'elsewhere', revision: 0, id: event.id });
    const append = store.append('mine', [event], { expectedRevision: 'no-stream' }).catch((e: unknown) => e);
    await untilWaiting(app, 'transactionid');
    await rogue.commit();
    expect(await append).toMatchObject({ code: 'duplicate-event-id' });
    expect(await store.readStream('mine')).toEqual([]);
  });

  it('an id already stored in another stream is refused with duplicate-event-id, writing nothing', async () => {
    const store = await schemas.open();
    const event = newTestEvent();
    await store.append('a', [event], { expectedRevision: 'no-stream' });
    await expect(store.append('b', [newTestEvent(), event], { expectedRevision: 'no-stream' })).rejects.toMatchObject({ code: 'duplicate-event-id' });
    expect(await store.readStream('b')).toEqual([]);
    expect(await store.lastPosition()).toBe(1n);
  });
});

describe('following', () => {
  async function firstFollowed(follower: { follow: (o: { signal: AbortSignal }) => AsyncIterable<StoredEvent> }, write: () => Promise<unknown>): Promise<StoredEvent> {
    const controller = new AbortController();
    const iterator = follower.follow({ signal: controller.signal })[Symbol.asyncIterator]();
    const next = iterator.next();
    await sleep(100); // the follower has caught up and is waiting
    await write();
    const { value } = await within(3_000, next, 'delivery to the follower');
    controller.abort();
    await iterator.return?.();
    return value as StoredEvent;
  }

  it('wakes on NOTIFY from a writer on another pool, long before its poll interval', async () => {
    const follower = await schemas.open({ pollIntervalMs: 60_000 });
    const writer = await schemas.open({ schema: follower.schema });
    const event = newTestEvent();
    const got = await firstFollowed(follower, () => writer.append('notified', [event], { expectedRevision: 'no-stream' }));
    expect(got.id).toBe(event.id);
  });

  it('without LISTEN it polls', async () => {
    const follower = await schemas.open({ listen: false, pollIntervalMs: 100 });
    const writer = await schemas.open({ schema: follower.schema });
    const event = newTestEvent();
    const got = await firstFollowed(follower, () => writer.append('polled', [event], { expectedRevision: 'no-stream' }));
    expect(got.id).toBe(event.id);
  });

  it('when its LISTEN connection is killed it keeps delivering, then listens again', async () => {
    const app = `taawun-follow-${process.pid}`;
    const follower = await schemas.open({ pollIntervalMs: 200 }, { application_name: app });
    const writer = await schemas.open({ schema: follower.schema });
    const controller = new AbortController();
    const seen: StoredEvent[] = [];
    const following = (async () => {
      for await (const e of follower.follow({ signal: controller.signal })) seen.push(e);
    })();
    await writer.append('s', [newTestEvent()], { expectedRevision: 'any' });
    await within(3_000, (async () => { while (seen.length < 1) await sleep(10); })(), 'first delivery');
    const killed = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [`${app}-listener`]);
    expect(killed.rowCount).toBe(1);
    await writer.append('s', [newTestEvent()], { expectedRevision: 'any' });
    await within(3_000, (async () => { while (seen.length < 2) await sleep(10); })(), 'delivery after the kill');
    await within(5_000, (async () => {
      while (!(await admin.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = $1`, [`${app}-listener`])).rowCount) await sleep(50);
    })(), 'listening again');
    controller.abort();
    await following;
    expect(seen.map((e) => e.position)).toEqual([1n, 2n]);
  });

  it('closing the store ends a waiting follower with a closed error', async () => {
    const store = await schemas.open();
    const following = (async () => {
      for await (const _ of store.follow()) void _;
    })().catch((e: unknown) => e);
    await sleep(100);
    await store.close();
    expect(await within(2_000, following, 'the follower ending')).toMatchObject({ code: 'closed' });
    await expect(store.append('x', [newTestEvent()], { expectedRevision: 'any' })).rejects.toMatchObject({ code: 'closed' });
  });
});
