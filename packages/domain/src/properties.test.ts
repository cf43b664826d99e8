import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sessionDecider, type SessionEvent } from './aggregates/session/decider.js';
import { decodeEvent } from './catalogue/decoding.js';
import { eventDefinition, eventTypes } from './catalogue/events.js';
import { InMemoryEventStore } from './store/in-memory.js';
import type { StoredEvent } from './store/envelope.js';
import { commandSequenceArb, deterministicContext, recordCommands } from './testing/arbitraries.js';
import { routeCommand } from './catalogue/routing.js';
import type { Command } from './catalogue/commands.js';

async function logOf(commands: Command[]): Promise<StoredEvent[]> {
  const store = new InMemoryEventStore();
  await recordCommands(store, commands, deterministicContext());
  const events: StoredEvent[] = [];
  for await (const e of store.readAll()) events.push(e);
  return events;
}

const seenTypes = new Set<string>();

describe('domain invariants, for any sequence of commands', () => {
  it('no session holds more enrolments than its capacity, and nobody is enrolled twice', async () => {
    await fc.assert(
      fc.asyncProperty(commandSequenceArb(80), async (commands) => {
        const log = await logOf(commands);
        const bySession = new Map<string, StoredEvent[]>();
        for (const e of log) if (e.stream.startsWith('session-')) bySession.set(e.stream, [...(bySession.get(e.stream) ?? []), e]);
        for (const events of bySession.values()) {
          let state = sessionDecider.initialState;
          for (const e of events) {
            const decoded = decodeEvent(e);
            if (!decoded.ok) throw new Error(decoded.error.message);
            state = sessionDecider.evolve(state, decoded.value as SessionEvent);
            expect(new Set(state.enrolled).size).toBe(state.enrolled.length);
            if (state.details?.capacity !== undefined) expect(state.enrolled.length).toBeLessThanOrEqual(state.details.capacity);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('folding the same events always gives the same state, and the same commands the same log', async () => {
    await fc.assert(
      fc.asyncProperty(commandSequenceArb(40), async (commands) => {
        const [first, second] = [await logOf(commands), await logOf(commands)];
        expect(second).toEqual(first);
        const streams = new Map<string, StoredEvent[]>();
        for (const e of first) streams.set(e.stream, [...(streams.get(e.stream) ?? []), e]);
        for (const command of commands) {
          const route = routeCommand(command);
          const events = (streams.get(route.stream) ?? []).map((e) => {
            const d = decodeEvent(e);
            if (!d.ok) throw new Error(d.error.message);
            return d.value;
          });
          expect(route.decide(events, { today: '2024-06-01' })).toEqual(route.decide(events, { today: '2024-06-01' }));
        }
      }),
      { numRuns: 40 },
    );
  });

  it('every event round-trips through JSON and its schema unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(commandSequenceArb(80), async (commands) => {
        for (const event of await logOf(commands)) {
          seenTypes.add(event.type);
          const definition = eventDefinition(event.type)!;
          const throughJson = JSON.parse(JSON.stringify(event.data)) as unknown;
          expect(definition.data.parse(throughJson)).toEqual(event.data);
          expect(throughJson).toEqual(event.data);
        }
      }),
      { numRuns: 150 },
    );
    // The generator must reach most of the vocabulary, or the property proves little.
    const unreached = eventTypes.filter((t) => !seenTypes.has(t));
    expect(unreached, 'event types the generator never produced').toEqual([]);
  });
});
