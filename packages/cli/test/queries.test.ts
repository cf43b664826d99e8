import { openSqliteEventStore, openSqliteKeyStore } from '@taawun/adapter-sqlite';
import { encryptPersonalData } from '@taawun/domain';
import { queryAgreementsRegister, queryAuditTrail, queryPartnerHistory, queryYearlyActivityReport } from '@taawun/projections';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayWidth } from '../src/output/width.js';
import { hasNoStackTrace, taawun, temporaryFolder, twoAtATime, type Outcome } from './support.js';

let folder: { path: string; remove: () => Promise<void> };
const file = () => `${folder.path}/taawun.db`;
const run = (...args: string[]): Promise<Outcome> => taawun([...args, '--store', `sqlite:${file()}`], { cwd: folder.path });

/** What the library answers on the same file: the CLI's JSON must be exactly this. */
async function library<T>(ask: (source: { store: import('@taawun/domain').EventStore }) => Promise<T>): Promise<T> {
  const events = await openSqliteEventStore(file());
  const keys = await openSqliteKeyStore(events);
  try {
    return await ask({ store: encryptPersonalData(events, keys) });
  } finally {
    await keys.close();
    await events.close();
  }
}
/** The CLI answers from the stored model (caught up first); the library here replays: the same answer, another source. */
function expectStoredAnswer(json: { source: { kind: string } }, expected: unknown): void {
  const { source, ...rest } = json;
  expect(source.kind).toBe('stored');
  const { source: _replayed, ...answer } = plain(expected) as { source: unknown };
  expect(rest).toEqual(answer);
}
const plain = (value: unknown) => JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));

beforeAll(async () => {
  folder = await temporaryFolder('queries');
  expect((await run('seed')).code).toBe(0);
});
afterAll(() => folder.remove());

describe('taawun partners', () => {
  it('lists the ten partners of the record, one line each', async () => {
    const result = await run('partners');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('Partners (10)');
    for (const id of ['enm-france', 'ssm-italy', 'giz', 'kvinfo', 'enabel', 'aecid', 'embassy-spain', 'eng-dijon']) {
      expect(lines.some((l) => l.startsWith(`${id} `))).toBe(true);
    }
    // The programmes have no date (F15, F16's yearly course): either may be older than the 1998 agreement or later than
    // the 2021 course, so neither the first nor the last activity is pinned to one entry.
    expect(result.stdout).toMatch(/^enm-france +ENM +school +FR +8 +~by 16 November 1998 +~since 1 January 2021 +National School for the Judiciary \(France\)$/m);
  });

  it('as JSON: each partner\'s profile with its entry count', async () => {
    const result = await run('partners', '--format', 'json');
    const answer = JSON.parse(result.stdout);
    expect(answer).toMatchObject({ readModel: 'partners', asOf: null, asKnownOn: null, lens: null });
    const enm = answer.result.partners.find((p: { partnerId: string }) => p.partnerId === 'enm-france');
    const history = await library((source) => queryPartnerHistory(source, { partnerId: 'enm-france' }));
    expect(history.ok).toBe(true);
    if (!history.ok) return;
    const { entries: count, firstDate, lastDate, first, last, ...profile } = enm;
    expect(profile).toEqual(plain(history.value.result.partner));
    expect({ count, firstDate: firstDate.label, lastDate: lastDate.label }).toEqual({ count: history.value.result.entries.length, firstDate: 'by 16 November 1998', lastDate: 'since 1 January 2021' });
    expect([first.certain, last.certain]).toEqual([false, false]);
    expect(enm.entries).toBe(8);
  });
});

