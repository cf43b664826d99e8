import { InMemoryEventStore, handle, type EventStore } from '@taawun/domain';
import { match } from 'ts-pattern';
import { afterEach, describe, expect, it } from 'vitest';
import { isProjectionError, type ProjectionErrorCode } from '../engine/errors.js';
import { InMemoryReadModelStorage } from '../engine/in-memory-storage.js';
import { exportActiveModel, storedModel } from '../engine/model-reader.js';
import { COUNTERS_PREFIX, defineProjection } from '../engine/projection.js';
import { ProjectionRunner } from '../engine/runner.js';
import type { CommitChange, IndexRow, ReadModelStorage } from '../engine/storage.js';

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

const change = (position: bigint, expectedPosition: bigint | undefined, parts: Partial<Pick<CommitChange, 'documents' | 'index'>> = {}): CommitChange => ({
  documents: parts.documents ?? [],
  index: parts.index ?? { remove: [], put: [] },
  position,
  eventsApplied: Number(position),
  expectedPosition,
});

/** `{ [name]: value }`, or nothing when the value is undefined (the port's ranges leave out what they do not bound). */
const optional = <K extends string, V>(name: K, value: V | undefined): { [P in K]?: V } => (value === undefined ? {} : ({ [name]: value } as { [P in K]?: V }));

/** Numbers in [0, 1) drawn from a seed (mulberry32): the same every run, so a failure is found again. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const row = (index: string, key: string, sort: string, document = 'd', value: string | null = null): IndexRow => ({ index, key, sort, document, value });

/** A projection over the domain's events, keyed by partner, with an index and counters, to run the engine on the storage under test. */
const partnerNames = defineProjection({
  name: 'contract-partner-names',
  version: 1,
  handles: ['PartnerRegistered', 'PartnerRenamed'],
  initialState: [] as string[],
  keyOf: (event) => event.data.partnerId,
  evolve: (names, event) =>
    match(event)
      .with({ type: 'PartnerRegistered' }, (e) => [e.data.name.en ?? e.data.name.fr ?? e.data.name.ar ?? ''])
      .with({ type: 'PartnerRenamed' }, (e) => [...names, e.data.name.en ?? ''])
      .exhaustive(),
  indexes: (key, names) => [{ index: 'by-name', key: names.at(-1)!.split(' ')[0]!, sort: `${names.at(-1)}\u0001${key}`, value: names.length }],
  counters: (_key, names) => [{ counters: 'names', values: { partners: 1, names: names.length } }],
});

