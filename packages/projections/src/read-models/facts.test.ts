import { InMemoryEventStore, handle, type CommandInput, type Result } from '@taawun/domain';
import { deterministicContext } from '@taawun/domain/testing';
import { institute, loadInstituteRecord } from '@taawun/example-institute-record';
import { beforeAll, describe, expect, it } from 'vitest';
import { InMemoryReadModelStorage } from '../engine/in-memory-storage.js';
import { ProjectionRunner } from '../engine/runner.js';
import {
  projections,
  queryAgreementsRegister,
  queryAuditTrail,
  queryParticipantRecord,
  queryPartnerHistory,
  queryReadModel,
  queryYearlyActivityReport,
  type Answer,
  type QueryError,
  type ReadModelSource,
} from './built-in.js';

/*
 * Questions about the facts of DOMAIN.md (F1-F18), answered through each read
 * model from the institute's real record (examples/institute-record).
 */

let source: ReadModelSource;

const value = <R>(result: Result<Answer<R>, QueryError>): Answer<R> => {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
};

beforeAll(async () => {
  const store = new InMemoryEventStore();
  const report = await loadInstituteRecord(store, deterministicContext('seed'));
  expect(report.failures).toEqual([]);
  const storage = new InMemoryReadModelStorage();
  for (const projection of Object.values(projections)) await new ProjectionRunner(projection, { store, storage }).rebuild();
  source = { store, storage };
});

const en = (text: { en?: string } | null | undefined) => text?.en;