describe('taawun history', () => {
  it('prints ENM\'s history in date order, from the 1998 agreement to the 2021 course', async () => {
    const result = await run('history', 'enm-france');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const records = ['enm-1998', 'enm-2016-protocol', 'enm-new-judges-course-2016', 'enm-new-judges-course-2021', 'enm-annual-programme'];
    const at = records.map((r) => result.stdout.indexOf(` ${r} `));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(result.stdout).toContain('المدرسة الوطنية للقضاء بفرنسا');
  });

  it('--format json is exactly the library\'s answer', async () => {
    const result = await run('history', 'enm-france', '--format', 'json');
    const expected = await library((source) => queryPartnerHistory(source, { partnerId: 'enm-france' }));
    expect(expected.ok).toBe(true);
    expectStoredAnswer(JSON.parse(result.stdout), expected.ok && expected.value);
  });

  it('--lang fr prints the partner list with French headers, title and dates', async () => {
    const result = await run('partners', '--lang', 'fr');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines.some((l) => l.startsWith('Partenaires ('))).toBe(true);
    const header = lines.find((l) => l.startsWith('PARTENAIRE'))!;
    expect(header).toContain('PREMIÈRE');
    expect(header).not.toContain('PARTNER');
    expect(result.stdout).toContain('16 novembre 1998');
  });

  it('report agreements --lang ar prints Arabic headers and Moroccan month names: 16 نونبر 1998', async () => {
    const result = await run('report', 'agreements', '--lang', 'ar');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('سجل الاتفاقيات');
    expect(result.stdout).toContain('تاريخ التوقيع');
    expect(result.stdout).toContain('16 نونبر 1998');
    expect(result.stdout).not.toMatch(/\bSIGNED\b|\bAGREEMENT\b|November/);
  });

  it('--lang ar keeps Arabic titles whole and the columns aligned by display width, under Arabic headers', async () => {
    const result = await run('history', 'enm-france', '--lang', 'ar');
    const lines = result.stdout.split('\n');
    // Arabic headers are isolated (U+2068 … U+2069) like every Arabic cell, so they read right in a left-to-right table.
    const header = lines.findIndex((l) => l.startsWith('\u2068التاريخ'));
    const titleColumn = displayWidth(lines[header]!.slice(0, lines[header]!.indexOf('\u2068العنوان')));
    const rows = lines.slice(header + 2).filter((l) => l.includes(' F1'));
    expect(rows.length).toBe(8);
    for (const row of rows) {
      const title = row.match(/F1\d +(.*)$/)![1]!;
      expect(displayWidth(row.slice(0, row.lastIndexOf(title)))).toBe(titleColumn);
    }
    expect(result.stdout).toContain('دورة مدتها شهرين خاصة بالقضاة الجدد للاطلاع على القضاء الفرنسي');
    expect(result.stdout).toContain('بروتوكول تعاون');
  });

  it('--lang fr and ar say what happened in their own words, from the entry\'s kind and status', async () => {
    const fr = await run('history', 'enm-france', '--lang', 'fr');
    expect(fr.code).toBe(0);
    expect(fr.stdout).toContain('Accord signé');
    expect(fr.stdout).toContain('Protocole signé');
    expect(fr.stdout).toContain('Visite d’étude accueillie : effectuée');
    expect(fr.stdout).toContain('Programme annuel lancé');
    expect(fr.stdout).not.toMatch(/Agreement signed|Protocol signed|study visit completed|programme started/i);
    const ar = await run('history', 'enm-france', '--lang', 'ar');
    expect(ar.stdout).toContain('توقيع اتفاق');
    expect(ar.stdout).toContain('إطلاق برنامج سنوي');
    expect(ar.stdout).not.toMatch(/Agreement signed|held|completed/);
  });

  it('report yearly --year 2018 --lang fr sums the period up, gives the lower bounds\' reasons and what a year holds in French', async () => {
    const result = await run('report', 'yearly', '--year', '2018', '--lang', 'fr');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Sessions de formation tenues : ≥ 9, personnes formées : ≥ 120');
    expect(result.stdout).toContain('giz-attaches-2018-11 (aucun chiffre de présence)');
    expect(result.stdout).toContain('Seul ce qui se situe certainement en 2018');
    expect(result.stdout).toContain('Formation de formateurs');
    expect(result.stdout).not.toMatch(/training sessions held|no attendance figure|Only what certainly|\btrained\b|regional-session/);
  });

  it('--lang fr and ar say an unknown partner and a bad date in their words, naming the valid keys and what to type', async () => {
    const [unknown, badDate, unknownInEnglish] = await twoAtATime(
      [
        ['history', 'nobody', '--lang', 'fr'],
        ['report', 'yearly', '--as-of', '15/11/2018', '--lang', 'ar'],
        ['history', 'nobody'],
      ],
      (args) => run(...args),
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Il n’y a pas de partenaire « nobody ». Connus : aecid, ');
    expect(unknown.stderr).toContain('(unknown-key)');
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toContain('«15/11/2018» ليس تاريخا');
    expect(unknownInEnglish.stderr).toContain('no partner "nobody"; valid: aecid, ');
  });

  it('--lang ar and fr say partner and participant kinds, event types and publication statuses in words; English keeps the codes', async () => {
    const [partners, partnersInEnglish, audit, auditInEnglish, status, participants] = await twoAtATime(
      [
        ['partners', '--lang', 'ar', '--width', '250'],
        ['partners'],
        ['audit', 'enm-1998', '--lang', 'fr'],
        ['audit', 'enm-1998'],
        ['report', 'publication-status', '--lang', 'fr'],
        ['report', 'participants', '--lang', 'ar'],
      ],
      (args) => run(...args),
    );
    expect(partners.stdout).toContain('وكالة');
    expect(partners.stdout).toContain('سفارة');
    expect(partners.stdout).not.toMatch(/(?<![\w-])(agency|embassy|school|ministry|research-centre)(?![\w-])/);
    expect(partnersInEnglish.stdout).toMatch(/\bagency\b/);
    expect(audit.stdout).toContain('Accord signé v1');
    expect(audit.stdout).toContain('données personnelles : masquées');
    expect(audit.stdout).not.toContain('AgreementSigned');
    expect(auditInEnglish.stdout).toContain('AgreementSigned v1');
    expect(status.stdout).toContain('non enregistré');
    expect(status.stdout).not.toMatch(/not recorded|A plan is not/);
    expect(participants.stdout).toContain('قاض');
    expect(participants.stdout).not.toMatch(/(?<![\w-])judge(?![\w-])/);
  });

  it('--lang ar and fr say an unknown record or report in their words, with the closest ids', async () => {
    const [record, report, reportInEnglish] = await twoAtATime(
      [
        ['audit', 'ssm-italy-2023', '--lang', 'ar'],
        ['query', 'no-such', '--lang', 'fr'],
        ['query', 'no-such'],
      ],
      (args) => run(...args),
    );
    expect(record.code).toBe(1);
    expect(record.stderr).toContain('لا يوجد قيد «ssm-italy-2023». المعروف: ssm-italy-2022، ssm-italy');
    expect(record.stderr).toMatch(/… \(\d+ أخرى\)/);
    expect(report.code).toBe(2);
    expect(report.stderr).toContain('Il n’y a pas de rapport « no-such ». Connus : partners, partner-history');
    expect(reportInEnglish.stderr).toContain('no read model no-such; there are: partners, partner-history');
  });

  it('--as-of leaves out what may be later, and says what it left out', async () => {
    const result = await run('history', 'enm-france', '--as-of', '2016-12-31');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('enm-2016-protocol');
    expect(result.stdout).toContain('enm-new-judges-course-2016');
    expect(result.stdout).not.toContain('enm-new-judges-course-2021');
    expect(result.stdout).not.toContain('enm-auditeurs-2016-2020'); // 2016-2020 may be later than 2016
    expect(result.stdout).toMatch(/Seen as of 2016-12-31: \d+ events counted\./);
    // Only ENM's events: Spain's F10 and F11 (year unknown) are no part of this history.
    // ENM's own undated facts and its 2016–2020 hosting; nothing of Spain's F10/F11.
    expect(result.stdout).toMatch(/Not counted: 2 events \(F15, F16\) with the year unknown; 3 events \(F18\) that may be later; \d+ later\./);
    expect(result.stdout).not.toMatch(/F10|F11/);
  });

  it('--as-of with nothing certain by then: the empty table says nothing was counted, not that nothing was recorded', async () => {
    const result = await run('history', 'giz', '--as-of', '2018-06-01');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('(nothing counted by then: what is left out is said below)');
    expect(result.stdout).not.toContain('nothing recorded');
    expect(result.stdout).toMatch(/Not counted: 3 events \(F2, F3\) that may be later; 1 later\./);
  });

  it('--as-known-on before anything was recorded: the partner is not in the record (exit 1)', async () => {
    const result = await run('history', 'enm-france', '--as-known-on', '2000-01-01');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('taawun: no partner "enm-france"; valid: (none recorded) (unknown-key)\n');
  });

  it('markdown and csv', async () => {
    const md = await run('history', 'giz', '--format', 'markdown');
    expect(md.stdout).toMatch(/^## GIZ: /);
    expect(md.stdout).toContain('| DATE | WHAT | RECORD | FIGURES | WITH | SOURCE | TITLE |');
    expect(md.stdout).toContain('| ~2018 | Regional session held | giz-regional-2018 | 6 sessions, 120 trained |  | F3 | Regional sessions |');
    // CSV is for analysis (see csv.test.ts): one record per entry, figures as numbers, dates as EDTF with their bounds.
    const csv = await run('history', 'giz', '--format', 'csv');
    const rows = csv.stdout.trimEnd().split('\r\n');
    expect(rows[0]).toMatch(/^kind,record\.type,record\.id,status,date,date earliest,date latest,/);
    const header = rows[0]!.split(',');
    const regional = rows.find((r) => r.includes(',giz-regional-2018,'))!.split(',');
    const at = (column: string) => regional[header.indexOf(column)];
    expect([at('date'), at('date earliest'), at('date latest'), at('counts.sessions'), at('counts.peopleTrained')]).toEqual(['2018', '2018-01-01', '2018-12-31', '6', '120']);
  });

  it('refuses an unknown partner (exit 1) and a bad date or format (exit 2), in one line', async () => {
    const [unknown, badDate, badFormat] = await twoAtATime(
      [
        ['history', 'nobody'],
        ['history', 'giz', '--as-of', '15/11/2018'],
        ['history', 'giz', '--format', 'xml'],
      ],
      (args) => run(...args),
    );
    expect(unknown).toMatchObject({ code: 1, stdout: '', stderr: 'taawun: no partner "nobody"; valid: aecid, embassy-denmark-rabat, embassy-spain, enabel, eng-dijon, enm-france, giz, kvinfo, ministry-of-justice-morocco, ssm-italy (unknown-key)\n' });
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toMatch(/^taawun: --as-of: "15\/11\/2018" is not a day \(YYYY-MM-DD\)/);
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toContain("argument 'xml' is invalid. Allowed choices are table, markdown, csv, json, pdf");
    for (const r of [unknown, badDate, badFormat]) {
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(hasNoStackTrace(r.stderr)).toBe(true);
    }
  });

  it('refuses a day that has the form but is not in the calendar (exit 2), and takes a leap day', async () => {
    const [month13, february30, leapDay] = await twoAtATime(
      [
        ['report', 'publication-status', '--on', '2022-13-01'],
        ['report', 'publication-status', '--on', '2022-02-30'],
        ['report', 'publication-status', '--on', '2024-02-29', '--format', 'json'],
      ],
      (args) => run(...args),
    );
    for (const r of [month13, february30]) {
      expect(r).toMatchObject({ code: 2, stdout: '', stderr: 'taawun: on: is not a day of the calendar (YYYY-MM-DD) (invalid-query)\n' });
    }
    expect(leapDay.code).toBe(0);
    expect(JSON.parse(leapDay.stdout).result.on).toBe('2024-02-29');
  });
});

describe('taawun report', () => {
  it('agreements: the four agreements, the institute named as it signed', async () => {
    const result = await run('report', 'agreements');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^16 November 1998 +agreement +enm-1998 +ENM +signed +F12 +National Institute of Judicial Studies +Rome|^16 November 1998 +agreement +enm-1998 +ENM +signed +F12 +National Institute of Judicial Studies /m);
    expect(result.stdout).toMatch(/^19 February 2016 +protocol +enm-2016-protocol +ENM +signed +F14 +Higher Institute of the Judiciary /m);
    const json = JSON.parse((await run('report', 'agreements', '--format', 'json')).stdout);
    const expected = await library((source) => queryAgreementsRegister(source, {}));
    expectStoredAnswer(json, expected.ok && expected.value);
    expect(json.result.agreements).toHaveLength(4);
    const enm = await run('report', 'agreements', '--partner', 'enm-france', '--format', 'json');
    expect(JSON.parse(enm.stdout).result.agreements.map((a: { agreementId: string }) => a.agreementId)).toEqual(['enm-1998', 'enm-2016-protocol']);
  });

  it('yearly: one row per period, partial dates in their own periods, lower bounds marked', async () => {
    const result = await run('report', 'yearly');
    expect(result.code).toBe(0);
    // Columns: sessions, trained, of whom trainers, meetings, attended, visits, participants, hosted, prepared, planned, published.
    expect(result.stdout).toMatch(/^2017 +0 +0 +0 +1 +70 +0 +0 +0 +0 +0 +0$/m);
    expect(result.stdout).toMatch(/^2018 +≥ 9 +≥ 120 +not stated +0 +0 +0 +0 +0 +0 +0 +0$/m);
    expect(result.stdout).toMatch(/^2016–2020 +≥ 2 +not stated +0 +0 +0 +1 +0 +11 /m);
    expect(result.stdout).toMatch(/^year unknown +≥ 2 +not stated +not stated +0 +0 +1 +2 +0 /m);
    expect(result.stdout).toMatch(/^TOTAL +≥ 17 +≥ 128 +≥ 4 +≥ 3 +≥ 70 +2 +2 +11 +3 +1 +0$/m);
    expect(result.stdout).toContain('≥ marks a lower bound');
  });

  it('yearly --year 2018: the GIZ sessions, and JSON equal to the library\'s', async () => {
    const result = await run('report', 'yearly', '--year', '2018');
    expect(result.stdout).toMatch(/^Yearly activity report: 2018\n≥ 9 training sessions held, ≥ 120 people trained/);
    expect(result.stdout).toMatch(/^2018 +regional-session +giz-regional-2018 +giz +6 sessions, 120 trained +F3 +Regional sessions$/m);
    const json = JSON.parse((await run('report', 'yearly', '--year', '2018', '--format', 'json')).stdout);
    const expected = await library((source) => queryYearlyActivityReport(source, { period: '2018' }));
    expectStoredAnswer(json, expected.ok && expected.value);
    const bad = await run('report', 'yearly', '--year', 'last');
    expect(bad.code).toBe(2);
  });

  it('yearly --year 2018 --lines 1: one line of each list, and a note for each list cut saying how many it has and where the rest is', async () => {
    const whole = JSON.parse((await run('report', 'yearly', '--year', '2018', '--format', 'json')).stdout);
    const counts = whole.result.periods[0].lineCounts;
    expect(counts.sessions).toBeGreaterThan(1);
    const cut = await run('report', 'yearly', '--year', '2018', '--lines', '1');
    expect(cut.code).toBe(0);
    expect(cut.stdout).toContain(`1 of ${counts.sessions} sessions and meetings shown (from line 1); the rest: yearly-activity-report?period=2018&lines=1&linesFrom=1`);
    const next = await run('report', 'yearly', '--year', '2018', '--lines', '1', '--lines-from', '1');
    expect(next.stdout).toContain(`1 of ${counts.sessions} sessions and meetings shown (from line 2)`);
    // The second line's row, not the first's (which a note may still name).
    const [first, second] = whole.result.periods[0].sessions.map((l: { sessionId: string }) => l.sessionId);
    expect(next.stdout).toMatch(new RegExp(` ${second} +giz `));
    expect(next.stdout).not.toMatch(new RegExp(` ${first} +giz `));
    expect((await run('report', 'yearly', '--lines', '1001')).code).toBe(2);
  });

  it('yearly --as-of 2017: only what certainly happened by the end of 2017', async () => {
    const json = JSON.parse((await run('report', 'yearly', '--as-of', '2017', '--format', 'json')).stdout);
    expect(json.asOf).toBe('2017-12-31');
    expect(json.result.periods.map((p: { period: { key: string } }) => p.period.key)).toEqual(['2016', 'by-2017', '2017']);
    expect(json.lens.notCounted.yearUnknown.map((e: { sourceRef: string }) => e.sourceRef)).toEqual(['F10', 'F11']);
  });

  it('participants: the four judges of the ENM courses, without names (the text gives none)', async () => {
    const [result, one, unknown] = await twoAtATime(
      [
        ['report', 'participants'],
        ['report', 'participants', '--participant', 'enm-new-judges-course-2016-judge-2', '--format', 'json'],
        ['report', 'participants', '--participant', 'nobody'],
      ],
      (args) => run(...args),
    );
    expect(result.stdout).toMatch(/^enm-new-judges-course-2021-judge-1 +judge +41 +enm-new-judges-course-2021$/m);
    expect(JSON.parse(one.stdout)).toMatchObject({ readModel: 'participant-record', result: { participantId: 'enm-new-judges-course-2016-judge-2', kind: 'judge', personal: null, erased: false } });
    expect(unknown.code).toBe(1);
  });

  it('an unknown report is bad usage', async () => {
    const result = await run('report', 'monthly');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'monthly'");
  });
});

