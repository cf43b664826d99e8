import { handle, InMemoryEventStore, type CommandInput, type Result } from '@taawun/domain';
import { deterministicContext } from '@taawun/domain/testing';
import { loadInstituteRecord } from '@taawun/example-institute-record';
import { beforeAll, describe, expect, it } from 'vitest';
import { instituteNameOfRef } from '../model/page-records.js';
import { presentAnswer } from '../presentation/answers.js';
import { cellText } from '../presentation/table.js';
import { countText } from '../presentation/texts.js';
import { queryAgreementsRegister, queryPartnerHistory, queryPartners, querySessions, queryYearlyActivityReport, type Answer, type QueryError } from './built-in.js';

/*
 * Three-valued time: under a lens a fact is certainly in, certainly out, or may
 * be; a name, an order or a "first activity" derived from the facts is certain
 * only when every ordering the partial dates allow gives the same answer.
 * The institute was renamed somewhere between 16 November 1998 (F12, signed
 * under the former name) and 19 February 2016 (F14, under the current one).
 */

const value = <R>(result: Result<Answer<R>, QueryError>): Answer<R> => {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
};
const former = 'National Institute of Judicial Studies';
const current = 'Higher Institute of the Judiciary';

describe('three-valued time on the institute record', () => {
  let store: InMemoryEventStore;
  beforeAll(async () => {
    store = new InMemoryEventStore();
    await loadInstituteRecord(store, deterministicContext('seed'));
  });

  it('as of 2010-01-01 the Dijon agreement (2006) leaves the institute name uncertain, with both candidates', async () => {
    const answer = value(await queryAgreementsRegister({ store }, {}, { asOf: '2010-01-01' }));
    const dijon = answer.result.agreements.find((a) => a.agreementId === 'eng-dijon-2006')!;
    expect(dijon.parties.institute.certainty).toBe('uncertain');
    expect(dijon.parties.institute.name).toBeNull();
    expect(dijon.parties.institute.candidates.map((c) => c.en)).toEqual([former, current]);
    // The 1998 agreement states its name: certain under any lens.
    const enm = answer.result.agreements.find((a) => a.agreementId === 'enm-1998')!;
    expect(enm.parties.institute).toMatchObject({ certainty: 'stated', name: { en: former } });
    // The rename may be by 2010: the lens says it took it as "may be", not as left out.
    expect(answer.lens!.mayBe.map((e) => [e.type, e.sourceRef])).toEqual([['InstituteRenamed', 'F14']]);
    expect(answer.lens!.notCounted.mayBeLater.map((e) => e.type)).not.toContain('InstituteRenamed');
  });

  it('without a lens the same row is uncertain too (the lens changes nothing before its date)', async () => {
    const answer = value(await queryAgreementsRegister({ store }, {}));
    const dijon = answer.result.agreements.find((a) => a.agreementId === 'eng-dijon-2006')!;
    expect(dijon.parties.institute.certainty).toBe('uncertain');
  });

  it("history eng-dijon as of 2010-01-01: the entry's institute name is uncertain", async () => {
    const answer = value(await queryPartnerHistory({ store }, { partnerId: 'eng-dijon' }, { asOf: '2010-01-01' }));
    const [entry] = answer.result.entries;
    const name = instituteNameOfRef(entry!.instituteName, answer.result.records);
    expect(name.certainty).toBe('uncertain');
    expect(name.candidates.map((c) => c.en)).toEqual([former, current]);
  });

  it('history enm-france as of 2015-12-31: the undated programme (F15) is not put under a name it may not have had, and the 1998 agreement keeps the name it states', async () => {
    const answer = value(await queryPartnerHistory({ store }, { partnerId: 'enm-france' }, { asOf: '2015-12-31' }));
    // F15 gives the programme no date: whether it was by 2015 is unknown, so it is not counted, and the notes say so.
    expect(answer.result.entries.find((e) => e.record.type === 'programme' && e.record.id === 'enm-annual-programme')).toBeUndefined();
    expect(answer.lens!.notCounted.yearUnknown.map((e) => e.sourceRef)).toContain('F15');
    const agreement = answer.result.entries.find((e) => e.record.id === 'enm-1998')!;
    const name = instituteNameOfRef(agreement.instituteName, answer.result.records);
    expect(name.certainty).toBe('stated');
    expect(name.name?.en).toBe(former);
  });

  it('as of 1998-12-31 the rename may be by then: names after 16 November 1998 are uncertain, the former name is certain before', async () => {
    const answer = value(await queryAgreementsRegister({ store }, {}, { asOf: '1998-12-31' }));
    expect(answer.result.agreements.map((a) => [a.agreementId, a.parties.institute.certainty])).toEqual([['enm-1998', 'stated']]);
  });

  it('the lens notes of one partner list only that partner\'s events', async () => {
    const answer = value(await queryPartnerHistory({ store }, { partnerId: 'enm-france' }, { asOf: '2015-12-31' }));
    const refs = [...answer.lens!.notCounted.mayBeLater, ...answer.lens!.notCounted.yearUnknown].map((e) => e.sourceRef);
    // ENM's own undated facts (the programme of F15, the yearly course of F16), not Spain's F10/F11.
    expect([...new Set(refs)].sort()).toEqual(['F15', 'F16']);
    expect(answer.lens!.mayBe.map((e) => e.sourceRef)).toEqual(['F14']);
    const giz = value(await queryPartnerHistory({ store }, { partnerId: 'giz' }, { asOf: '2018-06-30' }));
    // F4 (7-8 November) is certainly later; F2 (by 2018) and F3 (2018) may be; nothing of ENM, Spain or Enabel is listed.
    expect([...new Set(giz.lens!.notCounted.mayBeLater.map((e) => e.sourceRef))].sort()).toEqual(['F2', 'F3']);
    expect(giz.lens!.notCounted.yearUnknown).toEqual([]);
  });

  it("GIZ's first activity is not certain: F2 (by 2018) and F3 (2018) may be earlier than 7-8 November 2018", async () => {
    const answer = value(await queryPartners({ store }, {}));
    const giz = answer.result.partners.find((p) => p.partnerId === 'giz')!;
    expect(giz.first!.certain).toBe(false);
    expect(giz.firstDate!.label).toBe('by 8 November 2018');
    expect(giz.first!.candidates.map((c) => c.record.id).sort()).toEqual(['giz-attaches-2018-11', 'giz-refugee-rights-guide', 'giz-tot-2018'].sort());
    expect(giz.last!.certain).toBe(false);
    // The Dijon school has one entry: certain.
    const dijon = answer.result.partners.find((p) => p.partnerId === 'eng-dijon')!;
    expect(dijon.first).toMatchObject({ certain: true, date: { label: '7 December 2006' } });
    expect(dijon.last).toMatchObject({ certain: true, date: { label: '7 December 2006' } });
  });

  it("F3's stated order: the training-of-trainers sessions come before the regional sessions, though both are only 2018", async () => {
    const answer = value(await queryPartnerHistory({ store }, { partnerId: 'giz' }));
    const ids = answer.result.entries.map((e) => e.record.id);
    expect(ids.indexOf('giz-tot-2018')).toBeLessThan(ids.indexOf('giz-regional-2018'));
    expect(answer.result.entries.find((e) => e.record.id === 'giz-regional-2018')!.details['follows']).toBe('giz-tot-2018');
    // The yearly report and the sessions register list them in that order too.
    const y2018 = value(await queryYearlyActivityReport({ store }, { period: '2018' })).result.periods[0]!;
    const sessions = y2018.sessions.map((x) => x.sessionId);
    expect(sessions.indexOf('giz-tot-2018')).toBeLessThan(sessions.indexOf('giz-regional-2018'));
    const register = value(await querySessions({ store }, { partnerId: 'giz' })).result.sessions.map((x) => x.record.id);
    expect(register.indexOf('giz-tot-2018')).toBeLessThan(register.indexOf('giz-regional-2018'));
    // The regional sessions cannot be GIZ's first activity; the training of trainers cannot be its last.
    const giz = value(await queryPartners({ store }, {})).result.partners.find((p) => p.partnerId === 'giz')!;
    expect(giz.first!.candidates.map((c) => c.record.id)).not.toContain('giz-regional-2018');
    expect(giz.last!.candidates.map((c) => c.record.id)).not.toContain('giz-tot-2018');
    expect(giz.last!.candidates.map((c) => c.record.id)).toContain('giz-regional-2018');
  });

  it('a correction that moves the training of trainers past the sessions stated to follow it leaves GIZ\'s last activity uncertain between their own days, not an error', async () => {
    const corrected = new InMemoryEventStore();
    const context = deterministicContext('seed');
    await loadInstituteRecord(corrected, context);
    const [held] = (await corrected.readStream('session-giz-tot-2018')).filter((e) => e.type === 'SessionHeld');
    const done = await handle(corrected, { type: 'CorrectRecord', stream: 'session-giz-tot-2018', eventId: held!.id, changes: { heldOn: '2019' }, reason: 'the year was misread' }, context);
    if (!done.ok) throw new Error(done.error.message);
    // The stated order (regional after the training of trainers) now contradicts the dates: every entry may be the last.
    const giz = value(await queryPartners({ store: corrected }, {})).result.partners.find((p) => p.partnerId === 'giz')!;
    expect(giz.last!.certain).toBe(false);
    expect(giz.last!.candidates.map((c) => c.record.id)).toEqual(expect.arrayContaining(['giz-tot-2018', 'giz-regional-2018']));
    expect(giz.lastDate!.label).toMatch(/2019/);
  });

  it('counts as of a date are ranges: from what certainly happened by then to what may have', async () => {
    const answer = value(await queryYearlyActivityReport({ store }, {}, { asOf: '2018-06-30' }));
    const { totals } = answer.result;
    // The hosting of F18 (2016–2020) and the Madrid visit of F11 (year unknown) may be by then: 0 to 2 visits,
    // 0 to 2 visit participants (F11's trainer-judges) and 0 to 11 visitors hosted (F18's trainee judges): like with like.
    expect(totals.studyVisits).toMatchObject({ known: 0, exact: false, atMost: 2 });
    expect(totals.studyVisitParticipants).toMatchObject({ known: 0, exact: false, atMost: 2 });
    expect(countText(totals.studyVisitParticipants)).toBe('0–2');
    expect(totals.visitorsHosted).toMatchObject({ known: 0, exact: false, atMost: 11 });
    // GIZ's "several" training-of-trainers sessions (2018) may be by then: no upper bound.
    // Certainly held by then: one session (F5's 2017 meeting is a meeting, not a session held).
    expect(totals.sessionsHeld).toMatchObject({ known: 1, exact: false, atMost: null });
    // Without the lens, or once every fact is certainly in or out, nothing is a range.
    const all = value(await queryYearlyActivityReport({ store }, {}));
    expect(all.result.totals.studyVisits).toEqual({ known: 2, exact: true, gaps: [] });
  });
});

