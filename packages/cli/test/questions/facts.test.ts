import { peopleOfEntry } from '@taawun/projections';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twoAtATime } from '../support.js';
import { lineWith, seededRecord, type Record } from './ask.js';

/*
 * Questions an auditor asks about the 18 facts of the source text
 * (/work/shared/seed, DOMAIN.md F1-F18), each with the exact answer the text
 * gives, checked in the JSON answer and in the table a person reads. The
 * traps of the text are here too: a year not stated, a plan that is not a
 * deed, an institute that changed its name, counts given without names.
 */

type Row = any; // eslint-disable-line @typescript-eslint/no-explicit-any

let record: Record;
beforeAll(async () => {
  record = await seededRecord('questions');
});
afterAll(() => record.remove());

describe('agreements (F1, F12, F13, F14)', () => {
  it('Q1 F1: the agreement with the Italian school was signed in Rome on 15 December 2022', async () => {
    const { json, table } = await record.ask('report', 'agreements', '--partner', 'ssm-italy', '--details');
    const [a] = json.result.agreements;
    expect([a.agreementId, a.signedOn.edtf, a.place.en]).toEqual(['ssm-italy-2022', '2022-12-15', 'Rome']);
    expect(lineWith(table, 'ssm-italy-2022')).toMatch(/^15 December 2022 +agreement +ssm-italy-2022 /);
    expect(table).toContain('    place: Rome');
  });

  it('Q2 F1: signed by the institute\'s Director-General and the school\'s president, Giorgio Lattanzi', async () => {
    const { json, table } = await record.ask('report', 'agreements', '--partner', 'ssm-italy', '--details');
    expect(json.result.agreements[0].signatories.map((s: Row) => [s.party, s.role.en, s.name?.en ?? null])).toEqual([
      ['institute', 'Director-General of the institute', null],
      ['ssm-italy', 'President of the school', 'Giorgio Lattanzi'],
    ]);
    expect(table).toContain('    signatories: Director-General of the institute (institute); Giorgio Lattanzi, President of the school (ssm-italy)');
  });

  it('Q3 F1: four areas of cooperation', async () => {
    const { json, table } = await record.ask('report', 'agreements', '--partner', 'ssm-italy', '--details');
    expect(json.result.agreements[0].areas.map((a: Row) => a.en)).toEqual([
      'Joint training and research programmes',
      'Meetings and exchange of visits',
      'Hosting trainers',
      'Preparing and publishing scientific texts and materials',
    ]);
    expect(table).toContain(
      '    areas of cooperation: Joint training and research programmes; Meetings and exchange of visits; Hosting trainers; Preparing and publishing scientific texts and materials',
    );
  });

  it('Q4 F12: in 1998 the institute signed with ENM under its former name, the National Institute of Judicial Studies', async () => {
    const { json, table } = await record.ask('report', 'agreements', '--partner', 'enm-france', '--details');
    const [a1998] = json.result.agreements;
    expect([a1998.agreementId, a1998.parties.institute.certainty, a1998.parties.institute.name.en]).toEqual(['enm-1998', 'stated', 'National Institute of Judicial Studies']);
    expect(lineWith(table, 'enm-1998')).toContain('National Institute of Judicial Studies');
  });

  it('Q5 F14: the 2016 protocol was signed under the present name, the Higher Institute of the Judiciary', async () => {
    const { json, table } = await record.ask('report', 'agreements', '--partner', 'enm-france');
    const protocol = json.result.agreements.find((a: Row) => a.agreementId === 'enm-2016-protocol');
    expect([protocol.kind, protocol.signedOn.edtf, protocol.parties.institute.name.en]).toEqual(['protocol', '2016-02-19', 'Higher Institute of the Judiciary']);
    expect(lineWith(table, 'enm-2016-protocol')).toMatch(/^19 February 2016 +protocol +enm-2016-protocol +ENM .*Higher Institute of the Judiciary/);
  });

  it('Q6 F13 (a renamed institute): the name under which it signed with Dijon in 2006 is uncertain, one of two', async () => {
    const { json, table } = await record.ask('report', 'agreements', '--partner', 'eng-dijon');
    const { institute } = json.result.agreements[0].parties;
    expect([institute.certainty, institute.name, institute.candidates.map((c: Row) => c.en)]).toEqual([
      'uncertain',
      null,
      ['National Institute of Judicial Studies', 'Higher Institute of the Judiciary'],
    ]);
    expect(lineWith(table, 'eng-dijon-2006')).toContain('one of: National Institute of Judicial Studies / Higher Institute of the Judiciary');
  });

  it('Q7: two agreements with ENM (1998 and 2016)', async () => {
    const { json, table } = await record.ask('report', 'agreements', '--partner', 'enm-france');
    expect(json.result.agreements.map((a: Row) => a.agreementId)).toEqual(['enm-1998', 'enm-2016-protocol']);
    expect(table.split('\n')[0]).toBe('Agreements register (2)');
  });

  it('Q8: an unknown partner is named with the valid ones, exit 1', async () => {
    for (const format of ['table', 'json']) {
      const result = await record.run('report', 'agreements', '--partner', 'nope', '--format', format);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^taawun: no partner "nope"; valid: aecid, embassy-denmark-rabat, .*ssm-italy \(unknown-key\)$/)]);
    }
  });
});

