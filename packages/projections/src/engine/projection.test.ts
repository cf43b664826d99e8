import { match } from 'ts-pattern';
import { describe, expect, it } from 'vitest';
import { isProjectionError } from './errors.js';
import { defineProjection } from './projection.js';

const evolve = (state: number) => state + 1;
const attempt = (definition: Record<string, unknown>) => {
  try {
    defineProjection({ name: 'ok', version: 1, handles: ['SessionHeld'], initialState: 0, evolve, ...definition } as never);
    return 'accepted';
  } catch (e) {
    return isProjectionError(e) ? `${e.code}: ${e.message}` : String(e);
  }
};

describe('defineProjection', () => {
  it('accepts a named, versioned fold over declared event types and knows which it handles', () => {
    const p = defineProjection({
      name: 'held-sessions',
      version: 2,
      handles: ['SessionHeld', 'SessionCancelled'],
      initialState: { held: 0, cancelled: 0 },
      evolve: (state, event) =>
        match(event)
          .with({ type: 'SessionHeld' }, () => ({ ...state, held: state.held + 1 }))
          .with({ type: 'SessionCancelled' }, () => ({ ...state, cancelled: state.cancelled + 1 }))
          .exhaustive(),
    });
    expect(p.handlesType('SessionHeld')).toBe(true);
    expect(p.handlesType('AgreementSigned')).toBe(false);
    expect(p.alwaysApply).toEqual([]);
    expect(p.holdsPersonalData).toBe(false);
  });

  it('knows whether it may hold personal data: it handles an event type with personal fields', () => {
    const names = defineProjection({
      name: 'names',
      version: 1,
      handles: ['ParticipantRegistered'],
      initialState: 0,
      evolve: (count) => count + 1,
    });
    expect(names.holdsPersonalData).toBe(true);
  });

  it('refuses what would break storage or filtering, naming the problem', () => {
    expect(attempt({ name: 'Partner History' })).toMatch(/^invalid-projection: .*slug/);
    expect(attempt({ version: 0 })).toMatch(/^invalid-projection: .*version/);
    expect(attempt({ version: 1.5 })).toMatch(/^invalid-projection/);
    expect(attempt({ handles: [] })).toMatch(/handles no event type/);
    expect(attempt({ handles: ['SessionHeld', 'SessionHeld'] })).toMatch(/listed twice/);
    expect(attempt({ handles: ['SessionHappened'] })).toMatch(/SessionHappened is not an event type/);
    expect(attempt({ alwaysApply: ['ParticipantDataErased'] })).toMatch(/alwaysApply lists ParticipantDataErased/);
    expect(attempt({ initialState: { when: new Date(0) } })).toMatch(/^state-not-json: .*Date/);
    expect(attempt({ initialState: { big: 1n } })).toMatch(/^state-not-json/);
    expect(attempt({ initialState: { seen: new Map() } })).toMatch(/^state-not-json/);
    expect(attempt({ initialState: { missing: undefined } })).toMatch(/^state-not-json: .*missing/);
    expect(attempt({ initialState: Number.NaN })).toMatch(/^state-not-json/);
    expect(attempt({})).toBe('accepted');
  });
});
