import { ScrubPendingError } from '@taawun/domain';
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

  it('a purge a reader\'s snapshot keeps from scrubbing: 503 erasure-incomplete with Retry-After, naming the copies; the repeat finishes it (200)', async () => {
    let readerHoldsSnapshot = true;
    const t = await start({
      onErased: async () => {
        if (readerHoldsSnapshot) throw new ScrubPendingError(['old pages of the stored read models with the participant\'s personal data in /srv/taawun.db and /srv/taawun.db-wal']);
      },
    });
    await register(t, 'attache-41-a', 'Amina El Alaoui');
    const held = await erase(t, 'attache-41-a');
    expect(held.status).toBe(503);
    expect(held.headers.get('retry-after')).toBe('5');
    const problem = (await held.json()) as { code: string; detail: string };
    expect(problem.code).toBe('erasure-incomplete');
    expect(problem.detail).toMatch(/^attache-41-a is erased \(recorded, key destroyed\), but another process holds a read snapshot of the database, so these copies are not scrubbed yet: old pages of the stored read models .* in \/srv\/taawun\.db and \/srv\/taawun\.db-wal; .*repeat the request then/);
    expect((await t.allEvents()).map((e) => e.type)).toContain('ParticipantDataErased');
    readerHoldsSnapshot = false;
    const again = await erase(t, 'attache-41-a');
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ alreadyRecorded: true, readModels: 'purged', residueCleared: true });
  });
});
