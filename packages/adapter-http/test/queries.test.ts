import { newEventId } from '@taawun/domain';
import { loadInstituteRecord } from '@taawun/example-institute-record';
import { readModels } from '@taawun/projections';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';

interface Answer<R> {
  readModel: string;
  asOf: string | null;
  asKnownOn: string | null;
  lens: { eventsCounted: number } | null;
  source: { kind: string; position: string | null };
  page: { list: string; offset: number; limit: number; total: number; nextOffset: number | null };
  result: R;
}
interface History {
  partner: { partnerId: string };
  entries: { date: { edtf: string }; what: string; record: { id: string } }[];
}

let t: TestServer;
let seededAt: string;
beforeAll(async () => {
  t = await startTestServer({ limits: { maxPageSize: 5, defaultPageSize: 3 } });
  const beforeSeeding = new Date(Date.now() - 60_000);
  seededAt = beforeSeeding.toISOString();
  const report = await loadInstituteRecord(t.store, { actor: 'seed', now: () => new Date(), newId: newEventId });
  expect(report.failures).toEqual([]);
});
afterAll(async () => t.close());

const get = async <R>(path: string, as: 'auditor' | 'clerk' | 'admin' = 'auditor') => {
  const response = await t.request(path, { as });
  return { status: response.status, body: (await response.json()) as Answer<R> & { code?: string; fields?: string[] } };
};

