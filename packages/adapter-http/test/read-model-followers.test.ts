import { openSqliteEventStore, openSqliteReadModelStorage, purgeReadModels } from '@taawun/adapter-sqlite';
import { encryptPersonalData, eraseParticipant, newEventId } from '@taawun/domain';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestServerOptions } from './support/server.js';

/**
 * The server's read-model followers after an erasure: the purge rebuilds the
 * models that hold names into new generations and deletes the ones the
 * followers wrote. The followers must follow the new ones, so a participant
 * registered afterwards is found in the stored participant record.
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

const participantRecord = async (t: TestServer, participantId: string) => {
  const response = await t.request(`/read-models/participant-record?participantId=${participantId}`, { as: 'clerk' });
  const body = (await response.json()) as { source?: { kind: string } };
  return { status: response.status, source: body.source?.kind, text: JSON.stringify(body) };
};

/** Poll until the stored participant record (not a replay) has the participant. */
const foundInStoredModel = (t: TestServer, participantId: string) =>
  expect
    .poll(async () => {
      const { status, source } = await participantRecord(t, participantId);
      return `${status} ${source}`;
    }, { timeout: 10_000, interval: 100 })
    .toBe('200 stored');

const erase = (t: TestServer, participantId: string) =>
  t.request(`/participants/${participantId}/erasure`, { as: 'admin', json: { reason: 'request of 2024-05-28, file DPO-2024-17' } });

describe('stored read models after an erasure', () => {
  it('through the erasure route: the read models are purged, and a participant registered afterwards is found', async () => {
    const t = await start({ onErased: 'purge' });
    await register(t, 'attache-41-a', 'Amina El Alaoui');
    await foundInStoredModel(t, 'attache-41-a');
    expect((await participantRecord(t, 'attache-41-a')).text).toContain('Amina El Alaoui');

    const erased = await erase(t, 'attache-41-a');
    expect(erased.status).toBe(201);
    expect(await erased.json()).toMatchObject({ alreadyRecorded: false, keyDestroyedNow: true, readModels: 'purged' });
    expect((await participantRecord(t, 'attache-41-a')).text).not.toContain('Amina');

    await register(t, 'attache-41-b', 'Karim Tazi');
    await foundInStoredModel(t, 'attache-41-b');
    expect((await participantRecord(t, 'attache-41-b')).text).toContain('Karim Tazi');
    expect(t.logs.filter((line) => line.includes('failed'))).toEqual([]);
  });

  it('by another connection to the same file (taawun erase-participant while the server runs): the followers notice and follow the new generations', async () => {
    const t = await start({ followerCheckIntervalMs: 100 });
    await register(t, 'attache-41-a', 'Amina El Alaoui');
    await foundInStoredModel(t, 'attache-41-a');

    // What the CLI does, on connections of its own: record, destroy the key, purge (rebuild from scratch).
    const events = await openSqliteEventStore(t.file);
    const storage = await openSqliteReadModelStorage(events);
    try {
      const store = encryptPersonalData(events, t.keyStore!);
      const result = await eraseParticipant(store, t.keyStore!, 'attache-41-a', 'request of 2024-05-28', { actor: 'dpo', now: () => new Date(), newId: newEventId }, {
        onErased: async () => {
          expect((await purgeReadModels({ store, storage })).rebuilt).toContain('participant-record');
        },
      });
      expect(result.ok).toBe(true);
    } finally {
      await storage.close();
      await events.close();
    }

    await register(t, 'attache-41-b', 'Karim Tazi');
    await foundInStoredModel(t, 'attache-41-b');
    expect((await participantRecord(t, 'attache-41-a')).text).not.toContain('Amina');
    expect(t.logs.join('\n')).toMatch(/read model participant-record: (generation \d+ is no longer the active one|another runner replaced or wrote)/);
  });

  it('a purge slower than the request timeout: the erasure is recorded and answered in time, the purge goes on in the background', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let purged = false;
    const t: TestServer = await start({
      limits: { requestTimeoutMs: 800 },
      onErased: async () => {
        await gate;
        await purgeReadModels({ store: t.store, storage: t.readModelStorage! });
        purged = true;
      },
    });
    await register(t, 'attache-41-a', 'Amina El Alaoui');
    await foundInStoredModel(t, 'attache-41-a');

    const began = Date.now();
    const erased = await erase(t, 'attache-41-a');
    expect(erased.status).toBe(201);
    expect(Date.now() - began).toBeLessThan(800);
    expect(await erased.json()).toMatchObject({ alreadyRecorded: false, keyDestroyedNow: true, readModels: 'purging', event: { type: 'ParticipantDataErased' } });
    expect(await t.keyStore!.isDestroyed('attache-41-a')).toBe(true);

    release();
    await expect.poll(() => purged, { timeout: 10_000 }).toBe(true);
    await expect.poll(async () => (await participantRecord(t, 'attache-41-a')).text, { timeout: 10_000 }).not.toContain('Amina');
    await register(t, 'attache-41-b');
    await foundInStoredModel(t, 'attache-41-b');
  });

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
