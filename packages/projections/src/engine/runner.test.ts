import v8 from 'node:v8';
import vm from 'node:vm';
import { InMemoryEventStore, type EventStore, type ReadAllOptions, type StoredEvent } from '@taawun/domain';
import { match } from 'ts-pattern';
import { describe, expect, it } from 'vitest';
import { isProjectionError } from './errors.js';
import { InMemoryReadModelStorage } from './in-memory-storage.js';
import { exportModel } from './model-reader.js';
import { defineProjection } from './projection.js';
import { ProjectionRunner, replay, type Progress } from './runner.js';
import { heldSession, partner, record } from './test-support.js';

/** Partners and the sessions each took part in. */
const activity = defineProjection({
  name: 'activity',
  version: 1,
  handles: ['PartnerRegistered', 'SessionHeld'],
  initialState: { partners: [] as string[], sessions: {} as Record<string, string[]> },
  evolve: (state, event) =>
    match(event)
      .with({ type: 'PartnerRegistered' }, ({ data }) => ({ ...state, partners: [...state.partners, data.partnerId] }))
      .with({ type: 'SessionHeld' }, ({ data }) => ({
        ...state,
        sessions: { ...state.sessions, ...Object.fromEntries(data.partners.map((p) => [p, [...(state.sessions[p] ?? []), data.sessionId]])) },
      }))
      .exhaustive(),
});

async function storeWith(partners: number, sessions: number): Promise<InMemoryEventStore> {
  const store = new InMemoryEventStore();
  await record(store, [partner('giz'), ...Array.from({ length: partners }, (_, i) => partner(`p${i}`))]);
  await record(store, Array.from({ length: sessions }, (_, i) => heldSession(`s${i}`, '2018', { partners: ['giz', `p${i % Math.max(1, partners)}`] })));
  // Events the projection does not handle, at the end of the log.
  await record(store, [{ type: 'RegisterInstitute', instituteId: 'ism', name: { en: 'Institute' } }]);
  return store;
}

/** A store that reads through to another and counts what its readers are handed. */
function counting(inner: EventStore): EventStore & { handedOut: number } {
  const wrapper = {
    handedOut: 0,
    append: inner.append.bind(inner),
    readStream: inner.readStream.bind(inner),
    follow: inner.follow.bind(inner),
    lastPosition: inner.lastPosition.bind(inner),
    close: inner.close.bind(inner),
    async *readAll(options?: ReadAllOptions) {
      for await (const e of inner.readAll(options)) {
        wrapper.handedOut++;
        yield e;
      }
    },
  };
  return wrapper;
}

