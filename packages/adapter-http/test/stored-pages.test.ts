import { newEventId } from '@taawun/domain';
import { loadInstituteRecord } from '@taawun/example-institute-record';
import { participantRecordProjection, partnerHistoryProjection, ProjectionRunner } from '@taawun/projections';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HARD_BROTLI_QUALITY, HARDER_AFTER_SENDS } from '../src/http/page-cache.js';
import { createApiKey, createHttpApp } from '../src/index.js';
import { startTestServer, type KeyName, type TestServer } from './support/server.js';

/**
 * A stored page asked again is sent as it was kept, while its model has not
 * changed: a write that reaches the model gives the new answer, each role has
 * its own, and answers with personal data are never kept.
 */

let t: TestServer;
const catchUp = async () => {
  for (const projection of [partnerHistoryProjection, participantRecordProjection]) {
    await new ProjectionRunner(projection, { store: t.store, storage: t.readModelStorage! }).catchUp();
  }
};
beforeAll(async () => {
  t = await startTestServer({ storedReadModels: true });
  const report = await loadInstituteRecord(t.store, { actor: 'seed', now: () => new Date(), newId: newEventId });
  expect(report.failures).toEqual([]);
  await catchUp();
});
afterAll(async () => t.close());

const HISTORY = '/read-models/partner-history?partnerId=enm-france&limit=20';
const read = (path: string, as: KeyName, headers: Record<string, string> = {}) => t.request(path, { as, headers: { 'accept-encoding': 'identity', ...headers } });

/** `taawun_stored_pages_total` by read model and outcome, from /metrics. */
async function storedPages(): Promise<Record<string, number>> {
  const text = await (await read('/metrics', 'admin')).text();
  const counts: Record<string, number> = {};
  for (const m of text.matchAll(/^taawun_stored_pages_total\{read_model="([^"]+)",outcome="([^"]+)"\} (\d+)$/gm)) counts[`${m[1]} ${m[2]}`] = Number(m[3]);
  return counts;
}

