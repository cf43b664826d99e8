import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partnerBody, startTestServer, type TestServer } from './support/server.js';
import { openSse } from './support/sse.js';

/** What an operator runs the server with: the access log, /metrics, /health/*, a graceful shutdown. */

/** One sample's value from Prometheus' text format (0 when the series is absent). */
const sample = (text: string, series: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
};

describe('operations', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => t.close());

  const scrape = async () => {
    const response = await t.request('/metrics', { as: 'auditor' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.text();
  };

  it('/metrics, for auditor and admin keys, moves with a command: request counts, latency, log head', async () => {
    const ok = 'taawun_http_requests_total{method="POST",route="/commands/register-partner",status="200"}';
    const refused = 'taawun_http_requests_total{method="POST",route="/commands/register-partner",status="400"}';
    const before = await scrape();
    expect((await t.request('/commands/register-partner', { json: partnerBody('metrics-school') })).status).toBe(200);
    expect((await t.request('/commands/register-partner', { json: { partnerId: 'Bad Id' } })).status).toBe(400);
    const after = await scrape();
    expect(sample(after, ok)).toBe(sample(before, ok) + 1);
    expect(sample(after, refused)).toBe(sample(before, refused) + 1);
    expect(sample(after, 'taawun_http_request_duration_seconds_count{method="POST",route="/commands/register-partner",status="200"}')).toBe(sample(before, 'taawun_http_request_duration_seconds_count{method="POST",route="/commands/register-partner",status="200"}') + 1);
    expect(sample(after, 'taawun_log_head_position')).toBeGreaterThan(sample(before, 'taawun_log_head_position'));
    for (const name of ['taawun_live_feeds_open', 'taawun_replays_in_flight', 'taawun_process_cpu_seconds_total']) expect(after).toContain(`\n${name} `);
    // No path in a label: ids would leak into the series and multiply them.
    expect(after).not.toContain('metrics-school');
    expect((await t.request('/metrics', { as: 'admin' })).status).toBe(200);
    expect((await t.request('/metrics', { as: 'clerk' })).status).toBe(403);
    expect((await t.request('/metrics', { as: null })).status).toBe(401);
  });

  it('counts live feeds open', async () => {
    const feed = await openSse(`${t.url}/events/stream`, { authorization: `Bearer ${t.keys.auditor}` });
    expect(sample(await scrape(), 'taawun_live_feeds_open')).toBe(1);
    feed.close();
    await expect.poll(async () => sample(await scrape(), 'taawun_live_feeds_open')).toBe(0);
  });

  it('/health/live and /health/ready answer without a key (no read models to wait for here)', async () => {
    const live = await t.request('/health/live', { as: null });
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'live' });
    const ready = await t.request('/health/ready', { as: null });
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', readModels: [], reasons: [] });
  });

  it('writes one access-log line per request: request id, key name and role, route pattern, status, latency; never the key nor the path', async () => {
    const response = await t.request('/commands/register-partner', { json: partnerBody('logged-school'), headers: { 'x-request-id': 'req-42' } });
    expect(response.headers.get('x-request-id')).toBe('req-42');
    await t.request('/nowhere?name=Someone', { as: 'auditor' });
    const line = t.accessLogs.find((l) => l.requestId === 'req-42')!;
    expect(line).toMatchObject({ msg: 'request', method: 'POST', route: '/commands/register-partner', status: 200, key: 'clerk-rabat', role: 'clerk' });
    expect(typeof line.latencyMs).toBe('number');
    const missing = t.accessLogs.at(-1)!;
    expect(missing).toMatchObject({ route: '(none)', status: 404, key: 'auditor-court' });
    expect(String(missing.requestId)).toMatch(/^[0-9a-f-]{36}$/);
    const all = JSON.stringify(t.accessLogs);
    for (const secret of Object.values(t.keys)) expect(all).not.toContain(secret);
    expect(all).not.toMatch(/logged-school|Someone|École/);
  });
});

it('shuts down gracefully: the request under way is answered, live feeds end with a final event', async () => {
  const t = await startTestServer();
  const feed = await openSse(`${t.url}/events/stream`, { authorization: `Bearer ${t.keys.auditor}` });
  const body = JSON.stringify(partnerBody('last-one'));
  // A command whose body is still arriving when the shutdown begins.
  const under = new Promise<number>((resolve, reject) => {
    const req = httpRequest(new URL('/commands/register-partner', t.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${t.keys.clerk}`, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    req.write(body.slice(0, 10));
    setTimeout(() => req.end(body.slice(10)), 300);
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  const closing = t.server.close();
  const [final] = await feed.next(1);
  expect(final).toMatchObject({ event: 'end' });
  expect(await under).toBe(200);
  await closing;
  await t.close();
});

it('/health/ready and /metrics tell a model being rebuilt from one waiting its turn to catch up and one that lags', async () => {
  const follower = { restarts: 0, lastError: undefined, stopped: false };
  const t = await startTestServer({
    limits: { maxReadModelLag: 1 },
    readModelStatus: () => [
      { ...follower, name: 'partner-history', position: undefined, rebuilding: true, waitingTurn: false },
      { ...follower, name: 'agreements-register', position: undefined, rebuilding: false, waitingTurn: true },
      { ...follower, name: 'record-streams', position: 2n, rebuilding: false, waitingTurn: false },
    ],
  });
  try {
    for (const id of ['school-a', 'school-b']) expect((await t.request('/commands/register-partner', { json: partnerBody(id) })).status).toBe(200);
    const ready = await t.request('/health/ready', { as: null });
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { reasons: string[]; readModels: { name: string; waitingTurn: boolean }[] };
    // record-streams is at the head: not a reason.
    expect(body.reasons).toEqual([
      'read model partner-history is being rebuilt',
      "read model agreements-register waits for another model's catch-up to end before its own (2 events behind the log)",
    ]);
    expect(body.readModels.map((m) => [m.name, m.waitingTurn])).toEqual([['partner-history', false], ['agreements-register', true], ['record-streams', false]]);
    const metrics = await (await t.request('/metrics', { as: 'auditor' })).text();
    expect(sample(metrics, 'taawun_read_model_waiting_turn{read_model="agreements-register"}')).toBe(1);
    expect(sample(metrics, 'taawun_read_model_waiting_turn{read_model="partner-history"}')).toBe(0);
  } finally {
    await t.close();
  }
});
