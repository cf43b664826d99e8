import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventToAppend, StoredEvent } from '../store/envelope.js';
import { isEventStoreError, type EventStore, type ExpectedRevision } from '../store/port.js';
import { appendModelCommands, type StoreModel } from './event-store-model.js';
import { eventLeaf } from '../store/merkle/index.js';
import { chainedRowOf, type MerkleLog } from '../store/merkle/log.js';
import { EMPTY_TREE_HASH, MemoryTree, leafHash, treeRoot, verifyConsistency, verifyInclusion } from '../store/merkle/tree.js';

const keepsMerkleTree = (store: EventStore): store is EventStore & MerkleLog => typeof (store as Partial<MerkleLog>).treeHead === 'function';
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

export interface EventStoreContractOptions {
  /** Positions run 1, 2, 3, ... with no gaps (SQLite, PostgreSQL, memory; not EventStoreDB). */
  readonly gapFreePositions?: boolean;
  /**
   * The log is shared with other tests (a live EventStoreDB server): every test
   * then reads `$all` only through its own stream prefix.
   */
  readonly sharedLog?: boolean;
  /** Skip the whole suite, saying why (shown in the test report). */
  readonly skipReason?: string;
  /** Runs of the model-based property (each opens a fresh store). */
  readonly modelRuns?: number;
  readonly timeoutMs?: number;
}

