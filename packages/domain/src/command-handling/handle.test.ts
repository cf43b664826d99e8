import { beforeEach, describe, expect, it } from 'vitest';
import type { CommandInput } from '../catalogue/commands.js';
import { decodeEvent } from '../catalogue/decoding.js';
import { InMemoryEventStore } from '../store/in-memory.js';
import { deterministicContext } from '../testing/arbitraries.js';
import { idempotentEventId } from '../values/ids.js';
import { handle, handleUnknown } from './handle.js';

let store: InMemoryEventStore;
let context: ReturnType<typeof deterministicContext>;
beforeEach(() => {
  store = new InMemoryEventStore();
  context = deterministicContext('clerk:fatima');
});

const registerEnm: CommandInput = { type: 'RegisterPartner', partnerId: 'enm-france', name: { fr: 'École nationale de la magistrature', ar: 'المدرسة الوطنية للقضاء' }, kind: 'school', country: 'FR' };
const course = (capacity?: number) => ({
  type: 'ScheduleSession', sessionId: 'enm-course-2016', title: { fr: 'Stage de deux mois' }, kind: 'course', format: 'in-person',
  partners: ['enm-france'], plannedFor: '2016', ...(capacity ? { capacity } : {}),
}) satisfies CommandInput;
const registerAttache = (participantId: string): CommandInput => ({ type: 'RegisterParticipant', participantId, kind: 'judicial-attache', cohort: 39 });