describe('rebuilding', () => {
  it('gives the event loop a turn between chunks, so a server embedding it keeps answering during a long rebuild', async () => {
    const store = await storeWith(5, 1200);
    const runner = new ProjectionRunner(activity, { store, storage: new InMemoryReadModelStorage(), pageSize: 100 });
    const order: string[] = [];
    const rebuilt = runner.rebuild().then(() => order.push('rebuilt'));
    // Stands for a request arriving while the rebuild runs: it must not wait for the end.
    setImmediate(() => order.push('request served'));
    await rebuilt;
    expect(order).toEqual(['request served', 'rebuilt']);
  });

  it('replays from the first event, committing every batch, reporting events done, total and rate', async () => {
    const store = counting(await storeWith(5, 20));
    const storage = new InMemoryReadModelStorage();
    const progress: Progress[] = [];
    let clock = 0;
    const runner = new ProjectionRunner(activity, { store, storage, batchSize: 4, onProgress: (p) => progress.push(p), clock: () => (clock += 10) });
    const result = await runner.rebuild();

    expect(result).toMatchObject({ phase: 'rebuild', activated: true, complete: true, eventsApplied: 26, position: 27n, generation: 1 });
    expect(store.handedOut).toBe(26); // the store filtered out the unhandled RegisterInstitute event
    const commits = progress.filter((p) => !p.done);
    expect(commits.map((p) => p.eventsApplied)).toEqual([4, 8, 12, 16, 20, 24, 26]);
    expect(commits.at(-1)).toMatchObject({ eventsDone: 27, eventsTotal: 27, position: 27n, headPosition: 27n });
    expect(progress.at(-1)).toMatchObject({ done: true, eventsDone: 27, eventsTotal: 27, eventsApplied: 26 });
    expect(progress.every((p) => p.eventsTotal === 27 && p.eventsPerSecond > 0 && p.phase === 'rebuild')).toBe(true);
    expect(progress.map((p) => p.eventsDone)).toEqual([...progress.map((p) => p.eventsDone)].sort((a, b) => a - b));

    const stored = await runner.read();
    expect(stored?.info).toMatchObject({ status: 'active', position: 27n, eventsApplied: 26 });
    expect(await stored!.state()).toEqual(await (await replay(store, activity)).state());
    expect((await stored!.state()).sessions['giz']).toHaveLength(20);
  });

  it('never reads events of types it does not handle: an unreadable one of another type does not stop it', async () => {
    const store = await storeWith(2, 2);
    await store.append('session-broken', [{ id: crypto.randomUUID(), type: 'SessionCancelled', schemaVersion: 1, data: { nonsense: true }, metadata: { actor: 't', correlationId: 'c', causationId: 'c' }, recordedAt: '2024-01-02T00:00:00Z' }], { expectedRevision: 'no-stream' });
    const storage = new InMemoryReadModelStorage();
    await expect(new ProjectionRunner(activity, { store, storage }).rebuild()).resolves.toMatchObject({ complete: true, eventsApplied: 5 });

    const cancellations = defineProjection({ name: 'cancellations', version: 1, handles: ['SessionCancelled'], initialState: 0, evolve: (n) => n + 1 });
    const error = await new ProjectionRunner(cancellations, { store, storage }).rebuild().catch((e: unknown) => e);
    expect(isProjectionError(error) && error.code).toBe('undecodable-event');
    expect((error as Error).message).toMatch(/position 7 \(SessionCancelled in session-broken\)/);
  });

  it('resumes an interrupted rebuild from its checkpoint and ends identical to a clean one', async () => {
    const store = await storeWith(4, 30);
    const storage = new InMemoryReadModelStorage();
    const controller = new AbortController();
    const interrupted = await new ProjectionRunner(activity, {
      store,
      storage,
      batchSize: 5,
      onProgress: (p) => p.eventsApplied >= 10 && controller.abort(),
    }).rebuild({ signal: controller.signal });
    expect(interrupted).toMatchObject({ complete: false, activated: false, eventsApplied: 10 });
    expect(await new ProjectionRunner(activity, { store, storage }).read()).toBeUndefined(); // nothing half-built is readable

    const resumed = await new ProjectionRunner(activity, { store, storage, batchSize: 5 }).rebuild();
    expect(resumed).toMatchObject({ complete: true, activated: true, resumedFrom: interrupted.position, eventsApplied: 35 - 10 });
    const clean = new InMemoryReadModelStorage();
    await new ProjectionRunner(activity, { store, storage: clean }).rebuild();
    expect(await exportModel(storage, 'activity', resumed.generation)).toBe(await exportModel(clean, 'activity', 1));
    expect((await storage.generations('activity')).map((g) => [g.eventsApplied, g.position])).toEqual([[35, 36n]]);
  });

  it('rebuilds from scratch on demand, replacing an unfinished build', async () => {
    const store = await storeWith(3, 3);
    const storage = new InMemoryReadModelStorage();
    const controller = new AbortController();
    await new ProjectionRunner(activity, { store, storage, batchSize: 1, onProgress: () => controller.abort() }).rebuild({ signal: controller.signal });
    const fresh = await new ProjectionRunner(activity, { store, storage }).rebuild({ fromScratch: true });
    expect(fresh).toMatchObject({ eventsApplied: 7, activated: true });
    expect(fresh.resumedFrom).toBeUndefined();
    expect(await storage.generations('activity')).toMatchObject([{ generation: fresh.generation, eventsApplied: 7, status: 'active' }]);
  });
});

