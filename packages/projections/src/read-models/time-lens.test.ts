import { exactly } from '../model/counts.js';
import { InMemoryEventStore, handle, type CommandContext, type CommandInput, type Result, type StoredEvent } from '@taawun/domain';
import { deterministicContext } from '@taawun/domain/testing';
import { loadInstituteRecord } from '@taawun/example-institute-record';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  queryAgreementsRegister,
  queryAuditTrail,
  queryParticipantRecord,
  queryPartnerHistory,
  queryReadModel,
  queryYearlyActivityReport,
  readModels,
  type Answer,
  type QueryError,
} from './built-in.js';

/*
 * The time lenses on the institute's record: "as of" a business date, "as known
 * on" a recording time, and corrections recorded after the facts (hypothetical
 * corrections, clearly not in the source text, to show what a later correction does).
 */

const value = <R>(result: Result<Answer<R>, QueryError>): Answer<R> => {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
};

async function run(store: InMemoryEventStore, context: CommandContext, commands: CommandInput[]): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for (const command of commands) {
    const outcome = await handle(store, command, context);
    if (!outcome.ok) throw new Error(`${command.type}: ${outcome.error.message}`);
    events.push(...outcome.value.events);
  }
  return events;
}

const eventOf = async (store: InMemoryEventStore, stream: string, type: string) => (await store.readStream(stream)).find((e) => e.type === type)!;

describe('as of a business date', () => {
  let store: InMemoryEventStore;
  beforeAll(async () => {
    store = new InMemoryEventStore();
    await loadInstituteRecord(store, deterministicContext('seed'));
  });

  it('what had been published by the end of 2022: three guides prepared, the Enabel guide only planned, nothing published', async () => {
    const answer = value(await queryYearlyActivityReport({ store }, {}, { asOf: '2022' }));
    expect(answer.asOf).toBe('2022-12-31');
    expect(answer.source.kind).toBe('replayed');
    expect(answer.result.totals.publications).toEqual({ prepared: exactly(3), plannedForPublication: exactly(1), published: exactly(0) });
    const lines = answer.result.periods.flatMap((p) => [
      ...p.publications.prepared.map((x) => ['prepared', x.publicationId, x.date.label]),
      ...p.publications.plannedForPublication.map((x) => ['planned', x.publicationId, x.date.label]),
      ...p.publications.published.map((x) => ['published', x.publicationId, x.date.label]),
    ]);
    expect(lines).toEqual([
      ['prepared', 'facilitative-mediation-guide', 'by 15 May 2017'],
      ['prepared', 'giz-refugee-rights-guide', 'by 2018'],
      ['prepared', 'enabel-guide-migration-asylum', 'by 2022'],
      ['planned', 'enabel-guide-migration-asylum', '2022'],
    ]);
    // By 30 June 2022 the Enabel guide may or may not have been prepared ("by 2022"), its plan may or may not be due: ranges, and said so.
    const midyear = value(await queryYearlyActivityReport({ store }, {}, { asOf: '2022-06-30' }));
    expect(midyear.result.totals.publications).toEqual({
      prepared: { known: 2, exact: false, gaps: [], atMost: 3 },
      plannedForPublication: { known: 0, exact: false, gaps: [], atMost: 1 },
      published: exactly(0),
    });
    expect(midyear.lens!.notCounted.mayBeLater.filter((n) => n.type.startsWith('Publication')).map((n) => [n.type, n.label, n.sourceRef])).toEqual([
      ['PublicationPrepared', 'by 2022', 'F7'],
      ['PublicationPlanned', '2022', 'F8'],
    ]);
  });

  it('an event dated only "2018" is not before 1 June 2018; unknown years never count, and the answer says so', async () => {
    const june = value(await queryYearlyActivityReport({ store }, {}, { asOf: '2018-06-01' }));
    // The 2016 course and the 2017 meeting count; nothing of 2018 does yet.
    expect(june.result.periods.map((p) => p.period.key)).toEqual(['2016', 'by-2017', '2017']);
    const lens = june.lens!;
    const f3 = lens.notCounted.mayBeLater.filter((n) => n.sourceRef === 'F3');
    expect(f3.map((n) => [n.type, n.label])).toEqual([
      ['SessionHeld', '2018'],
      ['SessionHeld', '2018'],
    ]);
    expect(lens.notCounted.yearUnknown.map((n) => [n.sourceRef, n.type, n.label])).toEqual([
      ['F10', 'SessionHeld', '15–25 November (year unknown)'],
      ['F11', 'StudyVisitCompleted', 'date unknown'],
    ]);
    expect(lens.notCounted.later).toBeGreaterThan(0);
    const endOf2018 = value(await queryYearlyActivityReport({ store }, { period: '2018' }, { asOf: '2018-12-31' }));
    expect(endOf2018.result.periods[0]!.totals.peopleTrained.known).toBe(120);
  });

  it('the ENM history as of 1 June 2016: the agreement and the protocol only (the programmes are undated)', async () => {
    const answer = value(await queryPartnerHistory({ store }, { partnerId: 'enm-france' }, { asOf: '2016-06-01' }));
    expect(answer.result.entries.map((e) => e.date.edtf)).toEqual(['1998-11-16', '2016-02-19']);
    const agreements = value(await queryAgreementsRegister({ store }, {}, { asOf: '2010' })).result.agreements;
    expect(agreements.map((a) => a.agreementId)).toEqual(['enm-1998', 'eng-dijon-2006']);
  });

  it('refuses a malformed lens, naming it', async () => {
    expect(await queryYearlyActivityReport({ store }, {}, { asOf: '2018-13-01' })).toMatchObject({ ok: false, error: { code: 'invalid-query', message: expect.stringMatching(/^asOf: "2018-13-01"/) } });
    expect(await queryYearlyActivityReport({ store }, {}, { asOf: '../2018' })).toMatchObject({ ok: false, error: { code: 'invalid-query' } });
    expect(await queryYearlyActivityReport({ store }, {}, { asKnownOn: 'yesterday' })).toMatchObject({ ok: false, error: { code: 'invalid-query', message: expect.stringMatching(/^asKnownOn/) } });
    expect(await queryReadModel({ store }, 'budget')).toMatchObject({ ok: false, error: { code: 'unknown-read-model' } });
  });
});

