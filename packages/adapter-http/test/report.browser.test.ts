import { mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newEventId } from '@taawun/domain';
import { institute, loadInstituteRecord } from '@taawun/example-institute-record';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium } from '../src/report/browser.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pdfText, pdfTextOffPage } from './support/pdf.js';
import { startTestServer, type TestServer } from './support/server.js';

/**
 * The HTML report in a real browser: headless Chromium (Debian's, else the one
 * `npm install` brings: see `launchChromium`), driven by playwright-core.
 * Screenshots go to `test-artifacts/` (not committed).
 */
const artifacts = resolve(dirname(fileURLToPath(import.meta.url)), '../test-artifacts');

let t: TestServer;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  t = await startTestServer({ report: { institute: institute.currentName.en } });
  const report = await loadInstituteRecord(t.store, { actor: 'seed', now: () => new Date(), newId: newEventId });
  expect(report.failures).toEqual([]);
  browser = await launchChromium();
  // The browser is asked for credentials (Basic): any user name, the API key as the password.
  context = await browser.newContext({ httpCredentials: { username: 'auditor', password: t.keys.auditor }, locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  mkdirSync(artifacts, { recursive: true });
}, 60_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await t?.close();
});

describe('the HTML report in Chromium', () => {
  it('opens the ENM timeline from the partner list and finds its events from 1998 to 2021, in order', async () => {
    const tab = await context.newPage();
    const list = await tab.goto(`${t.url}/report`);
    expect(list!.status()).toBe(200);
    const partners = await tab.locator('table.partners tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-partner')));
    const registered = (await t.allEvents()).filter((e) => e.type === 'PartnerRegistered').map((e) => (e.data as { partnerId: string }).partnerId);
    expect(partners).toEqual([...registered].sort());
    expect(partners).toContain('enm-france');
    await tab.locator('tr[data-partner="enm-france"] a').first().click();
    await tab.waitForURL(`${t.url}/report/partners/enm-france`);

    const entries = await tab.locator('ol.timeline > li.entry').evaluateAll((items) =>
      items.map((li) => ({
        edtf: li.getAttribute('data-edtf'),
        latest: li.getAttribute('data-latest'),
        label: li.querySelector('time')!.textContent,
        visible: (li as HTMLElement).offsetHeight > 0,
      })),
    );
    expect(entries.map((e) => e.edtf)).toEqual(['1998-11-16', '2016-02-19', '2016', '2016/2020', '2016/2020', '2021', 'XXXX', 'XXXX']);
    expect(entries.every((e) => e.visible)).toBe(true);
    expect(entries[0]!.label).toBe('16 November 1998');
    expect(entries.at(-3)!.label).toBe('2021');
    // The undated programmes (F15, F16's yearly course) last: their date is unknown, not guessed.
    expect(entries.at(-1)!.label).toBe('date unknown');
    // In order: each entry was certainly done no later than the next one.
    // (the undated ones, which have no latest day, come last).
    const latest = entries.map((e) => e.latest!).filter((day) => day !== '');
    expect([...latest].sort()).toEqual(latest);
    expect(latest[0]!.slice(0, 4)).toBe('1998');
    expect(latest.at(-1)!.slice(0, 4)).toBe('2021');
    expect(entries.slice(latest.length).map((e) => e.edtf)).toEqual(['XXXX', 'XXXX']);

    const file = join(artifacts, 'enm-timeline.png');
    await tab.screenshot({ path: file, fullPage: true });
    expect(statSync(file).size).toBeGreaterThan(10_000);
  });

  it('renders Arabic right to left and French and English left to right in one page', async () => {
    const tab = await context.newPage();
    await tab.goto(`${t.url}/report/partners/enm-france`);
    expect(await tab.locator('html').getAttribute('dir')).toBe('ltr');
    const directions = await tab.locator('.profile h2 bdi').evaluateAll((parts) =>
      parts.map((p) => ({ lang: p.getAttribute('lang'), direction: getComputedStyle(p).direction, text: p.textContent })),
    );
    expect(directions).toEqual([
      { lang: 'ar', direction: 'rtl', text: 'المدرسة الوطنية للقضاء بفرنسا' },
      { lang: 'fr', direction: 'ltr', text: 'École nationale de la magistrature' },
      { lang: 'en', direction: 'ltr', text: 'National School for the Judiciary (France)' },
    ]);
    // The 1998 agreement names the institute as it was then: the National Institute of Judicial Studies.
    const institute = await tab.locator('li.entry[data-edtf="1998-11-16"] .meta bdi[lang="ar"]').first().textContent();
    expect(institute).toBe('المعهد الوطني للدراسات القضائية');
  });

  it('draws the yearly activity as an SVG chart and lists the agreements register', async () => {
    const tab = await context.newPage();
    await tab.goto(`${t.url}/report/activity`);
    const bars = (series: string) =>
      tab.locator(`svg.chart[data-series="${series}"] g.year`).evaluateAll((groups) =>
        groups.map((g) => {
          const rect = g.querySelector('rect')!;
          return { label: g.getAttribute('data-label'), value: Number(rect.getAttribute('data-value')), lowerBound: rect.getAttribute('data-lower-bound') === 'true', height: rect.getBoundingClientRect().height, text: g.querySelector('text.value')!.textContent };
        }),
      );
    const sessions = await bars('sessions');
    expect(sessions.find((b) => b.label === '2018')).toMatchObject({ value: 9, lowerBound: true, text: '≥ 9' }); // "several" is at least 2
    expect(sessions.map((b) => b.label)).toContain('year unknown');
    // Each figure on its own axis, none divided to fit: 2016's two trainees are a bar, not nothing.
    const people = await bars('people');
    expect(people.find((b) => b.label === '2016')).toMatchObject({ value: 2, lowerBound: false, text: '2' });
    expect(people.find((b) => b.label === '2016')!.height).toBeGreaterThan(0);
    // Every bar says its figure in the table's words: a lower bound "≥ n", a figure the record never gives "not stated" (not "≥ 0").
    for (const b of [...sessions, ...people]) expect(b.text).toBe(b.lowerBound ? (b.value === 0 ? 'not stated' : `≥ ${b.value}`) : String(b.value));
    expect(people.find((b) => b.label === 'by 2022')).toMatchObject({ value: 0, lowerBound: true, text: 'not stated' });
    expect(await tab.locator('.legend .lower-bound-key').textContent()).toContain('lower bound');
    const box = await tab.locator('svg.chart[data-series="people"]').boundingBox();
    expect(box!.width).toBeGreaterThan(200);
    expect(box!.x + box!.width).toBeLessThanOrEqual(1280);
    await tab.screenshot({ path: join(artifacts, 'yearly-activity.png'), fullPage: true });

    await tab.goto(`${t.url}/report/agreements`);
    const agreements = await tab.locator('table.agreements tbody tr[data-agreement]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-agreement')));
    expect(agreements).toHaveLength(4);
    expect(agreements).toEqual(expect.arrayContaining(['enm-1998', 'enm-2016-protocol']));
  });

  it('reads through the time lens from its form', async () => {
    const tab = await context.newPage();
    await tab.goto(`${t.url}/report/partners/enm-france`);
    await tab.fill('input[name="asOf"]', '2016-12-31');
    await tab.click('form.lens button');
    await tab.waitForURL(/asOf=2016-12-31/);
    const edtf = await tab.locator('ol.timeline > li.entry').evaluateAll((items) => items.map((li) => li.getAttribute('data-edtf')));
    expect(edtf).toEqual(['1998-11-16', '2016-02-19', '2016']);
    expect(await tab.locator('p.lens').textContent()).toContain('as of 2016-12-31');
  });

  it('answers a date it cannot read with a page saying what to type, the form filled back in', async () => {
    const tab = await context.newPage();
    await tab.goto(`${t.url}/report/activity`);
    await tab.fill('input[name="asOf"]', '15/11/2018');
    await tab.click('form.lens button');
    await tab.waitForURL(/asOf=15%2F11%2F2018/);
    expect(await tab.locator('h1').textContent()).toBe('The report cannot be read with what was typed');
    expect(await tab.locator('dl.help').textContent()).toContain('YYYY-MM-DD');
    expect(await tab.locator('input[name="asOf"]').inputValue()).toBe('15/11/2018');
    const response = await t.request('/report/read-models/partner-history?partnerId=nobody&asOf=2016', { as: 'auditor' });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const body = await response.text();
    expect(body).toContain('Not in the record');
    expect(body).toContain('<input type="hidden" name="partnerId" value="nobody">');
    expect(body).toContain('value="2016"');
  });

  it('leads from / to the report', async () => {
    const tab = await context.newPage();
    await tab.goto(`${t.url}/`);
    expect(tab.url()).toBe(`${t.url}/report`);
    expect(await tab.locator('h1').textContent()).toBe('Partners');
  });

  it('prints with a letterhead (the institute, the print date, the log position and head hash) and without navigation or forms', async () => {
    const tab = await context.newPage();
    await tab.goto(`${t.url}/report/activity`);
    expect(await tab.locator('.letterhead').isVisible()).toBe(false);
    expect(await tab.locator('header.site nav').isVisible()).toBe(true);
    await tab.emulateMedia({ media: 'print' });
    expect(await tab.locator('header.site').isVisible()).toBe(false);
    expect(await tab.locator('form.lens').isVisible()).toBe(false);
    const head = tab.locator('.letterhead');
    expect(await head.isVisible()).toBe(true);
    const text = (await head.textContent())!;
    expect(text).toContain('Higher Institute of the Judiciary');
    expect(text).toContain(`Printed ${new Date().toISOString().slice(0, 10)}`);
    const events = await t.allEvents();
    expect(text).toContain(`computed from log position ${events.at(-1)!.position}`);
    expect(text).toMatch(/log head \d+, hash [0-9a-f]{64}/);
    // Table headers repeat on every printed page.
    expect(await tab.locator('table.activity thead').evaluate((h) => getComputedStyle(h).display)).toBe('table-header-group');
    await tab.screenshot({ path: join(artifacts, 'yearly-activity-print.png'), fullPage: true });
  });

  it('serves the same page as a PDF, whose text has the letterhead', async () => {
    const response = await t.request('/report/activity?format=pdf', { as: 'auditor' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    const text = await pdfText(new Uint8Array(await response.arrayBuffer()));
    expect(text).toContain('Higher Institute of the Judiciary');
    expect(text).toContain(`Printed ${new Date().toISOString().slice(0, 10)}`);
    expect(text).toContain('Yearly activity');
    expect(text).not.toContain('As of (business date)');
  });

  it('prints every column of the figures per period on the paper: a landscape page for the wide table, nothing past an edge', async () => {
    for (const lang of ['en', 'ar']) {
      const pdf = new Uint8Array(await (await t.request(`/report/activity?format=pdf&lang=${lang}`, { as: 'auditor' })).arrayBuffer());
      // pdfjs takes the bytes it reads (the buffer is detached): a copy for each reading.
      expect(await pdfTextOffPage(pdf.slice()), lang).toEqual([]);
      if (lang === 'en') {
        const text = await pdfText(pdf.slice());
        for (const header of ['PERIOD', 'HOSTED', 'PREPARED', 'PLANNED', 'PUBLISHED']) expect(text).toContain(header);
      }
    }
  });

  it('asks a browser without credentials to authenticate (Basic), and refuses a wrong key', async () => {
    const anonymous = await browser.newContext();
    try {
      // Headless, nobody can answer the browser's login prompt: the navigation fails on the challenge
      // (Debian's Chromium) or shows the 401 page (the headless shell of the npm package).
      const navigation = await (await anonymous.newPage()).goto(`${t.url}/report`).then((r) => r!.status(), (e: Error) => e.message);
      expect(String(navigation)).toMatch(/^401$|ERR_INVALID_AUTH_CREDENTIALS/);
      const response = await anonymous.request.get(`${t.url}/report`);
      expect(response.status()).toBe(401);
      expect(response.headers()['www-authenticate']).toMatch(/^Basic realm="taawun"/);
      const wrong = await anonymous.request.get(`${t.url}/report`, { headers: { authorization: `Basic ${Buffer.from('auditor:taawun_wrong').toString('base64')}` } });
      expect(wrong.status()).toBe(401);
    } finally {
      await anonymous.close();
    }
  });
});
