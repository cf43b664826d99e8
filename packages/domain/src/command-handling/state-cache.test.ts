import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sessionAggregate } from '../aggregates/session/index.js';
import type { Command, CommandInput } from '../catalogue/commands.js';
import { upcasters } from '../catalogue/decoding.js';
import { foldVersion, routeCommand } from '../catalogue/routing.js';
import { parseCommand } from './parse.js';
import { InMemoryEventStore } from '../store/in-memory.js';
import type { StoredEvent } from '../store/envelope.js';
import type { EventStore, ReadStreamOptions } from '../store/port.js';
import { commandSequenceArb, deterministicContext, firstEventOfStream } from '../testing/arbitraries.js';
import { handle } from './handle.js';
import type { CommandContext } from './context.js';
import { StateCache } from './state-cache.js';
import { foldOnto } from './stream.js';

/** One command's outcome (or error code); undefined when it names the first event of a stream not recorded yet. */
async function outcomeOf(store: EventStore, command: Command, context: CommandContext): Promise<unknown> {
  let input: CommandInput = command;
  if (command.type === 'CorrectRecord' && command.eventId === firstEventOfStream) {
    const [first] = await store.readStream(command.stream, { maxCount: 1 });
    if (!first) return undefined;
    input = { ...command, eventId: first.id };
  }
  const result = await handle(store, input, context);
  return result.ok ? result.value : result.error.code;
}

/** Run the commands; each one's outcome (or error code) in order, so two runs can be compared whole. */
async function run(store: EventStore, commands: readonly Command[], contextFor: (i: number) => CommandContext): Promise<unknown[]> {
  const outcomes: unknown[] = [];
  for (const [i, command] of commands.entries()) {
    const outcome = await outcomeOf(store, command, contextFor(i));
    if (outcome !== undefined) outcomes.push(outcome);
  }
  return outcomes;
}

async function logOf(store: EventStore): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for await (const e of store.readAll()) events.push(e);
  return events;
}

/**
 * Contexts by command number: each command reads its own instant, however many times a clock was read
 * before it (an attempt on a kept state that came to nothing may have read it); ids from a counter.
 */
function contextsByCommand(start = Date.parse('2024-01-01T08:00:00Z')): (i: number, stateCache: StateCache | false) => CommandContext {
  let ids = 0;
  return (i, stateCache) => ({
    actor: 'test-clerk',
    now: () => new Date(start + i * 60_000),
    newId: () => `00000000-0000-7000-8000-${(++ids).toString(16).padStart(12, '0')}`,
    stateCache,
  });
}

/** `value` as JSON, every uuid named by the order of its first appearance: two runs that drew ids differently compare by what the ids stand for. */
function idsInOrder(value: unknown): string {
  const names = new Map<string, string>();
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  return text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => {
    if (!names.has(id)) names.set(id, `id-${names.size}`);
    return names.get(id)!;
  });
}

/**
 * A store where another writer's command runs just before the next append, once the command appending has
 * decided: the race a state decided on without reading must survive. A real store; only the timing is chosen.
 */
class StoreWithAWriterInBetween extends InMemoryEventStore {
  private pending: (() => Promise<void>) | undefined;
  conflicts = 0;

  /** Run `write` just before the next append. */
  slipIn(write: () => Promise<void>): void {
    this.pending = write;
  }

  /** What was slipped in and found no append to precede, run now. */
  async settle(): Promise<void> {
    const write = this.pending;
    this.pending = undefined;
    await write?.();
  }

  override async append(...args: Parameters<InMemoryEventStore['append']>): ReturnType<InMemoryEventStore['append']> {
    await this.settle();
    const result = await super.append(...args);
    if (!result.ok) this.conflicts++;
    return result;
  }
}

/** A store that counts the events `readStream` hands out: how much of a stream a command read. */
class CountingStore extends InMemoryEventStore {
  read = 0;
  override async readStream(stream: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    const events = await super.readStream(stream, options);
    this.read += events.length;
    return events;
  }
}

const command = (input: CommandInput): Command => {
  const parsed = parseCommand(input);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
};

