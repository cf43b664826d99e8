import { createApiKey } from '@taawun/adapter-http';
import { eraseParticipant } from '@taawun/domain';
import { afterEach, describe, expect, it } from 'vitest';
import { loadInstituteRecord, openRuntime, purgeAfterErasure, serveRuntime, type Runtime, type ServeRuntimeOptions, type ServingRuntime } from '../src/index.js';
import { clerk, temporaryFolders } from './support.js';

/**
 * A runtime served over HTTP on a loopback port, on a SQLite file: the read
 * models beside the log answer, the followers keep them current, and an
 * erasure's purge rebuilds the ones that hold names, after which the followers
 * must follow the new generations, or what is recorded next is missing from
 * the stored answers.
 */
const folders = temporaryFolders();
const running: { server: ServingRuntime; runtime: Runtime }[] = [];
afterEach(async () => {
  for (const { server, runtime } of running.splice(0)) {
    await server.close();
    await runtime.close();
  }
  await folders.removeAll();
});

const admin = createApiKey('admin-test', 'admin');

async function serve(options: Partial<ServeRuntimeOptions> = {}) {
  const file = `${await folders.make('serve')}/taawun.db`;
  const runtime = await openRuntime(`sqlite:${file}`);
  const logs: string[] = [];
  const server = await serveRuntime(runtime, { keys: [admin.entry], port: 0, log: (message) => logs.push(message), accessLog: false, ...options });
  running.push({ server, runtime });
  const request = (path: string, json?: unknown) =>
    fetch(`${server.url}${path}`, {
      method: json === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${admin.key}`, ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    });
  return { file, runtime, server, logs, request };
}
type Served = Awaited<ReturnType<typeof serve>>;

const register = async (t: Served, participantId: string, name?: string) => {
  const response = await t.request('/commands/register-participant', { participantId, kind: 'judicial-attache', cohort: 41, ...(name ? { personal: { fullName: { fr: name } } } : {}) });
  expect(response.status).toBe(200);
};

const participantRecord = async (t: Served, participantId: string) => {
  const response = await t.request(`/read-models/participant-record?participantId=${participantId}`);
  const body = (await response.json()) as { source?: { kind: string } };
  return { status: response.status, source: body.source?.kind, text: JSON.stringify(body) };
};

/** Poll until the stored participant record (not a replay) has the participant. */
const foundInStoredModel = (t: Served, participantId: string) =>
  expect
    .poll(async () => {
      const { status, source } = await participantRecord(t, participantId);
      return `${status} ${source}`;
    }, { timeout: 10_000, interval: 100 })
    .toBe('200 stored');

const erase = (t: Served, participantId: string) => t.request(`/participants/${participantId}/erasure`, { reason: 'request of 2024-05-28, file DPO-2024-17' });

describe('serveRuntime', () => {
  it('keeps the stored read models current while it runs, and answers from them', async () => {
    const t = await serve();
    expect(t.server.readModels?.besideLog).toBe(true);
    expect((await loadInstituteRecord(t.runtime.store, clerk('seed'))).failures).toEqual([]);
    const agreements = async () => (await (await t.request('/read-models/agreements-register?limit=10')).json()) as { source: { kind: string }; result: { agreements: { agreementId: string }[] } };
    // The follower commits as it goes: poll until it has caught up with the whole record.
    await expect.poll(async () => {
      const { source, result } = await agreements();
      return `${source.kind}: ${result.agreements.length}`;
    }, { timeout: 10_000 }).toBe('stored: 4');
    const signed = await t.request('/commands/sign-agreement', { agreementId: 'giz-2024', kind: 'memorandum', partners: ['giz'], signedOn: '2024-01-10' });
    expect(signed.status).toBe(200);
    await expect.poll(async () => (await agreements()).result.agreements.map((a) => a.agreementId), { timeout: 10_000 }).toContain('giz-2024');
    expect((await agreements()).source.kind).toBe('stored');
  });

  it('without followers, the stored models stay where they were', async () => {
    const t = await serve({ followReadModels: false });
    expect(t.server.followers).toBeUndefined();
    await register(t, 'attache-41-a');
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Nothing built the participant record: the answer is a replay of the log.
    expect(await t.server.readModels!.storage.generations('participant-record')).toEqual([]);
    expect(await participantRecord(t, 'attache-41-a')).toMatchObject({ status: 200, source: 'replayed' });
  });

  it('through the erasure route: the read models are purged, and a participant registered afterwards is found', async () => {
    const t = await serve();
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

  it('by another runtime on the same file (taawun erase-participant while the server runs): the followers notice and follow the new generations', async () => {
    const t = await serve({ followerCheckIntervalMs: 100 });
    await register(t, 'attache-41-a', 'Amina El Alaoui');
    await foundInStoredModel(t, 'attache-41-a');

    // What the CLI does, on connections of its own: record, destroy the key, purge (rebuild from scratch).
    const other = await openRuntime(`sqlite:${t.file}`, { mustExist: true });
    try {
      const result = await eraseParticipant(other.store, other.keys!, 'attache-41-a', 'request of 2024-05-28', clerk('dpo'), {
        onErased: async () => {
          expect((await purgeAfterErasure(other)).rebuilt).toContain('participant-record');
        },
      });
      expect(result.ok).toBe(true);
    } finally {
      await other.close();
    }

    await register(t, 'attache-41-b', 'Karim Tazi');
    await foundInStoredModel(t, 'attache-41-b');
    expect((await participantRecord(t, 'attache-41-a')).text).not.toContain('Amina');
    expect(t.logs.join('\n')).toMatch(/read model participant-record: (generation \d+ is no longer the active one|another runner replaced or wrote)/);
  });

  it('erasure work slower than the request timeout: the erasure is recorded and answered in time, the rest goes on in the background', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const afterErasure: string[] = [];
    const t = await serve({
      limits: { requestTimeoutMs: 800 },
      afterErasure: async (participantId) => {
        await gate;
        afterErasure.push(participantId);
      },
    });
    await register(t, 'attache-41-a', 'Amina El Alaoui');
    await foundInStoredModel(t, 'attache-41-a');

    const began = Date.now();
    const erased = await erase(t, 'attache-41-a');
    expect(erased.status).toBe(201);
    expect(Date.now() - began).toBeLessThan(800);
    expect(await erased.json()).toMatchObject({ alreadyRecorded: false, keyDestroyedNow: true, readModels: 'purging', event: { type: 'ParticipantDataErased' } });
    expect(await t.runtime.keys!.isDestroyed('attache-41-a')).toBe(true);

    release();
    await expect.poll(() => afterErasure, { timeout: 10_000 }).toEqual(['attache-41-a']);
    await expect.poll(async () => (await participantRecord(t, 'attache-41-a')).text, { timeout: 10_000 }).not.toContain('Amina');
    await register(t, 'attache-41-b');
    await foundInStoredModel(t, 'attache-41-b');
  });

  it('/health/ready is unready while the read models are rebuilt (a purge) and ready after; /metrics shows each follower', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const t = await serve({ limits: { requestTimeoutMs: 800 }, afterErasure: () => gate });
    const ready = async () => {
      const response = await fetch(`${t.server.url}/health/ready`);
      return { status: response.status, body: (await response.json()) as { reasons: string[]; readModels: { name: string; lag: number }[] } };
    };
    await register(t, 'attache-41-a', 'Amina El Alaoui');
    await foundInStoredModel(t, 'attache-41-a');
    await expect.poll(async () => (await ready()).status, { timeout: 10_000 }).toBe(200);
    expect((await ready()).body.readModels.map((m) => m.name)).toContain('participant-record');

    expect((await erase(t, 'attache-41-a')).status).toBe(201);
    const during = await ready();
    expect(during.status).toBe(503);
    expect(during.body.reasons).toContainEqual(expect.stringMatching(/read model participant-record is being rebuilt/));

    release();
    await expect.poll(async () => (await ready()).status, { timeout: 10_000 }).toBe(200);
    const metrics = await (await t.request('/metrics')).text();
    expect(metrics).toMatch(/^taawun_read_model_lag_events\{read_model="participant-record"\} 0$/m);
    expect(metrics).toMatch(/^taawun_read_model_position\{read_model="participant-record"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^taawun_read_model_follower_restarts\{read_model="participant-record"\} [1-9]\d*$/m); // the purge restarted it
  });

  it('close() stops the server, the followers and the read models; the runtime stays open', async () => {
    const t = await serve();
    await register(t, 'attache-41-a');
    running.splice(0);
    await t.server.close();
    await expect(fetch(`${t.server.url}/openapi.json`)).rejects.toThrow();
    expect(await t.runtime.store.lastPosition()).toBeDefined();
    await t.runtime.close();
  });
});