describe('taawun audit', () => {
  it('shows every event of a stream with who, when, business date and source; JSON is the library\'s audit trail', async () => {
    const result = await run('audit', 'session-enm-new-judges-course-2016');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Audit trail of session-enm-new-judges-course-2016 \(session enm-new-judges-course-2016\)$/m);
    expect(result.stdout).toMatch(/^ *\d+ +0 +\S+Z +cli:\S+ +SessionScheduled v1 +2016 +F16 *$/m);
    expect(result.stdout).toMatch(/^ *\d+ +3 +\S+Z +cli:\S+ +SessionHeld v2 +2016 +F16 *$/m);
    const json = JSON.parse((await run('audit', 'session-enm-new-judges-course-2016', '--format', 'json')).stdout);
    const expected = await library((source) => queryAuditTrail(source, { stream: 'session-enm-new-judges-course-2016' }));
    expect(json).toEqual(plain(expected.ok && expected.value));
  });

  it('takes the record id a report shows: the agreement with Italy by its id, the same JSON as the library gives for its stream', async () => {
    const result = await run('audit', 'ssm-italy-2022');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Audit trail of agreement-ssm-italy-2022 \(agreement ssm-italy-2022\)$/m);
    const json = JSON.parse((await run('audit', 'ssm-italy-2022', '--format', 'json')).stdout);
    const expected = await library((source) => queryAuditTrail(source, { stream: 'agreement-ssm-italy-2022' }));
    expect(json).toEqual(plain(expected.ok && expected.value));
  });

  it('an unknown record id fails with exit 1 in one line naming it, the closest valid ids and how many there are', async () => {
    const result = await run('audit', 'ssm-italy-2023');
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')).toHaveLength(2);
    expect(result.stderr).toMatch(/^taawun: no record "ssm-italy-2023"; valid: ssm-italy-2022, ssm-italy, .*, …; \d+ record ids in all: the registers \(.*\) list them \(unknown-key\)\n$/);
    // A stream name is compared by the id it names.
    const stream = await run('audit', 'agreement-ssm-italy-2023');
    expect(stream).toMatchObject({ code: 1, stderr: expect.stringMatching(/^taawun: no record "agreement-ssm-italy-2023"; valid: ssm-italy-2022, /) });
    const json = JSON.parse((await run('report', 'agreements', '--format', 'json')).stdout) as { result: { agreements: { agreementId: string }[] } };
    const count = Number(/; (\d+) record ids in all/.exec(result.stderr)![1]);
    expect(count).toBeGreaterThan(json.result.agreements.length);
  });
});
