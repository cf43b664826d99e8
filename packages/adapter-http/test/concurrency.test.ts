import { afterAll, beforeAll, expect, it } from 'vitest';
import { partnerBody, startTestServer, type TestServer } from './support/server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t.close());

it('50 parallel enrolments into a session of capacity 20: exactly 20 succeed, 30 conflict, 20 events stored', async () => {
  const ok = async (path: string, json: unknown) => expect((await t.request(path, { json })).status).toBe(200);
  await ok('/commands/register-partner', partnerBody('enm-france'));
  const participants = Array.from({ length: 50 }, (_, i) => `judge-${String(i + 1).padStart(2, '0')}`);
  for (const participantId of participants) await ok('/commands/register-participant', { participantId, kind: 'judge' });
  await ok('/commands/schedule-session', {
    sessionId: 'enm-course-capacity-20',
    title: { fr: 'Stage de découverte de la justice française', ar: 'دورة للتعرف على القضاء الفرنسي' },
    kind: 'course',
    partners: ['enm-france'],
    plannedFor: '2031-03',
    capacity: 20,
  });

  const responses = await Promise.all(
    participants.map((participantId) =>
      t.request('/commands/enrol-participant', { json: { sessionId: 'enm-course-capacity-20', participantId } }).then(async (r) => ({ status: r.status, body: await r.json() })),
    ),
  );

  const successes = responses.filter((r) => r.status === 200);
  const conflicts = responses.filter((r) => r.status === 409);
  expect(successes).toHaveLength(20);
  expect(conflicts).toHaveLength(30);
  for (const conflict of conflicts) expect(conflict.body).toMatchObject({ code: 'session-full', type: '/problems/session-full' });
  // Every success saw its own revision of the stream: 1 to 20 (0 is the scheduling).
  expect(successes.map((s) => s.body.revision).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));

  const enrolments = (await t.allEvents()).filter((e) => e.type === 'ParticipantEnrolled');
  expect(enrolments).toHaveLength(20);
  expect(new Set(enrolments.map((e) => (e.data as { participantId: string }).participantId)).size).toBe(20);
});
