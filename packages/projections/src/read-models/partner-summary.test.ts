import { InMemoryEventStore, handle, type CommandInput } from '@taawun/domain';
import { commandSequenceArb, deterministicContext, recordCommands } from '@taawun/domain/testing';
import { loadInstituteRecord } from '@taawun/example-institute-record';
import fc from 'fast-check';
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

/*
 * As of a date, a partner's first and last activity are taken over every
 * completion of the partial dates: what certainly lies by then, and what may
 * (the year unknown included). A lens never makes them more certain than the
 * record is.
 */
describe('the list of partners as of a date', () => {
  const seeded = async () => {
    const store = new InMemoryEventStore();
    await loadInstituteRecord(store, deterministicContext('seed'));
    return store;
  };
  const partnersAsOf = async (store: InMemoryEventStore, asOf?: string) => {
    const answer = await queryPartners({ store }, {}, asOf ? { asOf } : {});
    if (!answer.ok) throw new Error(answer.error.message);
    return new Map(answer.value.result.partners.map((p) => [p.partnerId, p]));
  };
  const recordsOf = (extreme: { candidates: readonly { record: { id: string } }[] } | null) => extreme?.candidates.map((c) => c.record.id).sort();

  it('as of 30 November 2018, GIZ began with its November sessions or with what is dated only "2018" or "by 2018" (F2, F3): not certain', async () => {
    const giz = (await partnersAsOf(await seeded(), '2018-11-30')).get('giz')!;
    expect(giz.first).toMatchObject({ certain: false, date: { earliest: null, latest: '2018-11-08' } });
    expect(recordsOf(giz.first)).toEqual(['giz-attaches-2018-11', 'giz-refugee-rights-guide', 'giz-tot-2018']);
    // What may be last lies by the lens's day, not at the end of 2018; F3's training of trainers may be last when its regional sessions (which followed it) came after 30 November.
    expect(giz.last).toMatchObject({ certain: false, date: { earliest: '2018-11-07', latest: '2018-11-30' } });
    expect(recordsOf(giz.last)).toEqual(['giz-attaches-2018-11', 'giz-refugee-rights-guide', 'giz-regional-2018', 'giz-tot-2018']);
    expect(giz.lastDate).toEqual(giz.last!.date);
    // As of 30 June 2018 F4 is later, and any of the rest may be all there was: F2's guide "by 2018" as early as any day.
    const midyear = (await partnersAsOf(await seeded(), '2018-06-30')).get('giz')!;
    expect(midyear.last).toMatchObject({ certain: false, date: { earliest: null, latest: '2018-06-30' } });
  });

  it('as of 2030, what the year unknown leaves open stays open: ENM and AECID as uncertain as without the lens (F10, F11, F15, F16)', async () => {
    const store = await seeded();
    const [now, later] = [await partnersAsOf(store), await partnersAsOf(store, '2030-01-01')];
    for (const id of ['enm-france', 'aecid']) {
      expect(later.get(id)!.first!.certain, `${id} first`).toBe(false);
      expect(later.get(id)!.last!.certain, `${id} last`).toBe(false);
      expect(recordsOf(later.get(id)!.last), `${id} last`).toEqual(recordsOf(now.get(id)!.last));
    }
    expect(later.get('aecid')!.last!.date.latest).toBe('2030-01-01');
  });

  it('for any record: an extreme certain as of a day after every known year is the same certain extreme without the lens', async () => {
    await fc.assert(
      fc.asyncProperty(commandSequenceArb(40), async (commands) => {
        const store = new InMemoryEventStore();
        await recordCommands(store, commands, deterministicContext());
        const [now, later] = [await partnersAsOf(store), await partnersAsOf(store, '2100-12-31')];
        for (const [id, summary] of later) {
          for (const side of ['first', 'last'] as const) {
            if (!summary[side]?.certain) continue;
            expect(now.get(id)![side], `${id} ${side}`).toMatchObject({ certain: true, candidates: summary[side]!.candidates });
          }
        }
      }),
      { numRuns: 200 },
    );
  }, 120_000);
});

/*
 * A first or last activity is something that took place: a plan (a session
 * scheduled, a visit planned, a publication planned for a date) says when
 * something should happen, and what was cancelled never did. The history lists
 * them; the summary does not count them as activity.
 */
describe('the first and last activity of a partner', () => {
  it('leave plans out: Enabel\'s guide "to be printed at the end of 2022" (F8) does not put its last activity in 2022', async () => {
    const store = new InMemoryEventStore();
    await loadInstituteRecord(store, deterministicContext('seed'));
    const answer = await queryPartners({ store }, {});
    if (!answer.ok) throw new Error(answer.error.message);
    const enabel = answer.value.result.partners.find((p) => p.partnerId === 'enabel')!;
    expect(enabel.entries).toBe(5);
    expect(enabel.last).toMatchObject({ certain: false, date: { earliest: null, latest: '2022-12-31' } });
    expect(enabel.last!.candidates.map((c) => c.kind)).not.toContain('publication-planned');
  });

  it('are none while a partner has only plans and what was cancelled, though its history lists them', async () => {
    const store = new InMemoryEventStore();
    const context = deterministicContext('clerk');
    const commands: CommandInput[] = [
      { type: 'RegisterPartner', partnerId: 'new-school', name: { en: 'New school' }, kind: 'school' },
      { type: 'ScheduleSession', sessionId: 'first-course', title: { en: 'First course' }, kind: 'training-session', partners: ['new-school'], plannedFor: '2027-03' },
      { type: 'ScheduleSession', sessionId: 'called-off', title: { en: 'Called off' }, kind: 'training-session', partners: ['new-school'], plannedFor: '2027-05' },
      { type: 'CancelSession', sessionId: 'called-off', reason: 'the trainers could not travel' },
    ];
    for (const command of commands) expect((await handle(store, command, context)).ok, command.type).toBe(true);
    const answer = await queryPartners({ store }, {});
    if (!answer.ok) throw new Error(answer.error.message);
    expect(answer.value.result.partners[0]).toMatchObject({ partnerId: 'new-school', entries: 2, first: null, last: null, firstDate: null, lastDate: null });
  });
});