describe('catching up and following', () => {
  it('catches up from the stored checkpoint, applying each new event once, in chunks if asked', async () => {
    const store = await storeWith(2, 4);
    const storage = new InMemoryReadModelStorage();
    const runner = new ProjectionRunner(activity, { store, storage, batchSize: 2 });
    expect(await runner.catchUp()).toMatchObject({ phase: 'rebuild', activated: true, eventsApplied: 7 }); // nothing built yet: rebuild
    expect(await runner.catchUp()).toMatchObject({ phase: 'catch-up', eventsApplied: 0, position: 8n });
    await record(store, Array.from({ length: 7 }, (_, i) => heldSession(`late-${i}`, '2019')));
    expect(await runner.catchUp({ maxEvents: 3 })).toMatchObject({ eventsApplied: 3, complete: false, position: 11n });
    expect(await runner.catchUp({ maxEvents: 3 })).toMatchObject({ eventsApplied: 3, complete: false, position: 14n });
    expect(await runner.catchUp()).toMatchObject({ eventsApplied: 1, complete: true, position: 15n });
    expect(await (await runner.read())!.state()).toEqual(await (await replay(store, activity)).state());
    expect((await runner.read())!.info!.eventsApplied).toBe(14);
  });

  it('follows the live log, committing new events as they come, until aborted', async () => {
    const store = await storeWith(1, 1);
    const storage = new InMemoryReadModelStorage();
    const controller = new AbortController();
    const commits: bigint[] = [];
    let reached: () => void = () => undefined;
    const caughtUpWith = (position: bigint) => new Promise<void>((resolve) => (reached = () => commits.at(-1) === position && resolve()));
    const runner = new ProjectionRunner(activity, {
      store,
      storage,
      batchSize: 3,
      onCommit: (info) => {
        commits.push(info.position!);
        reached();
      },
    });
    const caughtUp = caughtUpWith(4n);
    const following = runner.follow({ signal: controller.signal, commitDelayMs: 20 });
    await caughtUp;
    await record(store, [heldSession('live-1', '2020')]);
    await caughtUpWith(5n);
    await record(store, Array.from({ length: 4 }, (_, i) => heldSession(`live-${i + 2}`, '2020')));
    await caughtUpWith(9n);
    controller.abort();
    const result = await following;
    expect(result).toMatchObject({ phase: 'live', eventsApplied: 5, position: 9n });
    expect(commits).toContain(8n); // a full batch of 3 committed at once
    expect(await (await runner.read())!.state()).toEqual(await (await replay(store, activity)).state());
  });
});

describe('versions and concurrent runners', () => {
  it('bumping the version rebuilds into a fresh generation; readers keep the old model until the swap', async () => {
    const store = await storeWith(3, 10);
    const storage = new InMemoryReadModelStorage();
    const v1 = new ProjectionRunner(activity, { store, storage });
    await v1.rebuild();
    const v1State = await (await v1.read())!.state();

    const v2Projection = defineProjection({ ...activity, version: 2, handles: ['PartnerRegistered'], evolve: (s, e) => ({ ...s, partners: [...s.partners, e.data.partnerId.toUpperCase()] }) });
    const seenDuringRebuild: unknown[] = [];
    const v2 = new ProjectionRunner(v2Projection, {
      store,
      storage,
      batchSize: 1,
      onProgress: async () => {
        const active = (await storage.generations('activity')).find((g) => g.status === 'active')!;
        seenDuringRebuild.push([active.version, JSON.parse((await storage.documents('activity', active.generation, ['']))!.get('')!)]);
      },
    });
    expect((await v2.status()).current).toBe(false);
    expect(await v2.read()).toBeUndefined();
    const swapped = await v2.catchUp();
    await new Promise((r) => setTimeout(r, 0));
    expect(swapped).toMatchObject({ phase: 'rebuild', activated: true, generation: 2 });
    expect(seenDuringRebuild.length).toBeGreaterThan(3);
    expect(seenDuringRebuild.slice(0, -1).every((seen) => JSON.stringify(seen) === JSON.stringify([1, v1State]))).toBe(true);
    expect((await (await v2.read())!.state()).partners).toEqual(['GIZ', 'P0', 'P1', 'P2']);
    expect(await storage.generations('activity')).toMatchObject([{ generation: 2, version: 2, status: 'active' }]);

    const downgrade = await v1.catchUp().catch((e: unknown) => e);
    expect((downgrade as Error).message).toMatch(/stored at version 2, newer than this code's version 1/);
  });

  it('a runner whose checkpoint is stale (another runner wrote first) fails instead of applying events twice', async () => {
    const store = await storeWith(1, 2);
    const storage = new InMemoryReadModelStorage();
    await new ProjectionRunner(activity, { store, storage }).rebuild();
    await record(store, [heldSession('x', '2020')]);
    const [loaded] = await storage.generations('activity');
    await new ProjectionRunner(activity, { store, storage }).catchUp();
    const error = await storage
      .commit('activity', 1, { documents: [{ key: '', value: '{}' }], index: { remove: [], put: [] }, position: 5n, eventsApplied: 99, expectedPosition: loaded!.position })
      .catch((e: unknown) => e);
    expect(isProjectionError(error) && error.code).toBe('concurrent-runner');
  });
});

describe('memory', () => {
  it('holds one event at a time: what stays in memory is the read model, not the log', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const counter = defineProjection({
      name: 'partners-seen',
      version: 1,
      handles: ['PartnerRegistered'],
      initialState: {} as Record<string, number>,
      evolve: (s, e) => ({ ...s, [e.data.partnerId]: (s[e.data.partnerId] ?? 0) + 1 }),
    });
    const log = new GeneratedLog(20_000); // ~40 MB of event data if it were kept
    let mostAlive = 0;
    const result = await new ProjectionRunner(counter, {
      store: log,
      storage: new InMemoryReadModelStorage(),
      batchSize: 2_000,
      onProgress: () => {
        gc();
        mostAlive = Math.max(mostAlive, log.sample.filter((r) => r.deref() !== undefined).length);
      },
    }).rebuild();
    expect(result.eventsApplied).toBe(20_000);
    expect(log.sample).toHaveLength(400);
    // At most the events of the page being read (sampled every 50th), and the odd one V8 keeps for code it
    // compiled: a few, whatever the length of the log (400 sampled here).
    expect(mostAlive).toBeLessThanOrEqual(5);
  });
});

