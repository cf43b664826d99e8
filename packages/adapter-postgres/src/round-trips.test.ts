import fc from 'fast-check';
import type { PoolClient } from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { handle, StateCache } from '@taawun/domain';
import { deterministicContext, newTestEvent } from '@taawun/domain/testing';
import type { PostgresEventStore } from './event-store.js';
import { schemaPool } from './test-support/database.js';

const schemas = schemaPool('round_trips');
afterAll(() => schemas.dropAll());

/** The statements a store sends from now on (each `query` call on its pool's connections is one round trip). */
function sentBy(store: PostgresEventStore): string[] {
  const sent: string[] = [];
  store.pool.on('acquire', (client: PoolClient & { counted?: boolean }) => {
    if (client.counted) return;
    client.counted = true;
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      sent.push(String(typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text));
      return query(...args);
    };
  });
  return sent;
}

const event = (n: number) => newTestEvent('TestRecorded', { n });

describe('round trips of the PostgreSQL store', () => {
  it('an append after this store\'s own commit is one round trip; after another store\'s commit it decides under the lock again', async () => {
    const schema = schemas.fresh();
    const store = await schemas.open({ schema, listen: false });
    const other = await schemas.open({ schema, listen: false });
    await store.append('partner-a', [event(0)], { expectedRevision: 'no-stream' });
    const sent = sentBy(store);

    expect(await store.append('partner-a', [event(1), event(2)], { expectedRevision: 0 })).toMatchObject({ ok: true, nextExpectedRevision: 2 });
    expect(await store.append('partner-b', [event(3)], { expectedRevision: 'no-stream' })).toMatchObject({ ok: true, nextExpectedRevision: 0 });
    expect(sent).toHaveLength(2);

    await other.append('partner-c', [event(4)], { expectedRevision: 'no-stream' });
    sent.length = 0;
    const afterOther = await store.append('partner-a', [event(5)], { expectedRevision: 2 });
    expect(afterOther).toMatchObject({ ok: true, events: [{ position: 6n, revision: 3 }] });
    // The one-round-trip attempt saw the other store's head and wrote nothing; the general path wrote it
    // (the lock and the facts, the tree's edge read again since another store moved it, the rows and the commit).
    expect(sent[0]).toMatch(/SELECT "[^"]+"\.append_at_head\(/);
    expect(sent[1]).toMatch(/SET LOCAL idle_in_transaction_session_timeout/);
    expect(sent.at(-1)).toMatch(/WITH inserted AS[\s\S]*COMMIT/);
    expect((await store.readStream('partner-a')).map((e) => e.position)).toEqual([1n, 2n, 3n, 6n]);
    expect(await store.verify()).toMatchObject({ intact: true, events: 6 });
  });

  it('after its own commit, a stale revision is still a conflict, a retried batch is still written once, a stored id is still refused', async () => {
    const store = await schemas.open({ listen: false });
    const first = [event(0), event(1)];
    await store.append('session-x', first, { expectedRevision: 'no-stream' });

    expect(await store.append('session-x', [event(2)], { expectedRevision: 0 })).toEqual({
      ok: false,
      error: { code: 'wrong-expected-revision', stream: 'session-x', expected: 0, actual: 1 },
    });
    expect(await store.append('session-x', [event(2)], { expectedRevision: 'no-stream' })).toMatchObject({ ok: false, error: { actual: 1 } });
    expect(await store.append('session-x', [event(2)], { expectedRevision: 2 ** 40 })).toMatchObject({ ok: false, error: { actual: 1 } });
    const retried = await store.append('session-x', first, { expectedRevision: 'no-stream' });
    expect(retried).toMatchObject({ ok: true, nextExpectedRevision: 1 });
    await expect(store.append('session-y', [first[0]!], { expectedRevision: 'no-stream' })).rejects.toMatchObject({ code: 'duplicate-event-id' });
    expect(await store.readStream('session-x')).toHaveLength(2);
    expect(await store.lastPosition()).toBe(2n);
    expect(await store.verify()).toMatchObject({ intact: true, events: 2 });
  });

  it('a command on a stream whose state this process keeps is one round trip: the append, which checks the event it follows', async () => {
    const schema = schemas.fresh();
    const store = await schemas.open({ schema, listen: false });
    const other = await schemas.open({ schema, listen: false });
    const context = { ...deterministicContext(), stateCache: new StateCache() };
    await handle(store, { type: 'RegisterPartner', partnerId: 'enm', name: { fr: 'ENM' }, kind: 'school' }, context);
    const sent = sentBy(store);

    const rename = (name: string, effectiveOn: string) => ({ type: 'RenamePartner', partnerId: 'enm', name: { fr: name }, effectiveOn }) as const;
    expect(await handle(store, rename('École', '2008'), context)).toMatchObject({ ok: true, value: { revision: 1 } });
    expect(sent).toHaveLength(1);
    // The event it follows named: the function checks it is still the stream's last.
    expect(sent[0]).toMatch(/append_at_head\(\d+, '[0-9a-f]{64}', 'partner-enm', 0::integer, '[0-9a-f-]{36}', ARRAY\[\]::text\[\],[\s\S]*COMMIT/);

    // Another process moves the stream: the append conflicts, the stream is read from the kept revision, decided again.
    const theirs = { ...deterministicContext('other-clerk'), newId: () => crypto.randomUUID(), stateCache: new StateCache() };
    expect(await handle(other, rename('ENM', '2010'), theirs)).toMatchObject({ ok: true, value: { revision: 2 } });
    sent.length = 0;
    expect(await handle(store, rename('École nationale', '2012'), context)).toMatchObject({ ok: true, value: { revision: 3 } });
    expect(sent.filter((text) => /FROM .*events\s+WHERE stream = \$1/.test(text))).toHaveLength(1);
    expect(context.stateCache.stats).toMatchObject({ unread: 1 });
    expect((await store.readStream('partner-enm')).map((e) => e.metadata.actor)).toEqual(['test-clerk', 'test-clerk', 'other-clerk', 'test-clerk']);
  });

  it('the records an append requires are checked in its one round trip; those whose first event this store has seen are not asked for', async () => {
    const schema = schemas.fresh();
    const store = await schemas.open({ schema, listen: false });
    const other = await schemas.open({ schema, listen: false });
    await other.append('participant-theirs', [event(2)], { expectedRevision: 'no-stream' });
    const first = await store.append('session-a', [event(0)], { expectedRevision: 'no-stream' });
    await store.append('partner-mine', [event(1)], { expectedRevision: 'no-stream' });
    if (!first.ok) throw new Error('the first append failed');
    const sent = sentBy(store);

    const after = { expectedRevision: 0, expectedLastEventId: first.events[0]!.id };
    expect(await store.append('session-a', [event(3)], { ...after, existingStreams: ['participant-theirs', 'partner-mine'] })).toMatchObject({ ok: true, nextExpectedRevision: 1 });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/append_at_head\(\d+, '[0-9a-f]{64}', 'session-a', 0::integer, '[0-9a-f-]{36}', ARRAY\['participant-theirs'\]::text\[\],/);

    sent.length = 0;
    const missing = await store.append('session-a', [event(4)], { expectedRevision: 1, expectedLastEventId: (await store.readStream('session-a'))[1]!.id, existingStreams: ['participant-nobody'] });
    expect(missing).toEqual({ ok: false, error: { code: 'wrong-expected-revision', stream: 'participant-nobody', expected: 'stream-exists', actual: 'no-stream' } });
    expect(await store.readStream('session-a')).toHaveLength(2);
    expect(await store.verify()).toMatchObject({ intact: true, events: 4 });
  });

  it('appends through the general path when the server refuses the function, and refuses to append without a head row', async () => {
    const schema = schemas.fresh();
    const store = await schemas.open({ schema, listen: false });
    await store.append('partner-a', [event(0)], { expectedRevision: 'no-stream' });
    // Dropped (or revoked, or its schema renamed since the migration wrote its body): the append still lands, through the general path.
    await store.pool.query(`DROP FUNCTION "${schema}".append_at_head`);
    const sent = sentBy(store);
    expect(await store.append('partner-a', [event(1)], { expectedRevision: 0 })).toMatchObject({ ok: true, nextExpectedRevision: 1 });
    expect(await store.append('partner-a', [event(2)], { expectedRevision: 1 })).toMatchObject({ ok: true, nextExpectedRevision: 2 });
    // The refused call once, then the general path only.
    expect(sent.filter((text) => text.includes('append_at_head'))).toHaveLength(1);
    expect(await store.verify()).toMatchObject({ intact: true, events: 3 });

    // A head row deleted by hand: the function finds no head to append at and writes nothing; the general path names the damage.
    const other = await schemas.open({ schema: schemas.fresh(), listen: false });
    await other.append('partner-b', [event(3)], { expectedRevision: 'no-stream' });
    await other.pool.query(`DELETE FROM "${other.schema}".log_head`);
    await expect(other.append('partner-b', [event(4)], { expectedRevision: 0 })).rejects.toMatchObject({ code: 'corrupt' });
    expect((await other.pool.query(`SELECT count(*)::int AS n FROM "${other.schema}".events`)).rows[0].n).toBe(1);
  });

  it('a stream\'s first event is asked for once: later existence checks are answered without a round trip, with the stored event', async () => {
    const schema = schemas.fresh();
    const store = await schemas.open({ schema, listen: false });
    const other = await schemas.open({ schema, listen: false });
    await store.append('partner-mine', [event(0), event(1)], { expectedRevision: 'no-stream' });
    await other.append('partner-theirs', [event(2)], { expectedRevision: 'no-stream' });
    const sent = sentBy(store);

    const stored = async (stream: string) => (await other.readStream(stream, { maxCount: 1 }))[0];
    expect(await store.readStream('partner-mine', { maxCount: 1 })).toEqual([await stored('partner-mine')]);
    expect(sent).toHaveLength(0);
    expect(await store.readStream('partner-theirs', { maxCount: 1 })).toEqual([await stored('partner-theirs')]);
    expect(await store.readStream('partner-theirs', { maxCount: 1 })).toEqual([await stored('partner-theirs')]);
    expect(sent).toHaveLength(1);
    // A stream not yet recorded is asked for every time: it may be recorded by another process meanwhile.
    expect(await store.readStream('partner-later', { maxCount: 1 })).toEqual([]);
    await other.append('partner-later', [event(3)], { expectedRevision: 'no-stream' });
    expect(await store.readStream('partner-later', { maxCount: 1 })).toEqual([await stored('partner-later')]);
    // Each read gets objects of its own.
    const [a] = await store.readStream('partner-mine', { maxCount: 1 });
    (a!.data as { n: number }).n = 99;
    expect((await store.readStream('partner-mine', { maxCount: 1 }))[0]!.data).toEqual({ n: 0 });
  });

  it('property: two stores appending in any interleaving (right or stale revisions) leave a gap-free log equal to the acknowledged batches, whose chain verifies', async () => {
    const step = fc.record({ writer: fc.constantFrom(0, 1), stream: fc.constantFrom('a', 'b'), size: fc.integer({ min: 1, max: 4 }), stale: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        const schema = schemas.fresh();
        const writers = [await schemas.open({ schema, listen: false }), await schemas.open({ schema, listen: false })];
        try {
          const acknowledged: Record<string, string[]> = { a: [], b: [] };
          for (const s of steps) {
            const known = acknowledged[s.stream]!.length;
            const right = known === 0 ? 'no-stream' : known - 1;
            const expectedRevision = s.stale ? (known === 0 ? 0 : known === 1 ? 'no-stream' : known - 2) : right;
            const batch = Array.from({ length: s.size }, (_, i) => event(i));
            const result = await writers[s.writer]!.append(s.stream, batch, { expectedRevision });
            expect(result.ok).toBe(!s.stale);
            if (result.ok) acknowledged[s.stream]!.push(...batch.map((e) => e.id));
          }
          for (const stream of ['a', 'b']) expect((await writers[0]!.readStream(stream)).map((e) => e.id)).toEqual(acknowledged[stream]);
          const total = acknowledged['a']!.length + acknowledged['b']!.length;
          expect(await writers[1]!.lastPosition()).toBe(total === 0 ? undefined : BigInt(total));
          expect(await writers[0]!.verify()).toMatchObject({ intact: true, events: total });
        } finally {
          for (const w of writers) await w.close();
        }
      }),
      { numRuns: 8 },
    );
  });

  it('readAll asks for the next page while the caller works through one: every event once, in order, up to maxCount; stopping early is clean', async () => {
    const store = await schemas.open({ listen: false });
    await store.append('course-z', Array.from({ length: 11 }, (_, i) => event(i)), { expectedRevision: 'no-stream' });
    const read = async (options: Parameters<PostgresEventStore['readAll']>[0]) => {
      const positions: bigint[] = [];
      for await (const e of store.readAll(options)) positions.push(e.position);
      return positions;
    };
    expect(await read({ pageSize: 3 })).toEqual(Array.from({ length: 11 }, (_, i) => BigInt(i + 1)));
    expect(await read({ pageSize: 3, maxCount: 7 })).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n]);
    expect(await read({ pageSize: 4, after: 8n })).toEqual([9n, 10n, 11n]);
    for await (const e of store.readAll({ pageSize: 2 })) if (e.position === 1n) break;
    expect(await read({ pageSize: 11 })).toHaveLength(11);
  });

  it('the one-round-trip append looks the log up by its indexes, in a session that began on an empty log: it never scans the events table', async () => {
    const store = await schemas.open({ listen: false });
    const table = async () =>
      (await store.pool.query<{ seq_scan: string; idx_scan: string; n_tup_ins: string }>(
        `SELECT seq_scan, idx_scan, n_tup_ins FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'events'`,
        [store.schema],
      )).rows[0]!;
    // A backend reports its table counters once idle (within about a second): wait for the inserts to show.
    const countersAfter = async (inserted: number) => {
      for (let tries = 0; tries < 100; tries++) {
        const row = await table();
        if (Number(row.n_tup_ins) === inserted) return { seqScans: Number(row.seq_scan), indexScans: Number(row.idx_scan) };
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`the server never reported ${inserted} inserted rows`);
    };
    // The first append takes the general path (no head kept yet); the function's plans are made after it, on a log of 2 events.
    const opened = [event(0), event(1)];
    await store.append('partner-0', opened, { expectedRevision: 'no-stream' });
    let lastOfPartner0 = opened[1]!.id;
    const baseline = await countersAfter(2);
    const sent = sentBy(store);
    for (let i = 1; i <= 30; i++) {
      // A new stream's batch requiring another stream, then a command's append naming the event it follows.
      await store.append(`partner-${i}`, Array.from({ length: 3 }, (_, k) => event(i * 10 + k)), { expectedRevision: 'no-stream', existingStreams: [`partner-${i - 1}`] });
      const next = event(i * 10 + 5);
      expect(await store.append('partner-0', [next], { expectedRevision: i, expectedLastEventId: lastOfPartner0 })).toMatchObject({ ok: true });
      lastOfPartner0 = next.id;
    }
    expect(sent.filter((text) => /append_at_head\(/.test(text))).toHaveLength(sent.length);
    const after = await countersAfter(2 + 30 * 4);
    expect(after.seqScans - baseline.seqScans).toBe(0);
    // The stream's revision and the batch's ids (and the event at the expected revision, the streams required): index lookups, two or more an append.
    expect(after.indexScans - baseline.indexScans).toBeGreaterThanOrEqual(60 * 2);
  });
});
