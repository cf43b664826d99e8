import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestServerOptions } from './support/server.js';

/**
 * The erasure route's purge of the read models (`onErased`) when it fails. The
 * purge itself, and the followers that must follow the models it rebuilds, are
 * the composition's: see `serveRuntime` in `@taawun/runtime` and its tests.
 */

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
const start = async (options: TestServerOptions) => {
  const t = await startTestServer({ personalData: true, storedReadModels: true, ...options });
  servers.push(t);
  return t;
};

const register = async (t: TestServer, participantId: string, name?: string) => {
  const response = await t.request('/commands/register-participant', {
    json: { participantId, kind: 'judicial-attache', cohort: 41, ...(name ? { personal: { fullName: { fr: name } } } : {}) },
  });
  expect(response.status).toBe(200);
};

const erase = (t: TestServer, participantId: string) =>
  t.request(`/participants/${participantId}/erasure`, { as: 'admin', json: { reason: 'request of 2024-05-28, file DPO-2024-17' } });

describe('the purge after an erasure, through the erasure route', () => {
  it('a purge that fails while the request waits: 500 saying the erasure is recorded and may be repeated; the failure is logged', async () => {
    const t = await start({
      onErased: async () => {
        throw new Error('disk full while rebuilding');
      },
    });
    await register(t, 'attache-41-a', 'Amina El Alaoui');
    const erased = await erase(t, 'attache-41-a');
    expect(erased.status).toBe(500);
    const problem = (await erased.json()) as { code: string; detail: string };
    expect(problem.code).toBe('store-failure');
    expect(problem.detail).toMatch(/erasure is recorded and the key destroyed.*repeat the request/);
    expect(t.logs.join('\n')).toContain('disk full while rebuilding');
    expect((await t.allEvents()).map((e) => e.type)).toContain('ParticipantDataErased');
  });
});
