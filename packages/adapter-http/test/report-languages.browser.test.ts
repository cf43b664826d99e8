import { newEventId } from '@taawun/domain';
import { institute, loadInstituteRecord } from '@taawun/example-institute-record';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../src/report/browser.js';
import { pdfHasArabic, pdfText } from './support/pdf.js';
import { startTestServer, type TestServer } from './support/server.js';

/**
 * The report in the institute's three languages, in a real browser: `?lang=`,
 * else the browser's `Accept-Language`, else the institute's default; Arabic
 * right to left with Moroccan month names ("16 نونبر 1998"), French in French,
 * and none of the English chrome left on either.
 */
let t: TestServer;
let browser: Browser;
let english: BrowserContext;
let french: BrowserContext;

beforeAll(async () => {
  t = await startTestServer({ report: { institute: institute.currentName } });
  const report = await loadInstituteRecord(t.store, { actor: 'seed', now: () => new Date(), newId: newEventId });
  expect(report.failures).toEqual([]);
  browser = await launchChromium();
  const credentials = { username: 'auditor', password: t.keys.auditor };
  english = await browser.newContext({ httpCredentials: credentials, locale: 'en-GB' });
  french = await browser.newContext({ httpCredentials: credentials, locale: 'fr-FR' });
}, 60_000);

afterAll(async () => {
  await english?.close();
  await french?.close();
  await browser?.close();
  await t?.close();
});

/** The words of the page's own chrome: navigation, form, headings, column headers, letterhead. */
const chromeText = (tab: Page) =>
  tab.evaluate(() => [...document.querySelectorAll('header.site nav, form.lens label, form.lens button, h1, h2:not(:has(bdi)), th, p.lens, .letterhead .meta')].map((e) => e.textContent ?? '').join(' | '));

const englishChrome = ['Partners', 'Yearly activity', 'Agreements', 'As of', 'As known on', 'Show', 'Timeline', 'PARTNER', 'SIGNED', 'DATE', 'everything recorded', 'log position', 'Printed', 'Figures per period'];