describe('statuses through a lens', () => {
  it('a status whose changing event may be by asOf is uncertain with its candidates, in the JSON and the table text', async () => {
    const store = new InMemoryEventStore();
    const context = deterministicContext('statuses');
    const details = { title: { en: 'Session' }, kind: 'training-session', partners: ['school'] } as const;
    const commands: CommandInput[] = [
      { type: 'RegisterPartner', partnerId: 'school', name: { en: 'A school' }, kind: 'school', country: 'FR' },
      { type: 'ScheduleSession', sessionId: 's', ...details, plannedFor: '2018-05-10' },
      { type: 'RecordSessionHeld', sessionId: 's', ...details, heldOn: '2018', attendance: { count: 10, basis: 'total' } },
      { type: 'SignAgreement', agreementId: 'a', kind: 'agreement', partners: ['school'], signedOn: '2000-01-01' },
      { type: 'TerminateAgreement', agreementId: 'a', terminatedOn: '2018', reason: 'ended by both parties' },
    ];
    for (const command of commands) {
      const done = await handle(store, command, context);
      if (!done.ok) throw new Error(`${command.type}: ${done.error.message}`);
    }
    const text = (answer: Answer<unknown>, list: string, header: string) => {
      const table = presentAnswer(answer, {}, { lang: 'en', list });
      const column = table.columns.find((c) => c.header === header)!;
      return table.rows.map((row) => cellText(column.cell(row), 'en', (t) => t.en ?? ''));
    };
    // Held in "2018", seen as of 30 June 2018: planned, or already held.
    const sessions = value(await querySessions({ store }, {}, { asOf: '2018-06-30' }));
    expect(sessions.result.sessions[0]).toMatchObject({ status: 'planned', statusCertain: false, statusCandidates: ['planned', 'held'] });
    expect(text(sessions, 'sessions', 'WHAT')).toEqual(['Training session planned: planned or held (uncertain)']);
    // Once the year is over, certain.
    const later = value(await querySessions({ store }, {}, { asOf: '2019-01-01' }));
    expect(later.result.sessions[0]).toMatchObject({ status: 'held' });
    expect(later.result.sessions[0]!.statusCandidates).toBeUndefined();
    // Terminated in "2018", seen as of 30 June 2018: signed or terminated.
    const agreements = value(await queryAgreementsRegister({ store }, {}, { asOf: '2018-06-30' }));
    expect(agreements.result.agreements[0]).toMatchObject({ status: 'signed', statusCertain: false, statusCandidates: ['signed', 'terminated'] });
    expect(text(agreements, 'agreements', 'STATUS')).toEqual(['signed or terminated (uncertain)']);
    expect(value(await queryAgreementsRegister({ store }, {}, { asOf: '2017-12-31' })).result.agreements[0]!.statusCandidates).toBeUndefined();
  });
});
