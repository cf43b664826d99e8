import { InMemoryEventStore } from '@taawun/domain';
import { newTestEvent } from '@taawun/domain/testing';
import { defineProjection, InMemoryReadModelStorage, ProjectionRunner } from '@taawun/projections';
import { describe, expect, it } from 'vitest';
import { ReadFreshness } from '../src/read-side.js';

// Read-your-writes over a read side: a stored read model holds position P when no
// event of the types it handles lies after its checkpoint up to P.

const registered = (partnerId: string) => newTestEvent('PartnerRegistered', { partnerId, name: { fr: partnerId }, kind: 'school', country: 'FR' });
const partnersCounted = defineProjection({ name: 'partners-counted', version: 1, handles: ['PartnerRegistered'], initialState: 0, evolve: (n: number) => n + 1 });

describe('whether the read side holds a position', () => {
  it('the log must reach it, and each stored model must have folded every event of its types up to it (its checkpoint moves only on those)', async () => {
    const store = new InMemoryEventStore();
    const storage = new InMemoryReadModelStorage();
    const runner = new ProjectionRunner(partnersCounted, { store, storage });
    const freshness = new ReadFreshness({ store, storage, projections: [partnersCounted], timeoutMs: 60, pollMs: 10 });

    await store.append('partner-a', [registered('a')], { expectedRevision: 'no-stream' });
    await runner.rebuild();
    expect(await freshness.holds(1n)).toBe(true);
    // An event the model does not handle: its checkpoint stays at 1, yet it holds position 2.
    await store.append('session-x', [newTestEvent('SessionHeld')], { expectedRevision: 'no-stream' });
    expect(await freshness.holds(2n)).toBe(true);
    // One it handles and has not folded yet: not position 3, and a read asking for it waits, then is told so.
    await store.append('partner-b', [registered('b')], { expectedRevision: 'no-stream' });
    expect(await freshness.holds(3n)).toBe(false);
    expect(await freshness.waitFor(3n)).toBe(false);
    // Still position 2: the event at 3 lies beyond it.
    expect(await freshness.holds(2n)).toBe(true);
    const waiting = freshness.waitFor(3n);
    await runner.catchUp();
    expect(await waiting).toBe(true);
    // A position the log has not reached.
    expect(await freshness.holds(4n)).toBe(false);
    expect(freshness.retryAfterSeconds).toBe(1);
  });

  it('a model not stored at its version answers by replaying the log: the log alone decides', async () => {
    const store = new InMemoryEventStore();
    const freshness = new ReadFreshness({ store, storage: new InMemoryReadModelStorage(), projections: [partnersCounted], timeoutMs: 20 });
    await store.append('partner-a', [registered('a')], { expectedRevision: 'no-stream' });
    expect(await freshness.holds(1n)).toBe(true);
    expect(await freshness.waitFor(2n)).toBe(false);
  });
});