describe('per-partner history', () => {
  it('tells the ENM history in order, each entry dated as precisely as the text, under the institute\'s name of the time', async () => {
    const answer = value(await queryPartnerHistory(source, { partnerId: 'enm-france' }));
    expect(answer.source.kind).toBe('stored');
    const { partner, entries } = answer.result;
    expect(partner).toMatchObject({ partnerId: 'enm-france', acronym: 'ENM', country: 'FR', name: { fr: 'École nationale de la magistrature' } });
    expect(entries.map((e) => [e.date.edtf, e.date.label, e.what, e.sourceRefs.join()])).toEqual([
      ['1998-11-16', '16 November 1998', 'Agreement signed', 'F12'],
      ['../2002', 'by 2002', 'Annual programme started', 'F15'],
      ['2016-02-19', '19 February 2016', 'Protocol signed', 'F14'],
      ['2016', '2016', 'Course held', 'F16'],
      ['2016/2020', '2016 – 2020', 'Hosted study visit completed', 'F18'],
      ['2016/2020', '2016 – 2020', 'Specialised session held', 'F18'],
      ['2021', '2021', 'Course held', 'F17'],
    ]);
    const [agreement1998, programme, protocol, course2016, hosting, , course2021] = entries;
    // The 1998 agreement was signed under the former name, stated on it; the 2016 protocol under the present one.
    expect(agreement1998!.instituteName).toEqual({ certainty: 'stated', name: institute.formerName, candidates: [institute.formerName] });
    expect(protocol!.instituteName).toMatchObject({ certainty: 'stated', name: institute.currentName });
    // Nothing on the course of 2016 says which name was in force: the rename falls between 16 Nov 1998 and 19 Feb 2016.
    expect(course2016!.instituteName).toEqual({ certainty: 'uncertain', name: null, candidates: [institute.formerName, institute.currentName] });
    expect(course2021!.instituteName).toEqual({ certainty: 'in-force', name: institute.currentName, candidates: [institute.currentName] });
    // Order is honest: "by 2002" may lie before 1998, "2016" may lie before 19 February 2016.
    expect(entries.map((e) => e.orderCertain)).toEqual([false, false, false, false, false, false, true]);
    expect(programme!.details).toMatchObject({ recurrence: 'annual' });
    expect(course2016!.counts).toMatchObject({ namedTrainees: 2, attendance: { count: 2, basis: 'total' }, peopleTrained: { known: 2, exact: true } });
    expect(course2016!.details).toMatchObject({ cohorts: [39, 40], format: 'not-stated' });
    expect(course2016!.people.map((p) => [p.kind, p.role])).toEqual([['judge', 'trainee'], ['judge', 'trainee']]);
    expect(course2021!.details).toMatchObject({ cohorts: [41], format: 'remote', description: { en: 'Attended remotely because of COVID-19' } });
    expect(course2021!.people.map((p) => p.cohort)).toEqual([41, 41]);
    expect(hosting!.counts).toEqual({ participants: { known: 11, exact: true, gaps: [] } });
    expect(entries.every((e) => e.partnerName.certainty === 'in-force' && e.sharedWith.length === 0)).toBe(true);
  });

  it('includes activities shared with other partners, naming them', async () => {
    const { entries } = value(await queryPartnerHistory(source, { partnerId: 'kvinfo' })).result;
    expect(entries.map((e) => [e.date.edtf, e.kind])).toEqual([
      ['../2017-05-15', 'programme-launched'],
      ['../2017-05-15', 'publication-prepared'],
      ['2017-05-15', 'session'],
    ]);
    const meeting = entries[2]!;
    expect(meeting.sharedWith).toEqual(['ministry-of-justice-morocco', 'embassy-denmark-rabat']);
    expect(meeting.partners.map((p) => en(p.name.name))).toEqual(['Moroccan Ministry of Justice', 'Embassy of Denmark in Rabat', 'Danish centre for research and information on gender and equality']);
    expect(meeting.counts?.peopleTrained).toEqual({ known: 70, exact: true, gaps: [] });
    const { entries: aecid } = value(await queryPartnerHistory(source, { partnerId: 'aecid' })).result;
    expect(aecid.map((e) => [e.date.label, e.what])).toEqual([
      ['by 25 May 2021', 'Programme started'],
      ['25 May 2021 – 8 July 2021', 'Training of trainers held'],
      ['15–25 November (year unknown)', 'Training of trainers held'],
      ['date unknown', 'Outgoing study visit completed'],
    ]);
    expect(aecid[1]!.details).toMatchObject({ format: 'remote' });
    expect(aecid.every((e) => e.sharedWith.join() === 'embassy-spain')).toBe(true);
  });

  it('keeps the Enabel guide a plan, and says when a partner is not in the record', async () => {
    const { entries } = value(await queryPartnerHistory(source, { partnerId: 'enabel' })).result;
    expect(entries.filter((e) => e.record.type === 'publication').map((e) => [e.kind, e.date.edtf])).toEqual([
      ['publication-prepared', '../2022'],
      ['publication-planned', '2022'],
    ]);
    expect(await queryPartnerHistory(source, { partnerId: 'nobody' })).toEqual({ ok: false, error: { code: 'not-found', message: 'partner nobody is not in the record' } });
    expect((await queryPartnerHistory(source, { partnerId: 'Not A Slug' } as never)).ok).toBe(false);
  });
});

describe('agreements register', () => {
  it('lists every agreement with parties, signatories, place, date, areas and status', async () => {
    const { agreements } = value(await queryAgreementsRegister(source, {})).result;
    expect(agreements.map((a) => [a.agreementId, a.kind, a.signedOn.edtf, a.status, a.orderCertain])).toEqual([
      ['enm-1998', 'agreement', '1998-11-16', 'signed', true],
      ['eng-dijon-2006', 'agreement', '2006-12-07', 'signed', true],
      ['enm-2016-protocol', 'protocol', '2016-02-19', 'signed', true],
      ['ssm-italy-2022', 'agreement', '2022-12-15', 'signed', true],
    ]);
    const [enm1998, dijon, , italy] = agreements;
    expect(enm1998!.parties.institute).toMatchObject({ certainty: 'stated', name: institute.formerName });
    expect(dijon!.parties.institute).toMatchObject({ certainty: 'uncertain', candidates: [institute.formerName, institute.currentName] });
    expect(italy).toMatchObject({
      place: { en: 'Rome' },
      parties: { institute: { certainty: 'stated', name: institute.currentName }, partners: [{ partnerId: 'ssm-italy', country: 'IT', kind: 'school' }] },
      amendments: [],
      termination: null,
      sourceRefs: ['F1'],
    });
    expect(italy!.signatories.map((s) => [s.party, en(s.role), en(s.name)])).toEqual([
      ['institute', 'Director-General of the institute', undefined],
      ['ssm-italy', 'President of the school', 'Giorgio Lattanzi'],
    ]);
    expect(italy!.areas.map(en)).toEqual([
      'Joint training and research programmes',
      'Meetings and exchange of visits',
      'Hosting trainers',
      'Preparing and publishing scientific texts and materials',
    ]);
    const enmOnly = value(await queryAgreementsRegister(source, { partnerId: 'enm-france' })).result.agreements;
    expect(enmOnly.map((a) => a.agreementId)).toEqual(['enm-1998', 'enm-2016-protocol']);
  });
});

