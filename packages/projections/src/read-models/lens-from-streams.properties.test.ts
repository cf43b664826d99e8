import { InMemoryEventStore, type Command, type EventStore } from '@taawun/domain';
import { commandSequenceArb, deterministicContext, firstEventOfStream, partialDateArb, pools, recordCommands } from '@taawun/domain/testing';
import { loadInstituteRecord } from '@taawun/example-institute-record';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InMemoryReadModelStorage } from '../engine/in-memory-storage.js';
import type { AnyProjection } from '../engine/projection.js';
import { recordStreamsProjection } from '../engine/record-streams.js';
import { ProjectionRunner } from '../engine/runner.js';
import type { TimeLens } from '../engine/temporal.js';
import { agreementsRegisterProjection } from './agreements-register.js';
import { queryService } from './built-in.js';
import { activityRegisterProjection } from './activity-register.js';
import { participantRecordProjection } from './participant-record.js';
import { partnerHistoryProjection } from './partner-history.js';
import type { QueryService, QueryServiceOptions } from './query-service.js';
import { readModelOfProjection, type AnyReadModel } from './define.js';
import { sessionsPerPartnerProjection } from '../testing/sessions-per-partner.js';
import { yearlyActivityReportProjection } from './yearly-report.js';

/*
 * A time lens answered from the records' streams (found in the stored
 * catalogue of streams) gives exactly the answer of a replay of the whole log
 * through the same lens: the same result, lens report and page, for random
 * logs (partial and unknown dates, renames, plans, corrections of dates and
 * partners recorded later) and random lenses (as of a day, a month or a year,
 * as known on an instant, both). Only `source` differs: it says which way the
 * answer was read.
 */

/**
 * Both services over one log: one replays, one reads the stored catalogue of
 * streams (built now: what is recorded later comes from the log's tail) and,
 * `withModels`, the stored models (the documents of the streams a lens lets
 * through whole, while they are at the head).
 */
async function services(store: EventStore, withModels = true, options: QueryServiceOptions = {}): Promise<{ replaying: QueryService; fromStreams: QueryService }> {
  const storage = new InMemoryReadModelStorage();
  const models: AnyProjection[] = [partnerHistoryProjection, agreementsRegisterProjection, activityRegisterProjection, participantRecordProjection, yearlyActivityReportProjection];
  const built: AnyProjection[] = withModels ? [recordStreamsProjection, ...models] : [recordStreamsProjection];
  for (const projection of built) await new ProjectionRunner(projection, { store, storage }).rebuild();
  return { replaying: queryService({ store }), fromStreams: queryService({ store, storage }, [], options) };
}

/** What an answer from the streams must be: the replay's, read from the streams (an error is the same error). */
const fromTheStreams = (replayed: Awaited<ReturnType<typeof asked>>) => (replayed.answer ? { ...replayed, source: 'streams' } : replayed);

/** The answer without where it came from (and the error as it is). */
async function asked(service: QueryService, name: string, params: unknown, lens: TimeLens, page?: { offset: number; limit: number }) {
  const answer = await service.query(name, params, { lens, ...(page ? { page } : {}) });
  if (!answer.ok) return { error: answer.error, source: null };
  const { source, ...rest } = answer.value;
  return { answer: rest, source: source.kind };
}

/** Corrections of dates and partners, of a session's, an agreement's or a visit's first event, recorded after it. */
const laterCorrectionArb: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ stream: fc.constantFrom(...pools.sessions.map((s) => `session-${s}`)), changes: fc.oneof(fc.record({ plannedFor: partialDateArb }), fc.record({ heldOn: partialDateArb }), fc.record({ partners: fc.subarray([...pools.partners], { minLength: 1, maxLength: 2 }) })) }),
  fc.record({ stream: fc.constantFrom(...pools.agreements.map((a) => `agreement-${a}`)), changes: fc.oneof(fc.record({ signedOn: partialDateArb }), fc.record({ partners: fc.subarray([...pools.partners], { minLength: 1, maxLength: 2 }) })) }),
  fc.record({ stream: fc.constantFrom(...pools.visits.map((v) => `study-visit-${v}`)), changes: fc.record({ plannedFor: partialDateArb }) }),
  // Of a completed visit (whose event is not always the first: then rejected): who took part.
  fc.record({ stream: fc.constantFrom(...pools.visits.map((v) => `study-visit-${v}`)), changes: fc.record({ participantIds: fc.subarray([...pools.participants], { maxLength: 3 }) }) }),
).map((c) => ({ type: 'CorrectRecord' as const, eventId: firstEventOfStream, reason: 'date confirmed by the partner', ...c }) as Command);