describe('handling a command', () => {
  it('stores the decided events with full metadata: actor and clock from the context, business date, source', async () => {
    const result = await handle(store, { type: 'SignAgreement', agreementId: 'enm-1998', kind: 'convention', partners: ['enm-france'], signedOn: '1998-11-16' }, { ...context, sourceRef: 'F12' });
    expect(result.ok).toBe(false);
    await handle(store, registerEnm, context);
    const signed = await handle(store, { type: 'SignAgreement', agreementId: 'enm-1998', kind: 'convention', partners: ['enm-france'], signedOn: '1998-11-16' }, { ...context, sourceRef: 'F12', correlationId: 'import-1' });
    expect(signed.ok).toBe(true);
    if (!signed.ok) return;
    expect(signed.value).toMatchObject({ stream: 'agreement-enm-1998', revision: 0, alreadyApplied: false });
    const [event] = signed.value.events;
    expect(event).toMatchObject({
      type: 'AgreementSigned',
      schemaVersion: 1,
      recordedAt: '2024-01-01T08:02:00.000Z',
      metadata: { actor: 'clerk:fatima', sourceRef: 'F12', occurredOn: '1998-11-16', correlationId: 'import-1', causationId: 'import-1', commandType: 'SignAgreement' },
    });
  });

  it('the actor cannot come from the command body', async () => {
    const result = await handleUnknown(store, { ...registerEnm, actor: 'someone-else' }, context);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-command' } });
  });

  it('invalid input is an error naming the fields, and nothing is written', async () => {
    const result = await handleUnknown(store, { type: 'RegisterPartner', partnerId: 'enm-france', name: {}, kind: 'university' }, context);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid-command');
    expect(result.error.fields).toEqual(expect.arrayContaining(['name', 'kind']));
    expect(await store.lastPosition()).toBeUndefined();
    expect(await handleUnknown(store, { type: 'DeletePartner' }, context)).toMatchObject({ ok: false, error: { code: 'invalid-command' } });
  });

  it('every partner, programme or participant a command refers to must exist', async () => {
    await handle(store, registerEnm, context);
    const session = await handle(store, { ...course(), partners: ['enm-france', 'enm-belgium'] }, context);
    expect(session).toMatchObject({ ok: false, error: { code: 'unknown-reference', fields: ['partners.1'] } });
    await handle(store, course(), context);
    expect(await handle(store, { type: 'EnrolParticipant', sessionId: 'enm-course-2016', participantId: 'p-unknown' }, context))
      .toMatchObject({ ok: false, error: { code: 'unknown-reference', fields: ['participantId'] } });
    expect(await handle(store, { ...course(), sessionId: 'other', programmeId: 'nope' }, context))
      .toMatchObject({ ok: false, error: { code: 'unknown-reference', fields: ['programmeId'] } });
  });

  it('a study visit completes only with registered participants', async () => {
    await handle(store, registerEnm, context);
    await handle(store, { type: 'PlanStudyVisit', visitId: 'paris', direction: 'outgoing', partners: ['enm-france'], plannedFor: '2019' }, context);
    await handle(store, registerAttache('p1'), context);
    expect(await handle(store, { type: 'CompleteStudyVisit', visitId: 'paris', completedOn: '2019', participantIds: ['p1', 'p2'] }, context))
      .toMatchObject({ ok: false, error: { code: 'unknown-reference', fields: ['participantIds.1'] } });
    expect((await handle(store, { type: 'CompleteStudyVisit', visitId: 'paris', completedOn: '2019', participantIds: ['p1'] }, context)).ok).toBe(true);
  });

  describe('idempotency keys', () => {
    it('the same command sent twice is stored once, and the retry returns the first outcome', async () => {
      await handle(store, registerEnm, context);
      const first = await handle(store, course(), { ...context, idempotencyKey: 'req-1' });
      const again = await handle(store, course(), { ...context, idempotencyKey: 'req-1' });
      expect(first.ok && again.ok).toBe(true);
      if (!first.ok || !again.ok) return;
      expect(again.value.alreadyApplied).toBe(true);
      expect(again.value.events.map((e) => e.id)).toEqual(first.value.events.map((e) => e.id));
      expect(first.value.events[0]!.id).toBe(idempotentEventId('req-1', 0));
      expect(await store.readStream('session-enm-course-2016')).toHaveLength(1);
    });
    it('a key reused with a different body of the same command is refused', async () => {
      await handle(store, registerEnm, context);
      await handle(store, course(), { ...context, idempotencyKey: 'req-1' });
      expect(await handle(store, { ...course(), plannedFor: '2017' }, { ...context, idempotencyKey: 'req-1' }))
        .toMatchObject({ ok: false, error: { code: 'invalid-command', fields: ['idempotencyKey'] } });
    });
    it('a key reused for another command is refused', async () => {
      await handle(store, registerEnm, context);
      await handle(store, course(), { ...context, idempotencyKey: 'req-1' });
      expect(await handle(store, { type: 'CancelSession', sessionId: 'enm-course-2016', reason: 'x' }, { ...context, idempotencyKey: 'req-1' }))
        .toMatchObject({ ok: false, error: { code: 'invalid-command', fields: ['idempotencyKey'] } });
    });
  });

  describe('concurrency', () => {
    it('an expected revision the stream has moved past is a conflict, not retried', async () => {
      await handle(store, registerEnm, context);
      await handle(store, course(), context);
      await handle(store, registerAttache('p1'), context);
      expect(await handle(store, { type: 'EnrolParticipant', sessionId: 'enm-course-2016', participantId: 'p1' }, { ...context, expectedRevision: 'no-stream' }))
        .toMatchObject({ ok: false, error: { code: 'wrong-expected-revision', details: { actual: 0 } } });
      expect(await handle(store, { type: 'EnrolParticipant', sessionId: 'enm-course-2016', participantId: 'p1' }, { ...context, expectedRevision: 0 }))
        .toMatchObject({ ok: true, value: { revision: 1 } });
    });

    it('50 parallel enrolments into a session of capacity 20: exactly 20 stored, 30 refused as full', async () => {
      await handle(store, registerEnm, context);
      await handle(store, course(20), context);
      for (let i = 0; i < 50; i++) await handle(store, registerAttache(`p${i}`), context);
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => handle(store, { type: 'EnrolParticipant', sessionId: 'enm-course-2016', participantId: `p${i}` }, { ...context, maxAttempts: 60 })),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(20);
      expect(results.filter((r) => !r.ok && r.error.code === 'session-full')).toHaveLength(30);
      const stored = await store.readStream('session-enm-course-2016');
      expect(stored.filter((e) => e.type === 'ParticipantEnrolled')).toHaveLength(20);
    });
  });

  it('a store failure is an error value, never a thrown exception', async () => {
    await store.close();
    expect(await handle(store, registerEnm, context)).toMatchObject({ ok: false, error: { code: 'store-failure' } });
  });
});