describe('the heap during a run', () => {
  /** One document per partner, its last name: documents cached, replaced and let go as the run goes. */
  const names = defineProjection({
    name: 'partner-names',
    version: 1,
    handles: ['PartnerRegistered'],
    initialState: { name: '', registrations: 0 },
    keyOf: (event) => event.data.partnerId,
    evolve: (doc, event) => ({ name: event.data.name.en ?? '', registrations: doc.registrations + 1 }),
  });

  /** The most the heap held at a commit, above what was live before the run, with this margin. */
  async function mostAboveLive(heapMarginBytes: number): Promise<number> {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    gc();
    const live = v8.getHeapStatistics().used_heap_size;
    let most = 0;
    await new ProjectionRunner(names, {
      store: new GeneratedLog(20_000, 2_000),
      storage: new InMemoryReadModelStorage(),
      batchSize: 500,
      heapMarginBytes,
      onProgress: () => (most = Math.max(most, v8.getHeapStatistics().used_heap_size - live)),
    }).rebuild();
    return most;
  }

  it('collects at a commit once the garbage outgrows the margin: the heap stays near what is live, whatever the log', async () => {
    const MB = 1024 * 1024;
    // Above what was live: what the run holds (a page, the cache, the model the in-memory storage keeps) and the young generation.
    // 6–7 MB here (20,000 events of 2 kB).
    expect(await mostAboveLive(4 * MB)).toBeLessThan(24 * MB);
    // Left to V8, the same run: 77 MB (the garbage grows to a multiple of what is live before V8 collects it).
    expect(await mostAboveLive(Infinity)).toBeGreaterThan(24 * MB);
  });
});