/** A log of random commands, then corrections recorded after them (some rejected: what they correct is not recorded). */
const logArb = fc
  .tuple(fc.oneof(commandSequenceArb(14), commandSequenceArb(40)), fc.array(laterCorrectionArb, { maxLength: 10 }))
  .map(([commands, corrections]) => [...commands, ...corrections]);

/** People in the records: visits planned and completed with participants, enrolments, erasures (then the log's later corrections). */
const peopleArb: fc.Arbitrary<Command[]> = fc.oneof(
  fc
    .record({ visitId: fc.constantFrom(...pools.visits), partners: fc.subarray([...pools.partners], { minLength: 1, maxLength: 2 }), plannedFor: partialDateArb, completedOn: partialDateArb, participantIds: fc.subarray([...pools.participants], { minLength: 1, maxLength: 3 }) })
    .map(({ visitId, partners, plannedFor, completedOn, participantIds }): Command[] => [
      { type: 'PlanStudyVisit', visitId, direction: 'outgoing', partners, plannedFor },
      { type: 'CompleteStudyVisit', visitId, completedOn, participantIds },
    ]),
  fc.record({ sessionId: fc.constantFrom(...pools.sessions), participantId: fc.constantFrom(...pools.participants) }).map((c): Command[] => [{ type: 'EnrolParticipant', role: 'trainee', ...c }]),
  fc.record({ participantId: fc.constantFrom(...pools.participants) }).map((c): Command[] => [{ type: 'EraseParticipantData', reason: 'the person asked', ...c }]),
);
const peopleLogArb = fc
  .tuple(commandSequenceArb(30), fc.array(peopleArb, { maxLength: 8 }), fc.array(laterCorrectionArb, { maxLength: 8 }))
  .map(([commands, people, corrections]) => [...commands, ...people.flat(), ...corrections]);

const dayArb = fc.integer({ min: 1990, max: 2030 }).chain((y) => fc.constantFrom(`${y}`, `${y}-06`, `${y}-02-28`, `${y}-12-31`));
/** A lens: as of a year, month or day; as known on an instant of the recording (one minute per command from 2024-01-01 08:00); or both. */
const lensArb = (commands: number): fc.Arbitrary<TimeLens> => {
  const knownOn = fc.integer({ min: 0, max: commands + 2 }).map((minutes) => new Date(Date.parse('2024-01-01T08:00:00Z') + minutes * 60_000 + 30_000).toISOString());
  return fc.oneof(fc.record({ asOf: dayArb }), fc.record({ asKnownOn: knownOn }), fc.record({ asOf: dayArb, asKnownOn: knownOn }));
};

/** The whole list, or a page of it (count ranges are then matched for the records on the page). */
const pageArb = fc.option(fc.record({ offset: fc.integer({ min: 0, max: 4 }), limit: fc.integer({ min: 1, max: 3 }) }), { nil: undefined });

const partnersAsked = [...pools.partners, 'not-a-partner'];

