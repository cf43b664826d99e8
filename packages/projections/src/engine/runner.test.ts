import v8 from 'node:v8';
import vm from 'node:vm';
import { InMemoryEventStore, type EventStore, type ReadAllOptions, type StoredEvent } from '@taawun/domain';
import { match } from 'ts-pattern';
import { describe, expect, it } from 'vitest';
import { isProjectionError } from './errors.js';
import { InMemoryReadModelStorage } from './in-memory-storage.js';
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
    expect(stored?.state).toEqual(await replay(store, activity));
    expect(stored?.state.sessions['giz']).toHaveLength(20);
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
    expect((await storage.load('activity', resumed.generation))!.state).toBe((await clean.load('activity', 1))!.state);
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
    expect((await runner.read())!.state).toEqual(await replay(store, activity));
    expect((await runner.read())!.info.eventsApplied).toBe(14);
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
    expect((await runner.read())!.state).toEqual(await replay(store, activity));
  });
});

describe('versions and concurrent runners', () => {
  it('bumping the version rebuilds into a fresh generation; readers keep the old model until the swap', async () => {
    const store = await storeWith(3, 10);
    const storage = new InMemoryReadModelStorage();
    const v1 = new ProjectionRunner(activity, { store, storage });
    await v1.rebuild();
    const v1State = (await v1.read())!.state;

    const v2Projection = defineProjection({ ...activity, version: 2, handles: ['PartnerRegistered'], evolve: (s, e) => ({ ...s, partners: [...s.partners, e.data.partnerId.toUpperCase()] }) });
    const seenDuringRebuild: unknown[] = [];
    const v2 = new ProjectionRunner(v2Projection, {
      store,
      storage,
      batchSize: 1,
      onProgress: async () => {
        const active = (await storage.generations('activity')).find((g) => g.status === 'active')!;
        seenDuringRebuild.push([active.version, JSON.parse((await storage.load('activity', active.generation))!.state)]);
      },
    });
    expect((await v2.status()).current).toBe(false);
    expect(await v2.read()).toBeUndefined();
    const swapped = await v2.catchUp();
    await new Promise((r) => setTimeout(r, 0));
    expect(swapped).toMatchObject({ phase: 'rebuild', activated: true, generation: 2 });
    expect(seenDuringRebuild.length).toBeGreaterThan(3);
    expect(seenDuringRebuild.slice(0, -1).every((seen) => JSON.stringify(seen) === JSON.stringify([1, v1State]))).toBe(true);
    expect((await v2.read())!.state.partners).toEqual(['GIZ', 'P0', 'P1', 'P2']);
    expect(await storage.generations('activity')).toMatchObject([{ generation: 2, version: 2, status: 'active' }]);

    const downgrade = await v1.catchUp().catch((e: unknown) => e);
    expect((downgrade as Error).message).toMatch(/stored at version 2, newer than this code's version 1/);
  });

  it('a runner whose checkpoint is stale (another runner wrote first) fails instead of applying events twice', async () => {
    const store = await storeWith(1, 2);
    const storage = new InMemoryReadModelStorage();
    await new ProjectionRunner(activity, { store, storage }).rebuild();
    await record(store, [heldSession('x', '2020')]);
    const loaded = await storage.load('activity', 1);
    await new ProjectionRunner(activity, { store, storage }).catchUp();
    const error = await storage
      .commit('activity', 1, { state: loaded!.state, position: 5n, eventsApplied: 99, expectedPosition: loaded!.info.position })
      .catch((e: unknown) => e);
    expect(isProjectionError(error) && error.code).toBe('concurrent-runner');
  });
});

describe('memory', () => {
  /** A log generated on the fly: nothing holds its events but whoever reads them. */
  class GeneratedLog implements EventStore {
    readonly sample: WeakRef<StoredEvent>[] = [];
    constructor(private readonly size: number) {}
    async *readAll(options: ReadAllOptions = {}): AsyncGenerator<StoredEvent> {
      for (let p = Number(options.after ?? 0n) + 1; p <= this.size; p++) {
        const event: StoredEvent = {
          id: `00000000-0000-7000-8000-${p.toString(16).padStart(12, '0')}`,
          type: 'PartnerRegistered',
          schemaVersion: 1,
          data: { partnerId: `p-${p % 7}`, name: { en: 'x'.repeat(2000) }, kind: 'school' },
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
    expect(mostAlive).toBeLessThanOrEqual(3); // at most the events of the page being read (sampled every 50th)
  });
});