describe('schema versions', () => {
  it('a stored SessionHeld v1 is read back as v2, and the stored event is untouched', async () => {
    const v1 = {
      sessionId: 'giz-attaches-2018', title: { ar: 'دورة تكوينية لفائدة الملحقين القضائيين' }, kind: 'course', partners: ['giz'],
      heldOn: '2018-11-07/2018-11-08', remote: false, attendance: 40,
    };
    await store.append('session-giz-attaches-2018', [{
      id: '00000000-0000-7000-8000-0000000000aa', type: 'SessionHeld', schemaVersion: 1, data: v1,
      metadata: { actor: 'legacy-import', correlationId: 'x', causationId: 'x' }, recordedAt: '2019-01-01T00:00:00.000Z',
    }], { expectedRevision: 'no-stream' });
    const [stored] = await store.readStream('session-giz-attaches-2018');
    const decoded = decodeEvent(stored!);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.value.data).toEqual({ ...v1, remote: undefined, format: 'in-person', attendance: { count: 40, basis: 'total' } });
    expect('remote' in decoded.value.data).toBe(false);
    expect(decoded.value.schemaVersion).toBe(1);
    expect(stored!.data).toEqual(v1);
    // and the aggregate folds it: attendance can be revised on the held session
    expect((await handle(store, { type: 'RecordAttendance', sessionId: 'giz-attaches-2018', attendance: { count: 42 } }, context)).ok).toBe(true);
  });

  it('a version newer than the library knows, or an unknown type, is reported, not guessed', () => {
    const base = { id: '00000000-0000-7000-8000-0000000000ab', stream: 's', revision: 0, position: 1n, recordedAt: '2024-01-01T00:00:00.000Z', metadata: { actor: 'a', correlationId: 'c', causationId: 'c' } };
    expect(decodeEvent({ ...base, type: 'SessionHeld', schemaVersion: 3, data: {} })).toMatchObject({ ok: false, error: { code: 'too-new' } });
    expect(decodeEvent({ ...base, type: 'SessionTeleported', schemaVersion: 1, data: {} })).toMatchObject({ ok: false, error: { code: 'unknown-event-type' } });
    expect(decodeEvent({ ...base, type: 'SessionHeld', schemaVersion: 1, data: { remote: 'yes' } })).toMatchObject({ ok: false, error: { code: 'invalid-event' } });
    const partner = { partnerId: 'giz', name: { en: 'GIZ' }, kind: 'agency' };
    expect(decodeEvent({ ...base, type: 'PartnerRegistered', schemaVersion: 1, data: partner }).ok).toBe(true);
    expect(decodeEvent({ ...base, type: 'PartnerRegistered', schemaVersion: 1, data: partner, metadata: { correlationId: 'c', causationId: 'c' } as never }))
      .toMatchObject({ ok: false, error: { code: 'invalid-event', message: expect.stringMatching(/metadata\.actor/) } });
    expect(decodeEvent({ ...base, type: 'PartnerRegistered', schemaVersion: 1, data: partner, metadata: { ...base.metadata, occurredOn: '2018-13' } }))
      .toMatchObject({ ok: false, error: { code: 'invalid-event' } });
  });
});

describe('where events belong', () => {
  it('every event the handler stores lands in the stream its own data names', async () => {
    const { streamOfEvent } = await import('../catalogue/routing.js');
    const { commandSequenceArb, recordCommands } = await import('../testing/arbitraries.js');
    const fc = (await import('fast-check')).default;
    await fc.assert(
      fc.asyncProperty(commandSequenceArb(40), async (commands) => {
        const s = new InMemoryEventStore();
        await recordCommands(s, commands, deterministicContext());
        for await (const stored of s.readAll()) {
          const decoded = decodeEvent(stored);
          if (!decoded.ok) throw new Error(decoded.error.message);
          const expected = streamOfEvent(decoded.value);
          if (expected !== undefined) expect(stored.stream).toBe(expected);
          else expect(decoded.value.type).toBe('RecordCorrected');
        }
      }),
      { numRuns: 30 },
    );
  });
});

describe('the recording day', () => {
  it('a fact dated today in Rabat (UTC+1) is accepted at 00:30 local time, while UTC is still on the day before', async () => {
    const lateUtc = { ...deterministicContext(), now: () => new Date('2024-03-01T23:30:00Z') };
    await handle(store, registerEnm, lateUtc);
    expect((await handle(store, { type: 'SignAgreement', agreementId: 'a', kind: 'agreement', partners: ['enm-france'], signedOn: '2024-03-02' }, lateUtc)).ok).toBe(true);
    expect(await handle(store, { type: 'SignAgreement', agreementId: 'b', kind: 'agreement', partners: ['enm-france'], signedOn: '2024-03-03' }, lateUtc))
      .toMatchObject({ ok: false, error: { code: 'date-in-future' } });
  });
});

describe('idempotency keys across records', () => {
  it('a key reused for a command on another record is refused as invalid, not a store failure', async () => {
    await handle(store, registerEnm, context);
    await handle(store, course(), { ...context, idempotencyKey: 'req-7' });
    expect(await handle(store, { ...course(), sessionId: 'another-course' }, { ...context, idempotencyKey: 'req-7' }))
      .toMatchObject({ ok: false, error: { code: 'invalid-command', fields: ['idempotencyKey'] } });
  });
});
