import { newEventId, type StoredEvent } from '@taawun/domain';
import { loadInstituteRecord } from '@taawun/example-institute-record';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partnerBody, startTestServer, type TestServer } from './support/server.js';
import { openSse } from './support/sse.js';

interface Page {
  events: { id: string; stream: string; type: string; position: string; revision: number; metadata: { actor: string } }[];
  checkpoint: string | null;
  hasMore: boolean;
}

let t: TestServer;
let seeded: StoredEvent[];
beforeAll(async () => {
  t = await startTestServer({ limits: { maxPageSize: 50 } });
  const report = await loadInstituteRecord(t.store, { actor: 'seed', now: () => new Date(), newId: newEventId });
  expect(report.failures).toEqual([]);
  seeded = await t.allEvents();
});
afterAll(async () => t.close());

const page = async (query: string, as: 'auditor' | 'clerk' | 'admin' = 'auditor') => {
  const response = await t.request(`/events${query}`, { as });
  expect(response.status).toBe(200);
  return (await response.json()) as Page;
};

describe('GET /events', () => {
  it('pages through the whole log in order from checkpoints', async () => {
    const read: Page['events'] = [];
    let checkpoint: string | null = null;
    let pages = 0;
    for (;;) {
      const p: Page = await page(`?limit=7${checkpoint ? `&after=${checkpoint}` : ''}`);
      read.push(...p.events);
      pages++;
      expect(p.events.length).toBeLessThanOrEqual(7);
      checkpoint = p.checkpoint;
      if (!p.hasMore) break;
    }
    expect(pages).toBe(Math.ceil(seeded.length / 7));
    expect(read.map((e) => e.id)).toEqual(seeded.map((e) => e.id));
    expect(read.map((e) => e.position)).toEqual(seeded.map((e) => e.position.toString()));
    expect(read[0]!.metadata.actor).toBe('seed');
    // At the end, the checkpoint stays put, ready for polling.
    expect(await page(`?after=${checkpoint}`)).toEqual({ events: [], checkpoint, hasMore: false });
  });

  it('filters by event type (several, comma-separated) and by exact stream', async () => {
    const signed = await page('?type=AgreementSigned,SessionHeld&limit=50');
    const expected = seeded.filter((e) => e.type === 'AgreementSigned' || e.type === 'SessionHeld');
    expect(signed.events.map((e) => e.id)).toEqual(expected.map((e) => e.id));
    expect(expected.length).toBeGreaterThan(4);

    // `partner-enm` is a prefix of `partner-enm-france`: the stream filter is exact.
    expect((await t.request('/commands/register-partner', { json: partnerBody('enm') })).status).toBe(200);
    const enm = await page('?stream=partner-enm');
    expect(enm.events.map((e) => e.stream)).toEqual(['partner-enm']);
    const prefixed = await page('?streamPrefix=partner-enm');
    expect(new Set(prefixed.events.map((e) => e.stream))).toEqual(new Set(['partner-enm', 'partner-enm-france']));
  });

  it('holds to the hard maximum page size and rejects bad parameters with 400', async () => {
    expect((await page('')).events.length).toBe(50);
    for (const query of ['?limit=51', '?limit=0', '?limit=ten', '?after=-1', '?type=Agreement Signed', '?stream=Partner_ENM']) {
      const response = await t.request(`/events${query}`, { as: 'auditor' });
      expect(response.status, query).toBe(400);
      const problem = (await response.json()) as { code: string; fields: string[] };
      expect(problem.code).toBe('invalid-request');
      expect(problem.fields).toHaveLength(1);
    }
  });

  it('needs a key (401), of any role', async () => {
    expect((await t.request('/events', { as: null })).status).toBe(401);
    for (const as of ['auditor', 'clerk', 'admin'] as const) expect((await t.request('/events?limit=1', { as })).status).toBe(200);
  });
});

describe('GET /events/stream (Server-Sent Events)', () => {
  it('catches up, then sends new events live; Last-Event-ID resumes without gaps or repeats', async () => {
    const auth = { authorization: `Bearer ${t.keys.auditor}` };
    const partnerEvents = (await t.allEvents()).filter((e) => e.stream.startsWith('partner-'));
    const feed = await openSse(`${t.url}/events/stream?streamPrefix=partner-`, auth);
    expect(feed.response.status).toBe(200);
    expect(feed.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const caughtUp = await feed.next(partnerEvents.length);
    expect(caughtUp.map((m) => m.id)).toEqual(partnerEvents.map((e) => e.position.toString()));
    expect(JSON.parse(caughtUp[0]!.data)).toMatchObject({ id: partnerEvents[0]!.id, type: 'PartnerRegistered' });

    expect((await t.request('/commands/register-partner', { json: partnerBody('live-one') })).status).toBe(200);
    // Events of other streams are filtered out of this feed.
    expect((await t.request('/commands/register-participant', { json: { participantId: 'judge-live', kind: 'judge' } })).status).toBe(200);
    const [live] = await feed.next(1);
    expect(JSON.parse(live!.data)).toMatchObject({ stream: 'partner-live-one', type: 'PartnerRegistered', metadata: { actor: 'clerk-rabat' } });
    feed.close();

    // While disconnected, another partner is registered; the reconnecting client gets exactly that one.
    expect((await t.request('/commands/register-partner', { json: partnerBody('live-two') })).status).toBe(200);
    const resumed = await openSse(`${t.url}/events/stream?streamPrefix=partner-`, { ...auth, 'last-event-id': live!.id! });
    const [missed] = await resumed.next(1);
    expect(JSON.parse(missed!.data)).toMatchObject({ stream: 'partner-live-two' });
    await expect(resumed.next(1, 400)).rejects.toThrow(/got 0/);
    // Left open on purpose: closing the server must end live feeds rather than hang.
  });

  it('HEAD answers the headers without opening a feed: no slot is held, and the server still closes', async () => {
    const openFeeds = async () => Number(/^taawun_live_feeds_open (\d+)$/m.exec(await (await t.request('/metrics', { as: 'auditor' })).text())![1]);
    const before = await openFeeds();
    for (let i = 0; i < 12; i++) {
      const head = await t.request('/events/stream', { as: 'auditor', method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-type')).toMatch(/^text\/event-stream/);
    }
    // More HEADs than the key's own cap of feeds, and none is held: a real feed still opens.
    expect(await openFeeds()).toBe(before);
    const feed = await openSse(`${t.url}/events/stream`, { authorization: `Bearer ${t.keys.auditor}` });
    await feed.next(1);
    feed.close();
  });

  it('needs a key, and rejects a malformed Last-Event-ID', async () => {
    expect((await t.request('/events/stream', { as: null })).status).toBe(401);
    const bad = await t.request('/events/stream', { as: 'auditor', headers: { 'last-event-id': 'yesterday' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { fields: string[] }).fields).toEqual(['last-event-id']);
  });
});
