import { exactly } from '../model/counts.js';
import { InMemoryEventStore, handle, type CommandInput, type Result } from '@taawun/domain';
import { deterministicContext } from '@taawun/domain/testing';
import { institute, loadInstituteRecord } from '@taawun/example-institute-record';
import { beforeAll, describe, expect, it } from 'vitest';
import { InMemoryReadModelStorage } from '../engine/in-memory-storage.js';
import { ProjectionRunner } from '../engine/runner.js';
import { instituteNameOfRef, partnerOfRef } from '../model/page-records.js';
import { peopleOfEntry, peopleOfPage } from '../model/people.js';
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
    const { partner, entries, records } = answer.result;
    const instituteName = (e: (typeof entries)[number]) => instituteNameOfRef(e.instituteName, records);
    expect(partner).toMatchObject({ partnerId: 'enm-france', acronym: 'ENM', country: 'FR', name: { fr: 'École nationale de la magistrature' } });
    expect(entries.map((e) => [e.date.edtf, e.date.label, e.what, e.sourceRefs.join()])).toEqual([
      ['1998-11-16', '16 November 1998', 'Agreement signed', 'F12'],
      ['2016-02-19', '19 February 2016', 'Protocol signed', 'F14'],
      ['2016', '2016', 'Course held', 'F16'],
      ['2016/2020', '2016 – 2020', 'Hosted study visit completed', 'F18'],
      ['2016/2020', '2016 – 2020', 'Specialised session held', 'F18'],
      ['2021', '2021', 'Course held', 'F17'],
      // F15's programme is not dated by the text ("since 2002" is about the judges who benefited); F16's course is yearly.
      ['XXXX', 'date unknown', 'Annual programme started', 'F15'],
      ['XXXX', 'date unknown', 'Annual programme started', 'F16'],
    ]);
    const [agreement1998, protocol, course2016, hosting, , course2021, programme] = entries;
    // The 1998 agreement was signed under the former name, stated on it; the 2016 protocol under the present one.
    expect(instituteName(agreement1998!)).toEqual({ certainty: 'stated', name: institute.formerName, candidates: [institute.formerName] });
    expect(instituteName(protocol!)).toMatchObject({ certainty: 'stated', name: institute.currentName });
    // Nothing on the course of 2016 says which name was in force: the rename falls between 16 Nov 1998 and 19 Feb 2016.
    expect(instituteName(course2016!)).toEqual({ certainty: 'uncertain', name: null, candidates: [institute.formerName, institute.currentName] });
    expect(instituteName(course2021!)).toEqual({ certainty: 'in-force', name: institute.currentName, candidates: [institute.currentName] });
    // Order is honest: an undated programme may lie anywhere, "2016" may lie before 19 February 2016.
    expect(entries.every((e) => !e.orderCertain)).toBe(true);
    expect(programme!.details).toMatchObject({ recurrence: 'annual' });
    expect(course2016!.counts).toMatchObject({ namedTrainees: 2, attendance: { count: 2, basis: 'total' }, peopleTrained: { known: 2, exact: true } });
    expect(course2016!.details).toMatchObject({ cohorts: [39, 40], format: 'not-stated' });
    // People are named once in the page's records (kind and cohort), entries list them by id under their role.
    expect(peopleOfEntry(course2016!.people, records).map((p) => [p.kind, p.role])).toEqual([['judge', 'trainee'], ['judge', 'trainee']]);
    expect(peopleOfPage(records.people).map(([id]) => id).sort()).toEqual([...new Set(entries.flatMap((e) => Object.values(e.people).flat()))].sort());
    expect(course2021!.details).toMatchObject({ cohorts: [41], format: 'remote', description: { en: 'Attended remotely because of COVID-19' } });
    expect(peopleOfEntry(course2021!.people, records).map((p) => p.cohort)).toEqual([41, 41]);
    // F18's 11 were hosted: visitors received, not participants of an outgoing visit.
    expect(hosting!.counts).toEqual({ hosted: { known: 11, exact: true, gaps: [] } });
    expect(entries.every((e) => e.partnerName.certainty === 'in-force' && e.sharedWith.length === 0)).toBe(true);
  });

  it('includes activities shared with other partners, naming them', async () => {
    const { entries, records } = value(await queryPartnerHistory(source, { partnerId: 'kvinfo' })).result;
    expect(entries.map((e) => [e.date.edtf, e.kind])).toEqual([
      ['../2017-05-15', 'programme-launched'],
      ['../2017-05-15', 'publication-prepared'],
      ['2017-05-15', 'session'],
    ]);
    const meeting = entries[2]!;
    expect(meeting.sharedWith).toEqual(['ministry-of-justice-morocco', 'embassy-denmark-rabat']);
    // Named once in the page's records, each entry referring to them.
    expect(Object.keys(records.partners).sort()).toEqual(['embassy-denmark-rabat', 'kvinfo', 'ministry-of-justice-morocco']);
    expect(meeting.partners.map((p) => en(partnerOfRef(p, records).name.name))).toEqual(['Moroccan Ministry of Justice', 'Embassy of Denmark in Rabat', 'Danish centre for research and information on gender and equality']);
    // F5's 70 attended a meeting: nobody was trained.
    expect(meeting.counts?.peopleAttended).toEqual({ known: 70, exact: true, gaps: [] });
    expect(meeting.counts?.peopleTrained).toBeUndefined();
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
    expect(await queryPartnerHistory(source, { partnerId: 'nobody' })).toEqual({
      ok: false,
      error: { code: 'unknown-key', message: 'no partner "nobody"; valid: aecid, embassy-denmark-rabat, embassy-spain, enabel, eng-dijon, enm-france, giz, kvinfo, ministry-of-justice-morocco, ssm-italy', fields: ['partnerId'], valid: expect.arrayContaining(['enm-france', 'giz']), key: { what: 'partner', value: 'nobody' } },
    });
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
    // Sessions held: 1 (attachés) + 6 (regional) + "several" training-of-trainers sessions, counted as at least 2.
    expect(y2018!.totals.sessionsHeld).toEqual({ known: 9, exact: false, gaps: [{ recordId: 'giz-tot-2018', reason: 'sessions-not-numbered' }] });
    expect(y2018!.sessions.map((s) => [s.sessionId, s.occurrences.known, s.people.known, s.figure])).toEqual([
      ['giz-attaches-2018-11', 1, 0, 'trained'],
      // F3: the training of trainers, then the regional sessions that followed it (a stated order: both are only "2018").
      ['giz-tot-2018', 2, 0, 'trained'],
      ['giz-regional-2018', 6, 120, 'trained'],
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
    expect(span.totals.visitorsHosted).toEqual({ known: 11, exact: true, gaps: [] });
    expect(span.totals.studyVisitParticipants).toEqual({ known: 0, exact: true, gaps: [] });
    expect(periods[0]!.sessions.map((s) => s.sessionId)).toEqual(['enm-new-judges-course-2016']);
    expect(periods.find((p) => p.period.key === 'by-2022')!.sessions.map((s) => [s.sessionId, s.held, s.occurrences.exact])).toEqual([
      ['enabel-preparatory-meetings', 'meetings', false],
      ['enabel-trainer-judges-session', 'sessions', true],
    ]);
    const y2021 = periods.find((p) => p.period.key === '2021')!;
    expect(y2021.byFormat.map((f) => [f.format, f.peopleTrained.known])).toEqual([['remote', 6]]);
    expect(totals.publications).toEqual({ prepared: exactly(3), plannedForPublication: exactly(1), published: exactly(0) });
  });
});