describe('figures mean one thing each', () => {
  it('Q9 F5: in 2017 nobody was trained; 70 people attended the introductory meeting', async () => {
    const { json, table } = await record.ask('report', 'yearly', '--year', '2017');
    const { totals } = json.result.periods[0];
    expect([totals.peopleTrained, totals.peopleAttended, totals.sessionsHeld.known, totals.meetingsHeld.known]).toEqual([
      { known: 0, exact: true, gaps: [] },
      { known: 70, exact: true, gaps: [] },
      0,
      1,
    ]);
    expect(table.split('\n')[1]).toMatch(/^0 training sessions held, 0 people trained, 1 meeting held, 70 people attended,/);
    expect(lineWith(table, 'mediation-guide-meeting-2017')).toContain('70 attended');
    expect(table).not.toContain('70 trained');
  });

  it('Q10 F3: GIZ held 6 regional sessions of 20 judges each in 2018: 120 trained', async () => {
    const { json, table } = await record.ask('report', 'sessions', '--partner', 'giz', '--period', '2018');
    const regional = json.result.sessions.find((e: Row) => e.record.id === 'giz-regional-2018');
    expect([regional.counts.sessions, regional.counts.peopleTrained]).toEqual([
      { known: 6, exact: true, gaps: [] },
      { known: 120, exact: true, gaps: [] },
    ]);
    expect(lineWith(table, 'giz-regional-2018')).toContain('6 sessions, 120 trained');
  });

  it('Q11 F3: "several" training-of-trainers sessions are at least 2, never 1 and never a guess', async () => {
    const { json, table } = await record.ask('report', 'sessions', '--partner', 'giz', '--period', '2018');
    const tot = json.result.sessions.find((e: Row) => e.record.id === 'giz-tot-2018');
    expect(tot.counts.sessions).toEqual({ known: 2, exact: false, gaps: [{ recordId: 'giz-tot-2018', reason: 'sessions-not-numbered' }] });
    expect(lineWith(table, 'giz-tot-2018')).toContain('≥ 2 sessions, trainers trained: not stated');
  });

  it('Q12 F4 (counts without names): how many attachés were trained on 7-8 November 2018? Not stated', async () => {
    const { json, table } = await record.ask('report', 'sessions', '--partner', 'giz', '--period', '2018');
    const attaches = json.result.sessions.find((e: Row) => e.record.id === 'giz-attaches-2018-11');
    expect([attaches.date.label, attaches.counts.peopleTrained.exact, attaches.counts.peopleTrained.known]).toEqual(['7–8 November 2018', false, 0]);
    expect(lineWith(table, 'giz-attaches-2018-11')).toContain('trained: not stated');
    expect(table).not.toMatch(/≥ 0/);
  });

  it('Q13 F4: the session was for judicial attachés in two groups', async () => {
    const { json, table } = await record.ask('history', 'giz', '--details');
    const attaches = json.result.entries.find((e: Row) => e.record.id === 'giz-attaches-2018-11');
    expect(attaches.details.audience.en).toBe('Judicial attachés (two groups)');
    expect(table).toContain('    audience: Judicial attachés (two groups)');
  });

  it('Q14 F9: four institute trainers benefited from VIVRE ENSEMBLE, remotely, 25 May to 8 July 2021', async () => {
    const { json, table } = await record.ask('report', 'sessions', '--partner', 'aecid', '--details');
    const tot = json.result.sessions.find((e: Row) => e.record.id === 'vivre-ensemble-tot-2021');
    expect([tot.date.label, tot.details.format, tot.counts.trainers.known, tot.counts.peopleTrained.known]).toEqual(['25 May 2021 – 8 July 2021', 'remote', 4, 4]);
    expect(lineWith(table, 'vivre-ensemble-tot-2021')).toContain('4 trainers trained');
    expect(table).toContain('    format: remote');
  });

  it('Q15 F10 (an unknown year): the five-module sessions of 15-25 November have no year', async () => {
    const { json, table } = await record.ask('report', 'sessions', '--partner', 'aecid', '--period', 'year-unknown');
    expect(json.result.sessions.map((e: Row) => [e.record.id, e.date.yearUnknown, e.date.label])).toEqual([
      ['spain-tot-five-modules', true, '15–25 November (year unknown)'],
    ]);
    expect(lineWith(table, 'spain-tot-five-modules')).toMatch(/^~?15–25 November \(year unknown\) /);
  });

  it('Q16: a period the record does not have is named with the valid ones, exit 1', async () => {
    const result = await record.run('report', 'yearly', '--period', '2016-2021');
    expect([result.code, result.stdout]).toEqual([1, '']);
    expect(result.stderr).toBe('taawun: no period "2016-2021"; valid: 2016, by-2017, 2017, by-2018, 2018, 2016-2020, 2021, by-2022, 2022, year-unknown (unknown-key)\n');
  });

  it('Q17 F11: one outgoing study visit, to Madrid, with two participants, date not stated', async () => {
    const { json, table } = await record.ask('report', 'study-visits', '--partner', 'aecid', '--details');
    expect(json.result.studyVisits.map((e: Row) => [e.record.id, e.details.direction, e.details.destination.en, e.date.label, e.counts.participants.known])).toEqual([
      ['madrid-study-visit', 'outgoing', 'Madrid', 'date unknown', 2],
    ]);
    expect(lineWith(table, 'madrid-study-visit')).toContain('2 participants');
    expect(table).toContain('    destination: Madrid');
  });

  it('Q18 F11: the two were trainer-judges of the institute (their kind recorded, no names)', async () => {
    const { json, table } = await record.ask('report', 'participants');
    const visitors = json.result.participants.filter((p: Row) => p.studyVisits.some((v: Row) => v.visitId === 'madrid-study-visit'));
    expect(visitors.map((p: Row) => [p.kind, p.personal])).toEqual([
      ['trainer-judge', null],
      ['trainer-judge', null],
    ]);
    expect(table.split('\n').filter((l) => l.includes('madrid-study-visit') && l.includes('trainer-judge'))).toHaveLength(2);
  });

  it('Q19 F11 (a plan is not a deed, nor a deed a plan): the Madrid visit was never recorded as planned', async () => {
    const { json, table } = await record.ask('audit', 'madrid-study-visit');
    expect(json.result.events.map((e: Row) => [e.type, e.sourceRef])).toEqual([['StudyVisitCompleted', 'F11']]);
    expect(table).not.toContain('StudyVisitPlanned');
  });

  it('Q20 F18: 11 ENM trainee judges were hosted from 2016 to 2020: visitors, not participants of a visit', async () => {
    const { json, table } = await record.ask('report', 'yearly', '--period', '2016-2020');
    const { totals } = json.result.periods[0];
    expect([totals.visitorsHosted.known, totals.studyVisitParticipants.known, totals.studyVisits.known]).toEqual([11, 0, 1]);
    expect(table.split('\n')[1]).toContain('1 study visit (0 participants, 11 visitors hosted)');
    expect(lineWith(table, 'enm-auditeurs-2016-2020')).toContain('11 hosted');
  });

  it('Q21: the grand total adds like with like: at least 128 trained, at least 70 attended, 11 hosted, 2 visit participants', async () => {
    const { json, table } = await record.ask('report', 'yearly');
    const { totals } = json.result;
    expect([totals.peopleTrained.known, totals.peopleTrained.exact, totals.peopleAttended.known, totals.visitorsHosted.known, totals.studyVisitParticipants.known]).toEqual([
      128,
      false,
      70,
      11,
      2,
    ]);
    expect(lineWith(table, 'TOTAL')).toMatch(/^TOTAL +≥ 17 +≥ 128 +≥ 4 +≥ 3 +≥ 70 +2 +2 +11 /);
  });

  it('Q22 F6: the preparatory meetings before the end of 2022 are meetings, not sessions held', async () => {
    const { json, table } = await record.ask('report', 'yearly', '--period', 'by-2022');
    const { totals } = json.result.periods[0];
    expect([totals.sessionsHeld, totals.meetingsHeld.known, totals.meetingsHeld.exact]).toEqual([{ known: 1, exact: true, gaps: [] }, 2, false]);
    expect(table.split('\n')[1]).toMatch(/^1 training session held, people trained: not stated, ≥ 2 meetings held, people attended: not stated,/);
  });

  it('Q23: the meetings of the record: F5\'s introductory meeting and F6\'s preparatory meetings', async () => {
    const { json, table } = await record.ask('report', 'meetings');
    expect(json.result.meetings.map((e: Row) => [e.record.id, e.sourceRefs])).toEqual([
      ['mediation-guide-meeting-2017', ['F5']],
      ['enabel-preparatory-meetings', ['F6']],
    ]);
    expect(table.split('\n')[0]).toBe('Meetings (2)');
    expect(lineWith(table, 'enabel-preparatory-meetings')).toContain('≥ 2 meetings, attended: not stated');
  });

  it('Q24 F5: three partners took part in the meeting presenting the mediation guide', async () => {
    const { json, table } = await record.ask('report', 'meetings', '--period', '2017');
    expect(json.result.meetings[0].partners.map((p: Row) => p.partnerId)).toEqual(['ministry-of-justice-morocco', 'embassy-denmark-rabat', 'kvinfo']);
    expect(lineWith(table, 'mediation-guide-meeting-2017')).toContain('ministry-of-justice-morocco embassy-denmark-rabat KVINFO');
  });
});