describe('the report in Arabic, French and English', () => {
  it('/report?lang=ar is Arabic, right to left, with Moroccan month names and no English chrome', async () => {
    const tab = await english.newPage();
    await tab.goto(`${t.url}/report/agreements?lang=ar`);
    expect(await tab.locator('html').getAttribute('lang')).toBe('ar');
    expect(await tab.locator('html').getAttribute('dir')).toBe('rtl');
    expect(await tab.locator('h1').textContent()).toBe('سجل الاتفاقيات');
    expect(await tab.locator('table.agreements').textContent()).toContain('16 نونبر 1998');
    const chrome = await chromeText(tab);
    for (const word of englishChrome) expect(chrome, word).not.toContain(word);
    // The layout is mirrored: the table's first column is at the right.
    const [first, last] = await tab.locator('table.agreements thead th').evaluateAll((cells) => [cells[0]!.getBoundingClientRect().x, cells.at(-1)!.getBoundingClientRect().x]);
    expect(first!).toBeGreaterThan(last!);

    await tab.goto(`${t.url}/report/partners/enm-france?lang=ar`);
    expect(await tab.locator('li.entry time').first().textContent()).toBe('16 نونبر 1998');
    await tab.emulateMedia({ media: 'print' });
    expect(await tab.locator('.letterhead .institute').textContent()).toBe(institute.currentName.ar);
    expect(await tab.locator('.letterhead .meta').textContent()).toContain('طُبع في');
    for (const word of englishChrome) expect(await chromeText(tab), word).not.toContain(word);

    await tab.emulateMedia({ media: 'screen' });
    await tab.goto(`${t.url}/report?lang=ar`);
    expect(await tab.locator('html').getAttribute('dir')).toBe('rtl');
    expect(await tab.locator('h1').textContent()).toBe('الشركاء');
    for (const word of englishChrome) expect(await chromeText(tab), word).not.toContain(word);
    await tab.goto(`${t.url}/report/activity?lang=ar`);
    for (const word of englishChrome) expect(await chromeText(tab), word).not.toContain(word);
  });

  it('lang=fr is French, left to right, with French month names and no English chrome', async () => {
    const tab = await english.newPage();
    await tab.goto(`${t.url}/report/partners/enm-france?lang=fr`);
    expect(await tab.locator('html').getAttribute('lang')).toBe('fr');
    expect(await tab.locator('html').getAttribute('dir')).toBe('ltr');
    expect(await tab.locator('li.entry time').first().textContent()).toBe('16 novembre 1998');
    expect(await tab.locator('h2').nth(1).textContent()).toBe('Chronologie');
    for (const word of englishChrome) expect(await chromeText(tab), word).not.toContain(word);
    await tab.goto(`${t.url}/report/agreements?lang=fr`);
    expect(await tab.locator('h1').textContent()).toBe('Registre des conventions');
    for (const word of englishChrome) expect(await chromeText(tab), word).not.toContain(word);
  });

  it("says what happened in the reader's language, from each entry's kind and status", async () => {
    const tab = await english.newPage();
    await tab.goto(`${t.url}/report/partners/enm-france?lang=fr`);
    const what = await tab.locator('li.entry .what').allTextContents();
    expect(what).toContain('Accord signé');
    expect(what).toContain('Visite d’étude accueillie : effectuée');
    expect(what.join(' | ')).not.toMatch(/Agreement signed|study visit|held|completed/);
    await tab.goto(`${t.url}/report/partners/enm-france?lang=ar`);
    expect(await tab.locator('li.entry .what').allTextContents()).toContain('توقيع اتفاق');
  });

  it('the comparison of two dates asks and answers in the chosen language', async () => {
    const form = await (await t.request('/report/compare/yearly-activity-report?lang=fr', { as: 'auditor' })).text();
    expect(form).toContain('Connu le');
    expect(form).toContain('Comparer');
    expect(form).not.toContain('Known on');
    const compared = await (await t.request('/report/compare/yearly-activity-report?from=2024-01-01&to=2024-01-02&lang=ar', { as: 'auditor' })).text();
    expect(compared).toContain('كما كان معروفا في');
    expect(compared).not.toContain('as known on');
  });

  it("follows the browser's Accept-Language, and ?lang= over it", async () => {
    const tab = await french.newPage();
    await tab.goto(`${t.url}/report`);
    expect(await tab.locator('html').getAttribute('lang')).toBe('fr');
    expect(await tab.locator('h1').textContent()).toBe('Partenaires');
    await tab.goto(`${t.url}/report?lang=en`);
    expect(await tab.locator('h1').textContent()).toBe('Partners');
  });

  it('has a language switch on every page, keeping the time lens and the other parameters', async () => {
    const tab = await english.newPage();
    await tab.goto(`${t.url}/report/partners/enm-france?asOf=2016-12-31&lang=fr`);
    const links = await tab.locator('div.languages a').evaluateAll((as) => as.map((a) => ({ lang: a.getAttribute('hreflang'), href: a.getAttribute('href'), current: a.getAttribute('aria-current') })));
    expect(links.map((l) => l.lang)).toEqual(['ar', 'fr', 'en']);
    expect(links.find((l) => l.lang === 'ar')!.href).toBe('/report/partners/enm-france?asOf=2016-12-31&lang=ar');
    expect(links.find((l) => l.lang === 'fr')!.current).toBe('page');
    await tab.locator('div.languages a[hreflang="ar"]').click();
    await tab.waitForURL(/lang=ar/);
    expect(await tab.locator('html').getAttribute('dir')).toBe('rtl');
    expect(await tab.locator('input[name="asOf"]').inputValue()).toBe('2016-12-31');
    // The form and the links keep the chosen language.
    expect(await tab.locator('form.lens input[name="lang"]').inputValue()).toBe('ar');
    expect(await tab.locator('header.site nav a').first().getAttribute('href')).toBe('/report?lang=ar');
  });

  it("the auditor's page speaks the reader's language around the record's own words", async () => {
    const tab = await english.newPage();
    await tab.goto(`${t.url}/report/audit?recordType=partner&recordId=enm-france&lang=fr`);
    expect(await tab.locator('html').getAttribute('lang')).toBe('fr');
    const first = (await tab.locator('li.audit-event').first().textContent())!;
    expect(first).toContain('Enregistré le');
    expect(first).not.toContain('Recorded');
    expect(await tab.locator('.personal-data').textContent()).toBe('Les données personnelles, s’il y en a, sont masquées.');
  });

  it('answers a date it cannot read with a page in the chosen language', async () => {
    const response = await t.request('/report/activity?asOf=15/11/2018&lang=ar', { as: 'auditor' });
    expect(response.status).toBe(400);
    const body = await response.text();
    expect(body).toContain('<html lang="ar" dir="rtl">');
    expect(body).toContain('لا يمكن قراءة التقرير بما كُتب');
    expect(body).toContain('value="15/11/2018"');
  });

  it('serves the agreements register as a PDF in Arabic, with the institute\'s Arabic name and Moroccan month names', async () => {
    const response = await t.request('/report/agreements?format=pdf&lang=ar', { as: 'auditor' });
    expect(response.status).toBe(200);
    const text = await pdfText(new Uint8Array(await response.arrayBuffer()));
    expect(pdfHasArabic(text, 'نونبر')).toBe(true);
    expect(pdfHasArabic(text, institute.currentName.ar)).toBe(true);
  });
});

describe("the institute's default language", () => {
  it('is used when the browser names none taawun speaks', async () => {
    const s = await startTestServer({ report: { language: 'ar' } });
    try {
      const none = await s.request('/report', { as: 'auditor', headers: { 'accept-language': 'de-DE' } });
      expect(await none.text()).toContain('<html lang="ar" dir="rtl">');
      const asked = await s.request('/report', { as: 'auditor', headers: { 'accept-language': 'fr-MA, ar;q=0.5' } });
      expect(await asked.text()).toContain('<html lang="fr" dir="ltr">');
    } finally {
      await s.close();
    }
  });
});