describe('yearly activity report', () => {
  it('people trained in 2018: 6 × 20 = 120 in the regional sessions, and no figure for the other sessions, said so', async () => {
    const [y2018] = value(await queryYearlyActivityReport(source, { period: '2018' })).result.periods;
    expect(y2018!.period).toEqual({ key: '2018', kind: 'year', label: '2018', fromYear: 2018, toYear: 2018 });
    expect(y2018!.totals.peopleTrained).toEqual({
      known: 120,
      exact: false,
      gaps: [
        { recordId: 'giz-attaches-2018-11', reason: 'no-attendance-figure' },
        { recordId: 'giz-tot-2018', reason: 'no-attendance-figure' },
      ],
    });
    // Sessions held: 1 (attachés) + 6 (regional) + "several" training-of-trainers sessions, counted as at least 1.
    expect(y2018!.totals.sessionsHeld).toEqual({ known: 8, exact: false, gaps: [{ recordId: 'giz-tot-2018', reason: 'sessions-not-numbered' }] });
    expect(y2018!.sessions.map((s) => [s.sessionId, s.sessionsHeld.known, s.peopleTrained.known])).toEqual([
      ['giz-attaches-2018-11', 1, 0],
      // F3: the training of trainers, then the regional sessions that followed it (a stated order: both are only "2018").
      ['giz-tot-2018', 1, 0],
      ['giz-regional-2018', 6, 120],
    ]);
    expect(y2018!.byPartner.map((p) => [p.acronym, p.figures.peopleTrained.known])).toEqual([['GIZ', 120]]);
    expect(y2018!.byFormat).toEqual([{ format: 'not-stated', sessionsHeld: y2018!.totals.sessionsHeld, peopleTrained: y2018!.totals.peopleTrained }]);
  });

  it('never guesses a year: spans, "by", and "year unknown" get their own periods', async () => {
    const { periods, totals } = value(await queryYearlyActivityReport(source, {})).result;
    expect(periods.map((p) => p.period.key)).toEqual(['2016', 'by-2017', '2017', 'by-2018', '2018', '2016-2020', '2021', 'by-2022', '2022', 'year-unknown']);
    const unknown = periods.at(-1)!;
    expect(unknown.period.label).toBe('year unknown');
    expect(unknown.sessions.map((s) => [s.sessionId, s.date.label])).toEqual([['spain-tot-five-modules', '15–25 November (year unknown)']]);
    expect(unknown.studyVisits.map((v) => [v.visitId, v.participants])).toEqual([['madrid-study-visit', { known: 2, exact: true, gaps: [] }]]);
    const span = periods.find((p) => p.period.key === '2016-2020')!;
    expect(span.totals.studyVisits.known).toBe(1);
    expect(span.totals.studyVisitParticipants).toEqual({ known: 11, exact: true, gaps: [] });
    expect(periods[0]!.sessions.map((s) => s.sessionId)).toEqual(['enm-new-judges-course-2016']);
    expect(periods.find((p) => p.period.key === 'by-2022')!.sessions.map((s) => [s.sessionId, s.sessionsHeld.exact])).toEqual([
      ['enabel-preparatory-meetings', false],
      ['enabel-trainer-judges-session', true],
    ]);
    const y2021 = periods.find((p) => p.period.key === '2021')!;
    expect(y2021.byFormat.map((f) => [f.format, f.peopleTrained.known])).toEqual([['remote', 6]]);
    expect(totals.publications).toEqual({ prepared: 3, plannedForPublication: 1, published: 0 });
  });
});
