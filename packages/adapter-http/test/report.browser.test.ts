import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newEventId } from '@taawun/domain';
import { loadInstituteRecord } from '@taawun/example-institute-record';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';

/**
 * The HTML report in a real browser: the Debian package's Chromium, headless,
 * driven by playwright-core. Screenshots go to `test-artifacts/` (not committed).
 */
const CHROMIUM = '/usr/bin/chromium';
const artifacts = resolve(dirname(fileURLToPath(import.meta.url)), '../test-artifacts');

let t: TestServer;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install it with "apt-get install -y chromium"`);
  t = await startTestServer();
  const report = await loadInstituteRecord(t.store, { actor: 'seed', now: () => new Date(), newId: newEventId });
  expect(report.failures).toEqual([]);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
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
    await tab.locator('tr[data-partner="enm-france"] a').click();
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
    expect(entries.at(-1)!.label).toBe('2021');
    // In order: each entry was certainly done no later than the next one.
    const latest = entries.map((e) => e.latest!);
    expect([...latest].sort()).toEqual(latest);
    expect(latest[0]!.slice(0, 4)).toBe('1998');
    expect(latest.at(-1)!.slice(0, 4)).toBe('2021');

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
    const bars = await tab.locator('svg.chart g.year').evaluateAll((groups) =>
      groups.map((g) => ({ label: g.getAttribute('data-label'), sessions: Number(g.querySelector('rect[data-series="sessions"]')!.getAttribute('data-value')) })),
    );
    expect(bars.find((b) => b.label === '2018')).toEqual({ label: '2018', sessions: 8 });
    expect(bars.map((b) => b.label)).toContain('year unknown');
    const box = await tab.locator('svg.chart').boundingBox();
    expect(box!.width).toBeGreaterThan(200);
    await tab.screenshot({ path: join(artifacts, 'yearly-activity.png'), fullPage: true });

    await tab.goto(`${t.url}/report/agreements`);
    const agreements = await tab.locator('table.agreements tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-agreement')));
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

  it('asks a browser without credentials to authenticate (Basic), and refuses a wrong key', async () => {
    const anonymous = await browser.newContext();
    try {
      // Headless, nobody can answer the browser's login prompt: the navigation fails on the challenge.
      await expect((await anonymous.newPage()).goto(`${t.url}/report`)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
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
