import { instituteNameOfRef } from '@taawun/projections';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taawun, temporaryFolder, type Outcome } from './support.js';

/*
 * Three-valued time through the command line, on `taawun seed`: the institute was
 * renamed somewhere between 16 November 1998 (F12) and 19 February 2016 (F14), so
 * no lens makes its name on the Dijon agreement of 2006 certain.
 */

let folder: { path: string; remove: () => Promise<void> };
const run = (...args: string[]): Promise<Outcome> => taawun([...args, '--store', `sqlite:${folder.path}/taawun.db`], { cwd: folder.path });
const json = async (...args: string[]) => {
  const result = await run(...args, '--format', 'json');
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
};
const former = 'National Institute of Judicial Studies';
const current = 'Higher Institute of the Judiciary';

beforeAll(async () => {
  folder = await temporaryFolder('three-valued');
  expect((await run('seed')).code).toBe(0);
});
afterAll(() => folder.remove());

describe('a lens never invents a certainty', () => {
  it('report agreements --as-of 2010-01-01: the Dijon agreement (2006) under one of two names', async () => {
    const answer = await json('report', 'agreements', '--as-of', '2010-01-01');
    const dijon = answer.result.agreements.find((a: { agreementId: string }) => a.agreementId === 'eng-dijon-2006');
    expect(dijon.parties.institute).toMatchObject({ certainty: 'uncertain', name: null });
    expect(dijon.parties.institute.candidates.map((c: { en: string }) => c.en)).toEqual([former, current]);
    const table = await run('report', 'agreements', '--as-of', '2010-01-01');
    expect(table.stdout).toMatch(new RegExp(`^7 December 2006 .*one of: ${former} / ${current}`, 'm'));
    expect(table.stdout).toContain('May be by then: 1 event (F14), taken in: what it may change is shown uncertain.');
  });

  it('history eng-dijon --as-of 2010-01-01: the entry names the institute uncertainly; the notes are about Dijon only', async () => {
    const answer = await json('history', 'eng-dijon', '--as-of', '2010-01-01');
    // The entry refers to the institute's names, listed once in the answer's records.
    const name = instituteNameOfRef(answer.result.entries[0].instituteName, answer.result.records);
    expect(name.certainty).toBe('uncertain');
    expect(name.candidates.map((c) => c.en)).toEqual([former, current]);
    expect(answer.lens.notCounted.mayBeLater).toEqual([]);
    const table = await run('history', 'eng-dijon', '--as-of', '2010-01-01');
    expect(table.stdout).not.toMatch(/F5|F6|F9|F10|F11/);
  });

  it('history enm-france --as-of 2015-12-31: the undated programme (F15) is left out and said so; the 1998 agreement keeps the name it states', async () => {
    const answer = await json('history', 'enm-france', '--as-of', '2015-12-31');
    expect(answer.result.entries.find((e: { record: { id: string } }) => e.record.id === 'enm-annual-programme')).toBeUndefined();
    expect(answer.lens.notCounted.yearUnknown.map((e: { sourceRef: string }) => e.sourceRef)).toContain('F15');
    expect(answer.result.entries.find((e: { record: { id: string } }) => e.record.id === 'enm-1998').instituteName.certainty).toBe('stated');
  });
});

describe('first and last activity', () => {
  it("partners: GIZ's first activity is not 7–8 November 2018: F2 (by 2018) and F3 (2018) may be earlier", async () => {
    const table = await run('partners');
    expect(table.stdout).toMatch(/^giz +GIZ +agency +DE +4 +~by 8 November 2018 +~/m);
    expect(table.stdout).toContain('~ marks a first or last activity');
    expect(table.stdout).toMatch(/^eng-dijon .* 7 December 2006 +7 December 2006 /m);
    const answer = await json('partners');
    const giz = answer.result.partners.find((p: { partnerId: string }) => p.partnerId === 'giz');
    expect(giz.first.certain).toBe(false);
    expect(giz.first.candidates.map((c: { record: { id: string } }) => c.record.id)).toContain('giz-refugee-rights-guide');
  });
});
