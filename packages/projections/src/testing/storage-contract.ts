import { InMemoryEventStore, handle, type EventStore } from '@taawun/domain';
import { match } from 'ts-pattern';
import { afterEach, describe, expect, it } from 'vitest';
import { isProjectionError, type ProjectionErrorCode } from '../engine/errors.js';
import { defineProjection } from '../engine/projection.js';
import { ProjectionRunner } from '../engine/runner.js';
import type { ReadModelStorage } from '../engine/storage.js';

export interface ReadModelStorageContractOptions {
  /**
   * A second storage over the same data (a new connection), to check that what
   * was committed survives; given the first one, which it may close.
   */
  readonly reopen?: (storage: ReadModelStorage) => Promise<ReadModelStorage>;
  /** Release a storage opened by `open` or `reopen`. */
  readonly close?: (storage: ReadModelStorage) => Promise<void>;
  readonly skipReason?: string;
}

const rejectsWith = async (promise: Promise<unknown>, code: ProjectionErrorCode) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isProjectionError(error) ? error.code : error).toBe(code);
};

/** A projection over the domain's events, to run the engine on the storage under test. */
const partnerNames = defineProjection({
  name: 'contract-partner-names',
  version: 1,
  handles: ['PartnerRegistered', 'PartnerRenamed'],
  initialState: {} as Record<string, string[]>,
  evolve: (state, event) =>
    match(event)
      .with({ type: 'PartnerRegistered' }, (e) => ({ ...state, [e.data.partnerId]: [e.data.name.en ?? e.data.name.fr ?? e.data.name.ar ?? ''] }))
      .with({ type: 'PartnerRenamed' }, (e) => ({ ...state, [e.data.partnerId]: [...(state[e.data.partnerId] ?? []), e.data.name.en ?? ''] }))
      .exhaustive(),
});

async function recordPartners(store: EventStore, from: number, count: number): Promise<void> {
  let clock = Date.parse('2024-01-01T00:00:00Z') + from * 60_000;
  const context = { actor: 'contract', now: () => new Date((clock += 60_000)), newId: () => crypto.randomUUID() };
  for (let i = from; i < from + count; i++) {
    const outcome = await handle(store, { type: 'RegisterPartner', partnerId: `p-${i}`, name: { en: `Partner ${i}`, ar: `شريك ${i}` }, kind: 'school' }, context);
    if (!outcome.ok) throw new Error(outcome.error.message);
  }
}

/**
 * The behaviour every `ReadModelStorage` must have, written once and run against
 * each implementation (in-memory here, SQLite in `@taawun/adapter-sqlite`,
 * PostgreSQL in `@taawun/adapter-postgres`). `open` gives a fresh, empty storage.
 */