describe('publications (F2, F5, F7, F8)', () => {
  it('Q25 F8 (a plan is not a deed): which guides were published by the end of 2022? None', async () => {
    const { json, table } = await record.ask('report', 'publication-status', '--on', '2022-12-31', '--kind', 'guide', '--status', 'published');
    expect(json.result).toEqual({ on: '2022-12-31', publications: [] });
    expect(table).toContain('(no guide with the status published on 2022-12-31)');
  });

  it('Q26 F7/F8: on 31 December 2022 the Enabel guide is prepared and planned for publication in 2022, not published', async () => {
    const { json, table } = await record.ask('report', 'publication-status', '--on', '2022-12-31', '--partner', 'enabel');
    expect(json.result.publications.map((p: Row) => [p.publicationId, p.status, p.certain, p.plannedFor.map((d: Row) => d.edtf), p.publishedOn])).toEqual([
      ['enabel-guide-migration-asylum', 'prepared', true, ['2022'], null],
    ]);
    expect(lineWith(table, 'enabel-guide-migration-asylum')).toMatch(/guide +prepared +by 2022 +2022 +not recorded/);
  });

  it('Q27 F2/F5/F7: by the end of 2018 two guides were certainly prepared; the Enabel guide may have been', async () => {
    const { json, table } = await record.ask('report', 'publication-status', '--on', '2018-12-31', '--status', 'prepared');
    expect(json.result.publications.map((p: Row) => [p.publicationId, p.status, p.certain])).toEqual([
      ['enabel-guide-migration-asylum', 'not-yet-prepared', false],
      ['facilitative-mediation-guide', 'prepared', true],
      ['giz-refugee-rights-guide', 'prepared', true],
    ]);
    expect(lineWith(table, 'enabel-guide-migration-asylum')).toContain('not-yet-prepared, may be prepared');
  });
});

