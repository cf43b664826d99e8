import { eventStoreContract } from '../testing/event-store-contract.js';
import { InMemoryEventStore } from './in-memory.js';

eventStoreContract('in-memory', async () => new InMemoryEventStore(), { gapFreePositions: true });

import { describe, expect, it } from 'vitest';
import { followLog } from './follow.js';
import type { ReadAllOptions } from './port.js';
import { newTestEvent } from '../testing/event-store-contract.js';

describe('following with a filter', () => {
  it('covers skipped events up to the committed head, so later rounds do not rescan them', async () => {
    const store = new InMemoryEventStore();
    await store.append('s-a', Array.from({ length: 100 }, () => newTestEvent('Common')), { expectedRevision: 'no-stream' });
    const afters: (bigint | undefined)[] = [];
    const readAll = (o: ReadAllOptions) => {
      afters.push(o.after);
      return store.readAll(o);
    };
    const controller = new AbortController();
    const wake = { next: () => undefined as void };
    const seen: string[] = [];
    const following = (async () => {
      for await (const e of followLog(readAll, (signal) => new Promise<void>((r) => { wake.next = r; if (signal?.aborted) r(); signal?.addEventListener('abort', () => r()); }), { filter: { types: ['Rare'] }, signal: controller.signal }, () => store.lastPosition())) {
        seen.push(e.type);
        controller.abort();
      }
    })();
    await new Promise((r) => setTimeout(r, 10));
    await store.append('s-b', [newTestEvent('Rare')], { expectedRevision: 'no-stream' });
    wake.next();
    await following;
    expect(seen).toEqual(['Rare']);
    // The second round starts after the 100 skipped events, not from the beginning.
    expect(afters).toEqual([undefined, 100n]);
  });
});
