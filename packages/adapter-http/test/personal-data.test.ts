import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';

/** Personal data over HTTP, on an encrypting store: shown only when asked by a key that records it, erasable by admins. */

interface EventJson {
  type: string;
  data: { participantId?: string; personal?: unknown };
  metadata: { actor: string };
}

let t: TestServer;
const personal = { fullName: { ar: 'أمينة العلوي', fr: 'Amina El Alaoui' }, email: 'amina@example.org' };
beforeAll(async () => {
  t = await startTestServer({ personalData: true });
  const registered = await t.request('/commands/register-participant', { json: { participantId: 'attache-39-a', kind: 'judicial-attache', cohort: 39, personal } });
  expect(registered.status).toBe(200);
});
afterAll(async () => t.close());

const participantEvents = async (query: string, as: 'auditor' | 'clerk' | 'admin') => {
  const response = await t.request(`/events?stream=participant-attache-39-a${query}`, { as });
  return { status: response.status, events: response.status === 200 ? ((await response.json()) as { events: EventJson[] }).events : [] };
};

describe('personal data in the audit feed', () => {
  it('is redacted by default, shown to a clerk who asks, refused to an auditor who asks', async () => {
    expect((await participantEvents('', 'auditor')).events[0]!.data.personal).toBe('[personal data]');
    expect((await participantEvents('', 'clerk')).events[0]!.data.personal).toBe('[personal data]');
    expect((await participantEvents('&personalData=show', 'clerk')).events[0]!.data.personal).toEqual(personal);
    expect((await participantEvents('&personalData=show', 'auditor')).status).toBe(403);
  });
});

describe('POST /participants/{id}/erasure', () => {
  it('is for administrators only', async () => {
    const response = await t.request('/participants/attache-39-a/erasure', { as: 'clerk', json: { reason: 'request of 2024-05-28, file DPO-2024-17' } });
    expect(response.status).toBe(403);
    expect(t.erased).toEqual([]);
  });

  it('erases (201), then a re-run finishes and answers 200; the record stays, the data is gone', async () => {
    const first = await t.request('/participants/attache-39-a/erasure', { as: 'admin', json: { reason: 'request of 2024-05-28, file DPO-2024-17' } });
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ participantId: 'attache-39-a', alreadyRecorded: false, keyDestroyedNow: true, event: { type: 'ParticipantDataErased' } });
    expect(t.erased).toEqual(['attache-39-a']);

    const again = await t.request('/participants/attache-39-a/erasure', { as: 'admin', json: { reason: 'request of 2024-05-28, file DPO-2024-17' } });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ alreadyRecorded: true, event: null });

    const { events } = await participantEvents('&personalData=show', 'admin');
    expect(events.map((e) => e.type)).toEqual(['ParticipantRegistered', 'ParticipantDataErased']);
    expect(JSON.stringify(events)).not.toContain('Amina');
    expect(events[1]!.metadata.actor).toBe('admin-test');
  });

  it('404 for a participant not registered, 400 without a reason', async () => {
    const unknown = await t.request('/participants/nobody-1/erasure', { as: 'admin', json: { reason: 'request' } });
    expect([unknown.status, ((await unknown.json()) as { code: string }).code]).toEqual([404, 'not-found']);
    const noReason = await t.request('/participants/attache-39-a/erasure', { as: 'admin', json: {} });
    expect([noReason.status, ((await noReason.json()) as { fields: string[] }).fields]).toEqual([400, ['reason']]);
  });
});
