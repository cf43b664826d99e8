import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partnerBody, startTestServer, type TestServer } from './support/server.js';

/** Every status the command routes promise, each against a real server on a SQLite file. */

const expectProblem = async (response: Response, status: number, code: string) => {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  const body = (await response.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ status, code, type: `/problems/${code}` });
  expect(typeof body.title).toBe('string');
  expect(JSON.stringify(body)).not.toMatch(/\bat .*\.(ts|js):\d+|node_modules|stack/);
  return body;
};

describe('command routes', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => t.close());

  it('records a command: 200, the new revision as ETag, the actor from the key', async () => {
    const response = await t.request('/commands/register-partner', { json: partnerBody('enm-france') });
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe('"0"');
    const body = await response.json();
    expect(body).toMatchObject({ stream: 'partner-enm-france', revision: 0, events: [{ type: 'PartnerRegistered', revision: 0 }] });
    const [stored] = await t.allEvents();
    expect(stored!.metadata.actor).toBe('clerk-rabat');
    expect(stored!.metadata.commandType).toBe('RegisterPartner');
    expect(response.headers.get('ratelimit-limit')).toBe('600');
  });

  it('never takes the actor from the body: an actor field is an unknown field (400)', async () => {
    const response = await t.request('/commands/register-partner', { json: { ...partnerBody('mallory-school'), actor: 'mallory' } });
    const problem = await expectProblem(response, 400, 'invalid-command');
    expect(problem.fields).toEqual(['actor']);
    expect((await t.allEvents()).some((e) => e.stream === 'partner-mallory-school')).toBe(false);
  });

  it('the path names the command: a type in the body is an unknown field (400), even the path\'s own', async () => {
    for (const type of ['RegisterPartner', 'SignAgreement']) {
      const response = await t.request('/commands/register-partner', { json: { ...partnerBody('typed-school'), type } });
      const problem = await expectProblem(response, 400, 'invalid-command');
      expect(problem.errors).toEqual([{ field: 'type', message: 'is not a field of this command' }]);
    }
    expect((await t.allEvents()).some((e) => e.stream === 'partner-typed-school')).toBe(false);
  });

  it('400 names every offending field', async () => {
    const response = await t.request('/commands/sign-agreement', {
      json: { agreementId: 'Not A Slug', kind: 'treaty', partners: [], signedOn: '2016-13-01' },
    });
    const problem = await expectProblem(response, 400, 'invalid-command');
    expect(problem.fields).toEqual(expect.arrayContaining(['agreementId', 'kind', 'partners', 'signedOn']));
    expect(problem.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'signedOn' })]));
  });

  it('400 for malformed JSON, as a problem', async () => {
    const response = await t.request('/commands/register-partner', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"partnerId": "enm-',
    });
    await expectProblem(response, 400, 'malformed-json');
  });

  it('400 for an If-Match that is not an entity tag at all', async () => {
    const response = await t.request('/commands/rename-partner', {
      json: { partnerId: 'enm-france', name: { fr: 'ENM' }, effectiveOn: '2020' },
      headers: { 'if-match': 'W/abc' },
    });
    const problem = await expectProblem(response, 400, 'invalid-precondition');
    expect(problem.fields).toEqual(['If-Match']);
  });

  it('401 without a key, with an unknown key, or with Basic auth on the API', async () => {
    const body = JSON.stringify(partnerBody('giz'));
    const headers = { 'content-type': 'application/json' };
    const none = await t.request('/commands/register-partner', { as: null, method: 'POST', headers, body });
    await expectProblem(none, 401, 'unauthenticated');
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const wrong = await t.request('/commands/register-partner', { as: null, method: 'POST', headers: { ...headers, authorization: 'Bearer taawun_nope' }, body });
    await expectProblem(wrong, 401, 'unauthenticated');
    const basic = Buffer.from(`x:${t.keys.clerk}`).toString('base64');
    const viaBasic = await t.request('/commands/register-partner', { as: null, method: 'POST', headers: { ...headers, authorization: `Basic ${basic}` }, body });
    await expectProblem(viaBasic, 401, 'unauthenticated');
  });

  it('403 when the role does not allow it: auditors read only', async () => {
    await expectProblem(await t.request('/commands/register-partner', { as: 'auditor', json: partnerBody('giz') }), 403, 'forbidden');
  });

  it('has no generic erase-participant-data route (it would not purge the read models): 404, nothing stored', async () => {
    const registered = await t.request('/commands/register-participant', { json: { participantId: 'attache-41-z', kind: 'judicial-attache', cohort: 41 } });
    expect(registered.status).toBe(200);
    const before = (await t.allEvents()).length;
    const erase = { participantId: 'attache-41-z', reason: 'asked to be forgotten' };
    await expectProblem(await t.request('/commands/erase-participant-data', { as: 'admin', json: erase }), 404, 'route-not-found');
    expect(await t.allEvents()).toHaveLength(before);
  });

  it('404 for a command about a record that does not exist, and for an unknown route', async () => {
    await expectProblem(await t.request('/commands/cancel-session', { json: { sessionId: 'no-such-session', reason: 'never planned' } }), 404, 'not-found');
    await expectProblem(await t.request('/commands/launch-rocket', { json: {} }), 404, 'route-not-found');
  });

  it('409 for a record that already exists', async () => {
    await expectProblem(await t.request('/commands/register-partner', { json: partnerBody('enm-france') }), 409, 'already-exists');
  });

  it('412 when If-Match is stale or If-None-Match * finds the record', async () => {
    const rename = { partnerId: 'enm-france', name: { fr: 'École nationale de la magistrature (ENM)' }, effectiveOn: '2020' };
    const stale = await t.request('/commands/rename-partner', { json: rename, headers: { 'if-match': '"5"' } });
    await expectProblem(stale, 412, 'wrong-expected-revision');
    await expectProblem(await t.request('/commands/register-partner', { json: partnerBody('enm-france'), headers: { 'if-none-match': '*' } }), 412, 'wrong-expected-revision');
    const fresh = await t.request('/commands/rename-partner', { json: rename, headers: { 'if-match': '"0"' } });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('etag')).toBe('"1"');
    // The ETag it returned is the next precondition; the old one is now stale.
    await expectProblem(await t.request('/commands/rename-partner', { json: rename, headers: { 'if-match': '"0"' } }), 412, 'wrong-expected-revision');
  });

  it('413 for a body over the limit', async () => {
    const huge = { ...partnerBody('big'), name: { fr: 'x'.repeat(300 * 1024) } };
    await expectProblem(await t.request('/commands/register-partner', { json: huge }), 413, 'payload-too-large');
  });

  it('415 for a body that is not JSON', async () => {
    const response = await t.request('/commands/register-partner', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'partnerId=giz' });
    await expectProblem(response, 415, 'unsupported-media-type');
  });

  it('422 for a broken business rule: an agreement with a partner not recorded', async () => {
    const response = await t.request('/commands/sign-agreement', { json: { agreementId: 'ghost-2020', kind: 'convention', partners: ['ghost-school'], signedOn: '2020' } });
    const problem = await expectProblem(response, 422, 'unknown-reference');
    expect(problem.fields).toEqual(['partners.0']);
  });

  it('Idempotency-Key: a retry returns the first response exactly and writes nothing', async () => {
    const send = () => t.request('/commands/register-partner', { json: partnerBody('aecid'), headers: { 'idempotency-key': 'register-aecid-1' } });
    const first = await send();
    const before = (await t.allEvents()).length;
    // The stream moves on in between: the retry still answers as the first time.
    expect((await t.request('/commands/rename-partner', { json: { partnerId: 'aecid', name: { en: 'AECID' }, effectiveOn: '2021' } })).status).toBe(200);
    const retry = await send();
    expect(retry.status).toBe(first.status);
    expect(retry.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(await retry.text()).toBe(await first.text());
    expect((await t.allEvents()).length).toBe(before + 1);
    // Another key's identical Idempotency-Key is its own: it does not replay the clerk's response.
    const other = await t.request('/commands/register-partner', { as: 'admin', json: partnerBody('aecid'), headers: { 'idempotency-key': 'register-aecid-1' } });
    await expectProblem(other, 409, 'already-exists');
  });
});

