import { handle, newEventId } from '@taawun/domain';
import { institute, loadInstituteRecord } from '@taawun/example-institute-record';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../src/report/browser.js';
import { startTestServer, type TestServer } from './support/server.js';

/**
 * The auditor's view in a browser: from any row of a report to the audit trail
 * of its record (every event, who recorded it, when, from which source, the
 * corrections with their reasons, erased personal data shown as erased), and
 * one report as known on two dates. The record is written with a clock: the
 * institute's record on 2024-01-10, a correction of F4's attendance on
 * 2024-06-03 (hypothetical, not in the source text).
 */
let t: TestServer;
let browser: Browser;
let context: BrowserContext;
const at = (day: string) => ({ actor: 'registrar:salma', now: () => new Date(`${day}T10:00:00Z`), newId: newEventId });

beforeAll(async () => {
  t = await startTestServer({ personalData: true, report: { institute: institute.currentName.en } });
  expect((await loadInstituteRecord(t.store, at('2024-01-10'))).failures).toEqual([]);
  const held = (await t.store.readStream('session-giz-attaches-2018-11')).find((e) => e.type === 'SessionHeld')!;
  const corrected = await handle(t.store, { type: 'CorrectRecord', stream: held.stream, eventId: held.id, changes: { attendance: { count: 40, basis: 'total' } }, reason: 'attendance sheet found (hypothetical)' }, at('2024-06-03'));
  expect(corrected.ok).toBe(true);
  const registered = await t.request('/commands/register-participant', { json: { participantId: 'attache-39-a', kind: 'judicial-attache', cohort: 39, personal: { fullName: { fr: 'Amina El Alaoui' } } } });
  expect(registered.status).toBe(200);
  expect((await t.request('/participants/attache-39-a/erasure', { as: 'admin', json: { reason: 'request of 2024-05-28, file DPO-2024-17' } })).ok).toBe(true);
  browser = await launchChromium();
  context = await browser.newContext({ httpCredentials: { username: 'auditor', password: t.keys.auditor }, viewport: { width: 1280, height: 900 } });
}, 60_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await t?.close();
});

describe("the auditor's view", () => {
  it('links every row of the partner list and every timeline entry to its audit trail', async () => {
    const tab = await context.newPage();
    await tab.goto(`${t.url}/report`);
    const rows = await tab.locator('table.partners tbody tr').count();
    expect(await tab.locator('table.partners tbody tr td.audit a').count()).toBe(rows);
    await tab.locator('tr[data-partner="enm-france"] a.audit').click();
    await tab.waitForURL(/\/report\/audit\?recordType=partner&recordId=enm-france/);
    expect(await tab.locator('h1').textContent()).toBe('Audit trail: partner enm-france');
    const events = await tab.locator('li.audit-event').evaluateAll((items) => items.map((li) => ({ what: li.querySelector('.what')!.textContent, by: li.querySelector('.by')!.textContent })));
    expect(events[0]).toEqual({ what: 'PartnerRegistered', by: 'registrar:salma' });

    await tab.goto(`${t.url}/report/partners/enm-france`);
    const entries = await tab.locator('ol.timeline > li.entry').count();
    expect(await tab.locator('ol.timeline > li.entry a.audit').count()).toBe(entries);
    await tab.goto(`${t.url}/report/activity`);
    const lines = await tab.locator('details.period li').count();
    expect(lines).toBeGreaterThan(10);
    expect(await tab.locator('details.period li a.audit').count()).toBe(lines);
  });

  it("shows a session's events with who, when and the source, and the correction beside what it corrects, with its reason", async () => {
    const tab = await context.newPage();
    await tab.goto(`${t.url}/report/read-models/sessions`);
    await tab.locator('tr[data-record="session:giz-attaches-2018-11"] a.audit').click();
    await tab.waitForURL(/recordId=giz-attaches-2018-11/);
    const held = tab.locator('li.audit-event', { has: tab.locator('.what', { hasText: /^SessionHeld$/ }) });
    expect(await held.locator('.source').textContent()).toBe('F4');
    expect(await held.locator('time').first().getAttribute('datetime')).toBe('2024-01-10T10:00:00.000Z');
    const correction = held.locator('li.correction');
    expect(await correction.textContent()).toContain('attendance sheet found (hypothetical)');
    expect(await correction.locator('time').getAttribute('datetime')).toBe('2024-06-03T10:00:00.000Z');
    expect(await correction.textContent()).toContain('attendance');
  });

  it("shows an erased participant's data as erased", async () => {
    const response = await t.request('/report/audit?record=attache-39-a', { as: 'admin' });
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(body).toContain('data-personal-data="erased"');
    expect(body).toContain('ParticipantDataErased');
    expect(body).not.toContain('Amina');
  });

  it('compares the yearly report as known on two dates: the correction in between, with its reason', async () => {
    const tab = await context.newPage();
    await tab.goto(`${t.url}/report/compare/yearly-activity-report`);
    await tab.fill('input[name="from"]', '2024-01-31');
    await tab.fill('input[name="to"]', '2024-12-31');
    await tab.click('form.compare button');
    await tab.waitForURL(/from=2024-01-31&to=2024-12-31/);
    expect(await tab.locator('h1').textContent()).toMatch(/^yearly-activity-report: as known on 2024-01-31.*, then on 2024-12-31/);
    const changes = await tab.locator('table.comparison tbody tr').count();
    expect(changes).toBeGreaterThan(0);
    expect(await tab.locator('ul.notes').textContent()).toContain('attendance sheet found (hypothetical)');
    // A date it cannot read: said for people, the form filled back in.
    await tab.goto(`${t.url}/report/compare/yearly-activity-report?from=31/01/2024&to=2024-12-31`);
    expect(await tab.locator('.problem').textContent()).toContain('YYYY-MM-DD');
    expect(await tab.locator('input[name="from"]').inputValue()).toBe('31/01/2024');
  });
});