describe('figures mean one thing each (model/figures.ts)', () => {
  it('2017: F5\'s 70 attended a meeting: 0 trained, 70 attendees, 1 meeting held and no training session', async () => {
    const [y2017] = value(await queryYearlyActivityReport(source, { period: '2017' })).result.periods;
    expect(y2017!.totals).toMatchObject({
      sessionsHeld: { known: 0, exact: true },
      peopleTrained: { known: 0, exact: true },
      meetingsHeld: { known: 1, exact: true },
      peopleAttended: { known: 70, exact: true },
    });
  });

  it('by 2022: F6\'s "several" preparatory meetings are at least 2 meetings, not sessions held', async () => {
    const [by2022] = value(await queryYearlyActivityReport(source, { period: 'by-2022' })).result.periods;
    expect(by2022!.totals.sessionsHeld).toEqual({ known: 1, exact: true, gaps: [] });
    expect(by2022!.totals.meetingsHeld).toEqual({ known: 2, exact: false, gaps: [{ recordId: 'enabel-preparatory-meetings', reason: 'sessions-not-numbered' }] });
  });

  it('the grand total adds like with like: 2 + 120 + 4 + 2 trained (lower bound), 70 attended, 11 hosted, 2 visit participants', async () => {
    const { totals } = value(await queryYearlyActivityReport(source, {})).result;
    expect([totals.peopleTrained.known, totals.peopleTrained.exact]).toEqual([128, false]);
    expect([totals.trainersTrained.known, totals.trainersTrained.exact]).toEqual([4, false]);
    expect([totals.peopleAttended.known, totals.peopleAttended.exact]).toEqual([70, false]);
    expect(totals.visitorsHosted).toEqual({ known: 11, exact: true, gaps: [] });
    expect(totals.studyVisitParticipants).toEqual({ known: 2, exact: true, gaps: [] });
    expect([totals.sessionsHeld.known, totals.meetingsHeld.known]).toEqual([17, 3]);
  });

  it('a session scheduled and never held counts nothing held or trained, even with people enrolled', async () => {
    const store = new InMemoryEventStore();
    const context = deterministicContext('planned');
    const commands: CommandInput[] = [
      { type: 'RegisterPartner', partnerId: 'p', kind: 'school', name: { en: 'P' } },
      { type: 'ScheduleSession', sessionId: 's', title: { en: 'S' }, kind: 'course', partners: ['p'], plannedFor: '2019' },
      { type: 'RegisterParticipant', participantId: 'j1', kind: 'judge' },
      { type: 'RegisterParticipant', participantId: 'j2', kind: 'judge' },
      { type: 'EnrolParticipant', sessionId: 's', participantId: 'j1', role: 'trainee' },
      { type: 'EnrolParticipant', sessionId: 's', participantId: 'j2', role: 'trainee' },
    ];
    for (const command of commands) expect((await handle(store, command, context)).ok).toBe(true);
    const storage = new InMemoryReadModelStorage();
    for (const projection of Object.values(projections)) await new ProjectionRunner(projection, { store, storage }).rebuild();
    const [entry] = value(await queryPartnerHistory({ store, storage }, { partnerId: 'p' })).result.entries;
    expect(entry!.status).toBe('planned');
    expect(entry!.counts).toEqual({ attendance: null, namedTrainees: 2 });
    expect(value(await queryYearlyActivityReport({ store, storage }, {})).result.totals.peopleTrained.known).toBe(0);
  });
});