describe('folded states kept between commands', () => {
  it('for generated commands, two processes with their own caches on one log decide exactly as folding every stream from its start', async () => {
    let hits = 0;
    await fc.assert(
      fc.asyncProperty(commandSequenceArb(50), fc.array(fc.boolean(), { minLength: 80, maxLength: 80 }), async (commands, which) => {
        const folded = new InMemoryEventStore();
        const plain = contextsByCommand();
        const expected = await run(folded, commands, (i) => plain(i, false));

        // Two caches on one store stand for two processes appending to the same streams; a tiny one also evicts.
        const shared = new InMemoryEventStore();
        const caches = [new StateCache(), new StateCache({ maxStreams: 2 })];
        const cached = contextsByCommand();
        const actual = await run(shared, commands, (i) => cached(i, caches[which[i % which.length] ? 1 : 0]!));

        // A process deciding on a state the other has moved past draws ids for an append that does not land
        // (as any retried conflict does): ids are compared by the order they appear in, everything else as is
        // (each command reads its own instant).
        expect(idsInOrder({ outcomes: actual, log: await logOf(shared) })).toEqual(idsInOrder({ outcomes: expected, log: await logOf(folded) }));
        hits += caches[0]!.stats.hits + caches[1]!.stats.hits;
      }),
      { numRuns: 40 },
    );
    // The property proves little unless commands did start from kept states.
    expect(hits).toBeGreaterThan(100);
  });

  it('for generated commands, the state kept after each append (folded without parsing the appended data again) equals the state folded from the stream as read back', async () => {
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(commandSequenceArb(50), async (commands) => {
        const store = new InMemoryEventStore();
        const cache = new StateCache();
        const contexts = contextsByCommand();
        for (const [i, command] of commands.entries()) {
          const outcome = await outcomeOf(store, command, contexts(i, cache));
          // Only an append carries a kept state forward (another fold of the same stream may keep an older one, a start point only).
          if (typeof outcome !== 'object' || outcome === null || !('events' in outcome) || (outcome as { events: unknown[] }).events.length === 0) continue;
          const { stream, fold } = routeCommand(command);
          const kept = cache.get(stream, fold.version);
          if (!kept) continue;
          // Read back as another process would: the stored data through JSON, every event decoded with its schema.
          const asJson = (e: StoredEvent): StoredEvent => ({ ...e, ...(JSON.parse(JSON.stringify({ data: e.data, metadata: e.metadata })) as Pick<StoredEvent, 'data' | 'metadata'>) });
          const readBack = (await store.readStream(stream)).map(asJson);
          expect(readBack.at(-1)!.revision).toBe(kept.revision);
          const folded = foldOnto(fold, stream, { state: fold.initialState, revision: 'no-stream', lastEventId: undefined, keys: new Map() }, readBack);
          if (!folded.ok) throw new Error(folded.error.message);
          expect(kept.state).toStrictEqual(folded.value.state);
          compared++;
        }
      }),
      { numRuns: 30 },
    );
    expect(compared).toBeGreaterThan(300);
  });

  it('a command on a long stream reads only the events after the cached revision', async () => {
    const store = new CountingStore();
    const context = deterministicContext();
    const cache = new StateCache();
    await handle(store, { type: 'RegisterPartner', partnerId: 'enm', name: { fr: 'ENM' }, kind: 'school' }, context);
    await handle(store, { type: 'ScheduleSession', sessionId: 's', title: { fr: 'Stage' }, kind: 'course', format: 'in-person', partners: ['enm'], plannedFor: '2016' }, context);
    for (let i = 0; i < 30; i++) {
      await handle(store, { type: 'RegisterParticipant', participantId: `p${i}`, kind: 'judge' }, context);
      expect((await handle(store, { type: 'EnrolParticipant', sessionId: 's', participantId: `p${i}` }, { ...context, stateCache: cache })).ok).toBe(true);
    }
    store.read = 0;
    const again = await handle(store, { type: 'EnrolParticipant', sessionId: 's', participantId: 'p3' }, { ...context, stateCache: cache });
    expect(again).toMatchObject({ ok: false, error: { code: 'already-enrolled' } });
    // The reference check reads one event of the participant's stream; the session's, only the one it was folded up to.
    expect(store.read).toBe(2);
  });

  it('a retried command with an idempotency key is found from the cache, not by reading the stream', async () => {
    const store = new InMemoryEventStore();
    const context = { ...deterministicContext(), stateCache: new StateCache() };
    await handle(store, { type: 'RegisterPartner', partnerId: 'enm', name: { fr: 'ENM' }, kind: 'school' }, context);
    // Another process keeps the stream's state at revision 0 (its command is refused, the state is kept all the same).
    const other = { ...context, stateCache: new StateCache() };
    expect((await handle(store, { type: 'RegisterPartner', partnerId: 'enm', name: { fr: 'ENM' }, kind: 'school' }, other)).ok).toBe(false);
    const rename = { type: 'RenamePartner', partnerId: 'enm', name: { fr: 'École nationale' }, effectiveOn: '2008' } satisfies CommandInput;
    const first = await handle(store, rename, { ...context, idempotencyKey: 'k-1' });
    await handle(store, { ...rename, name: { fr: 'ENM' }, effectiveOn: '2010' }, context);
    const retry = await handle(store, rename, { ...context, idempotencyKey: 'k-1' });
    expect(first.ok && retry.ok).toBe(true);
    if (!first.ok || !retry.ok) return;
    expect(retry.value).toEqual({ ...first.value, revision: 2, alreadyApplied: true });

    // Another process, whose kept state predates the keyed command, finds it among the events after its revision.
    expect(await handle(store, rename, { ...other, idempotencyKey: 'k-1' })).toEqual(retry);
    expect(other.stateCache.stats.hits).toBe(1);
  });

  it('a state kept under another decider or upcaster version is not used: the stream is folded again', async () => {
    const store = new InMemoryEventStore();
    const context = deterministicContext();
    await handle(store, { type: 'RegisterPartner', partnerId: 'enm', name: { fr: 'ENM' }, kind: 'school' }, context);
    await handle(store, { type: 'ScheduleSession', sessionId: 's', title: { fr: 'Stage' }, kind: 'course', format: 'in-person', partners: ['enm'], plannedFor: '2016', capacity: 1 }, context);
    await handle(store, { type: 'RegisterParticipant', participantId: 'p1', kind: 'judge' }, context);
    await handle(store, { type: 'RegisterParticipant', participantId: 'p2', kind: 'judge' }, context);
    await handle(store, { type: 'EnrolParticipant', sessionId: 's', participantId: 'p1' }, { ...context, stateCache: false });
    const [last] = await store.readStream('session-s', { direction: 'backwards', maxCount: 1 });
    const enrolP2 = command({ type: 'EnrolParticipant', sessionId: 's', participantId: 'p2' });
    const route = routeCommand(enrolP2);

    // Adding an upcaster (or raising the decider's version) changes the version a kept state must carry.
    const withUpcaster = foldVersion(sessionAggregate, [...upcasters, { type: 'SessionScheduled', fromVersion: 1, upcast: (data) => data }]);
    expect(withUpcaster).not.toBe(route.fold.version);
    expect(foldVersion({ ...sessionAggregate, version: 2 })).not.toBe(route.fold.version);

    // A state folded by the older code (here: a session with nobody enrolled) under its version, at the stream's real head.
    const stale = { version: foldVersion(sessionAggregate, []), revision: last!.revision, lastEventId: last!.id, state: route.fold.initialState, keys: new Map() };
    const cache = new StateCache();
    cache.set('session-s', stale);
    expect(await handle(store, enrolP2, { ...context, stateCache: cache })).toMatchObject({ ok: false, error: { code: 'session-full' } });
    expect(cache.stats).toEqual({ hits: 0, misses: 1, unread: 0 });

    // The same state under today's version but naming an event that is not the stream's: not used either.
    cache.set('session-s', { ...stale, version: route.fold.version, lastEventId: '00000000-0000-7000-8000-00000000ffff' });
    expect(await handle(store, enrolP2, { ...context, stateCache: cache })).toMatchObject({ ok: false, error: { code: 'session-full' } });
    expect(cache.stats).toEqual({ hits: 0, misses: 2, unread: 0 });
  });

  it('a correction folds the stream of the record it corrects apart: the record\'s own state stays kept', async () => {
    const store = new InMemoryEventStore();
    const cache = new StateCache();
    const context = { ...deterministicContext(), stateCache: cache };
    await handle(store, { type: 'RegisterPartner', partnerId: 'enm', name: { fr: 'ENM' }, kind: 'school' }, context);
    const renamed = await handle(store, { type: 'RenamePartner', partnerId: 'enm', name: { fr: 'École' }, effectiveOn: '2008' }, context);
    if (!renamed.ok) throw new Error(renamed.error.message);
    const corrected = await handle(store, { type: 'CorrectRecord', stream: 'partner-enm', eventId: renamed.value.events[0]!.id, changes: { effectiveOn: '2009' }, reason: 'the decree is of 2009' }, context);
    expect(corrected.ok).toBe(true);
    const hits = cache.stats.hits;
    expect((await handle(store, { type: 'RenamePartner', partnerId: 'enm', name: { fr: 'ENM' }, effectiveOn: '2010' }, context)).ok).toBe(true);
    expect(cache.stats.hits).toBe(hits + 1);
    expect(cache.size).toBe(2);
  });

  it('for generated commands, another writer appending between a decision on a kept state and its append: every outcome is the one of the order the writes landed in, folded from the first event', async () => {
    let unread = 0;
    let conflicts = 0;
    await fc.assert(
      fc.asyncProperty(commandSequenceArb(40), fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }), async (commands, slips) => {
        // Each command its own instant, whoever runs it first: the two runs below order them differently.
        const contextAt = contextsByCommand();
        const store = new StoreWithAWriterInBetween();
        const mine = new StateCache();
        const theirs = new StateCache();
        const outcomes = new Map<number, unknown>();
        const landed: number[] = [];
        for (let i = 0; i < commands.length; i++) {
          const other = i + 1;
          if (slips[i] && other < commands.length) {
            store.slipIn(async () => {
              outcomes.set(other, await outcomeOf(store, commands[other]!, contextAt(other, theirs)));
              landed.push(other);
            });
          }
          outcomes.set(i, await outcomeOf(store, commands[i]!, contextAt(i, mine)));
          landed.push(i);
          await store.settle();
          if (slips[i]) i++;
        }

        // The same commands in the order they landed, one process, every stream folded from its first event.
        const folded = new InMemoryEventStore();
        const expected = new Map<number, unknown>();
        const plain = contextsByCommand();
        for (const i of landed) expected.set(i, await outcomeOf(folded, commands[i]!, plain(i, false)));

        const inOrder = (m: Map<number, unknown>) => [...m.keys()].sort((a, b) => a - b).map((i) => m.get(i));
        expect(idsInOrder({ outcomes: inOrder(outcomes), log: await logOf(store) })).toEqual(idsInOrder({ outcomes: inOrder(expected), log: await logOf(folded) }));
        unread += mine.stats.unread + theirs.stats.unread;
        conflicts += store.conflicts;
      }),
      { numRuns: 40 },
    );
    // The property proves little unless commands were appended without a read, and some of those met the other writer.
    expect(unread).toBeGreaterThan(100);
    expect(conflicts).toBeGreaterThan(10);
  });

  it('a command on a kept state reads nothing, neither its stream nor the records it names, when the store checks them as it appends', async () => {
    const store = new CountingStore();
    const context = deterministicContext();
    const cache = new StateCache();
    await handle(store, { type: 'RegisterPartner', partnerId: 'enm', name: { fr: 'ENM' }, kind: 'school' }, context);
    await handle(store, { type: 'ScheduleSession', sessionId: 's', title: { fr: 'Stage' }, kind: 'course', format: 'in-person', partners: ['enm'], plannedFor: '2016' }, { ...context, stateCache: cache });
    await handle(store, { type: 'RegisterParticipant', participantId: 'p1', kind: 'judge' }, context);
    store.read = 0;
    expect(await handle(store, { type: 'EnrolParticipant', sessionId: 's', participantId: 'p1' }, { ...context, stateCache: cache })).toMatchObject({ ok: true, value: { revision: 1 } });
    // The participant's first event (the reference check); of the session, nothing.
    // Neither the session nor the participant: the append checked both (the session's last event, the participant's existence).
    expect(store.read).toBe(0);
    // The schedule found no stream to start from (a miss); the enrolment started from its kept state and read nothing.
    expect(cache.stats).toEqual({ hits: 1, misses: 1, unread: 1 });

    // A record not recorded: the append refuses it, and the answer is the one the reference check gives.
    const log = await store.readStream('session-s');
    expect(await handle(store, { type: 'EnrolParticipant', sessionId: 's', participantId: 'nobody' }, { ...context, stateCache: cache })).toEqual(
      await handle(store, { type: 'EnrolParticipant', sessionId: 's', participantId: 'nobody' }, { ...context, stateCache: false }),
    );
    expect((await handle(store, { type: 'EnrolParticipant', sessionId: 's', participantId: 'nobody' }, { ...context, stateCache: cache })).ok).toBe(false);
    expect(await store.readStream('session-s')).toEqual(log);
    expect(cache.stats.unread).toBe(1);
  });

  it('a refusal or a revision mismatch on a kept state another process has moved past is answered from the stream as read', async () => {
    const store = new InMemoryEventStore();
    const context = deterministicContext();
    const mine = { ...context, stateCache: new StateCache() };
    const theirs = { ...context, stateCache: new StateCache() };
    await handle(store, { type: 'RegisterPartner', partnerId: 'enm', name: { fr: 'ENM' }, kind: 'school' }, context);
    await handle(store, { type: 'RegisterParticipant', participantId: 'p1', kind: 'judge' }, context);
    await handle(store, { type: 'RegisterParticipant', participantId: 'p2', kind: 'judge' }, context);
    await handle(store, { type: 'ScheduleSession', sessionId: 's', title: { fr: 'Stage' }, kind: 'course', format: 'in-person', partners: ['enm'], plannedFor: '2016', capacity: 1 }, context);
    // Both processes keep the session with its one seat taken; the other one frees it.
    expect(await handle(store, { type: 'EnrolParticipant', sessionId: 's', participantId: 'p1' }, mine)).toMatchObject({ ok: true, value: { revision: 1 } });
    expect(await handle(store, { type: 'EnrolParticipant', sessionId: 's', participantId: 'p2' }, theirs)).toMatchObject({ ok: false, error: { code: 'session-full' } });
    expect(await handle(store, { type: 'WithdrawEnrolment', sessionId: 's', participantId: 'p1' }, theirs)).toMatchObject({ ok: true, value: { revision: 2 } });

    // Kept at revision 1, the session looks full and the caller's revision 2 looks ahead: neither is the answer.
    const { unread } = mine.stateCache.stats;
    expect(await handle(store, { type: 'EnrolParticipant', sessionId: 's', participantId: 'p2' }, { ...mine, expectedRevision: 2 })).toMatchObject({ ok: true, value: { revision: 3 } });
    expect(mine.stateCache.stats.unread).toBe(unread);
  });

  it('a kept state of a stream written again under its name (a store re-created or restored from another copy) is not decided on', async () => {
    const context = deterministicContext();
    const cache = new StateCache();
    const record = async (store: EventStore, stateCache: StateCache | false, enrolled: boolean) => {
      await handle(store, { type: 'RegisterPartner', partnerId: 'enm', name: { fr: 'ENM' }, kind: 'school' }, context);
      await handle(store, { type: 'RegisterParticipant', participantId: 'p1', kind: 'judge' }, context);
      await handle(store, { type: 'RegisterParticipant', participantId: 'p2', kind: 'judge' }, context);
      const schedule = { type: 'ScheduleSession', sessionId: 's', title: { fr: 'Stage' }, kind: 'course', format: 'in-person', partners: ['enm'], plannedFor: '2016', capacity: 1 } as const;
      await handle(store, schedule, { ...context, stateCache });
      // Revision 1 of the session: a new date in one copy, the one seat taken in the other.
      const second = enrolled ? ({ type: 'EnrolParticipant', sessionId: 's', participantId: 'p1' } as const) : ({ type: 'RescheduleSession', sessionId: 's', plannedFor: '2017' } as const);
      expect(await handle(store, second, { ...context, stateCache })).toMatchObject({ ok: true, value: { revision: 1 } });
    };
    await record(new InMemoryEventStore(), cache, false);
    const restored = new InMemoryEventStore();
    await record(restored, false, true);
    // The cache (kept by stream and fold version, not by store) holds the first copy's session at revision 1: a seat free.
    const enrolP2 = { type: 'EnrolParticipant', sessionId: 's', participantId: 'p2' } as const;
    const { unread } = cache.stats;
    expect(await handle(restored, enrolP2, { ...context, stateCache: cache })).toMatchObject({ ok: false, error: { code: 'session-full' } });
    expect(cache.stats.unread).toBe(unread);
    expect((await restored.readStream('session-s')).map((e) => e.type)).toEqual(['SessionScheduled', 'ParticipantEnrolled']);
  });

  it('keeps at most the streams it is given, least recently used dropped first', () => {
    const cache = new StateCache({ maxStreams: 2 });
    const entry = { version: 'v', revision: 0, lastEventId: 'e', state: {}, keys: new Map() };
    cache.set('a', entry);
    cache.set('b', entry);
    expect(cache.get('a', 'v')).toBe(entry);
    cache.set('c', entry);
    expect([cache.size, cache.get('b', 'v'), cache.get('a', 'v')]).toEqual([2, undefined, entry]);
  });
});