let counter = 0;
/** A unique stream-name prefix per test, so tests can share one log. */
const freshPrefix = (): string => `t${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** An event to append, with a fresh id. */
export function newTestEvent(type = 'TestRecorded', data: unknown = {}, overrides: Partial<EventToAppend> = {}): EventToAppend {
  return {
    id: crypto.randomUUID(),
    type,
    schemaVersion: 1,
    data,
    metadata: { actor: 'contract-suite', correlationId: 'c-1', causationId: 'c-1' },
    recordedAt: '2024-01-02T03:04:05.678Z',
    ...overrides,
  };
}

const batch = (n: number, type = 'TestRecorded'): EventToAppend[] =>
  Array.from({ length: n }, (_, i) => newTestEvent(type, { i }));

async function collect(iterable: AsyncIterable<StoredEvent>, limit = Number.POSITIVE_INFINITY): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const e of iterable) {
    out.push(e);
    if (out.length >= limit) break;
  }
  return out;
}

/**
 * The behaviour of the `EventStore` port, written once. Call it from a test
 * file of the adapter with a function that opens a fresh, empty store (or one
 * on a shared log, with `sharedLog: true`). The store is closed after each test.
 */
export function eventStoreContract(
  name: string,
  openStore: () => Promise<EventStore>,
  options: EventStoreContractOptions = {},
): void {
  const timeout = options.timeoutMs ?? 60_000;
  if (options.skipReason) {
    describe(`EventStore contract: ${name}`, () => {
      it.skip(`skipped: ${options.skipReason}`, () => undefined);
    });
    return;
  }

  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    let prefix: string;
    const stream = (label: string) => `${prefix}-${label}`;
    /** `$all` restricted to this test's streams. */
    const readOwn = (after?: bigint) =>
      collect(store.readAll({ ...(after === undefined ? {} : { after }), filter: { streamPrefixes: [`${prefix}-`] } }));

    beforeEach(async () => {
      store = await openStore();
      prefix = freshPrefix();
    }, timeout);
    afterEach(async () => {
      await store.close();
    }, timeout);

    describe('appending and reading', () => {
      it('stores a batch in order with revisions from 0, and reads it back unchanged', async () => {
        const events = batch(3);
        const result = await store.append(stream('a'), events, { expectedRevision: 'no-stream' });
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        expect(result.nextExpectedRevision).toBe(2);
        const read = await store.readStream(stream('a'));
        expect(read.map((e) => e.id)).toEqual(events.map((e) => e.id));
        expect(read.map((e) => e.revision)).toEqual([0, 1, 2]);
        expect(read.map((e) => e.data)).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
        expect(read.every((e) => e.stream === stream('a'))).toBe(true);
        expect(result.events.map((e) => e.position)).toEqual(read.map((e) => e.position));
      }, timeout);

      it('keeps type, schema version, recorded-at and metadata exactly', async () => {
        const event = newTestEvent('SessionHeld', { nested: { list: [1, 'two', null, true], n: 1.5 } }, {
          schemaVersion: 3,
          recordedAt: '2019-12-31T23:59:59.999Z',
          metadata: {
            actor: 'clerk:amina',
            correlationId: 'corr-42',
            causationId: 'cause-41',
            occurredOn: '2018-11-07/2018-11-08',
            sourceRef: 'F4',
            idempotencyKey: 'key-1',
            extra: { anything: ['kept'] },
          },
        });
        await store.append(stream('meta'), [event], { expectedRevision: 'no-stream' });
        const [read] = await store.readStream(stream('meta'));
        expect(read).toMatchObject({
          id: event.id,
          type: 'SessionHeld',
          schemaVersion: 3,
          recordedAt: event.recordedAt,
          data: event.data,
          metadata: event.metadata,
        });
        expect(typeof read!.position).toBe('bigint');
      }, timeout);

      it('round-trips Arabic, French and mixed-direction text byte for byte', async () => {
        const texts = {
          ar: 'المعهد العالي للقضاء',
          arDiacritics: 'اَلْمَعْهَدُ الْعَالِي لِلْقَضَاءِ',
          fr: 'École nationale de la magistrature — auditeurs de justice',
          frDecomposed: 'E\u0301cole nationale',
          mixed: 'دورة VIVRE ENSEMBLE من 25 ماي إلى 08 يوليوز 2021',
          bidiMarks: '\u200Fالفوج 39\u200E (cohort 39)\u202Bنص\u202C',
          arabicIndicDigits: '١٥ دجنبر ٢٠٢٢',
          emoji: '⚖️👩🏽‍⚖️',
          quotes: '“مدخل إلى الوساطة التسهيلية” « VIVRE ENSEMBLE » \\ "x"',
          newlines: 'سطر أول\nsecond line\r\n\ttab',
        };
        await store.append(stream('text'), [newTestEvent('TextRecorded', texts, { metadata: { actor: 'كاتب الضبط', correlationId: 'ع-1', causationId: 'ع-1' } })], { expectedRevision: 'no-stream' });
        const [read] = await store.readStream(stream('text'));
        expect(read!.data).toEqual(texts);
        expect(read!.metadata.actor).toBe('كاتب الضبط');
        expect((read!.data as typeof texts).frDecomposed).not.toBe('École nationale');
      }, timeout);

      it('reads a stream that does not exist as empty', async () => {
        expect(await store.readStream(stream('never'))).toEqual([]);
      }, timeout);

      it('reads backwards, from a revision, with a limit', async () => {
        await store.append(stream('r'), batch(5), { expectedRevision: 'no-stream' });
        const revs = async (o: Parameters<EventStore['readStream']>[1]) => (await store.readStream(stream('r'), o)).map((e) => e.revision);
        expect(await revs({ direction: 'backwards' })).toEqual([4, 3, 2, 1, 0]);
        expect(await revs({ direction: 'backwards', fromRevision: 2 })).toEqual([2, 1, 0]);
        expect(await revs({ direction: 'backwards', maxCount: 2 })).toEqual([4, 3]);
        expect(await revs({ fromRevision: 3 })).toEqual([3, 4]);
        expect(await revs({ fromRevision: 1, maxCount: 2 })).toEqual([1, 2]);
        expect(await revs({ fromRevision: 9 })).toEqual([]);
      }, timeout);

      it('stores and reads back a batch of 10,000 events', async () => {
        const events = batch(10_000);
        const result = await store.append(stream('big'), events, { expectedRevision: 'no-stream' });
        expect(result.ok && result.nextExpectedRevision).toBe(9_999);
        const read = await store.readStream(stream('big'));
        expect(read).toHaveLength(10_000);
        expect(read.every((e, i) => e.revision === i && e.id === events[i]!.id)).toBe(true);
        const all = await readOwn();
        expect(all).toHaveLength(10_000);
      }, timeout * 2);
    });

    describe('expected revision', () => {
      it('no-stream succeeds on a new stream and conflicts on an existing one, reporting the actual revision', async () => {
        expect((await store.append(stream('x'), batch(2), { expectedRevision: 'no-stream' })).ok).toBe(true);
        const again = await store.append(stream('x'), batch(1), { expectedRevision: 'no-stream' });
        expect(again).toMatchObject({ ok: false, error: { code: 'wrong-expected-revision', stream: stream('x'), expected: 'no-stream', actual: 1 } });
      }, timeout);

      it('a number must be the revision of the last event', async () => {
        await store.append(stream('n'), batch(2), { expectedRevision: 'no-stream' });
        expect(await store.append(stream('n'), batch(1), { expectedRevision: 0 })).toMatchObject({ ok: false, error: { actual: 1, expected: 0 } });
        expect(await store.append(stream('n'), batch(1), { expectedRevision: 5 })).toMatchObject({ ok: false, error: { actual: 1 } });
        expect(await store.append(stream('missing'), batch(1), { expectedRevision: 0 })).toMatchObject({ ok: false, error: { actual: 'no-stream' } });
        const ok = await store.append(stream('n'), batch(1), { expectedRevision: 1 });
        expect(ok).toMatchObject({ ok: true, nextExpectedRevision: 2 });
        expect(await store.readStream(stream('n'))).toHaveLength(3);
      }, timeout);

      it('any always appends; stream-exists needs the stream', async () => {
        expect(await store.append(stream('s'), batch(1), { expectedRevision: 'stream-exists' })).toMatchObject({ ok: false, error: { actual: 'no-stream' } });
        expect(await store.append(stream('s'), batch(1), { expectedRevision: 'any' })).toMatchObject({ ok: true, nextExpectedRevision: 0 });
        expect(await store.append(stream('s'), batch(2), { expectedRevision: 'any' })).toMatchObject({ ok: true, nextExpectedRevision: 2 });
        expect(await store.append(stream('s'), batch(1), { expectedRevision: 'stream-exists' })).toMatchObject({ ok: true, nextExpectedRevision: 3 });
      }, timeout);

      it('a conflict writes nothing', async () => {
        await store.append(stream('c'), batch(1), { expectedRevision: 'no-stream' });
        const before = await readOwn();
        await store.append(stream('c'), batch(3), { expectedRevision: 'no-stream' });
        expect(await readOwn()).toEqual(before);
      }, timeout);
    });

    describe('idempotent retries', () => {
      it('the same events at the same expected revision succeed once, returning what was stored', async () => {
        const events = batch(3);
        const first = await store.append(stream('i'), events, { expectedRevision: 'no-stream' });
        const retry = await store.append(stream('i'), events, { expectedRevision: 'no-stream' });
        expect(retry.ok).toBe(true);
        if (!first.ok || !retry.ok) return;
        expect(retry.nextExpectedRevision).toBe(2);
        expect(retry.events.map((e) => [e.id, e.revision, e.position])).toEqual(first.events.map((e) => [e.id, e.revision, e.position]));
        expect(await store.readStream(stream('i'))).toHaveLength(3);
      }, timeout);

      it('a retry after later appends still succeeds, without duplicates', async () => {
        const events = batch(2);
        await store.append(stream('l'), events, { expectedRevision: 'no-stream' });
        await store.append(stream('l'), batch(2), { expectedRevision: 1 });
        const retry = await store.append(stream('l'), events, { expectedRevision: 'no-stream' });
        expect(retry).toMatchObject({ ok: true, nextExpectedRevision: 3 });
        expect(await store.readStream(stream('l'))).toHaveLength(4);
      }, timeout);

      it('a prefix of the stored batch succeeds', async () => {
        const events = batch(3);
        await store.append(stream('p'), batch(1), { expectedRevision: 'no-stream' });
        await store.append(stream('p'), events, { expectedRevision: 0 });
        const retry = await store.append(stream('p'), events.slice(0, 2), { expectedRevision: 0 });
        expect(retry.ok).toBe(true);
        if (retry.ok) expect(retry.events.map((e) => e.revision)).toEqual([1, 2]);
        expect(await store.readStream(stream('p'))).toHaveLength(4);
      }, timeout);

      it('the same ids plus new events at a stale revision conflict, and write nothing', async () => {
        const events = batch(2);
        await store.append(stream('m'), events, { expectedRevision: 'no-stream' });
        const result = await store.append(stream('m'), [...events, newTestEvent()], { expectedRevision: 'no-stream' });
        expect(result).toMatchObject({ ok: false, error: { code: 'wrong-expected-revision' } });
        expect(await store.readStream(stream('m'))).toHaveLength(2);
      }, timeout);

      it('different events at a stale revision conflict', async () => {
        await store.append(stream('d'), batch(2), { expectedRevision: 'no-stream' });
        expect((await store.append(stream('d'), batch(2), { expectedRevision: 'no-stream' })).ok).toBe(false);
      }, timeout);

      it('with expected revision any, re-sending stored events succeeds without duplicates', async () => {
        const events = batch(2);
        await store.append(stream('y'), events, { expectedRevision: 'any' });
        const retry = await store.append(stream('y'), events, { expectedRevision: 'any' });
        expect(retry).toMatchObject({ ok: true, nextExpectedRevision: 1 });
        expect(await store.readStream(stream('y'))).toHaveLength(2);
      }, timeout);
    });

    describe('expected last event id (stores with checksAppendPreconditions)', () => {
      /** The store must say it checks the id; a store that does not is never given one (the command handler reads the stream instead). */
      const checking = (context: { skip: (note?: string) => void }) => {
        if (store.checksAppendPreconditions !== true) context.skip('this store does not check an expected last event id');
      };

      it('appends after the named event at the expected revision; another event there, or none, is a conflict that writes nothing', async (context) => {
        checking(context);
        const s = stream('after');
        const first = await store.append(s, batch(3), { expectedRevision: 'no-stream' });
        if (!first.ok) throw new Error('the first append failed');
        const [e0, , e2] = first.events;
        expect(await store.append(s, batch(1), { expectedRevision: 2, expectedLastEventId: e2!.id })).toMatchObject({ ok: true, nextExpectedRevision: 3 });
        const before = await store.readStream(s);
        // The stream as it was seen was written again under its name: same revision, another event.
        expect(await store.append(s, batch(1), { expectedRevision: 3, expectedLastEventId: e2!.id })).toMatchObject({
          ok: false,
          error: { code: 'wrong-expected-revision', stream: s, expected: 3, actual: 3 },
        });
        expect(await store.append(s, batch(1), { expectedRevision: 3, expectedLastEventId: crypto.randomUUID() })).toMatchObject({ ok: false, error: { actual: 3 } });
        // The right event at a revision the stream has moved past is a conflict as before.
        expect(await store.append(s, batch(1), { expectedRevision: 0, expectedLastEventId: e0!.id })).toMatchObject({ ok: false, error: { expected: 0, actual: 3 } });
        expect(await store.append(stream('none'), batch(1), { expectedRevision: 0, expectedLastEventId: e0!.id })).toMatchObject({ ok: false, error: { actual: 'no-stream' } });
        expect(await store.readStream(s)).toEqual(before);
        expect(await store.readStream(stream('none'))).toEqual([]);
      }, timeout);

      it('a batch already stored after the named event is a conflict, not a retry: the caller reads what follows and decides again', async (context) => {
        checking(context);
        const s = stream('retry-after');
        const first = await store.append(s, batch(2), { expectedRevision: 'no-stream' });
        if (!first.ok) throw new Error('the first append failed');
        const events = batch(2);
        const after = { expectedRevision: 1, expectedLastEventId: first.events[1]!.id };
        expect(await store.append(s, events, after)).toMatchObject({ ok: true, nextExpectedRevision: 3 });
        expect(await store.append(s, events, after)).toMatchObject({ ok: false, error: { code: 'wrong-expected-revision', expected: 1, actual: 3 } });
        expect(await store.append(s, events, { expectedRevision: 1 })).toMatchObject({ ok: true, nextExpectedRevision: 3 });
        expect(await store.readStream(s)).toHaveLength(4);
      }, timeout);

      it('existing streams: the first named one that holds no event is a conflict on it, and nothing is written', async (context) => {
        checking(context);
        const s = stream('named');
        await store.append(stream('partner'), batch(1), { expectedRevision: 'no-stream' });
        await store.append(stream('participant'), batch(2), { expectedRevision: 'no-stream' });
        const first = await store.append(s, batch(1), { expectedRevision: 'no-stream', existingStreams: [stream('partner')] });
        if (!first.ok) throw new Error('the first append failed');
        const after = { expectedRevision: 0, expectedLastEventId: first.events[0]!.id };
        expect(await store.append(s, batch(1), { ...after, existingStreams: [stream('participant'), stream('nobody'), stream('no-one')] })).toEqual({
          ok: false,
          error: { code: 'wrong-expected-revision', stream: stream('nobody'), expected: 'stream-exists', actual: 'no-stream' },
        });
        expect(await store.readStream(s)).toHaveLength(1);
        expect(await store.append(s, batch(1), { ...after, existingStreams: [stream('participant'), stream('partner'), stream('participant')] })).toMatchObject({ ok: true, nextExpectedRevision: 1 });
      }, timeout);

      it('goes with an expected revision number only', async (context) => {
        checking(context);
        for (const expectedRevision of ['no-stream', 'any', 'stream-exists'] as const) {
          await expect(store.append(stream('kind'), batch(1), { expectedRevision, expectedLastEventId: crypto.randomUUID() })).rejects.toMatchObject({ code: 'invalid-batch' });
        }
        expect(await store.readStream(stream('kind'))).toEqual([]);
      }, timeout);

      it('20 appenders after the same event: one wins, the others conflict', async (context) => {
        checking(context);
        const s = stream('race-after');
        const first = await store.append(s, batch(1), { expectedRevision: 'no-stream' });
        if (!first.ok) throw new Error('the first append failed');
        const results = await Promise.all(
          Array.from({ length: 20 }, () => store.append(s, [newTestEvent()], { expectedRevision: 0, expectedLastEventId: first.events[0]!.id })),
        );
        expect(results.filter((r) => r.ok)).toHaveLength(1);
        expect(await store.readStream(s)).toHaveLength(2);
      }, timeout);
    });

    describe('atomic batches', () => {
      it('a batch that repeats an id is refused whole, with invalid-batch', async () => {
        const e = newTestEvent();
        const error = await store.append(stream('dup'), [newTestEvent(), e, e], { expectedRevision: 'any' }).catch((x: unknown) => x);
        expect(isEventStoreError(error) && error.code).toBe('invalid-batch');
        expect(await store.readStream(stream('dup'))).toEqual([]);
      }, timeout);

      it('ids that are not uuids, and line breaks or NUL in what the hash chain writes as lines, are refused with invalid-batch', async () => {
        const bad = [
          newTestEvent('TestRecorded', {}, { id: 'not-a-uuid' }),
          newTestEvent('Two\nLines'),
          newTestEvent('Carriage\rReturn'),
          newTestEvent('Nul\u0000Type'),
          { ...newTestEvent(), recordedAt: '2024-03-01T09:30:00.000Z\n' },
        ];
        for (const event of bad) {
          const error = await store.append(stream('shape'), [newTestEvent(), event], { expectedRevision: 'any' }).catch((x: unknown) => x);
          expect(isEventStoreError(error) && error.code).toBe('invalid-batch');
        }
        expect(await store.readStream(stream('shape'))).toEqual([]);
        for (const name of [`${stream('two')}\nlines`, `${stream('carriage')}\rreturn`, `${stream('nul')}\u0000`]) {
          const error = await store.append(name, [newTestEvent()], { expectedRevision: 'any' }).catch((x: unknown) => x);
          expect(isEventStoreError(error) && error.code).toBe('invalid-batch');
        }
      }, timeout);

      it('data JSON cannot carry is refused whole, with invalid-batch', async () => {
        const error = await store
          .append(stream('bad'), [newTestEvent(), newTestEvent('TestRecorded', { n: 1n })], { expectedRevision: 'any' })
          .catch((x: unknown) => x);
        expect(isEventStoreError(error) && error.code).toBe('invalid-batch');
        expect(await store.readStream(stream('bad'))).toEqual([]);
      }, timeout);

      it('readers see a batch whole or not at all', async () => {
        const events = batch(2_000);
        const observed = new Set<number>();
        let writing = true;
        const reader = (async () => {
          while (writing) {
            observed.add((await store.readStream(stream('atomic'))).length);
            observed.add((await readOwn()).length);
            await new Promise((r) => setTimeout(r, 0));
          }
        })();
        await store.append(stream('atomic'), events, { expectedRevision: 'no-stream' });
        writing = false;
        await reader;
        observed.add((await store.readStream(stream('atomic'))).length);
        expect([...observed].every((n) => n === 0 || n === 2_000)).toBe(true);
        expect(observed.has(2_000)).toBe(true);
      }, timeout);
    });

    describe('concurrency', () => {
      it('50 appenders racing on one stream: exactly one wins each revision', async () => {
        const s = stream('race');
        const wins = new Map<number, number>();
        let conflicts = 0;
        await Promise.all(
          Array.from({ length: 50 }, async (_, appender) => {
            for (;;) {
              const [last] = await store.readStream(s, { direction: 'backwards', maxCount: 1 });
              const expected: ExpectedRevision = last ? last.revision : 'no-stream';
              const result = await store.append(s, [newTestEvent('Raced', { appender })], { expectedRevision: expected });
              if (result.ok) {
                const revision = result.events[0]!.revision;
                expect(wins.has(revision)).toBe(false);
                wins.set(revision, appender);
                return;
              }
              conflicts++;
            }
          }),
        );
        const read = await store.readStream(s);
        expect(read.map((e) => e.revision)).toEqual(Array.from({ length: 50 }, (_, i) => i));
        expect(new Set(read.map((e) => (e.data as { appender: number }).appender)).size).toBe(50);
        expect(wins.size).toBe(50);
        // The appenders really raced: some decided on a revision another one took first.
        expect(conflicts).toBeGreaterThan(0);
      }, timeout * 2);

      it('50 appenders at no-stream: one succeeds, 49 conflict', async () => {
        const results = await Promise.all(
          Array.from({ length: 50 }, () => store.append(stream('first'), [newTestEvent()], { expectedRevision: 'no-stream' })),
        );
        expect(results.filter((r) => r.ok)).toHaveLength(1);
        expect(results.filter((r) => !r.ok)).toHaveLength(49);
        expect(await store.readStream(stream('first'))).toHaveLength(1);
      }, timeout);
    });

    describe('the whole log', () => {
      it('reads every event in global order, across streams', async () => {
        await store.append(stream('g1'), batch(2), { expectedRevision: 'no-stream' });
        await store.append(stream('g2'), batch(1), { expectedRevision: 'no-stream' });
        await store.append(stream('g1'), batch(1), { expectedRevision: 1 });
        const all = await readOwn();
        expect(all.map((e) => [e.stream.slice(prefix.length + 1), e.revision])).toEqual([['g1', 0], ['g1', 1], ['g2', 0], ['g1', 2]]);
        const positions = all.map((e) => e.position);
        expect(positions.every((p, i) => i === 0 || p > positions[i - 1]!)).toBe(true);
        if (options.gapFreePositions && !options.sharedLog) expect(positions).toEqual([1n, 2n, 3n, 4n]);
      }, timeout);

      it('resumes after a checkpoint, exclusive', async () => {
        await store.append(stream('k'), batch(5), { expectedRevision: 'no-stream' });
        const all = await readOwn();
        const checkpoint = all[1]!.position;
        const rest = await readOwn(checkpoint);
        expect(rest.map((e) => e.id)).toEqual(all.slice(2).map((e) => e.id));
        expect(await readOwn(all[4]!.position)).toEqual([]);
      }, timeout);

      it('filters by event type and honours maxCount', async () => {
        await store.append(stream('f'), [newTestEvent('A'), newTestEvent('B'), newTestEvent('A'), newTestEvent('C')], { expectedRevision: 'no-stream' });
        const onlyA = await collect(store.readAll({ filter: { types: ['A'], streamPrefixes: [`${prefix}-`] } }));
        expect(onlyA.map((e) => e.revision)).toEqual([0, 2]);
        const two = await collect(store.readAll({ maxCount: 2, filter: { streamPrefixes: [`${prefix}-`] } }));
        expect(two).toHaveLength(2);
      }, timeout);

      it('pages through more events than one page holds, in order', async () => {
        await store.append(stream('pg'), batch(1_234), { expectedRevision: 'no-stream' });
        const all = await collect(store.readAll({ pageSize: 100, filter: { streamPrefixes: [`${prefix}-`] } }));
        expect(all.map((e) => e.revision)).toEqual(Array.from({ length: 1_234 }, (_, i) => i));
      }, timeout);

      it('reports the last position', async () => {
        const result = await store.append(stream('h'), batch(3), { expectedRevision: 'no-stream' });
        if (!result.ok) throw new Error('append failed');
        const last = await store.lastPosition();
        expect(last).toBeDefined();
        expect(last! >= result.events[2]!.position).toBe(true);
        if (!options.sharedLog) expect(last).toBe(result.events[2]!.position);
      }, timeout);

      it('follows: catches up from a checkpoint, then yields new events live, until aborted', async () => {
        await store.append(stream('live'), batch(2), { expectedRevision: 'no-stream' });
        const [first] = await readOwn();
        const controller = new AbortController();
        const seen: StoredEvent[] = [];
        const following = (async () => {
          for await (const e of store.follow({ after: first!.position, signal: controller.signal, filter: { streamPrefixes: [`${prefix}-`] } })) {
            seen.push(e);
            if (seen.length === 4) controller.abort();
          }
        })();
        await new Promise((r) => setTimeout(r, 50));
        await store.append(stream('live'), batch(1), { expectedRevision: 1 });
        await store.append(stream('live-2'), batch(2), { expectedRevision: 'no-stream' });
        await Promise.race([following, new Promise((_, reject) => setTimeout(() => reject(new Error('follow did not deliver 4 events in 10 s')), 10_000))]);
        controller.abort();
        expect(seen.map((e) => [e.stream.slice(prefix.length + 1), e.revision])).toEqual([['live', 1], ['live', 2], ['live-2', 0], ['live-2', 1]]);
      }, timeout);

      it('follow ends when its signal is aborted while waiting', async () => {
        const controller = new AbortController();
        const following = (async () => {
          const got: StoredEvent[] = [];
          for await (const e of store.follow({ signal: controller.signal, filter: { streamPrefixes: [`${prefix}-`] } })) got.push(e);
          return got;
        })();
        await new Promise((r) => setTimeout(r, 30));
        controller.abort();
        expect(await following).toEqual([]);
      }, timeout);
    });

    describe('the Merkle log (RFC 9162)', () => {
      it.skipIf(options.sharedLog)('keeps the tree head of every size: the root over the events as read back, computed afresh', async () => {
        const log = store;
        if (!keepsMerkleTree(log)) return;
        expect(await log.treeHead()).toEqual({ size: 0, root: EMPTY_TREE_HASH });
        const sizes: number[] = [];
        for (const n of [1, 2, 5, 1, 8]) {
          await log.append(stream(`m${n}`), batch(n), { expectedRevision: 'any' });
          sizes.push((await log.treeHead()).size);
        }
        expect(sizes).toEqual([1, 3, 8, 9, 17]);
        const fresh = new MemoryTree();
        for (const event of await readOwn()) fresh.append(leafHash(eventLeaf(chainedRowOf(event))));
        for (const size of [0, 1, 3, 8, 9, 16, 17]) expect(hex((await log.treeHead(size)).root)).toBe(hex(await treeRoot(fresh.read, size)));
      }, timeout);

      it.skipIf(options.sharedLog)('gives inclusion proofs of every event and consistency proofs between any two sizes, which verify', async () => {
        const log = store;
        if (!keepsMerkleTree(log)) return;
        for (const n of [3, 1, 6, 2]) await log.append(stream(`p${n}`), batch(n), { expectedRevision: 'any' });
        const heads = await Promise.all([1, 4, 5, 11, 12].map((size) => log.treeHead(size)));
        for (const head of heads) {
          for (let position = 1n; position <= BigInt(head.size); position++) {
            const proof = await log.inclusionProof(position, head.size);
            expect(verifyInclusion(leafHash(proof.leaf), Number(position) - 1, head.size, proof.proof, head.root)).toBe(true);
          }
          for (const later of heads.filter((h) => h.size >= head.size)) {
            const proof = await log.consistencyProof(head.size, later.size);
            expect(verifyConsistency(head.size, later.size, proof.proof, head.root, later.root)).toBe(true);
          }
        }
        await expect(log.inclusionProof(13n)).rejects.toMatchObject({ name: 'EventStoreError', code: 'out-of-range' });
        await expect(log.treeHead(13)).rejects.toMatchObject({ name: 'EventStoreError', code: 'out-of-range' });
        await expect(log.consistencyProof(13, 12)).rejects.toMatchObject({ name: 'EventStoreError', code: 'out-of-range' });
      }, timeout);
    });

    describe('model-based', () => {
      it('behaves like a list of streams for any sequence of appends, retries and reads', async () => {
        await fc.assert(
          fc.asyncProperty(fc.commands(appendModelCommands(), { maxCommands: 25 }), async (commands) => {
            const own = freshPrefix();
            const model: StoreModel = { streams: new Map(), log: [], lastOk: undefined, prefix: own };
            await fc.asyncModelRun(() => ({ model, real: store }), commands);
          }),
          { numRuns: options.modelRuns ?? 40 },
        );
      }, timeout * 4);
    });
  });
}
