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

/** Run the commands; each one's outcome (or error code) in order, so two runs can be compared whole. */
async function run(store: EventStore, commands: readonly Command[], contextFor: (i: number) => CommandContext): Promise<unknown[]> {
  const outcomes: unknown[] = [];
  for (const [i, command] of commands.entries()) {
    let input: CommandInput = command;
    if (command.type === 'CorrectRecord' && command.eventId === firstEventOfStream) {
      const [first] = await store.readStream(command.stream, { maxCount: 1 });
      if (!first) continue;
      input = { ...command, eventId: first.id };
    }
    const result = await handle(store, input, contextFor(i));
    outcomes.push(result.ok ? result.value : result.error.code);
  }
  return outcomes;
}

async function logOf(store: EventStore): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for await (const e of store.readAll()) events.push(e);
  return events;
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
        const plain = deterministicContext();
        const expected = await run(folded, commands, () => ({ ...plain, stateCache: false }));

        // Two caches on one store stand for two processes appending to the same streams; a tiny one also evicts.
        const shared = new InMemoryEventStore();
        const caches = [new StateCache(), new StateCache({ maxStreams: 2 })];
        const cached = deterministicContext();
        const actual = await run(shared, commands, (i) => ({ ...cached, stateCache: caches[which[i % which.length] ? 1 : 0]! }));

        expect(actual).toEqual(expected);
        expect(await logOf(shared)).toEqual(await logOf(folded));
        hits += caches[0]!.stats.hits + caches[1]!.stats.hits;
      }),
      { numRuns: 40 },
    );
    // The property proves little unless commands did start from kept states.
    expect(hits).toBeGreaterThan(100);
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
    expect(cache.stats).toEqual({ hits: 0, misses: 1 });

    // The same state under today's version but naming an event that is not the stream's: not used either.
    cache.set('session-s', { ...stale, version: route.fold.version, lastEventId: '00000000-0000-7000-8000-00000000ffff' });
    expect(await handle(store, enrolP2, { ...context, stateCache: cache })).toMatchObject({ ok: false, error: { code: 'session-full' } });
    expect(cache.stats).toEqual({ hits: 0, misses: 2 });
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
