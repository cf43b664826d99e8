import { handle, InMemoryEventStore, newEventId } from '@taawun/domain';
import { loadInstituteRecord } from '@taawun/example-institute-record';
import { agreementsRegisterProjection, partnerHistoryProjection, ProjectionRunner, queryService, recordStreamsProjection, yearlyActivityReportProjection } from '@taawun/projections';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, startServer, type RunningServer } from '../src/index.js';
import { partnerBody, startTestServer } from './support/server.js';

const context = { actor: 'seed', now: () => new Date(), newId: newEventId };

describe('the report without a time lens', () => {
  it('answers from the stored read models (here left behind the log on purpose); a lens replays the log', async () => {
    const t = await startTestServer({ storedReadModels: true });
    try {
      expect((await loadInstituteRecord(t.store, context)).failures).toEqual([]);
      for (const projection of [partnerHistoryProjection, agreementsRegisterProjection]) {
        await new ProjectionRunner(projection, { store: t.store, storage: t.readModelStorage! }).catchUp();
      }
      // Recorded after the stored models were built, and no follower runs: only a replay can know it.
      expect((await t.request('/commands/register-partner', { json: partnerBody('enm-2030') })).status).toBe(200);
      expect((await t.request('/commands/sign-agreement', { json: { agreementId: 'enm-2030-a', kind: 'agreement', partners: ['enm-2030'], signedOn: '2024-01-10' } })).status).toBe(200);

      const page = async (path: string) => {
        const response = await t.request(path, { as: 'auditor' });
        expect(response.status).toBe(200);
        return response.text();
      };
      const stored = await page('/report');
      expect(stored).toContain('data-partner="enm-france"');
      expect(stored).not.toContain('data-partner="enm-2030"');
      expect(await page('/report/agreements')).not.toContain('data-agreement="enm-2030-a"');

      const lensed = await page(`/report?asKnownOn=${encodeURIComponent(new Date(Date.now() + 1000).toISOString().slice(0, 10))}`);
      expect(lensed).toContain('data-partner="enm-2030"');
    } finally {
      await t.close();
    }
  });
});

describe('a whole-log answer through a lens', () => {
  it('is read from the stored models and the streams the lens changes, equal to a replay; the report page through the same lens answers', async () => {
    const t = await startTestServer({ storedReadModels: true });
    try {
      expect((await loadInstituteRecord(t.store, context)).failures).toEqual([]);
      for (const projection of [recordStreamsProjection, yearlyActivityReportProjection, partnerHistoryProjection]) {
        await new ProjectionRunner(projection, { store: t.store, storage: t.readModelStorage! }).catchUp();
      }
      const replaying = queryService({ store: t.store });
      for (const [path, name] of [['/read-models/yearly-activity-report?asOf=2030&limit=100', 'yearly-activity-report'], ['/read-models/partners?asOf=2030&limit=100', 'partners']] as const) {
        const response = await t.request(path, { as: 'auditor' });
        expect(response.status, path).toBe(200);
        const body = (await response.json()) as { source: { kind: string; streamsRead: number }; result: unknown; lens: unknown };
        // As of 2030 only the few records dated with an unknown year (or an open end) are read, of the record's 42 streams.
        expect(body.source.kind).toBe('streams');
        expect(body.source.streamsRead).toBeGreaterThan(0);
        expect(body.source.streamsRead).toBeLessThanOrEqual(4);
        const replayed = await replaying.query(name, {}, { lens: { asOf: '2030' }, page: { offset: 0, limit: 100 } });
        if (!replayed.ok) throw new Error(replayed.error.message);
        expect([body.result, body.lens], path).toEqual(JSON.parse(JSON.stringify([replayed.value.result, replayed.value.lens])));
      }
      const page = await t.request('/report/activity?asOf=2030', { as: 'auditor' });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('2018');
    } finally {
      await t.close();
    }
  });
});

describe('an unknown record in the audit trail', () => {
  it('is a 404 naming the closest record ids the stored registers hold; without a stored model, a plain not-found (never a scan)', async () => {
    const t = await startTestServer({ storedReadModels: true });
    try {
      expect((await loadInstituteRecord(t.store, context)).failures).toEqual([]);
      const ask = async () => {
        const response = await t.request('/read-models/audit-trail?record=ssm-italy-2023', { as: 'auditor' });
        return { status: response.status, body: (await response.json()) as { code: string; detail: string; fields?: string[] } };
      };
      const unbuilt = await ask();
      expect(unbuilt.status).toBe(404);
      expect(unbuilt.body.detail).toMatch(/^no record ssm-italy-2023: neither a stream/);
      await new ProjectionRunner(partnerHistoryProjection, { store: t.store, storage: t.readModelStorage! }).catchUp();
      const built = await ask();
      expect(built).toMatchObject({ status: 404, body: { code: 'not-found', fields: ['record'] } });
      expect(built.body.detail).toMatch(/^no record "ssm-italy-2023"; valid: ssm-italy-2022, ssm-italy, .*; \d+ record ids in all: /);
      // A known record still answers.
      expect((await t.request('/read-models/audit-trail?record=ssm-italy-2022', { as: 'auditor' })).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe('the cap on concurrent replays', () => {
  let server: RunningServer;
  let store: InMemoryEventStore;
  const admin = createApiKey('admin-test', 'admin');
  beforeAll(async () => {
    // A log long enough that a replay takes many turns of the event loop.
    store = new InMemoryEventStore();
    expect((await loadInstituteRecord(store, context)).failures).toEqual([]);
    for (let i = 0; i < 3000; i++) {
      const result = await handle(store, { type: 'RegisterPartner', partnerId: `partner-${i}`, name: { fr: `Partenaire ${i}` }, kind: 'school', country: 'FR' }, context);
      expect(result.ok).toBe(true);
    }
    server = await startServer({ store, keys: [admin.entry], port: 0, limits: { maxConcurrentReplays: 1, requestsPerMinute: 1_000_000 }, log: () => undefined });
  }, 60_000);
  afterAll(async () => {
    await server.close();
    await store.close();
  });

  const get = (path: string) => fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${admin.key}` } });

  it('refuses replays beyond the cap with 503 too-many-replays and Retry-After; the ones within it answer', async () => {
    const paths = [
      ...Array.from({ length: 4 }, () => '/read-models/partner-history?partnerId=enm-france&asOf=2020'),
      ...Array.from({ length: 4 }, () => '/report/agreements?asOf=2020'),
    ];
    const responses = await Promise.all(paths.map((path) => get(path)));
    const statuses = responses.map((r) => r.status);
    expect(statuses).toContain(200);
    expect(statuses).toContain(503);
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    for (const response of responses.filter((r) => r.status === 503)) {
      expect(response.headers.get('retry-after')).toBe('2');
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(await response.json()).toMatchObject({ type: '/problems/too-many-replays', code: 'too-many-replays', status: 503 });
    }
    // The slot is given back: one at a time, every replay answers.
    for (const path of ['/read-models/partner-history?partnerId=enm-france&asOf=2020', '/report/agreements?asOf=2020', '/report']) expect((await get(path)).status).toBe(200);
  }, 60_000);
});