describe('read models', () => {
  it('lists every read model of the registry with its route', async () => {
    const { status, body } = await get<never>('/read-models');
    expect(status).toBe(200);
    const list = body as unknown as { name: string; path: string; list: string }[];
    expect(list.map((m) => m.name)).toEqual(Object.keys(readModels));
    for (const m of list) expect((await t.request(m.path, { as: 'admin' })).status).not.toBe(404);
  });

  it("answers ENM's history in date order, a page at a time, from 1998 to 2021, then the undated programmes", async () => {
    const first = await get<History>('/read-models/partner-history?partnerId=enm-france');
    expect(first.status).toBe(200);
    expect(first.body.page).toEqual({ list: 'entries', offset: 0, limit: 3, total: 8, nextOffset: 3 });
    const all = [...first.body.result.entries];
    let next = first.body.page.nextOffset;
    while (next !== null) {
      const p = await get<History>(`/read-models/partner-history?partnerId=enm-france&limit=5&offset=${next}`);
      all.push(...p.body.result.entries);
      next = p.body.page.nextOffset;
    }
    expect(all.map((e) => e.date.edtf)).toEqual(['1998-11-16', '2016-02-19', '2016', '2016/2020', '2016/2020', '2021', 'XXXX', 'XXXX']);
    expect(first.body.source.kind).toBe('replayed');
  });

  it('reads through a time lens: asOf (business date) and asKnownOn (recording time)', async () => {
    const asOf2016 = await get<History>('/read-models/partner-history?partnerId=enm-france&asOf=2016&limit=5');
    expect(asOf2016.status).toBe(200);
    expect(asOf2016.body.asOf).toBe('2016-12-31');
    expect(asOf2016.body.result.entries.map((e) => e.date.edtf)).toEqual(['1998-11-16', '2016-02-19', '2016']);
    expect(asOf2016.body.lens!.eventsCounted).toBeGreaterThan(0);
    // Before anything was recorded, ENM was not in the record.
    const before = await get<History>(`/read-models/partner-history?partnerId=enm-france&asKnownOn=${encodeURIComponent(seededAt)}`);
    expect(before.status).toBe(404);
    expect(before.body.code).toBe('not-found');
  });

  it('serves every read model through the same lens and paging', async () => {
    const agreements = await get<{ agreements: { agreementId: string }[] }>('/read-models/agreements-register?partnerId=enm-france');
    expect(agreements.body.result.agreements.map((a) => a.agreementId)).toEqual(['enm-1998', 'enm-2016-protocol']);
    const report = await get<{ periods: { period: { key: string } }[] }>('/read-models/yearly-activity-report?period=2018');
    expect(report.body.result.periods.map((p) => p.period.key)).toEqual(['2018']);
    // The lines of a period, a window at a time (query text, as a browser sends it): how many in all, and the query of the next.
    type Lines = { periods: { sessions: { sessionId: string }[]; lineCounts: { sessions: number }; restOfLines: { params: Record<string, string> } | null }[] };
    const first = (await get<Lines>('/read-models/yearly-activity-report?period=2018&lines=1')).body.result.periods[0]!;
    expect(first.sessions).toHaveLength(1);
    expect(first.lineCounts.sessions).toBe(3);
    expect(first.restOfLines?.params).toEqual({ period: '2018', lines: '1', linesFrom: '1' });
    const next = (await get<Lines>(`/read-models/yearly-activity-report?${new URLSearchParams(first.restOfLines!.params).toString()}`)).body.result.periods[0]!;
    expect(next.sessions.map((s) => s.sessionId)).not.toContain(first.sessions[0]!.sessionId);
    // The partners of a period, the most active first, a window at a time: how many in all, and the query of the next.
    type Partners = { periods: { byPartner: { partnerId: string }[]; partnerCount: number; restOfPartners: { params: Record<string, string> } | null }[] };
    const none = (await get<Partners>('/read-models/yearly-activity-report?period=2018&partners=0')).body.result.periods[0]!;
    expect(none.byPartner).toEqual([]);
    expect(none.partnerCount).toBeGreaterThan(0);
    const all = (await get<Partners>(`/read-models/yearly-activity-report?${new URLSearchParams(none.restOfPartners!.params).toString()}`)).body.result.periods[0]!;
    expect(all.byPartner).toHaveLength(none.partnerCount);
    const trail = await get<{ events: { type: string; recordedBy: string }[] }>('/read-models/audit-trail?recordType=agreement&recordId=enm-1998');
    expect(trail.body.result.events).toEqual([expect.objectContaining({ type: 'AgreementSigned', recordedBy: 'seed' })]);
  });

  it('400 for bad parameters, a page over the maximum, or a lens that is not a date', async () => {
    const cases: [string, string][] = [
      ['/read-models/partner-history?partnerId=enm-france&limit=6', 'invalid-request'],
      ['/read-models/partner-history?partnerId=ENM France', 'invalid-request'],
      ['/read-models/partner-history', 'invalid-request'],
      ['/read-models/partner-history?partnerId=enm-france&asOf=yesterday', 'invalid-request'],
      ['/read-models/partner-history?partnerId=enm-france&asOf=2018-02-30', 'invalid-query'],
      ['/read-models/audit-trail?recordType=agreement', 'invalid-query'],
      ['/read-models/yearly-activity-report?lines=1001', 'invalid-request'],
      ['/read-models/yearly-activity-report?lines=some', 'invalid-request'],
      ['/read-models/yearly-activity-report?partners=1001', 'invalid-request'],
      ['/read-models/yearly-activity-report?partnersFrom=-1', 'invalid-request'],
    ];
    for (const [path, code] of cases) {
      const { status, body } = await get<never>(path);
      expect([path, status, body.code]).toEqual([path, 400, code]);
    }
  });

  it("keeps participants' personal data to the keys that record it", async () => {
    expect((await get<never>('/read-models/participant-record?participantId=judge-x')).status).toBe(403);
    expect((await get<never>('/read-models/participant-record?participantId=judge-x', 'clerk')).status).toBe(404);
    const shown = await get<never>('/read-models/audit-trail?stream=partner-enm-france&personalData=show');
    expect([shown.status, shown.body.code]).toEqual([403, 'forbidden']);
    expect((await get<never>('/read-models/audit-trail?stream=partner-enm-france&personalData=show', 'admin')).status).toBe(200);
    expect((await t.request('/read-models/agreements-register', { as: null })).status).toBe(401);
  });
});
