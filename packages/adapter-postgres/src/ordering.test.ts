import { newTestEvent } from '@taawun/domain/testing';
import type { ExpectedRevision, StoredEvent } from '@taawun/domain';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresEventStore } from './event-store.js';
import { installDelayTrigger } from './test-support/delay-trigger.js';
import { adminClient, schemaPool } from './test-support/database.js';

const schemas = schemaPool('ordering');
let admin: pg.Client;
beforeAll(async () => {
  admin = await adminClient();
});
afterAll(async () => {
  await admin.end();
  await schemas.dropAll();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wait until a backend of this application is sleeping inside the delay trigger. */
async function untilSleeping(applicationName: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const { rowCount } = await admin.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event = 'PgSleep'`, [applicationName]);
    if (rowCount) return;
    await sleep(10);
  }
  throw new Error(`no backend of ${applicationName} reached the delay trigger`);
}

/** A reader that persists a checkpoint and reads everything after it, over and over (a projection's catch-up loop). */
function checkpointingReader(store: PostgresEventStore) {
  const seen: StoredEvent[] = [];
  let checkpoint: bigint | undefined;
  return {
    seen,
    async readOnce(): Promise<void> {
      for await (const event of store.readAll({ ...(checkpoint === undefined ? {} : { after: checkpoint }), pageSize: 7 })) {
        seen.push(event);
        checkpoint = event.position;
      }
    },
    get checkpoint() {
      return checkpoint;
    },
  };
}

describe('global order under concurrency', () => {
  it('control: with a sequence, a checkpointing reader does skip an event committed late (the hazard this design avoids)', async () => {
    const s = pg.escapeIdentifier(schemas.fresh());
    await admin.query(`CREATE SCHEMA ${s}; CREATE TABLE ${s}.naive (position bigserial PRIMARY KEY, id text NOT NULL)`);
    const slow = await adminClient();
    try {
      await slow.query('BEGIN');
      await slow.query(`INSERT INTO ${s}.naive (id) VALUES ('slow')`); // takes position 1, not committed yet
      await admin.query(`INSERT INTO ${s}.naive (id) VALUES ('fast')`); // takes position 2, committed
      const read = async (after: number) => (await admin.query<{ position: string; id: string }>(`SELECT position, id FROM ${s}.naive WHERE position > $1 ORDER BY position`, [after])).rows;
      const first = await read(0);
      const checkpoint = Number(first[first.length - 1]!.position);
      await slow.query('COMMIT');
      const second = await read(checkpoint);
      expect([...first, ...second].map((r) => r.id)).toEqual(['fast']); // 'slow' is lost for ever
    } finally {
      await slow.end();
    }
  });

  it('a later append waits for the one in flight, and a reader never sees it first', async () => {
    const slowWriter = await schemas.open({}, { application_name: 'taawun-ordering-slow' });
    const fastWriter = await schemas.open({ schema: slowWriter.schema });
    const readerStore = await schemas.open({ schema: slowWriter.schema });
    await installDelayTrigger(admin, slowWriter.schema);

    const reader = checkpointingReader(readerStore);
    const snapshots: string[][] = [];
    let writing = true;
    const reading = (async () => {
      while (writing) {
        await reader.readOnce();
        snapshots.push(reader.seen.map((e) => e.stream));
        await sleep(5);
      }
    })();

    const slow = slowWriter.append('sleep600-first', [newTestEvent('Slow')], { expectedRevision: 'no-stream' });
    await untilSleeping('taawun-ordering-slow');
    const fast = fastWriter.append('second', [newTestEvent('Fast')], { expectedRevision: 'no-stream' });
    const [slowResult, fastResult] = await Promise.all([slow, fast]);
    writing = false;
    await reading;
    await reader.readOnce();

    expect(slowResult.ok && slowResult.events[0]!.position).toBe(1n);
    expect(fastResult.ok && fastResult.events[0]!.position).toBe(2n);
    expect(reader.seen.map((e) => e.stream)).toEqual(['sleep600-first', 'second']);
    expect(snapshots.some((seen) => seen.length === 1 && seen[0] === 'second')).toBe(false);
  });

  it('many writers on separate pools, widened commit windows: live readers checkpointing as they go get every committed event exactly once', async () => {
    const WRITERS = 8;
    const BATCHES = 20;
    const first = await schemas.open({}, { max: 2 });
    const schema = first.schema;
    await installDelayTrigger(admin, schema);
    const writers = [first, ...(await Promise.all(Array.from({ length: WRITERS - 1 }, () => schemas.open({ schema }, { max: 2 }))))];
    // Readers on their own pools: they learn of commits only through the database (NOTIFY, polling).
    const pollingStore = await schemas.open({ schema, listen: false, pollIntervalMs: 50 });
    const followingStore = await schemas.open({ schema, pollIntervalMs: 5_000 });

    const acknowledged: StoredEvent[] = [];
    let writing = true;

    const poller = checkpointingReader(pollingStore);
    const polling = (async () => {
      while (writing) {
        await poller.readOnce();
        await sleep(Math.random() * 4);
      }
    })();

    // The follower stops and resumes from its checkpoint every 25 events, like a projection restarting.
    const followed: StoredEvent[] = [];
    let followCheckpoint: bigint | undefined;
    let finalPosition: bigint | undefined;
    const following = (async () => {
      while (finalPosition === undefined || followCheckpoint !== finalPosition) {
        const controller = new AbortController();
        let taken = 0;
        const stopAtEnd = setInterval(() => finalPosition !== undefined && followCheckpoint === finalPosition && controller.abort(), 20);
        try {
          for await (const event of followingStore.follow({ ...(followCheckpoint === undefined ? {} : { after: followCheckpoint }), signal: controller.signal })) {
            followed.push(event);
            followCheckpoint = event.position;
            if (++taken === 25) controller.abort();
          }
        } finally {
          clearInterval(stopAtEnd);
        }
      }
    })();

    await Promise.all(
      writers.map(async (store, w) => {
        const revisions = new Map<string, ExpectedRevision>();
        for (let b = 0; b < BATCHES; b++) {
          // Own streams with exact expected revisions, plus a shared stream everyone races on with `any`.
          const shared = b % 4 === 3;
          const stream = shared ? `sleep${b % 3}-shared` : `sleep${Math.floor(Math.random() * 4)}-w${w}-s${b % 3}`;
          const expected = shared ? 'any' : (revisions.get(stream) ?? 'no-stream');
          const events = Array.from({ length: 1 + Math.floor(Math.random() * 5) }, (_, i) => newTestEvent('Written', { w, b, i }));
          const result = await store.append(stream, events, { expectedRevision: expected });
          expect(result.ok).toBe(true);
          if (!result.ok) return;
          revisions.set(stream, result.nextExpectedRevision);
          acknowledged.push(...result.events);
        }
      }),
    );
    writing = false;
    finalPosition = await pollingStore.lastPosition();
    await polling;
    await poller.readOnce();
    await following;

    const expected = [...acknowledged].sort((a, b) => (a.position < b.position ? -1 : 1));
    expect(expected.map((e) => e.position)).toEqual(expected.map((_, i) => BigInt(i + 1))); // gap-free
    expect(finalPosition).toBe(BigInt(expected.length));
    for (const seen of [poller.seen, followed]) {
      expect(seen.map((e) => e.id)).toEqual(expected.map((e) => e.id)); // each committed event once, in order
    }
    expect(await first.verify()).toMatchObject({ intact: true, events: expected.length });
  }, 60_000);
});
