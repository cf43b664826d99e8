import { expect } from 'vitest';
import type { DecisionContext } from '../aggregates/decider.js';
import { parseCommand } from '../command-handling/parse.js';
import type { DomainErrorCode } from '../errors.js';
import { routeCommand } from '../catalogue/routing.js';
import type { RecordedEvent } from '../catalogue/decoding.js';
import type { DomainEvent } from '../catalogue/events.js';
import type { Decision } from '../aggregates/decider.js';

let fakeIds = 0;
/** Wrap plain events as recorded ones (ids `00000000-0000-7000-8000-…`), for deciders that need envelopes. */
export function recorded(events: readonly (DomainEvent | RecordedEvent)[], stream = 'test-stream'): RecordedEvent[] {
  return events.map((event, revision) =>
    'id' in event
      ? event
      : ({
          ...event,
          id: `00000000-0000-7000-8000-${(++fakeIds).toString(16).padStart(12, '0')}`,
          stream,
          revision,
          position: BigInt(revision + 1),
          schemaVersion: 1,
          recordedAt: '2024-01-01T00:00:00.000Z',
          metadata: { actor: 'test', correlationId: 'test', causationId: 'test' },
        } as RecordedEvent),
  );
}

/** Decide a command (given as input, parsed like any edge would) over given events. */
export function decideCommand(input: unknown, given: readonly (DomainEvent | RecordedEvent)[], context: DecisionContext): Decision<DomainEvent> {
  const parsed = parseCommand(input);
  if (!parsed.ok) return parsed;
  return routeCommand(parsed.value).decide(recorded(given), context);
}

/**
 * The domain's test language:
 *
 *   given(sessionScheduled).when(enrol, { today }).thenEvents({ type: 'ParticipantEnrolled', ... })
 *   given(sessionHeld).when(enrol).thenError('session-closed')
 */
export function given(...events: (DomainEvent | RecordedEvent)[]) {
  return {
    when(command: unknown, context: DecisionContext = { today: '2026-01-01' }) {
      const result = decideCommand(command, events, context);
      return {
        result,
        thenEvents(...expected: DomainEvent[]) {
          if (!result.ok) throw new Error(`expected events, got error ${result.error.code}: ${result.error.message}`);
          expect(result.value).toEqual(expected);
        },
        thenError(code: DomainErrorCode, fields?: string[]) {
          if (result.ok) throw new Error(`expected error ${code}, got events ${JSON.stringify(result.value)}`);
          expect(result.error.code).toBe(code);
          if (fields) expect(result.error.fields).toEqual(expect.arrayContaining(fields));
          return result.error;
        },
      };
    },
  };
}
