import { readFileSync, writeFileSync } from 'node:fs';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taawun, temporaryFolder, type Outcome } from './support.js';

/**
 * `taawun report … --format pdf`: the HTML report's page (the one `GET
 * /report/...?format=pdf` serves), printed by headless Chromium, letterhead
 * included. The text is read back with pdfjs-dist, as a reader would.
 */
let folder: { path: string; remove: () => Promise<void> };
const run = (args: string[], env: Record<string, string> = {}): Promise<Outcome> =>
  taawun([...args, '--store', `sqlite:${folder.path}/taawun.db`], { cwd: folder.path, env, timeoutMs: 120_000 });

async function textOf(file: string): Promise<string> {
  const document = await getDocument({ data: new Uint8Array(readFileSync(file)), isEvalSupported: false }).promise;
  let text = '';
  for (let n = 1; n <= document.numPages; n++) {
    for (const item of (await (await document.getPage(n)).getTextContent()).items) if ('str' in item) text += item.str + (item.hasEOL ? '\n' : '');
  }
  await document.destroy();
  return text;
}

beforeAll(async () => {
  folder = await temporaryFolder('report-pdf');
  expect((await run(['seed'])).code).toBe(0);
}, 120_000);
afterAll(() => folder.remove());

describe('taawun report --format pdf', () => {
  it('writes the yearly report as a PDF with the institute on its letterhead and the date it was printed', async () => {
    const result = await run(['report', 'yearly', '--format', 'pdf', '--output', 'yearly.pdf'], { TAAWUN_INSTITUTE: 'Higher Institute of the Judiciary' });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const file = `${folder.path}/yearly.pdf`;
    expect(readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');
    const text = await textOf(file);
    expect(text).toContain('Higher Institute of the Judiciary');
    expect(text).toContain(`Printed ${new Date().toISOString().slice(0, 10)}`);
    expect(text).toContain('Yearly activity');
    // The position the answer reflects is the head of the seeded log (the letterhead names both, with the head hash).
    expect(text.replace(/\s/g, '')).toMatch(/computedfromlogposition(\d+)·loghead\1,hash[0-9a-f]{64}/);
  }, 120_000);

  it('a partner\'s history through its lens, and a bad date is bad usage before any browser starts', async () => {
    const result = await run(['history', 'enm-france', '--as-of', '2016-12-31', '--format', 'pdf', '--output', 'enm.pdf']);
    expect(result.code).toBe(0);
    const text = await textOf(`${folder.path}/enm.pdf`);
    expect(text).toContain('ENM: history');
    expect(text).toContain('as of 2016-12-31');
    const bad = await run(['report', 'yearly', '--format', 'pdf', '--as-of', '15/11/2018', '--output', 'x.pdf']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  }, 120_000);

  it('in Arabic: the yearly report with Moroccan month names and the institute\'s Arabic name on its letterhead', async () => {
    // The institute's name in each language, from the configuration `taawun serve` reads.
    const names = { ar: 'المعهد العالي للقضاء', fr: 'Institut supérieur de la magistrature', en: 'Higher Institute of the Judiciary' };
    writeFileSync(`${folder.path}/config.json`, JSON.stringify({ institute: names }));
    const result = await run(['report', 'yearly', '--format', 'pdf', '--lang', 'ar', '--output', 'yearly-ar.pdf'], { TAAWUN_CONFIG: `${folder.path}/config.json` });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    // The extractor gives Arabic in printed order and contextual forms: folded to base letters, sought either way.
    const text = (await textOf(`${folder.path}/yearly-ar.pdf`)).normalize('NFKC');
    const has = (phrase: string) => text.includes(phrase) || text.includes([...phrase].reverse().join(''));
    expect(has('نونبر')).toBe(true);
    expect(has(names.ar)).toBe(true);
    expect(text).not.toContain('Yearly activity');
  }, 120_000);
});