describe('ENM across the years (F15-F17)', () => {
  it('Q28 F16: the 2016 course had two judges from cohorts 39 and 40 (not named)', async () => {
    const { json, table } = await record.ask('history', 'enm-france', '--details');
    const course = json.result.entries.find((e: Row) => e.record.id === 'enm-new-judges-course-2016');
    // The people are named by id under their role, their kind and cohort once in the page's records.
    const people = peopleOfEntry(course.people, json.result.records);
    expect([course.details.cohorts, course.counts.peopleTrained.known, people.map((p) => [p.kind, p.role])]).toEqual([[39, 40], 2, [['judge', 'trainee'], ['judge', 'trainee']]]);
    expect(table).toContain('    cohorts: 39, 40');
  });

  it('Q29 F17: the 2021 course was attended remotely (COVID-19) by two judges of cohort 41', async () => {
    const { json, table } = await record.ask('report', 'yearly', '--year', '2021');
    const course = json.result.periods[0].sessions.find((s: Row) => s.sessionId === 'enm-new-judges-course-2021');
    expect([course.format, course.cohorts, course.people.known, course.figure]).toEqual(['remote', [41], 2, 'trained']);
    expect(lineWith(table, 'enm-new-judges-course-2021')).toMatch(/course, remote .*2 trained, cohort 41/);
  });

  it('Q30 F16: ENM organises the course every year: recorded as a yearly (annual) programme the two courses belong to', async () => {
    const { json, table } = await record.ask('history', 'enm-france', '--details');
    const programme = json.result.entries.find((e: Row) => e.record.id === 'enm-new-judges-course');
    expect([programme.details.recurrence, programme.date.edtf]).toEqual(['annual', 'XXXX']);
    const courses = json.result.entries.filter((e: Row) => e.kind === 'session' && e.details.sessionKind === 'course');
    expect(courses.map((c: Row) => c.details.programmeId)).toEqual(['enm-new-judges-course', 'enm-new-judges-course']);
    expect(table).toContain('    recurrence: annual');
  });

  it('Q31 F15: the annual programme is not dated; "since 2002" is the judges who benefited', async () => {
    const { json, table } = await record.ask('history', 'enm-france', '--details');
    const programme = json.result.entries.find((e: Row) => e.record.id === 'enm-annual-programme');
    expect([programme.date.edtf, programme.date.label, programme.details.description.en]).toEqual(['XXXX', 'date unknown', 'Several French and Moroccan judges have benefited since 2002']);
    expect(lineWith(table, 'enm-annual-programme')).toMatch(/^~?date unknown +Annual programme started/);
    expect(table).not.toContain('by 2002');
  });

  it('Q32: no recurrence where the text states none (VIVRE ENSEMBLE)', async () => {
    const { json, table } = await record.ask('history', 'aecid', '--details');
    const programme = json.result.entries.find((e: Row) => e.record.id === 'vivre-ensemble');
    expect([programme.what, programme.details.recurrence]).toEqual(['Programme started', null]);
    expect(table).not.toContain('recurrence:');
  });
});

