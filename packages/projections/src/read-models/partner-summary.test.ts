import { InMemoryEventStore, handle, type CommandInput } from '@taawun/domain';
import { deterministicContext } from '@taawun/domain/testing';
import { describe, expect, it } from 'vitest';
import { queryPartners } from './built-in.js';
import { CANDIDATES_SHOWN } from './partner-history.js';

/*
 * A partner whose first activity the record cannot pin: every session held on
 * the same day may be it. The list of partners names a bounded number of them
 * and counts them all, so a partner with thousands of such sessions stays a
 * summary of a few lines.
 */
describe('the list of partners, for a partner with many sessions on one day', () => {
  it(`names the first ${CANDIDATES_SHOWN} that may be its first and last activity, and counts them all`, async () => {
    const store = new InMemoryEventStore();
    const context = deterministicContext('clerk');
    const commands: CommandInput[] = [
      { type: 'RegisterPartner', partnerId: 'giz', name: { en: 'GIZ' }, kind: 'agency', country: 'DE' },
      ...Array.from({ length: 25 }, (_, i): CommandInput => ({
        type: 'RecordSessionHeld',
        sessionId: `giz-day-${String(i).padStart(2, '0')}`,
        title: { en: `Regional session ${i}` },
        kind: 'regional-session',
        format: 'in-person',
        partners: ['giz'],
        heldOn: '2018-11-08',
      })),
    ];
    for (const command of commands) expect((await handle(store, command, context)).ok, command.type).toBe(true);
    const answer = await queryPartners({ store }, {});
    if (!answer.ok) throw new Error(answer.error.message);
    const [giz] = answer.value.result.partners;
    expect(giz).toMatchObject({ partnerId: 'giz', entries: 25, first: { certain: false, candidatesTotal: 25 }, last: { certain: false, candidatesTotal: 25 } });
    expect(giz!.first!.candidates).toHaveLength(CANDIDATES_SHOWN);
    expect(giz!.first!.date).toMatchObject({ earliest: '2018-11-08', latest: '2018-11-08' });
  });
});