describe('a time lens from the stored streams', () => {
  it('answers a partner history, and a partner agreements, exactly as a replay through the lens, for random logs and lenses', async () => {
    await fc.assert(
      fc.asyncProperty(
        logArb.chain((commands) => fc.tuple(fc.constant(commands), fc.array(fc.tuple(lensArb(commands.length), pageArb), { minLength: 1, maxLength: 3 }), fc.boolean())),
        async ([commands, lensesAndPages, withModels]) => {
          const store = new InMemoryEventStore();
          await recordCommands(store, commands, deterministicContext());
          const { replaying, fromStreams } = await services(store, withModels);
          for (const [lens, page] of lensesAndPages) {
            for (const partnerId of partnersAsked) {
              for (const [name, params] of [['partner-history', { partnerId }], ['agreements-register', { partnerId }]] as const) {
                const replayed = await asked(replaying, name, params, lens, page);
                const stored = await asked(fromStreams, name, params, lens, page);
                expect(stored.answer ?? stored.error, `${name} ${partnerId} ${JSON.stringify(lens)}`).toEqual(replayed.answer ?? replayed.error);
                if (replayed.answer) expect(stored.source).toBe('streams');
              }
            }
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);

  it("answers a participant's record, and a partner's sessions, visits, meetings and publications (of a period too), exactly as a replay through the lens", async () => {
    const registers = ['sessions', 'study-visits', 'meetings', 'publications'];
    const periodArb = fc.option(fc.constantFrom('2018', '2016-2020', 'by-2022', 'from-2002', 'year-unknown', 'not-a-period'), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(
        peopleLogArb.chain((commands) => fc.tuple(fc.constant(commands), fc.array(fc.tuple(lensArb(commands.length), pageArb, periodArb), { minLength: 1, maxLength: 3 }), fc.boolean())),
        async ([commands, asks, withModels]) => {
          const store = new InMemoryEventStore();
          await recordCommands(store, commands, deterministicContext());
          const { replaying, fromStreams } = await services(store, withModels);
          for (const [lens, page, period] of asks) {
            const questions: [string, Record<string, string>][] = [
              ...[...pools.participants, 'not-a-participant'].map((participantId): [string, Record<string, string>] => ['participant-record', { participantId }]),
              ...partnersAsked.flatMap((partnerId) => registers.map((name): [string, Record<string, string>] => [name, { partnerId, ...(period === undefined ? {} : { period }) }])),
            ];
            for (const [name, params] of questions) {
              const replayed = await asked(replaying, name, params, lens, page);
              const stored = await asked(fromStreams, name, params, lens, page);
              expect(stored.answer ?? stored.error, `${name} ${JSON.stringify(params)} ${JSON.stringify(lens)}`).toEqual(replayed.answer ?? replayed.error);
              // A period is checked against the whole register only when the partner's list of it is empty: that answer is replayed.
              if (replayed.answer && params.period === undefined) expect(stored.source, name).toBe('streams');
            }
          }
        },
      ),
      { numRuns: 30 },
    );
  }, 180_000);

  it("reads a participant's record from their streams only, and applies an erasure recorded later through the lens, as the replay does", async () => {
    const store = new InMemoryEventStore();
    const context = deterministicContext();
    await recordCommands(
      store,
      [
        { type: 'RegisterPartner', partnerId: 'giz', name: { en: 'GIZ' }, kind: 'agency' },
        { type: 'RegisterParticipant', participantId: 'p1', kind: 'judge', personal: { fullName: { en: 'Amina B.' } } },
        { type: 'RegisterParticipant', participantId: 'p2', kind: 'judge' },
        { type: 'ScheduleSession', sessionId: 's1', title: { en: 'ToT' }, kind: 'course', format: 'in-person', partners: ['giz'], plannedFor: '2018-05' },
        { type: 'EnrolParticipant', sessionId: 's1', participantId: 'p1', role: 'trainee' },
        { type: 'EnrolParticipant', sessionId: 's1', participantId: 'p2', role: 'trainee' },
        { type: 'ScheduleSession', sessionId: 's2', title: { en: 'Module 2' }, kind: 'course', format: 'in-person', partners: ['giz'], plannedFor: '2019' },
        { type: 'EnrolParticipant', sessionId: 's2', participantId: 'p2', role: 'trainee' },
        { type: 'PlanStudyVisit', visitId: 'v1', direction: 'outgoing', partners: ['giz'], plannedFor: '2019' },
        { type: 'CompleteStudyVisit', visitId: 'v1', completedOn: '2019-03-05', participantIds: ['p1'] },
        { type: 'EraseParticipantData', participantId: 'p1', reason: 'the person asked' },
      ],
      context,
    );
    const { replaying, fromStreams } = await services(store, false);
    const erasure = (await store.readStream('participant-p1')).at(-1)!;
    const asKnownOn = new Date(Date.parse(erasure.recordedAt) - 1).toISOString();
    for (const lens of [{ asKnownOn }, { asOf: '2018-12-31', asKnownOn }, { asOf: '2019' }]) {
      const stored = await asked(fromStreams, 'participant-record', { participantId: 'p1' }, lens);
      expect(stored, JSON.stringify(lens)).toEqual(fromTheStreams(await asked(replaying, 'participant-record', { participantId: 'p1' }, lens)));
      const record = stored.answer?.result as { erased: boolean; personal: unknown; sessions: { sessionId: string }[]; studyVisits: { visitId: string }[] };
      // As known before the erasure was recorded, the data stays erased.
      expect([record.erased, record.personal]).toEqual([true, null]);
    }
    const answer = await fromStreams.query('participant-record', { participantId: 'p1' }, { lens: { asKnownOn } });
    if (!answer.ok) throw new Error(answer.error.message);
    const result = answer.value.result as { sessions: { sessionId: string }[]; studyVisits: { visitId: string }[] };
    expect([result.sessions.map((s) => s.sessionId), result.studyVisits.map((v) => v.visitId)]).toEqual([['s1'], ['v1']]);
    // Their own stream, the session and the visit that name them, and the partner those name: not p2's stream, nor the session s2.
    expect(answer.value.source).toMatchObject({ kind: 'streams', streamsRead: 4, eventsRead: 2 + 3 + 2 + 1 });
  });

  it("answers a partner's register of a period from the streams when the list has entries, and replays to name the valid periods when it has none", async () => {
    const store = new InMemoryEventStore();
    await recordCommands(
      store,
      [
        { type: 'RegisterPartner', partnerId: 'giz', name: { en: 'GIZ' }, kind: 'agency' },
        { type: 'RecordSessionHeld', sessionId: 's1', title: { en: 'ToT' }, kind: 'course', format: 'in-person', partners: ['giz'], heldOn: '2018-03' },
        { type: 'RecordSessionHeld', sessionId: 's2', title: { en: 'Module 2' }, kind: 'course', format: 'in-person', partners: ['giz'], heldOn: '2019-10' },
      ],
      deterministicContext(),
    );
    const { replaying, fromStreams } = await services(store);
    const sessions = async (period: string, asOf: string) => {
      const params = { partnerId: 'giz', period };
      const stored = await asked(fromStreams, 'sessions', params, { asOf });
      const replayed = await asked(replaying, 'sessions', params, { asOf });
      expect(stored.answer ?? stored.error, `${period} ${asOf}`).toEqual(replayed.answer ?? replayed.error);
      return { source: stored.source, sessions: (stored.answer?.result as { sessions: unknown[] } | undefined)?.sessions.length, error: stored.error?.code };
    };
    expect(await sessions('2018', '2019')).toEqual({ source: 'streams', sessions: 1, error: undefined });
    // Not yet held as of mid-2019: 2019 is no period of the register then, which only the whole register tells.
    expect(await sessions('2019', '2019-06')).toEqual({ source: null, sessions: undefined, error: 'unknown-key' });
    expect(await sessions('2017', '2019')).toEqual({ source: null, sessions: undefined, error: 'unknown-key' });
  });

  it('answers the institute record through every kind of lens as a replay does, a page at a time', async () => {
    const store = new InMemoryEventStore();
    await loadInstituteRecord(store, deterministicContext('seed'));
    const { replaying, fromStreams } = await services(store);
    const lenses: TimeLens[] = [{ asOf: '2010' }, { asOf: '2018-06' }, { asOf: '2022-12-15' }, { asKnownOn: '2024-01-01T08:30:00Z' }, { asOf: '2016', asKnownOn: '2024-01-01T09:00:00Z' }];
    for (const lens of lenses) {
      for (const partnerId of ['enm-france', 'giz', 'aecid', 'enabel', 'ssm-italy']) {
        for (const page of [undefined, { offset: 0, limit: 2 }, { offset: 3, limit: 2 }]) {
          const replayed = await asked(replaying, 'partner-history', { partnerId }, lens, page);
          const stored = await asked(fromStreams, 'partner-history', { partnerId }, lens, page);
          expect(stored, `${partnerId} ${JSON.stringify(lens)}`).toEqual(fromTheStreams(replayed));
        }
        const agreements = await asked(fromStreams, 'agreements-register', { partnerId }, lens);
        expect(agreements).toEqual(fromTheStreams(await asked(replaying, 'agreements-register', { partnerId }, lens)));
      }
    }
  });

  it('takes in the events the stored catalogue has not been written with yet', async () => {
    const store = new InMemoryEventStore();
    const context = deterministicContext();
    await recordCommands(store, [{ type: 'RegisterPartner', partnerId: 'giz', name: { en: 'GIZ' }, kind: 'agency' }], context);
    const { replaying, fromStreams } = await services(store);
    // Recorded after the catalogue was built: a session and an agreement naming GIZ.
    await recordCommands(
      store,
      [
        { type: 'RecordSessionHeld', sessionId: 's1', title: { en: 'ToT' }, kind: 'course', format: 'in-person', partners: ['giz'], heldOn: '2018' },
        { type: 'SignAgreement', agreementId: 'giz-2019', partners: ['giz'], signedOn: '2019-03-01', kind: 'convention', signatories: [], areas: [] },
      ],
      context,
    );
    for (const lens of [{ asOf: '2018-12-31' }, { asOf: '2019' }, { asKnownOn: '2030-01-01' }]) {
      const replayed = await asked(replaying, 'partner-history', { partnerId: 'giz' }, lens);
      expect(await asked(fromStreams, 'partner-history', { partnerId: 'giz' }, lens)).toEqual(fromTheStreams(replayed));
    }
    const history = await asked(fromStreams, 'partner-history', { partnerId: 'giz' }, { asOf: '2019' });
    expect((history.answer?.result as { entries: unknown[] }).entries).toHaveLength(2);
  });

  it('finds a record under the partner a later correction gave it, as known after the correction, and under the former one before', async () => {
    const store = new InMemoryEventStore();
    const context = deterministicContext();
    await recordCommands(
      store,
      [
        { type: 'RegisterPartner', partnerId: 'giz', name: { en: 'GIZ' }, kind: 'agency' },
        { type: 'RegisterPartner', partnerId: 'enm-france', name: { en: 'ENM' }, kind: 'school' },
        { type: 'RecordSessionHeld', sessionId: 's1', title: { en: 'ToT' }, kind: 'course', format: 'in-person', partners: ['giz'], heldOn: '2018' },
      ],
      context,
    );
    await recordCommands(store, [{ type: 'CorrectRecord', stream: 'session-s1', eventId: firstEventOfStream, changes: { partners: ['enm-france'] }, reason: 'the school ran it' }], context);
    const { replaying, fromStreams } = await services(store);
    const sessionsOf = async (partnerId: string, asKnownOn: string) => {
      const stored = await asked(fromStreams, 'partner-history', { partnerId }, { asKnownOn });
      expect(stored).toEqual(fromTheStreams(await asked(replaying, 'partner-history', { partnerId }, { asKnownOn })));
      return (stored.answer?.result as { entries: { record: { id: string } }[] }).entries.map((e) => e.record.id);
    };
    const [held, correction] = await store.readStream('session-s1');
    const before = held!.recordedAt;
    const after = correction!.recordedAt;
    expect([await sessionsOf('giz', before), await sessionsOf('enm-france', before)]).toEqual([['s1'], []]);
    expect([await sessionsOf('giz', after), await sessionsOf('enm-france', after)]).toEqual([[], ['s1']]);
  });

  it('takes a corrected record whole only when its dates, as recorded and as corrected, all count as of the day', async () => {
    const store = new InMemoryEventStore();
    const context = deterministicContext();
    await recordCommands(
      store,
      [
        { type: 'RegisterPartner', partnerId: 'giz', name: { en: 'GIZ' }, kind: 'agency' },
        { type: 'RecordSessionHeld', sessionId: 'moved', title: { en: 'ToT' }, kind: 'course', format: 'in-person', partners: ['giz'], heldOn: '2010' },
        { type: 'RecordSessionHeld', sessionId: 'kept', title: { en: 'Module 1' }, kind: 'course', format: 'in-person', partners: ['giz'], heldOn: '2011' },
        { type: 'CorrectRecord', stream: 'session-moved', eventId: firstEventOfStream, changes: { heldOn: '2020' }, reason: 'the year was misread' },
        { type: 'CorrectRecord', stream: 'session-kept', eventId: firstEventOfStream, changes: { heldOn: '2012' }, reason: 'the year was misread' },
      ],
      context,
    );
    const { replaying, fromStreams } = await services(store);
    const lens = { asOf: '2015' };
    const stored = await asked(fromStreams, 'partner-history', { partnerId: 'giz' }, lens);
    expect(stored).toEqual(fromTheStreams(await asked(replaying, 'partner-history', { partnerId: 'giz' }, lens)));
    expect((stored.answer?.result as { entries: { record: { id: string } }[] }).entries.map((e) => e.record.id)).toEqual(['kept']);
  });

  it("views a partner's agreements over the widest completion only when a record read may or may not count: a termination in \"2018\" as of mid-2018", async () => {
    const store = new InMemoryEventStore();
    await recordCommands(
      store,
      [
        { type: 'RegisterPartner', partnerId: 'giz', name: { en: 'GIZ' }, kind: 'agency' },
        { type: 'SignAgreement', agreementId: 'giz-2000', kind: 'agreement', partners: ['giz'], signedOn: '2000-01-01' },
        { type: 'SignAgreement', agreementId: 'giz-2010', kind: 'agreement', partners: ['giz'], signedOn: '2010-01-01' },
        { type: 'TerminateAgreement', agreementId: 'giz-2010', terminatedOn: '2018', reason: 'ended by both parties' },
      ],
      deterministicContext(),
    );
    const { replaying, fromStreams } = await services(store);
    const statuses = async (asOf: string) => {
      const stored = await asked(fromStreams, 'agreements-register', { partnerId: 'giz' }, { asOf });
      expect(stored, asOf).toEqual(fromTheStreams(await asked(replaying, 'agreements-register', { partnerId: 'giz' }, { asOf })));
      return (stored.answer?.result as { agreements: { status: string; statusCandidates?: string[] }[] }).agreements.map((a) => a.statusCandidates ?? a.status);
    };
    // Signed or terminated by mid-2018; certainly signed at the end of 2017, certainly terminated in 2019 (nothing uncertain read).
    expect(await statuses('2018-06-30')).toEqual(['signed', ['signed', 'terminated']]);
    expect(await statuses('2017-12-31')).toEqual(['signed', 'signed']);
    expect(await statuses('2019-01-01')).toEqual(['signed', 'terminated']);
  });

});

describe('a time lens on the whole log, from the stored model and the streams the lens changes', () => {
  const periodArb = fc.option(fc.constantFrom('2018', '2016-2020', 'by-2022', 'from-2002', 'year-unknown', 'not-a-period'), { nil: undefined });
  const wholeLogQuestions = (period: string | undefined): [string, Record<string, string>][] => {
    const ofPeriod = period === undefined ? {} : { period };
    return [
      ['partners', {}],
      ['agreements-register', {}],
      ['yearly-activity-report', ofPeriod],
      ['yearly-activity-report', { ...ofPeriod, lines: '1', partners: '1', linesFrom: '1' }],
      ...['sessions', 'study-visits', 'meetings', 'publications'].map((name): [string, Record<string, string>] => [name, ofPeriod]),
      ['publication-status', {}],
      ['participants', {}],
    ];
  };

  it('answers every whole-log read model exactly as a replay through the lens, for random logs, lenses and pages', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(logArb, peopleLogArb).chain((commands) => fc.tuple(fc.constant(commands), fc.array(fc.tuple(lensArb(commands.length), pageArb, periodArb), { minLength: 1, maxLength: 3 }))),
        async ([commands, asks]) => {
          const store = new InMemoryEventStore();
          await recordCommands(store, commands, deterministicContext());
          // Every lens served from the stored model, however much of the log it changes: the fold is what is checked.
          const { replaying, fromStreams } = await services(store, true, { wholeLogLensShare: 1 });
          for (const [lens, page, period] of asks) {
            for (const [name, params] of wholeLogQuestions(period)) {
              const replayed = await asked(replaying, name, params, lens, page);
              const stored = await asked(fromStreams, name, params, lens, page);
              expect(stored.answer ?? stored.error, `${name} ${JSON.stringify(params)} ${JSON.stringify(lens)}`).toEqual(replayed.answer ?? replayed.error);
              if (replayed.answer) expect(stored.source, name).toBe('streams');
            }
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 240_000);

  it('answers the institute record through every kind of lens as a replay does, reading only the streams the lens changes', async () => {
    const store = new InMemoryEventStore();
    await loadInstituteRecord(store, deterministicContext('seed'));
    const { replaying, fromStreams } = await services(store, true, { wholeLogLensShare: 1 });
    const lenses: TimeLens[] = [{ asOf: '2010' }, { asOf: '2018-06' }, { asOf: '2022-12-15' }, { asKnownOn: '2024-01-01T08:30:00Z' }, { asOf: '2016', asKnownOn: '2024-01-01T09:00:00Z' }];
    for (const lens of lenses) {
      for (const [name, params] of [...wholeLogQuestions(undefined), ...wholeLogQuestions('2018')]) {
        expect(await asked(fromStreams, name, params, lens), `${name} ${JSON.stringify(lens)}`).toEqual(fromTheStreams(await asked(replaying, name, params, lens)));
      }
    }
    const sourceOf = async (lens: TimeLens) => {
      const answer = await fromStreams.query('yearly-activity-report', {}, { lens });
      if (!answer.ok) throw new Error(answer.error.message);
      return answer.value.source;
    };
    // Known on a day after the last recording: nothing changes, nothing is read. As of 2030: only the two records with an unknown year (of 42 streams).
    expect(await sourceOf({ asKnownOn: '2030-01-01' })).toMatchObject({ kind: 'streams', streamsRead: 0, eventsRead: 0 });
    expect(await sourceOf({ asOf: '2030' })).toMatchObject({ kind: 'streams', streamsRead: 2, eventsRead: 2 });
    // Known on the instant a session's first event was recorded: the streams with events recorded on both sides of it are read; those begun later are only taken off.
    const recorded = new Map<string, string[]>();
    for await (const e of store.readAll()) if (yearlyActivityReportProjection.handlesType(e.type)) recorded.set(e.stream, [...(recorded.get(e.stream) ?? []), e.recordedAt]);
    const asKnownOn = [...recorded.values()].find((at) => at.length > 1 && at.at(-1)! > at[0]!)![0]!;
    const straddling = [...recorded.values()].filter((at) => at[0]! <= asKnownOn && at.at(-1)! > asKnownOn).length;
    const begunLater = [...recorded.values()].filter((at) => at[0]! > asKnownOn).length;
    expect([straddling, begunLater].every((n) => n > 0)).toBe(true);
    expect(await sourceOf({ asKnownOn })).toMatchObject({ kind: 'streams', streamsRead: straddling });
  });

  it('widens a period\'s counts by the records the lens may or may not count, viewing again only the periods those records count in', async () => {
    const store = new InMemoryEventStore();
    const session = (sessionId: string, plannedFor: string) =>
      ({ type: 'ScheduleSession', sessionId, title: { en: sessionId }, kind: 'course', format: 'in-person', partners: ['giz'], plannedFor }) as const;
    const held = (sessionId: string, heldOn: string, count: number) => ({ type: 'RecordSessionHeld', sessionId, heldOn, attendance: { count, basis: 'total' } }) as const;
    await recordCommands(
      store,
      [
        { type: 'RegisterPartner', partnerId: 'giz', name: { en: 'GIZ' }, kind: 'agency' },
        session('s2017', '2017-05-01'),
        held('s2017', '2017-05-02', 10),
        session('s2018-march', '2018-03-01'),
        held('s2018-march', '2018-03-02', 20),
        // Held in "2018": as of mid-2018, it may or may not have been held yet.
        session('s2018', '2018'),
        held('s2018', '2018', 30),
      ],
      deterministicContext(),
    );
    const { replaying, fromStreams } = await services(store, true, { wholeLogLensShare: 1 });
    const lens = { asOf: '2018-06-30' };
    const stored = await asked(fromStreams, 'yearly-activity-report', {}, lens);
    expect(stored).toEqual(fromTheStreams(await asked(replaying, 'yearly-activity-report', {}, lens)));
    const periods = (stored.answer?.result as { periods: { period: { key: string }; totals: { sessionsHeld: unknown; peopleTrained: unknown } }[] }).periods;
    const of = (key: string) => periods.find((p) => p.period.key === key)?.totals;
    // 2018: one session certainly held by then, the other may be; 2017 is not viewed again, its count certain.
    expect(of('2018')).toMatchObject({ sessionsHeld: { known: 1, exact: false, atMost: 2 }, peopleTrained: { known: 20, exact: false, atMost: 50 } });
    expect(of('2017')).toMatchObject({ sessionsHeld: { known: 1, exact: true } });
  });

  it('replays the log, with the same answer, for a read model that says its documents are each a stream\'s when an event the lens folds goes to another document', async () => {
    const store = new InMemoryEventStore();
    await loadInstituteRecord(store, deterministicContext('seed'));
    // One document per partner, fed by every session stream naming it: a stream's fold alone is not its document.
    const heldPerPartner = sessionsPerPartnerProjection;
    const claimed = { ...readModelOfProjection(heldPerPartner), documentsByStream: true } as AnyReadModel;
    const storage = new InMemoryReadModelStorage();
    for (const projection of [recordStreamsProjection, heldPerPartner]) await new ProjectionRunner(projection, { store, storage }).rebuild();
    const stored = queryService({ store, storage }, [claimed], { wholeLogLensShare: 1 });
    const replaying = queryService({ store }, [claimed]);
    for (const lens of [{ asOf: '2018' }, { asKnownOn: '2024-01-01T08:30:00Z' }]) {
      const answer = await asked(stored, heldPerPartner.name, {}, lens);
      expect(answer.source, JSON.stringify(lens)).toBe('replayed');
      expect(answer.answer).toEqual((await asked(replaying, heldPerPartner.name, {}, lens)).answer);
    }
  });

  it('indexes a stream whose recording instant does not parse (a row changed outside the store) as never recorded after a lens, as wholeThroughLens reads it, without failing', () => {
    const entry = { ...recordStreamsProjection.initialState, events: 1, types: { SessionHeld: 1 }, lastRecordedAt: 'not an instant', firstRecordedAt: 'not an instant', latestDay: '2018-12-31', earliestDay: '2018-01-01' };
    const bounds = recordStreamsProjection.indexes!('session-s1', entry).filter((e) => e.index === 'lens-bounds');
    expect(bounds.map((e) => [e.key, e.sort])).toEqual([['dated', '2018-12-31 session-s1']]);
  });

  it('replays the log when the lens changes more of it than the share allowed, or when the model is not stored; runs under the replays\' cap', async () => {
    const store = new InMemoryEventStore();
    await loadInstituteRecord(store, deterministicContext('seed'));
    const { fromStreams } = await services(store, true, { wholeLogLensShare: 0.1 });
    // As of 2010, most of the record is later: replayed.
    expect((await asked(fromStreams, 'yearly-activity-report', {}, { asOf: '2010' })).source).toBe('replayed');
    expect((await asked(fromStreams, 'yearly-activity-report', {}, { asOf: '2030' })).source).toBe('streams');
    // Under the replays' cap, as a replay: a lens on one partner's answer is not.
    const busy = { run: async () => ({ busy: true as const }) };
    const capped = await fromStreams.query('yearly-activity-report', {}, { lens: { asOf: '2030' }, replays: busy });
    expect(capped.ok ? capped.value.source : capped.error.code).toBe('replays-busy');
    const partner = await fromStreams.query('partner-history', { partnerId: 'giz' }, { lens: { asOf: '2030' }, replays: busy });
    expect(partner.ok && partner.value.source.kind).toBe('streams');
    const withoutModels = await services(store, false);
    for (const name of ['agreements-register', 'partners', 'yearly-activity-report']) {
      expect((await asked(withoutModels.fromStreams, name, {}, { asOf: '2018' })).source, name).toBe('replayed');
    }
  });
});