describe('stored pages kept while their model has not changed', () => {
  it('gives an ETag; If-None-Match naming it is a 304 without a body; the page is sent as kept, byte for byte', async () => {
    const first = await read(HISTORY, 'auditor');
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const body = await first.text();
    expect(JSON.parse(body).source.kind).toBe('stored');

    const unchanged = await read(HISTORY, 'auditor', { 'if-none-match': `"other", W/${etag}` });
    expect(unchanged.status).toBe(304);
    expect(unchanged.headers.get('etag')).toBe(etag);
    expect(await unchanged.text()).toBe('');

    const again = await read(HISTORY, 'auditor', { 'if-none-match': '"an-answer-of-another-day"' });
    expect(again.status).toBe(200);
    expect(await again.text()).toBe(body);
    expect((await storedPages())['partner-history kept']).toBeGreaterThanOrEqual(2);
  });

  it('compressed for a client that accepts it, brotli on a tie, each coding another representation of the same bytes (its own ETag)', async () => {
    const plain = await read(HISTORY, 'auditor', { 'accept-encoding': 'identity' });
    expect(plain.headers.get('content-encoding')).toBeNull();
    const text = await plain.text();
    const tag = plain.headers.get('etag')!.slice(0, -1);
    const zipped = await read(HISTORY, 'auditor', { 'accept-encoding': 'br;q=0.5, gzip' });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(zipped.headers.get('vary')).toBe('Accept-Encoding');
    expect(zipped.headers.get('etag')).toBe(`${tag}-gz"`);
    expect(await zipped.text()).toBe(text); // fetch decodes it
    const brotli = await read(HISTORY, 'auditor', { 'accept-encoding': 'gzip, deflate, br' }); // a browser's
    expect(brotli.headers.get('content-encoding')).toBe('br');
    expect(brotli.headers.get('vary')).toBe('Accept-Encoding');
    expect(brotli.headers.get('etag')).toMatch(new RegExp(`^${tag}-br\\d+"$`));
    expect(await brotli.text()).toBe(text);
    expect((await read(HISTORY, 'auditor', { 'accept-encoding': 'gzip;q=0' })).headers.get('content-encoding')).toBeNull();
    expect((await read(HISTORY, 'auditor', { 'accept-encoding': 'gzip', 'if-none-match': zipped.headers.get('etag')! })).status).toBe(304);
    // Asked for again and again, the page is compressed harder in the background: fewer bytes, the same answer, another ETag.
    let harder: Response | undefined;
    for (let i = 0; i < 50 && !harder; i++) {
      const again = await read(HISTORY, 'auditor', { 'accept-encoding': 'br' });
      if (again.headers.get('etag') === `${tag}-br${HARD_BROTLI_QUALITY}"`) harder = again;
      else await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(harder).toBeDefined();
    expect(await harder!.text()).toBe(text);
    expect((await read(HISTORY, 'auditor', { 'accept-encoding': 'br', 'if-none-match': `${tag}-br${HARD_BROTLI_QUALITY}"` })).status).toBe(304);
  });

  it("counts a page being compressed harder as the server's background work: once that is done, the harder page is sent", async () => {
    // An app of its own on the same store and models (the shared server's cache has compressed this page already).
    const { key, entry } = createApiKey('auditor-background', 'auditor');
    const http = createHttpApp({ store: t.store, keys: [entry], readModelStorage: t.readModelStorage!, accessLog: false, log: () => undefined });
    const ask = () => http.app.request(HISTORY, { headers: { authorization: `Bearer ${key}`, 'accept-encoding': 'br' } });
    // The first answer is computed and kept; the sends after it count, and the last of these starts the harder compression.
    for (let send = 0; send <= HARDER_AFTER_SENDS; send++) expect((await ask()).headers.get('etag')).not.toMatch(new RegExp(`-br${HARD_BROTLI_QUALITY}"$`));
    await http.backgroundWork();
    expect((await ask()).headers.get('etag')).toMatch(new RegExp(`-br${HARD_BROTLI_QUALITY}"$`));
  });

  it('a write that reaches the stored model gives the new answer at once, under a new ETag', async () => {
    const before = await read(HISTORY, 'auditor');
    const etag = before.headers.get('etag')!;
    const renamed = await t.request('/commands/rename-partner', { as: 'clerk', json: { partnerId: 'enm-france', name: { fr: 'École nationale de la magistrature (ENM)' }, effectiveOn: '2024' } });
    expect([renamed.status, renamed.status === 200 ? '' : await renamed.text()]).toEqual([200, '']);
    // Recorded, but not yet in the stored model: the stored answer is still the model's, as without keeping it.
    expect((await read(HISTORY, 'auditor', { 'if-none-match': etag })).status).toBe(304);
    await catchUp();
    const after = await read(HISTORY, 'auditor', { 'if-none-match': etag });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(etag);
    const answer = (await after.json()) as { source: { position: string }; result: { partner: { name: { fr: string } } } };
    expect(answer.result.partner.name.fr).toBe('École nationale de la magistrature (ENM)');
    expect(BigInt(answer.source.position)).toBeGreaterThan(BigInt(((await before.json()) as { source: { position: string } }).source.position));
  });

  it('keeps a page under its query string as sent: the same string is sent as kept, another spelling is computed, an invalid one is still refused', async () => {
    const path = '/read-models/partner-history?partnerId=enabel&limit=9';
    const start = await storedPages();
    const first = await read(path, 'auditor');
    const again = await read(path, 'auditor');
    expect(await again.text()).toBe(await first.text());
    // The same question written otherwise: computed (and kept under its own string), the same answer.
    const spelledOtherwise = await read('/read-models/partner-history?limit=9&offset=0&partnerId=enabel', 'auditor');
    expect(await spelledOtherwise.text()).toBe(await (await read(path, 'auditor')).text());
    const end = await storedPages();
    expect((end['partner-history computed'] ?? 0) - (start['partner-history computed'] ?? 0)).toBe(2);
    expect((end['partner-history kept'] ?? 0) - (start['partner-history kept'] ?? 0)).toBe(2);
    // A query that does not validate is never kept, however often it is sent.
    for (let i = 0; i < 2; i++) expect((await read('/read-models/partner-history?partnerId=enabel&limit=0', 'auditor')).status).toBe(400);
  });

  it("keeps each role's answer apart, and never keeps an answer with personal data", async () => {
    const path = '/read-models/partner-history?partnerId=giz&limit=7';
    const start = await storedPages();
    expect((await read(path, 'auditor')).status).toBe(200);
    expect((await read(path, 'clerk')).status).toBe(200); // not the auditor's: read from the model
    expect((await read(path, 'auditor')).status).toBe(200);
    expect((await read(path, 'clerk')).status).toBe(200);
    const end = await storedPages();
    expect((end['partner-history computed'] ?? 0) - (start['partner-history computed'] ?? 0)).toBe(2);
    expect((end['partner-history kept'] ?? 0) - (start['partner-history kept'] ?? 0)).toBe(2);

    // The participants (personal data): read from the model every time, and refused to an auditor whoever read them before.
    expect((await read('/read-models/participants?limit=5', 'clerk')).status).toBe(200);
    expect((await read('/read-models/participants?limit=5', 'clerk')).status).toBe(200);
    expect((await read('/read-models/participants?limit=5', 'auditor')).status).toBe(403);
    const last = await storedPages();
    expect(Object.keys(last).filter((k) => k.startsWith('participants '))).toEqual([]);
  });
});