export function readModelStorageContract(name: string, open: () => Promise<ReadModelStorage>, options: ReadModelStorageContractOptions = {}): void {
  const suite = options.skipReason ? describe.skip : describe;
  suite(`read-model storage contract: ${name}${options.skipReason ? ` (skipped: ${options.skipReason})` : ''}`, () => {
    const opened: ReadModelStorage[] = [];
    const fresh = async () => {
      const storage = await open();
      opened.push(storage);
      return storage;
    };
    afterEach(async () => {
      for (const s of opened.splice(0)) await options.close?.(s);
    });

    it('starts empty, and creates building generations numbered 1, 2, 3 per name', async () => {
      const storage = await fresh();
      expect(await storage.generations('a')).toEqual([]);
      const first = await storage.create('a', 3, '{"n":0}');
      expect(first).toMatchObject({ name: 'a', generation: 1, version: 3, status: 'building', position: undefined, eventsApplied: 0 });
      expect(Number.isNaN(Date.parse(first.updatedAt))).toBe(false);
      expect((await storage.create('a', 3, '{}')).generation).toBe(2);
      expect((await storage.create('b', 1, '{}')).generation).toBe(1);
      expect((await storage.generations('a')).map((g) => g.generation)).toEqual([1, 2]);
      expect(await storage.load('a', 1)).toEqual({ info: first, state: '{"n":0}' });
      expect(await storage.load('a', 9)).toBeUndefined();
      expect(await storage.load('nothing', 1)).toBeUndefined();
    });

    it('commits state and checkpoint together, and keeps the JSON text exactly', async () => {
      const storage = await fresh();
      const { generation } = await storage.create('m', 1, '{}');
      const text = JSON.stringify({ ar: 'المعهد العالي للقضاء\u200f', fr: 'École nationale de la magistrature', emoji: '🇲🇦', quote: '"\'\\', big: 'x'.repeat(200_000) });
      const big = 2n ** 62n + 7n;
      const info = await storage.commit('m', generation, { state: text, position: big, eventsApplied: 5, expectedPosition: undefined });
      expect(info).toMatchObject({ generation, position: big, eventsApplied: 5, status: 'building' });
      const loaded = await storage.load('m', generation);
      expect(loaded?.state).toBe(text);
      expect(loaded?.info.position).toBe(big);
      expect(typeof loaded?.info.position).toBe('bigint');
      await storage.commit('m', generation, { state: '{"next":1}', position: big + 1n, eventsApplied: 6, expectedPosition: big });
      expect(await storage.load('m', generation)).toMatchObject({ state: '{"next":1}', info: { position: big + 1n, eventsApplied: 6 } });
    });

    it('refuses a commit from a stale checkpoint (another runner wrote first) and changes nothing', async () => {
      const storage = await fresh();
      const { generation } = await storage.create('m', 1, '{"v":0}');
      await storage.commit('m', generation, { state: '{"v":1}', position: 10n, eventsApplied: 1, expectedPosition: undefined });
      await rejectsWith(storage.commit('m', generation, { state: '{"v":2}', position: 12n, eventsApplied: 2, expectedPosition: undefined }), 'concurrent-runner');
      await rejectsWith(storage.commit('m', generation, { state: '{"v":2}', position: 12n, eventsApplied: 2, expectedPosition: 9n }), 'concurrent-runner');
      expect(await storage.load('m', generation)).toMatchObject({ state: '{"v":1}', info: { position: 10n, eventsApplied: 1 } });
    });

    it('lets exactly one of two racing commits from the same checkpoint win', async () => {
      const storage = await fresh();
      const { generation } = await storage.create('m', 1, '{}');
      const results = await Promise.allSettled([
        storage.commit('m', generation, { state: '{"by":"a"}', position: 5n, eventsApplied: 5, expectedPosition: undefined }),
        storage.commit('m', generation, { state: '{"by":"b"}', position: 6n, eventsApplied: 6, expectedPosition: undefined }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect((loser.reason as { code?: string }).code).toBe('concurrent-runner');
      const winner = (results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ position: bigint }>).value;
      expect((await storage.load('m', generation))?.info.position).toBe(winner.position);
    });

    it('refuses a commit to a generation that does not exist', async () => {
      const storage = await fresh();
      await rejectsWith(storage.commit('m', 4, { state: '{}', position: 1n, eventsApplied: 1, expectedPosition: undefined }), 'generation-missing');
    });

    it('activates one generation and drops every other one of that name, leaving other names alone', async () => {
      const storage = await fresh();
      const old = await storage.create('m', 1, '{"old":true}');
      await storage.activate('m', old.generation);
      expect(await storage.generations('m')).toMatchObject([{ generation: old.generation, status: 'active' }]);
      const other = await storage.create('other', 1, '{}');
      const rebuilt = await storage.create('m', 2, '{"new":true}');
      const abandoned = await storage.create('m', 2, '{}');
      expect((await storage.generations('m')).map((g) => [g.generation, g.status])).toEqual([
        [old.generation, 'active'],
        [rebuilt.generation, 'building'],
        [abandoned.generation, 'building'],
      ]);
      await storage.commit('m', rebuilt.generation, { state: '{"new":"built"}', position: 3n, eventsApplied: 3, expectedPosition: undefined });
      await storage.activate('m', rebuilt.generation);
      expect(await storage.generations('m')).toMatchObject([{ generation: rebuilt.generation, version: 2, status: 'active', position: 3n }]);
      expect(await storage.load('m', rebuilt.generation)).toMatchObject({ state: '{"new":"built"}' });
      expect(await storage.load('m', old.generation)).toBeUndefined();
      expect(await storage.generations('other')).toMatchObject([{ generation: other.generation, status: 'building' }]);
      // The active generation still takes commits (catching up).
      await storage.commit('m', rebuilt.generation, { state: '{"new":"caught up"}', position: 4n, eventsApplied: 4, expectedPosition: 3n });
      expect((await storage.create('m', 3, '{}')).generation).toBeGreaterThan(rebuilt.generation);
      await rejectsWith(storage.activate('m', 99), 'generation-missing');
    });

    it('drops a generation; dropping one that does not exist does nothing', async () => {
      const storage = await fresh();
      const g = await storage.create('m', 1, '{}');
      await storage.drop('m', g.generation);
      await storage.drop('m', g.generation);
      await storage.drop('never', 1);
      expect(await storage.generations('m')).toEqual([]);
    });

    if (options.reopen) it('keeps what was committed across a reopen', async () => {
      const storage = await fresh();
      const g = await storage.create('m', 1, '{}');
      await storage.commit('m', g.generation, { state: '{"kept":"نعم"}', position: 42n, eventsApplied: 42, expectedPosition: undefined });
      await storage.activate('m', g.generation);
      const again = await options.reopen!(storage);
      opened.push(again);
      expect(await again.generations('m')).toMatchObject([{ generation: g.generation, status: 'active', position: 42n, eventsApplied: 42 }]);
      expect((await again.load('m', g.generation))?.state).toBe('{"kept":"نعم"}');
    });

    it('runs the engine: rebuild, catch up from the checkpoint, and swap in a new version', async () => {
      const storage = await fresh();
      const store = new InMemoryEventStore();
      await recordPartners(store, 0, 7);
      const runner = new ProjectionRunner(partnerNames, { store, storage, batchSize: 3 });
      const built = await runner.rebuild();
      expect(built).toMatchObject({ activated: true, complete: true, eventsApplied: 7, position: 7n });
      await recordPartners(store, 7, 4);
      expect(await runner.catchUp()).toMatchObject({ phase: 'catch-up', eventsApplied: 4, position: 11n });
      const v1 = await runner.read();
      expect(Object.keys(v1!.state)).toHaveLength(11);

      const v2 = new ProjectionRunner({ ...partnerNames, version: 2 }, { store, storage });
      const swapped = await v2.catchUp();
      expect(swapped).toMatchObject({ phase: 'rebuild', activated: true, eventsApplied: 11 });
      expect(swapped.generation).toBeGreaterThan(built.generation);
      expect(await storage.generations(partnerNames.name)).toMatchObject([{ generation: swapped.generation, version: 2, status: 'active', position: 11n }]);
      expect((await v2.read())!.state).toEqual(v1!.state);
      await store.close();
    });
  });
}