describe('keyed documents', () => {
  /** Sessions per partner: one document per partner, an index of partners by count, a counter of sessions. */
  const perPartner = defineProjection({
    name: 'per-partner',
    version: 1,
    handles: ['PartnerRegistered', 'SessionHeld'],
    initialState: { sessions: [] as string[] },
    keyOf: (event) =>
      match(event)
        .with({ type: 'PartnerRegistered' }, (e) => e.data.partnerId)
        .with({ type: 'SessionHeld' }, (e) => e.data.partners)
        .exhaustive(),
    evolve: (doc, event) =>
      match(event)
        .with({ type: 'PartnerRegistered' }, () => doc)
        .with({ type: 'SessionHeld' }, (e) => ({ sessions: [...doc.sessions, e.data.sessionId] }))
        .exhaustive(),
    indexes: (key, doc) => [{ index: 'by-count', key: '', sort: `${String(doc.sessions.length).padStart(6, '0')}\u0001${key}`, value: doc.sessions.length }],
    counters: (_key, doc) => [{ counters: 'all', values: { partners: 1, sessions: doc.sessions.length } }],
  });

  /** An in-memory storage that counts what the engine reads and writes. */
  class CountingStorage extends InMemoryReadModelStorage {
    reads = 0;
    written: string[][] = [];
    override async documents(name: string, generation: number, keys: readonly string[]) {
      this.reads += keys.length;
      return super.documents(name, generation, keys);
    }
    override async commit(...args: Parameters<InMemoryReadModelStorage['commit']>) {
      this.written.push(args[2].documents.map((d) => d.key));
      return super.commit(...args);
    }
  }

  it('writes only the documents that changed, never reads back what it wrote, and ends the same whatever the cache size', async () => {
    const store = await storeWith(10, 60);
    const storage = new CountingStorage();
    await new ProjectionRunner(perPartner, { store, storage, batchSize: 10 }).rebuild();
    expect(storage.reads).toBe(0); // a fresh generation: every document is in memory or known absent
    // Each commit writes the documents its 10 events changed (and the counters), not the model.
    expect(storage.written.every((keys) => keys.length <= 12)).toBe(true); // giz, ten others at most, the counters
    expect(storage.written.flat().filter((k) => k === 'giz').length).toBeLessThanOrEqual(storage.written.length);
    const model = (await new ProjectionRunner(perPartner, { store, storage }).read())!;
    expect(await model.get('giz')).toMatchObject({ sessions: expect.arrayContaining(['s0', 's59']) });
    expect(await model.counters('all')).toEqual({ partners: 11, sessions: 120 });
    expect((await model.index<number>('by-count', '')).map((e) => [e.document, e.value]).at(-1)).toEqual(['giz', 60]);

    // A tiny cache evicts documents between commits: they are fetched again, and the result is the same.
    const small = new CountingStorage();
    await new ProjectionRunner(perPartner, { store, storage: small, batchSize: 7, cacheSize: 2 }).rebuild();
    expect(small.reads).toBeGreaterThan(0);
    expect(await exportModel(small, 'per-partner', 1)).toBe(await exportModel(storage, 'per-partner', 1));
    expect(await exportModel(storage, 'per-partner', 1)).toBe(await (await replay(store, perPartner)).export());

    // Catching up reads the documents the new events fold into, and only those.
    await record(store, [heldSession('late', '2021', { partners: ['p3'] })]);
    small.reads = 0;
    small.written = [];
    await new ProjectionRunner(perPartner, { store, storage: small }).catchUp();
    expect(small.reads).toBe(2); // p3 and the counters
    expect(small.written).toEqual([['p3', '#all']]);
  });

  it('a rebuild folds the next events while its commit is on its way, one commit at a time, and ends equal to a replay', async () => {
    const store = counting(await storeWith(4, 60));
    let writing = 0;
    let most = 0;
    let foldedMeanwhile = 0;
    /** Commits that take a while (a server writing), counting the events handed to the runner meanwhile. */
    class SlowStorage extends InMemoryReadModelStorage {
      override async commit(...args: Parameters<InMemoryReadModelStorage['commit']>) {
        most = Math.max(most, ++writing);
        const before = store.handedOut;
        await new Promise((r) => setTimeout(r, 10));
        foldedMeanwhile += store.handedOut - before;
        writing--;
        return super.commit(...args);
      }
    }
    const storage = new SlowStorage();
    const result = await new ProjectionRunner(perPartner, { store, storage, batchSize: 5, pageSize: 5 }).rebuild();
    expect(result).toMatchObject({ complete: true, activated: true, eventsApplied: 65 });
    expect(most).toBe(1);
    expect(foldedMeanwhile).toBeGreaterThan(0);
    expect(await exportModel(storage, 'per-partner', result.generation)).toBe(await (await replay(store, perPartner)).export());
  });

  it('a commit that fails while the runner folds on fails the run, and the checkpoint stays at the last commit that succeeded', async () => {
    const store = await storeWith(4, 60);
    let commits = 0;
    class FailingStorage extends InMemoryReadModelStorage {
      override async commit(...args: Parameters<InMemoryReadModelStorage['commit']>) {
        await new Promise((r) => setTimeout(r, 5));
        if (++commits === 3) throw new Error('the server went away');
        return super.commit(...args);
      }
    }
    const storage = new FailingStorage();
    await expect(new ProjectionRunner(perPartner, { store, storage, batchSize: 5, pageSize: 5 }).rebuild()).rejects.toThrow('the server went away');
    const [building] = await storage.generations('per-partner');
    expect(building).toMatchObject({ status: 'building', eventsApplied: 10 });
    // Resumed from there, it ends as a clean build does.
    const resumed = await new ProjectionRunner(perPartner, { store, storage, batchSize: 5 }).rebuild();
    expect(resumed).toMatchObject({ complete: true, resumedFrom: building!.position, eventsApplied: 65 - 10 });
    expect(await exportModel(storage, 'per-partner', resumed.generation)).toBe(await (await replay(store, perPartner)).export());
  });

  it('follows the live log into keyed documents while slow commits are on their way, and ends equal to a replay', async () => {
    const store = await storeWith(4, 6);
    /** Commits that take a while, and documents read slowly: events arrive in the middle of both. */
    class SlowStorage extends InMemoryReadModelStorage {
      override async commit(...args: Parameters<InMemoryReadModelStorage['commit']>) {
        await new Promise((r) => setTimeout(r, 15));
        return super.commit(...args);
      }
      override async documents(...args: Parameters<InMemoryReadModelStorage['documents']>) {
        await new Promise((r) => setTimeout(r, 5));
        return super.documents(...args);
      }
    }
    const storage = new SlowStorage();
    const controller = new AbortController();
    const following = new ProjectionRunner(perPartner, { store, storage, cacheSize: 1 }).follow({ signal: controller.signal, commitDelayMs: 5 });
    for (let i = 0; i < 12; i++) {
      await record(store, [heldSession(`live-${i}`, '2021', { partners: ['giz', `p${i % 4}`] })]);
      await new Promise((r) => setTimeout(r, i % 3 === 0 ? 1 : 12));
    }
    const head = (await store.lastPosition())!;
    while ((await storage.generations('per-partner'))[0]?.position !== head) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    await following;
    expect(await exportModel(storage, 'per-partner', 1)).toBe(await (await replay(store, perPartner)).export());
  });

  it('keeps memory bounded by the cache, not by the number of documents', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const sample: WeakRef<object>[] = [];
    let made = 0;
    const wide = defineProjection({
      name: 'wide',
      version: 1,
      handles: ['PartnerRegistered'],
      initialState: { name: '' },
      keyOf: (e) => `${e.data.partnerId}-${e.position}`,
      evolve: (_doc, e) => {
        const doc = { name: e.data.name.en ?? '' };
        if (made++ % 50 === 0) sample.push(new WeakRef(doc));
        return doc;
      },
    });
    const log = new GeneratedLog(20_000);
    let mostAlive = 0;
    const result = await new ProjectionRunner(wide, {
      store: log,
      storage: new InMemoryReadModelStorage(),
      batchSize: 1_000,
      cacheSize: 500,
      onProgress: () => {
        gc();
        mostAlive = Math.max(mostAlive, sample.filter((r) => r.deref() !== undefined).length);
      },
    }).rebuild();
    expect(result.eventsApplied).toBe(20_000);
    expect(sample).toHaveLength(400);
    // The cache's 500 documents and a commit's 1,000 (sampled every 50th): about 30, of 400 made.
    expect(mostAlive).toBeLessThanOrEqual(35);
  });
});