describe('corrections recorded later, and what the record said before them', () => {
  let store: InMemoryEventStore;
  const beforeCorrections = '2024-03-01';
  beforeAll(async () => {
    store = new InMemoryEventStore();
    await loadInstituteRecord(store, deterministicContext('seed'));
    const clerk = deterministicContext('archivist', Date.parse('2024-06-01T09:00:00Z'));
    const attaches = await eventOf(store, 'session-giz-attaches-2018-11', 'SessionHeld');
    const fiveModules = await eventOf(store, 'session-spain-tot-five-modules', 'SessionHeld');
    await run(store, clerk, [
      { type: 'CorrectRecord', stream: attaches.stream, eventId: attaches.id, changes: { attendance: { count: 40, basis: 'total' } }, reason: 'attendance sheet found (hypothetical)' },
      { type: 'CorrectRecord', stream: fiveModules.stream, eventId: fiveModules.id, changes: { heldOn: '2019-11-15/2019-11-25' }, reason: 'year found in the programme report (hypothetical)' },
    ]);
  });

  it('the report now counts the corrected figure and moves the corrected session into its year', async () => {
    const { periods } = value(await queryYearlyActivityReport({ store }, {})).result;
    const y2018 = periods.find((p) => p.period.key === '2018')!;
    expect(y2018.totals.peopleTrained).toEqual({ known: 160, exact: false, gaps: [{ recordId: 'giz-tot-2018', reason: 'no-attendance-figure' }] });
    expect(y2018.sessions.find((s) => s.sessionId === 'giz-attaches-2018-11')).toMatchObject({ corrected: true, attendance: { count: 40 } });
    expect(periods.find((p) => p.period.key === '2019')!.sessions.map((s) => [s.sessionId, s.date.label, s.corrected])).toEqual([
      ['spain-tot-five-modules', '15–25 November 2019', true],
    ]);
    expect(periods.at(-1)!.sessions).toEqual([]);
  });

  it('as known on a day before the corrections, the record says what it said then', async () => {
    const then = value(await queryYearlyActivityReport({ store }, {}, { asKnownOn: beforeCorrections }));
    expect(then.asKnownOn).toBe('2024-03-01T23:59:59.999Z');
    const periods = then.result.periods;
    expect(periods.find((p) => p.period.key === '2018')!.totals.peopleTrained.known).toBe(120);
    expect(periods.find((p) => p.period.key === '2019')).toBeUndefined();
    expect(periods.at(-1)!.sessions.map((s) => s.sessionId)).toEqual(['spain-tot-five-modules']);
    expect(then.lens!.notCounted.recordedLater).toBe(2);
  });

  it('as of a date, a corrected date decides; combined with "as known on", the date known then does', async () => {
    const corrected = value(await queryYearlyActivityReport({ store }, { period: '2019' }, { asOf: '2019-12-31' }));
    expect(corrected.result.periods[0]!.sessions.map((s) => s.sessionId)).toEqual(['spain-tot-five-modules']);
    const during = value(await queryYearlyActivityReport({ store }, {}, { asOf: '2019-11-20' }));
    expect(during.result.periods.find((p) => p.period.key === '2019')).toBeUndefined();
    expect(during.lens!.notCounted.mayBeLater.filter((n) => n.sourceRef === 'F10').map((n) => n.date)).toEqual(['2019-11-15/2019-11-25']);
    const knownThen = value(await queryYearlyActivityReport({ store }, {}, { asOf: '2019-12-31', asKnownOn: beforeCorrections }));
    expect(knownThen.result.periods.find((p) => p.period.key === '2019')).toBeUndefined();
    expect(knownThen.lens!.notCounted.yearUnknown.map((n) => n.date)).toContain('XXXX-11-15/XXXX-11-25');
  });

  it('the partner history flags the correction beside the entry it changed', async () => {
    const entry = value(await queryPartnerHistory({ store }, { partnerId: 'aecid' })).result.entries.find((e) => e.record.id === 'spain-tot-five-modules')!;
    expect(entry.date.edtf).toBe('2019-11-15/2019-11-25');
    expect(entry.corrections).toEqual([
      expect.objectContaining({
        recordedBy: 'archivist',
        reason: 'year found in the programme report (hypothetical)',
        changes: [{ field: 'heldOn', from: 'XXXX-11-15/XXXX-11-25', to: '2019-11-15/2019-11-25' }],
      }),
    ]);
    const before = value(await queryPartnerHistory({ store }, { partnerId: 'aecid' }, { asKnownOn: beforeCorrections })).result.entries;
    expect(before.find((e) => e.record.id === 'spain-tot-five-modules')).toMatchObject({ date: { edtf: 'XXXX-11-15/XXXX-11-25' }, corrections: [] });
  });

  it('the audit trail shows every event of the record, who recorded it, when, and the correction beside what it corrects', async () => {
    const { result: trail } = value(await queryAuditTrail({ store }, { recordType: 'session', recordId: 'spain-tot-five-modules' }));
    expect(trail).toMatchObject({ stream: 'session-spain-tot-five-modules', record: { type: 'session', id: 'spain-tot-five-modules' }, personalData: 'redacted' });
    const [held, correction] = trail.events;
    expect(held).toMatchObject({
      type: 'SessionHeld',
      revision: 0,
      recordedBy: 'seed',
      commandType: 'RecordSessionHeld',
      sourceRef: 'F10',
      businessDate: { edtf: 'XXXX-11-15/XXXX-11-25', label: '15–25 November (year unknown)' },
      correctedBusinessDate: { edtf: '2019-11-15/2019-11-25', label: '15–25 November 2019' },
      correctedData: expect.objectContaining({ heldOn: '2019-11-15/2019-11-25' }),
      corrects: null,
    });
    expect((held!.data as { heldOn: string }).heldOn).toBe('XXXX-11-15/XXXX-11-25'); // as written
    expect(held!.corrections).toEqual([expect.objectContaining({ eventId: correction!.eventId, recordedBy: 'archivist', recordedAt: '2024-06-01T09:02:00.000Z' })]);
    expect(correction).toMatchObject({ type: 'RecordCorrected', revision: 1, recordedBy: 'archivist', reason: 'year found in the programme report (hypothetical)', corrects: { eventId: held!.eventId, type: 'SessionHeld', revision: 0 } });

    const then = value(await queryAuditTrail({ store }, { stream: 'session-spain-tot-five-modules' }, { asKnownOn: beforeCorrections }));
    expect(then.result.events.map((e) => [e.type, e.corrections.length, e.correctedBusinessDate])).toEqual([['SessionHeld', 0, null]]);
    const agreement = value(await queryAuditTrail({ store }, { recordType: 'agreement', recordId: 'enm-1998' })).result.events;
    expect(agreement.map((e) => [e.type, e.sourceRef, e.businessDate?.label, e.recordedBy])).toEqual([['AgreementSigned', 'F12', '16 November 1998', 'seed']]);
    expect(await queryAuditTrail({ store }, {})).toMatchObject({ ok: false, error: { code: 'invalid-query' } });
  });

  it('the agreements register shows amendments and terminations, each in its time', async () => {
    const clerk = deterministicContext('archivist', Date.parse('2024-07-01T09:00:00Z'));
    const local = new InMemoryEventStore();
    await loadInstituteRecord(local, deterministicContext('seed'));
    await run(local, clerk, [
      { type: 'AmendAgreement', agreementId: 'ssm-italy-2022', amendedOn: '2023-05', summary: { en: 'Adds e-learning (hypothetical)' }, areasAdded: [{ en: 'E-learning' }], areasRemoved: [{ en: 'Hosting trainers' }] },
      { type: 'TerminateAgreement', agreementId: 'eng-dijon-2006', terminatedOn: '2020', reason: 'superseded (hypothetical)' },
    ]);
    const now = value(await queryAgreementsRegister({ store: local }, {})).result.agreements;
    const italy = now.find((a) => a.agreementId === 'ssm-italy-2022')!;
    expect(italy.areas.map((a) => a.en)).toEqual(['Joint training and research programmes', 'Meetings and exchange of visits', 'Preparing and publishing scientific texts and materials', 'E-learning']);
    expect(italy.areasAsSigned).toHaveLength(4);
    expect(italy.amendments.map((a) => [a.amendedOn.label, a.summary.en])).toEqual([['May 2023', 'Adds e-learning (hypothetical)']]);
    expect(now.find((a) => a.agreementId === 'eng-dijon-2006')).toMatchObject({ status: 'terminated', termination: { terminatedOn: { edtf: '2020' }, reason: 'superseded (hypothetical)' } });
    const in2019 = value(await queryAgreementsRegister({ store: local }, {}, { asOf: '2019-12-31' })).result.agreements;
    expect(in2019.find((a) => a.agreementId === 'eng-dijon-2006')).toMatchObject({ status: 'signed', termination: null });
  });
});