describe('sources and audit', () => {
  it('Q33 F6: "Enabel" is not the text\'s: its acronym cites the registry, not F6', async () => {
    const { json, table } = await record.ask('audit', 'enabel');
    expect(json.result.events.map((e: Row) => [e.type, e.sourceRef])).toEqual([
      ['PartnerRegistered', 'F6'],
      ['PartnerDetailsCorrected', 'registry:partners'],
    ]);
    expect(json.result.events[0].data.acronym).toBeUndefined();
    expect(lineWith(table, 'PartnerDetailsCorrected')).toContain('registry:partners');
  });

  it('Q34: audit accepts the record ids the reports show (ssm-italy-2022 from the agreements register)', async () => {
    const { json, table } = await record.ask('audit', 'ssm-italy-2022');
    expect([json.result.record, json.result.events.map((e: Row) => e.type)]).toEqual([{ type: 'agreement', id: 'ssm-italy-2022' }, ['AgreementSigned']]);
    expect(table.split('\n')[0]).toBe('Audit trail of agreement-ssm-italy-2022 (agreement ssm-italy-2022)');
  });

  it('Q35: an unknown record is one line naming the closest valid ids, exit 1', async () => {
    const result = await record.run('audit', 'ssm-italy-2023');
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^taawun: no record "ssm-italy-2023"; valid: ssm-italy-2022, .*; \d+ record ids in all: .*\(unknown-key\)$/m);
  });

  it('Q37: a partner not in the record is named with the valid ones, exit 1', async () => {
    const result = await record.run('history', 'dijon');
    expect([result.code, result.stdout]).toEqual([1, '']);
    expect(result.stderr).toMatch(/^taawun: no partner "dijon"; valid: aecid, .*eng-dijon, enm-france, .* \(unknown-key\)\n$/);
  });

  it('Q36: every record id the registers show opens in audit', async () => {
    const ids = new Set<string>();
    for (const report of ['sessions', 'study-visits', 'publications', 'agreements']) {
      const json = JSON.parse((await record.run('report', report, '--format', 'json')).stdout);
      for (const row of Object.values(json.result)[0] as Row[]) ids.add(row.record?.id ?? row.agreementId);
    }
    expect(ids.size).toBeGreaterThan(15);
    // One process per id, as a user opens it; two at a time, since they only read.
    const opened = await twoAtATime([...ids], async (id) => [id, (await record.run('audit', id, '--format', 'json')).code]);
    expect(opened).toEqual([...ids].map((id) => [id, 0]));
  }, 180_000);
});
