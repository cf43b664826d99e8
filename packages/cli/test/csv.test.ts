import { openSqliteEventStore } from '@taawun/adapter-sqlite';
import { handle, newEventId } from '@taawun/domain';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taawun, temporaryFolder, type Outcome } from './support.js';

/**
 * CSV fit for analysis: what a spreadsheet or a data frame reads. Figures are
 * numbers with their lower bound apart, dates are EDTF with their earliest and
 * latest days, and no cell can run as a formula.
 */
let folder: { path: string; remove: () => Promise<void> };
const run = (...args: string[]): Promise<Outcome> => taawun([...args, '--store', `sqlite:${folder.path}/taawun.db`], { cwd: folder.path });
const records = (csv: string): Record<string, string>[] => parse(csv, { columns: true, bom: true });

beforeAll(async () => {
  folder = await temporaryFolder('csv');
  expect((await run('seed')).code).toBe(0);
  // A partner whose name a spreadsheet would run as a formula.
  const store = await openSqliteEventStore(`${folder.path}/taawun.db`);
  const registered = await handle(store, { type: 'RegisterPartner', partnerId: 'formula-partner', name: { en: '=HYPERLINK("x")', fr: '+SUM(A1)' }, kind: 'school', country: 'FR' }, { actor: 'test', now: () => new Date(), newId: newEventId });
  expect(registered.ok).toBe(true);
  await store.close();
});
afterAll(() => folder.remove());

describe('CSV for analysis', () => {
  it('neutralises a partner named =HYPERLINK("x") (and +SUM in French): a leading apostrophe, shown as text', async () => {
    const en = await run('partners', '--format', 'csv');
    expect(en.code).toBe(0);
    const row = records(en.stdout).find((r) => r.partnerId === 'formula-partner')!;
    expect(row.name).toBe(`'=HYPERLINK("x")`);
    expect(en.stdout).not.toMatch(/(^|,)"?=HYPERLINK/m);
    const fr = records((await run('partners', '--format', 'csv', '--lang', 'fr')).stdout).find((r) => r.partnerId === 'formula-partner')!;
    expect(fr.name).toBe("'+SUM(A1)");
  });

  it('gives figures as numbers with a lower-bound column, and dates as EDTF with their earliest and latest days', async () => {
    const result = await run('report', 'yearly', '--format', 'csv');
    expect(result.code).toBe(0);
    const rows = records(result.stdout);
    const y2018 = rows.find((r) => r['period.key'] === '2018')!;
    expect(Number(y2018['totals.sessionsHeld'])).toBe(9); // 1 + 6 + "several" counted as at least 2
    expect(y2018['totals.sessionsHeld lower bound']).toBe('true');
    expect(Number(y2018['totals.peopleTrained'])).toBe(120);
    for (const r of rows) for (const column of ['totals.sessionsHeld', 'totals.peopleTrained', 'totals.studyVisits']) expect(Number.isInteger(Number(r[column]))).toBe(true);
    const y2016 = rows.find((r) => r['period.key'] === '2016')!;
    expect([y2016['totals.peopleTrained'], y2016['totals.peopleTrained lower bound']]).toEqual(['2', 'false']);

    const partners = records((await run('partners', '--format', 'csv')).stdout);
    const enm = partners.find((r) => r.partnerId === 'enm-france')!;
    // ENM's first activity is by 16 November 1998 (its undated programmes may be older): no earliest day.
    expect([enm.firstDate, enm['firstDate earliest'], enm['firstDate latest']]).toEqual(['../1998-11-16', '', '1998-11-16']);
    const aecid = partners.find((r) => r.partnerId === 'aecid')!;
    expect([aecid.firstDate, aecid['firstDate earliest'], aecid['firstDate latest']]).toEqual(['../2021-05-25', '', '2021-05-25']);
  });

  it('--lang ar: headers in Arabic and a column of each date in Arabic ("16 نونبر 1998"), the EDTF and ISO days kept for machines', async () => {
    const ar = await run('report', 'agreements', '--format', 'csv', '--lang', 'ar');
    expect(ar.code).toBe(0);
    const rows = records(ar.stdout);
    const italy = rows.find((r) => r['signedOn'] === '1998-11-16')!;
    expect(italy['signedOn (التاريخ)']).toBe('16 نونبر 1998');
    expect(italy['signedOn (أبكر تاريخ)']).toBe('1998-11-16');
    expect(italy['signedOn (آخر تاريخ)']).toBe('1998-11-16');
    const fr = records((await run('report', 'agreements', '--format', 'csv', '--lang', 'fr')).stdout);
    expect(fr.find((r) => r['signedOn'] === '1998-11-16')!['signedOn (Date)']).toBe('16 novembre 1998');
  });

  it('a list of texts or dates is written out, joined, not counted: both names the Dijon agreement (F13) may have been signed under', async () => {
    for (const [lang, names] of [
      ['en', 'National Institute of Judicial Studies; Higher Institute of the Judiciary'],
      ['fr', "Institut national d'études judiciaires; Institut supérieur de la magistrature"],
    ] as const) {
      const rows = records((await run('report', 'agreements', '--format', 'csv', '--lang', lang)).stdout);
      const dijon = rows.find((r) => r['agreementId'] === 'eng-dijon-2006')!;
      expect(dijon['parties.institute.candidates'], lang).toBe(names);
      expect(Object.keys(dijon)).not.toContain('parties.institute.candidates (items)');
    }
  });

  it('--bom begins with a UTF-8 byte-order mark (spreadsheet programs then read Arabic right); CRLF line ends', async () => {
    const plain = await run('partners', '--format', 'csv', '--lang', 'ar');
    expect(plain.stdout.charCodeAt(0)).not.toBe(0xfeff);
    const bom = await run('partners', '--format', 'csv', '--lang', 'ar', '--bom');
    expect(bom.stdout.charCodeAt(0)).toBe(0xfeff);
    expect(bom.stdout).toContain('\r\n');
    expect(records(bom.stdout).find((r) => r.partnerId === 'enm-france')!.name).toBe('المدرسة الوطنية للقضاء بفرنسا');
  });
});