describe('participant record', () => {
  let store: InMemoryEventStore;
  beforeAll(async () => {
    store = new InMemoryEventStore();
    await loadInstituteRecord(store, deterministicContext('seed'));
  });

  it('lists the sessions a person took part in, without inventing a name the text does not give', async () => {
    const { result } = value(await queryParticipantRecord({ store }, { participantId: 'enm-new-judges-course-2021-judge-1' }));
    expect(result).toMatchObject({ kind: 'judge', cohort: 41, personal: null, erased: false, sourceRefs: ['F17'], studyVisits: [] });
    expect(result.sessions.map((s) => [s.sessionId, s.date.edtf, s.status, s.format, s.role, s.enrolment, s.partners.map((p) => p.partnerId).join()])).toEqual([
      ['enm-new-judges-course-2021', '2021', 'held', 'remote', 'trainee', 'enrolled', 'enm-france'],
    ]);
    expect(await queryParticipantRecord({ store }, { participantId: 'nobody' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('shows personal data only from the personal field, and an erased participant as erased, whatever the time lens', async () => {
    const desk = deterministicContext('registrar', Date.parse('2024-09-01T08:00:00Z'));
    await run(store, desk, [
      { type: 'RegisterParticipant', participantId: 'trainee-7f3a', kind: 'judicial-attache', cohort: 45, personal: { fullName: { ar: 'قاضية متدربة', en: 'A trainee judge' }, email: 'trainee@example.org' } },
      { type: 'ScheduleSession', sessionId: 'ethics-2024', title: { en: 'Judicial ethics' }, kind: 'training-session', partners: ['enm-france'], plannedFor: '2024-10' },
      { type: 'EnrolParticipant', sessionId: 'ethics-2024', participantId: 'trainee-7f3a' },
    ]);
    const named = value(await queryParticipantRecord({ store }, { participantId: 'trainee-7f3a' })).result;
    expect(named.personal).toEqual({ fullName: { ar: 'قاضية متدربة', en: 'A trainee judge' }, email: 'trainee@example.org' });
    expect(named.sessions.map((s) => [s.sessionId, s.status])).toEqual([['ethics-2024', 'planned']]);
    const beforeErasure = new Date(Date.parse('2024-09-01T08:10:00Z')).toISOString();
    const audit = (personalData?: 'redact' | 'show') =>
      queryAuditTrail({ store }, { recordType: 'participant', recordId: 'trainee-7f3a', ...(personalData ? { personalData } : {}) }).then((r) => value(r).result);
    expect(await audit()).toMatchObject({ personalData: 'redacted', events: [{ data: { personal: '[personal data]', cohort: 45 } }] });
    expect(await audit('show')).toMatchObject({ personalData: 'shown', events: [{ data: { personal: { email: 'trainee@example.org' } } }] });

    await run(store, desk, [{ type: 'EraseParticipantData', participantId: 'trainee-7f3a', reason: 'request of the data subject' }]);
    for (const lens of [{}, { asKnownOn: beforeErasure }]) {
      const erased = value(await queryParticipantRecord({ store }, { participantId: 'trainee-7f3a' }, lens)).result;
      expect(erased).toMatchObject({ personal: null, erased: true, kind: 'judicial-attache', cohort: 45 });
      expect(erased.sessions.map((s) => s.sessionId)).toEqual(['ethics-2024']);
    }
    const trail = value(await queryAuditTrail({ store }, { recordType: 'participant', recordId: 'trainee-7f3a', personalData: 'show' })).result;
    expect(trail.personalData).toBe('erased');
    expect(trail.events[0]!.data).toMatchObject({ personal: '[personal data]', kind: 'judicial-attache' });
    expect(JSON.stringify(trail)).not.toContain('trainee@example.org');
    // No other read model keeps personal data at all.
    const history = value(await queryPartnerHistory({ store }, { partnerId: 'enm-france' })).result;
    expect(JSON.stringify(history)).not.toContain('A trainee judge');
  });
});

describe('the registry', () => {
  it('lists every read model with its parameters, for the CLI and the HTTP adapter', () => {
    expect(Object.keys(readModels)).toEqual([
      'partners',
      'partner-history',
      'agreements-register',
      'yearly-activity-report',
      'sessions',
      'meetings',
      'study-visits',
      'publications',
      'publication-status',
      'participants',
      'participant-record',
      'audit-trail',
    ]);
    for (const model of Object.values(readModels)) {
      expect(model.title.length).toBeGreaterThan(0);
      expect(model.description.length).toBeGreaterThan(0);
      expect(typeof model.params.safeParse).toBe('function');
      // Every answer has a schema, and the list a page applies to is a field of it.
      if (model.list !== null) expect(Object.keys(model.result.shape)).toContain(model.list);
    }
    expect(readModels['partner-history'].params.safeParse({}).success).toBe(false);
    expect(readModels['yearly-activity-report'].params.safeParse({}).success).toBe(true);
  });
});