/**
 * A log of 2 kB registrations generated on the fly: nothing holds its events
 * but whoever reads them. Every 50th event is kept in `sample` as a WeakRef, to
 * see whether a reader let it go.
 */
class GeneratedLog implements EventStore {
  readonly sample: WeakRef<StoredEvent>[] = [];
  constructor(
    private readonly size: number,
    /** Partners named, in turn. */
    private readonly partners = 7,
  ) {}
  async *readAll(options: ReadAllOptions = {}): AsyncGenerator<StoredEvent> {
    // Like a real store, it holds only the types asked for: here, registrations.
    if (options.filter?.types && !options.filter.types.includes('PartnerRegistered')) return;
    for (let p = Number(options.after ?? 0n) + 1; p <= this.size; p++) {
      const event: StoredEvent = {
        id: `00000000-0000-7000-8000-${p.toString(16).padStart(12, '0')}`,
        type: 'PartnerRegistered',
        schemaVersion: 1,
        data: { partnerId: `p-${p % this.partners}`, name: { en: 'x'.repeat(2000) }, kind: 'school' },
        metadata: { actor: 't', correlationId: 'c', causationId: 'c' },
        recordedAt: '2024-01-01T00:00:00.000Z',
        stream: `partner-p-${p}`,
        revision: 0,
        position: BigInt(p),
      };
      if (p % 50 === 0) this.sample.push(new WeakRef(event));
      yield event;
      // Like a real store between pages: back to the event loop (which also lets WeakRef targets go).
      if (p % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }
  async lastPosition() {
    return BigInt(this.size);
  }
  append(): never {
    throw new Error('read-only');
  }
  async readStream() {
    return [];
  }
  follow(): never {
    throw new Error('not used');
  }
  async close() {}
}