async function recordPartners(store: EventStore, from: number, count: number, rename = false): Promise<void> {
  let clock = Date.parse('2024-01-01T00:00:00Z') + from * 60_000;
  const context = { actor: 'contract', now: () => new Date((clock += 60_000)), newId: () => crypto.randomUUID() };
  for (let i = from; i < from + count; i++) {
    const command = rename
      ? { type: 'RenamePartner' as const, partnerId: `p-${i}`, name: { en: `Renamed ${i}` }, effectiveOn: '2024' }
      : { type: 'RegisterPartner' as const, partnerId: `p-${i}`, name: { en: `Partner ${i}`, ar: `شريك ${i}` }, kind: 'school' as const };
    const outcome = await handle(store, command, context);
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

    it('starts empty, and creates empty building generations numbered 1, 2, 3 per name', async () => {
      const storage = await fresh();
      expect(await storage.generations('a')).toEqual([]);
      const first = await storage.create('a', 3);
      expect(first).toMatchObject({ name: 'a', generation: 1, version: 3, status: 'building', position: undefined, eventsApplied: 0 });
      expect(Number.isNaN(Date.parse(first.updatedAt))).toBe(false);
      expect((await storage.create('a', 3)).generation).toBe(2);
      expect((await storage.create('b', 1)).generation).toBe(1);
      expect((await storage.generations('a')).map((g) => g.generation)).toEqual([1, 2]);
      expect(await storage.documents('a', 1, ['x', 'y'])).toEqual(new Map());
      expect(await storage.listDocuments('a', 1)).toEqual([]);
      expect(await storage.readIndex('a', 1, 'i', 'k')).toEqual([]);
      expect(await storage.countIndex('a', 1, 'i', 'k')).toBe(0);
      expect(await storage.listIndex('a', 1)).toEqual([]);
      await rejectsWith(storage.documents('a', 9, ['x']), 'generation-missing');
      await rejectsWith(storage.readIndex('nothing', 1, 'i', 'k'), 'generation-missing');
    });

    it('commits documents, index entries and the checkpoint together, keeping JSON text exactly', async () => {
      const storage = await fresh();
      const { generation } = await storage.create('m', 1);
      const text = JSON.stringify({ ar: 'المعهد العالي للقضاء\u200f', fr: 'École nationale de la magistrature', emoji: '🇲🇦', quote: '"\'\\', big: 'x'.repeat(200_000) });
      const big = 2n ** 62n + 7n;
      const info = await storage.commit(
        'm',
        generation,
        change(big, undefined, {
          documents: [
            { key: 'partner-enm', value: text },
            { key: 'partner-giz', value: '{"n":1}' },
            { key: 'session-a', value: '"s"' },
          ],
          index: { remove: [], put: [row('history', 'enm', 'b', 'session-a', '["x"]'), row('history', 'enm', 'a', 'partner-enm', text), row('history', 'giz', 'a')] },
        }),
      );
      expect(info).toMatchObject({ generation, position: big, eventsApplied: Number(big), status: 'building' });
      expect(typeof info.position).toBe('bigint');
      expect(await storage.documents('m', generation, ['partner-enm', 'partner-giz', 'absent'])).toEqual(
        new Map([
          ['partner-enm', text],
          ['partner-giz', '{"n":1}'],
        ]),
      );
      expect(await storage.readIndex('m', generation, 'history', 'enm')).toEqual([
        { sort: 'a', document: 'partner-enm', value: text },
        { sort: 'b', document: 'session-a', value: '["x"]' },
      ]);
      const [stored] = await storage.generations('m');
      expect(stored).toMatchObject({ position: big });
      expect(typeof stored!.position).toBe('bigint');
    });

    it('writes, replaces and deletes documents and index entries; reads index ranges in sort order', async () => {
      const storage = await fresh();
      const { generation } = await storage.create('m', 1);
      const sorts = ['2018\u00010', '2018\u00011', '2019', '2019\u0001a', 'XXXX', 'الف', 'b'];
      await storage.commit(
        'm',
        generation,
        change(1n, undefined, {
          documents: [
            { key: 'a', value: '1' },
            { key: 'b', value: '2' },
            { key: 'ba', value: '3' },
            { key: 'c', value: '4' },
          ],
          index: { remove: [], put: sorts.map((sort, i) => row('i', 'k', sort, `doc-${i}`, String(i))) },
        }),
      );
      const ordered = [...sorts].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
      expect((await storage.readIndex('m', generation, 'i', 'k')).map((e) => e.sort)).toEqual(ordered);
      expect((await storage.readIndex('m', generation, 'i', 'k', { offset: 2, limit: 3 })).map((e) => e.sort)).toEqual(ordered.slice(2, 5));
      expect((await storage.readIndex('m', generation, 'i', 'k', { after: '2019', limit: 2 })).map((e) => e.sort)).toEqual(ordered.slice(3, 5));
      expect((await storage.readIndex('m', generation, 'i', 'k', { after: '2018\u00010', offset: 1, limit: 1 })).map((e) => e.sort)).toEqual([ordered[2]]);
      expect(await storage.countIndex('m', generation, 'i', 'k')).toBe(sorts.length);
      expect(await storage.countIndex('m', generation, 'i', 'other')).toBe(0);
      expect((await storage.listDocuments('m', generation, { prefix: 'b' })).map((d) => d.key)).toEqual(['b', 'ba']);
      expect(await storage.listDocuments('m', generation, { after: 'a', limit: 2 })).toEqual([
        { key: 'b', value: '2' },
        { key: 'ba', value: '3' },
      ]);
      // The keys alone, for every range the documents are listed by: the same keys in the same order.
      for (const range of [{}, { prefix: 'b' }, { after: 'a', limit: 2 }, { prefix: 'b', after: 'b' }, { prefix: 'z' }, { limit: 1 }]) {
        expect(await storage.listKeys('m', generation, range)).toEqual((await storage.listDocuments('m', generation, range)).map((d) => d.key));
      }

      await storage.commit(
        'm',
        generation,
        change(2n, 1n, {
          documents: [
            { key: 'a', value: null },
            { key: 'b', value: '"two"' },
            { key: 'never', value: null },
          ],
          index: { remove: [{ index: 'i', key: 'k', sort: '2019' }, { index: 'i', key: 'k', sort: 'absent' }], put: [row('i', 'k', 'b', 'other', null), row('j', 'k', 'z')] },
        }),
      );
      expect((await storage.listDocuments('m', generation)).map((d) => [d.key, d.value])).toEqual([
        ['b', '"two"'],
        ['ba', '3'],
        ['c', '4'],
      ]);
      const after = await storage.readIndex('m', generation, 'i', 'k');
      expect(after.map((e) => e.sort)).toEqual(ordered.filter((s) => s !== '2019'));
      expect(after.find((e) => e.sort === 'b')).toEqual({ sort: 'b', document: 'other', value: null });
      const all = await storage.listIndex('m', generation);
      expect(all.map((e) => [e.index, e.key, e.sort])).toEqual([...after.map((e) => ['i', 'k', e.sort]), ['j', 'k', 'z']]);
      expect((await storage.listIndex('m', generation, { after: { index: 'i', key: 'k', sort: ordered.at(-1)! }, limit: 5 })).map((e) => e.index)).toEqual(['j']);
    });

    it('reads a page of keys by offset and limit, and counts the keys of a range, as the whole listing would give them', async () => {
      const storage = await fresh();
      const { generation } = await storage.create('m', 1);
      // Keys of records as a read model keeps them, and edges: the empty key, the counters' `#`, a prefix's neighbours.
      const keys = ['', '#names', '#total', 'a', 'partner-', 'partner-a', 'partner-b', 'partner-b-1', 'partnera', 'participant-x', 'session-2018', 'session-2019', 'zz'];
      await storage.commit('m', generation, change(1n, undefined, { documents: keys.map((key) => ({ key, value: JSON.stringify(key) })) }));
      const sorted = [...keys].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
      const partners = sorted.filter((k) => k.startsWith('partner-'));
      expect(await storage.listKeys('m', generation, { prefix: 'partner-', offset: 1, limit: 2 })).toEqual(partners.slice(1, 3));
      expect(await storage.listKeys('m', generation, { prefix: 'partner-', offset: 3, limit: 2 })).toEqual(partners.slice(3));
      expect(await storage.listKeys('m', generation, { prefix: 'partner-', offset: 9 })).toEqual([]);
      expect(await storage.countKeys('m', generation, { prefix: 'partner-' })).toBe(partners.length);
      expect(await storage.countKeys('m', generation)).toBe(keys.length);
      expect(await storage.countKeys('m', generation, { prefix: 'absent-' })).toBe(0);
      expect(await storage.listDocuments('m', generation, { prefix: 'session-', offset: 1 })).toEqual([{ key: 'session-2019', value: '"session-2019"' }]);
      const reader = storedModel(storage, defineProjection({ name: 'm', version: 1, handles: ['PartnerRegistered'], initialState: null, evolve: (state) => state }), (await storage.generations('m'))[0]!);
      // Against the listing itself, for ranges drawn at random (a fixed seed: every run draws the same).
      const random = seeded(19);
      const pick = <T>(from: readonly T[]): T => from[Math.floor(random() * from.length)]!;
      const prefixes = [undefined, '', '#', 'p', 'partner', 'partner-', 'partner-b', 'session-', 'z', 'absent'];
      const afters = [undefined, '', '#total', 'partner-', 'partner-a', 'participant-x', 'session-2018', 'zz'];
      for (let draw = 0; draw < 60; draw++) {
        const span = { ...optional('prefix', pick(prefixes)), ...optional('after', pick(afters)) };
        const page = { ...optional('offset', pick([undefined, 0, 1, 2, 5, 20])), ...optional('limit', pick([undefined, 0, 1, 3, 50])) };
        const within = sorted.filter((k) => (span.prefix === undefined || k.startsWith(span.prefix)) && (span.after === undefined || k > span.after));
        const from = page.offset ?? 0;
        const asked = JSON.stringify({ ...span, ...page });
        expect(await storage.listKeys('m', generation, { ...span, ...page }), asked).toEqual(within.slice(from, page.limit === undefined ? undefined : from + page.limit));
        expect((await storage.listDocuments('m', generation, { ...span, ...page })).map((d) => d.key), asked).toEqual(await storage.listKeys('m', generation, { ...span, ...page }));
        expect(await storage.countKeys('m', generation, span), asked).toBe(within.length);
        // A model's reader leaves the counters (`#`) out, and pages what is left.
        const model = within.filter((k) => !k.startsWith(COUNTERS_PREFIX));
        expect(await reader.keys({ ...span, ...page }), asked).toEqual(model.slice(from, page.limit === undefined ? undefined : from + page.limit));
        expect(await reader.keyCount(span), asked).toBe(model.length);
      }
      await rejectsWith(storage.countKeys('m', generation + 1), 'generation-missing');
    });

    it('refuses a commit from a stale checkpoint (another runner wrote first) and changes nothing', async () => {
      const storage = await fresh();
      const { generation } = await storage.create('m', 1);
      await storage.commit('m', generation, change(10n, undefined, { documents: [{ key: 'v', value: '1' }], index: { remove: [], put: [row('i', 'k', '1')] } }));
      const stale = { documents: [{ key: 'v', value: '2' }, { key: 'w', value: '2' }], index: { remove: [{ index: 'i', key: 'k', sort: '1' }], put: [row('i', 'k', '2')] } };
      await rejectsWith(storage.commit('m', generation, change(12n, undefined, stale)), 'concurrent-runner');
      await rejectsWith(storage.commit('m', generation, change(12n, 9n, stale)), 'concurrent-runner');
      expect(await storage.listDocuments('m', generation)).toEqual([{ key: 'v', value: '1' }]);
      expect((await storage.readIndex('m', generation, 'i', 'k')).map((e) => e.sort)).toEqual(['1']);
      expect(await storage.generations('m')).toMatchObject([{ position: 10n, eventsApplied: 10 }]);
    });

    it('lets exactly one of two racing commits from the same checkpoint win', async () => {
      const storage = await fresh();
      const { generation } = await storage.create('m', 1);
      const results = await Promise.allSettled([
        storage.commit('m', generation, change(5n, undefined, { documents: [{ key: 'by', value: '"a"' }] })),
        storage.commit('m', generation, change(6n, undefined, { documents: [{ key: 'by', value: '"b"' }] })),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect((loser.reason as { code?: string }).code).toBe('concurrent-runner');
      const winner = (results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ position: bigint }>).value;
      expect((await storage.generations('m'))[0]!.position).toBe(winner.position);
      expect((await storage.documents('m', generation, ['by'])).get('by')).toBe(winner.position === 5n ? '"a"' : '"b"');
    });

    it('refuses a commit to a generation that does not exist', async () => {
      const storage = await fresh();
      await rejectsWith(storage.commit('m', 4, change(1n, undefined)), 'generation-missing');
    });

    it('activates one generation and drops every other one of that name with its documents, leaving other names alone', async () => {
      const storage = await fresh();
      const old = await storage.create('m', 1);
      await storage.commit('m', old.generation, change(1n, undefined, { documents: [{ key: 'old', value: 'true' }], index: { remove: [], put: [row('i', 'k', 'old')] } }));
      await storage.activate('m', old.generation);
      expect(await storage.generations('m')).toMatchObject([{ generation: old.generation, status: 'active' }]);
      const other = await storage.create('other', 1);
      await storage.commit('other', other.generation, change(1n, undefined, { documents: [{ key: 'kept', value: '1' }] }));
      const rebuilt = await storage.create('m', 2);
      const abandoned = await storage.create('m', 2);
      await storage.commit('m', abandoned.generation, change(1n, undefined, { documents: [{ key: 'abandoned', value: '1' }] }));
      expect((await storage.generations('m')).map((g) => [g.generation, g.status])).toEqual([
        [old.generation, 'active'],
        [rebuilt.generation, 'building'],
        [abandoned.generation, 'building'],
      ]);
      await storage.commit('m', rebuilt.generation, change(3n, undefined, { documents: [{ key: 'new', value: '"built"' }], index: { remove: [], put: [row('i', 'k', 'new')] } }));
      // Readers of the active generation see the old model until the swap.
      expect(await storage.listDocuments('m', old.generation)).toEqual([{ key: 'old', value: 'true' }]);
      await storage.activate('m', rebuilt.generation);
      expect(await storage.generations('m')).toMatchObject([{ generation: rebuilt.generation, version: 2, status: 'active', position: 3n }]);
      expect(await storage.listDocuments('m', rebuilt.generation)).toEqual([{ key: 'new', value: '"built"' }]);
      expect((await storage.readIndex('m', rebuilt.generation, 'i', 'k')).map((e) => e.sort)).toEqual(['new']);
      await rejectsWith(storage.listDocuments('m', old.generation), 'generation-missing');
      await rejectsWith(storage.listKeys('m', old.generation), 'generation-missing');
      await rejectsWith(storage.listDocuments('m', abandoned.generation), 'generation-missing');
      expect(await storage.listDocuments('other', other.generation)).toEqual([{ key: 'kept', value: '1' }]);
      // The active generation still takes commits (catching up).
      await storage.commit('m', rebuilt.generation, change(4n, 3n, { documents: [{ key: 'new', value: '"caught up"' }] }));
      const next = await storage.create('m', 3);
      expect(next.generation).toBeGreaterThan(rebuilt.generation);
      expect(await storage.listDocuments('m', next.generation)).toEqual([]);
      await rejectsWith(storage.activate('m', 99), 'generation-missing');
    });

    it('drops a generation with its documents; dropping one that does not exist does nothing', async () => {
      const storage = await fresh();
      const g = await storage.create('m', 1);
      await storage.commit('m', g.generation, change(1n, undefined, { documents: [{ key: 'x', value: '1' }], index: { remove: [], put: [row('i', 'k', 's')] } }));
      await storage.drop('m', g.generation);
      await storage.drop('m', g.generation);
      await storage.drop('never', 1);
      expect(await storage.generations('m')).toEqual([]);
      const again = await storage.create('m', 1);
      expect(await storage.listDocuments('m', again.generation)).toEqual([]);
      expect(await storage.listIndex('m', again.generation)).toEqual([]);
    });

    if (options.reopen) it('keeps what was committed across a reopen', async () => {
      const storage = await fresh();
      const g = await storage.create('m', 1);
      await storage.commit('m', g.generation, change(42n, undefined, { documents: [{ key: 'kept', value: '"نعم"' }], index: { remove: [], put: [row('i', 'k', 's', 'kept', '1')] } }));
      await storage.activate('m', g.generation);
      const again = await options.reopen!(storage);
      opened.push(again);
      expect(await again.generations('m')).toMatchObject([{ generation: g.generation, status: 'active', position: 42n, eventsApplied: 42 }]);
      expect((await again.documents('m', g.generation, ['kept'])).get('kept')).toBe('"نعم"');
      expect(await again.readIndex('m', g.generation, 'i', 'k')).toEqual([{ sort: 's', document: 'kept', value: '1' }]);
    });

    it('runs the engine: rebuild, catch up from the checkpoint (index entries and counters follow), and swap in a new version', async () => {
      const storage = await fresh();
      const store = new InMemoryEventStore();
      await recordPartners(store, 0, 7);
      const runner = new ProjectionRunner(partnerNames, { store, storage, batchSize: 3 });
      const built = await runner.rebuild();
      expect(built).toMatchObject({ activated: true, complete: true, eventsApplied: 7, position: 7n });
      await recordPartners(store, 7, 4);
      await recordPartners(store, 2, 2, true);
      expect(await runner.catchUp()).toMatchObject({ phase: 'catch-up', eventsApplied: 6, position: 13n });
      const v1 = (await runner.read())!;
      expect(await v1.keys()).toHaveLength(11);
      expect(await v1.get('p-3')).toEqual(['Partner 3', 'Renamed 3']);
      expect(await v1.counters('names')).toEqual({ names: 13, partners: 11 });
      expect((await v1.index('by-name', 'Renamed')).map((e) => [e.document, e.value])).toEqual([
        ['p-2', 2],
        ['p-3', 2],
      ]);
      expect(await v1.indexSize('by-name', 'Partner')).toBe(9);
      // What was caught up step by step equals what one rebuild writes: documents, index entries and counters.
      const clean = new InMemoryReadModelStorage();
      await new ProjectionRunner(partnerNames, { store, storage: clean }).rebuild();
      expect(await exportActiveModel(storage, partnerNames.name)).toBe(await exportActiveModel(clean, partnerNames.name));

      const v2 = new ProjectionRunner({ ...partnerNames, version: 2 }, { store, storage });
      const swapped = await v2.catchUp();
      expect(swapped).toMatchObject({ phase: 'rebuild', activated: true, eventsApplied: 13 });
      expect(swapped.generation).toBeGreaterThan(built.generation);
      expect(await storage.generations(partnerNames.name)).toMatchObject([{ generation: swapped.generation, version: 2, status: 'active', position: 13n }]);
      expect(await exportActiveModel(storage, partnerNames.name)).toBe(await exportActiveModel(clean, partnerNames.name));
      await store.close();
    });
  });
}