describe('limits', () => {
  it('429 with Retry-After once a key spends its rate', async () => {
    const t = await startTestServer({ limits: { requestsPerMinute: 3 } });
    try {
      for (let i = 0; i < 3; i++) expect((await t.request('/events', { as: 'auditor' })).status).toBe(200);
      const limited = await t.request('/events', { as: 'auditor' });
      await expectProblem(limited, 429, 'rate-limited');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(limited.headers.get('ratelimit-remaining')).toBe('0');
      // Another key has its own window.
      expect((await t.request('/events', { as: 'clerk' })).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('the health checks answer after an address has spent its rate on failed logins (one proxy address for every client)', async () => {
    const t = await startTestServer({ limits: { requestsPerMinute: 3 } });
    try {
      for (let i = 0; i < 3; i++) expect((await t.request('/events', { as: null, headers: { authorization: 'Bearer taawun_wrong' } })).status).toBe(401);
      await expectProblem(await t.request('/events', { as: null, headers: { authorization: 'Bearer taawun_wrong' } }), 429, 'rate-limited');
      expect((await t.request('/health/live', { as: null })).status).toBe(200);
      expect((await t.request('/health/ready', { as: null })).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('503 when a request outlasts the timeout (a body that never finishes arriving)', async () => {
    const t = await startTestServer({ limits: { requestTimeoutMs: 300 } });
    try {
      const { status, headers, body } = await new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
        const url = new URL('/commands/register-partner', t.url);
        const req = httpRequest(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${t.keys.clerk}`, 'content-type': 'application/json', 'content-length': '500' },
        });
        req.on('response', (res) => {
          let text = '';
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
        });
        req.on('error', reject);
        req.write('{"partnerId": "slow-');
      });
      expect(status).toBe(503);
      expect(headers['content-type']).toBe('application/problem+json');
      expect(JSON.parse(body)).toMatchObject({ code: 'request-timeout' });
      expect(await t.allEvents()).toEqual([]);
    } finally {
      await t.close();
    }
  });
});

describe('server-side failures', () => {
  it('500 without details when the store fails; the cause is logged, not sent', async () => {
    const t = await startTestServer();
    try {
      await t.store.close();
      const response = await t.request('/commands/register-partner', { json: partnerBody('giz') });
      const problem = await expectProblem(response, 500, 'store-failure');
      expect(String(problem.detail)).not.toMatch(/taawun-http-|events\.db|closed/);
      expect(t.logs.join('\n')).toMatch(/RegisterPartner on partner-giz failed/);
    } finally {
      await t.close();
    }
  });
});
