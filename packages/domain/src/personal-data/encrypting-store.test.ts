import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { handle } from '../command-handling/index.js';
import { decodeEvent } from '../catalogue/decoding.js';
import { eventDefinitions } from '../catalogue/events.js';
import type { PersonalData } from '../aggregates/participant/events.js';
import type { CommandInput } from '../catalogue/commands.js';
import type { EventDefinition } from '../schema/define.js';
import type { StoredEvent } from '../store/envelope.js';
import { storedEventJsonSchema, storedEventToJson } from '../store/envelope.js';
import { InMemoryEventStore } from '../store/in-memory.js';
import { isEventStoreError, type EventStore } from '../store/port.js';
import { eventStoreContract } from '../testing/event-store-contract.js';
import { commandSequenceArb, deterministicContext, recordCommands } from '../testing/arbitraries.js';
import { looksSealed } from './cipher.js';
import { encryptPersonalData, erasedFormOf, erasedPersonalFields, type EncryptingEventStore } from './encrypting-store.js';
import { completePendingErasures, eraseParticipant } from './erase.js';
import { InMemoryKeyStore } from './key-store.js';

eventStoreContract('encrypting store over the in-memory store', async () => encryptPersonalData(new InMemoryEventStore(), new InMemoryKeyStore()), {
  gapFreePositions: true,
  modelRuns: 30,
});

const amina = { fullName: { ar: 'أمينة العلوي', fr: 'Amina El Alaoui' }, email: 'amina.alaoui@example.org' };
const aminaCorrected = { fullName: { ar: 'أمينة العلوي', fr: 'Amina Alaoui' }, phone: '+212 600 000 000' };
const register = (participantId: string, personal?: PersonalData): CommandInput => ({
  type: 'RegisterParticipant', participantId, kind: 'judicial-attache', cohort: 39, ...(personal ? { personal } : {}),
});
const traces = ['أمينة', 'Amina', 'Alaoui', 'amina.alaoui@example.org', '600 000'];

async function collect(events: AsyncIterable<StoredEvent>): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}
const rawText = async (store: EventStore) => JSON.stringify((await collect(store.readAll())).map(storedEventToJson));

let inner: InMemoryEventStore;
let keys: InMemoryKeyStore;
let store: EncryptingEventStore<InMemoryEventStore>;
let context: ReturnType<typeof deterministicContext>;
beforeEach(() => {
  inner = new InMemoryEventStore();
  keys = new InMemoryKeyStore();
  store = encryptPersonalData(inner, keys);
  context = deterministicContext('registrar:salma');
});

async function recordAmina(): Promise<void> {
  expect((await handle(store, register('p-amina', amina), context)).ok).toBe(true);
  expect((await handle(store, { type: 'CorrectParticipantPersonalData', participantId: 'p-amina', personal: aminaCorrected, reason: 'spelling confirmed by the registry' }, context)).ok).toBe(true);
  expect((await handle(store, register('p-karim', { fullName: { fr: 'Karim Bennani' } }), context)).ok).toBe(true);
}

describe('sealing personal data on the way in', () => {
  it('stores only ciphertext in the wrapped store, and reads back the plaintext', async () => {
    await recordAmina();
    const raw = await rawText(inner);
    for (const trace of traces) expect(raw).not.toContain(trace);
    const [registered, corrected] = await inner.readStream('participant-p-amina');
    expect(looksSealed((registered!.data as { personal: unknown }).personal)).toBe(true);
    expect(looksSealed((corrected!.data as { personal: unknown }).personal)).toBe(true);
    // What is not personal stays readable for projections, audits and the hash chain.
    expect(registered!.data).toMatchObject({ participantId: 'p-amina', kind: 'judicial-attache', cohort: 39 });

    const read = await store.readStream('participant-p-amina');
    expect(read.map((e) => (e.data as { personal: unknown }).personal)).toEqual([amina, aminaCorrected]);
    for (const event of read) expect(decodeEvent(event).ok).toBe(true);
    const all = await collect(store.readAll());
    expect(all.find((e) => e.stream === 'participant-p-karim')!.data).toMatchObject({ personal: { fullName: { fr: 'Karim Bennani' } } });
  });

  it('returns the plaintext from append too, as the command handler passes it on', async () => {
    const outcome = await handle(store, register('p-amina', amina), context);
    expect(outcome.ok && outcome.value.events[0]!.data).toMatchObject({ personal: amina });
  });

  it('opens events while following the log', async () => {
    const controller = new AbortController();
    const following = (async () => {
      for await (const event of store.follow({ signal: controller.signal })) {
        controller.abort();
        return event;
      }
    })();
    await handle(store, register('p-amina', amina), context);
    expect((await following)!.data).toMatchObject({ personal: amina });
  });

  it('uses one key per participant', async () => {
    await recordAmina();
    const a = await keys.lookup('p-amina');
    const k = await keys.lookup('p-karim');
    expect(a.state === 'active' && k.state === 'active' && Buffer.from(a.key).equals(Buffer.from(k.key))).toBe(false);
    expect(await keys.lookup('p-unnamed')).toEqual({ state: 'absent' });
    await handle(store, register('p-unnamed'), context);
    expect(await keys.lookup('p-unnamed')).toEqual({ state: 'absent' }); // nothing personal, no key
  });

  it('keeps idempotent retries idempotent: the same ids give the same stored bytes and no duplicate', async () => {
    const keyed = { ...context, idempotencyKey: 'registry-import-17' };
    const first = await handle(store, register('p-amina', amina), keyed);
    const again = await handle(store, register('p-amina', amina), keyed);
    expect(again).toMatchObject({ ok: true, value: { alreadyApplied: true } });
    expect(first.ok && again.ok && again.value.events).toEqual(first.ok && first.value.events);

    // At the port: re-sending the batch seals it to identical bytes and the append rules see a retry.
    const [stored] = await inner.readStream('participant-p-amina');
    const batch = [{ id: stored!.id, type: stored!.type, schemaVersion: 1, recordedAt: stored!.recordedAt, metadata: stored!.metadata, data: { participantId: 'p-amina', kind: 'judicial-attache', cohort: 39, personal: amina } }];
    const retried = await store.append('participant-p-amina', batch, { expectedRevision: 'no-stream' });
    expect(retried).toMatchObject({ ok: true, nextExpectedRevision: 0 });
    expect(retried.ok && retried.events[0]!.data).toMatchObject({ personal: amina });
    expect(await inner.readStream('participant-p-amina')).toEqual([stored]);
  });

  it('seals deterministically: the same batch in another store with the same key gives byte-identical data', async () => {
    await handle(store, register('p-amina', amina), context);
    const [stored] = await inner.readStream('participant-p-amina');
    const otherInner = new InMemoryEventStore();
    const opened = (await store.readStream('participant-p-amina'))[0]!;
    await encryptPersonalData(otherInner, keys).append('participant-p-amina', [opened], { expectedRevision: 'no-stream' });
    expect(JSON.stringify((await otherInner.readStream('participant-p-amina'))[0]!.data)).toBe(JSON.stringify(stored!.data));
  });

  it('refuses personal data with no participant to key it, naming the event but not the data', async () => {
    const error = await store
      .append('participant-x', [{ id: '0193a5c2-7c1d-7c3e-9d2f-4d5e6f700001', type: 'ParticipantRegistered', schemaVersion: 1, recordedAt: '2024-01-01T00:00:00.000Z', metadata: { actor: 'a', correlationId: 'c', causationId: 'c' }, data: { kind: 'judge', personal: amina } }], { expectedRevision: 'any' })
      .then(() => undefined, (e: unknown) => e);
    expect(isEventStoreError(error) && error.code).toBe('invalid-batch');
    expect((error as Error).message).toMatch(/no participantId/);
    for (const trace of traces) expect((error as Error).message).not.toContain(trace);
  });

  it('passes events without personal fields through untouched', async () => {
    await handle(store, { type: 'RegisterPartner', partnerId: 'enm-france', name: { fr: 'École nationale de la magistrature' }, kind: 'school', country: 'FR' }, context);
    const [raw] = await inner.readStream('partner-enm-france');
    expect(raw!.data).toMatchObject({ name: { fr: 'École nationale de la magistrature' } });
  });
});

describe('reading tampered or misplaced ciphertext', () => {
  const copyInto = async (target: InMemoryEventStore, event: StoredEvent, stream: string, id = event.id) => {
    const { stream: _s, revision: _r, position: _p, ...toAppend } = event;
    await target.append(stream, [{ ...toAppend, id }], { expectedRevision: 'any' });
  };

  it('rejects an event moved to another stream, or given another id, with corrupt (never decoded)', async () => {
    await recordAmina();
    const [sealed] = await inner.readStream('participant-p-amina');
    const elsewhere = new InMemoryEventStore();
    await copyInto(elsewhere, sealed!, 'participant-p-other');
    await copyInto(elsewhere, sealed!, 'participant-p-amina', '0193a5c2-7c1d-7c3e-9d2f-4d5e6f70ffff');
    const reader = encryptPersonalData(elsewhere, keys);
    for (const stream of ['participant-p-other', 'participant-p-amina']) {
      const error = await reader.readStream(stream).then(() => undefined, (e: unknown) => e);
      expect(isEventStoreError(error) && error.code).toBe('corrupt');
      expect((error as Error).message).toMatch(/does not authenticate/);
      for (const trace of traces) expect((error as Error).message).not.toContain(trace);
    }
    await expect(collect(reader.readAll())).rejects.toMatchObject({ code: 'corrupt' });
  });

  it('rejects a changed ciphertext, and sealed data whose key the key store does not have', async () => {
    await recordAmina();
    const [sealed] = await inner.readStream('participant-p-amina');
    const envelope = (sealed!.data as { personal: { $encrypted: { ciphertext: string } } }).personal.$encrypted;
    const bytes = Buffer.from(envelope.ciphertext, 'base64');
    bytes[3]! ^= 0x20;
    const tampered = new InMemoryEventStore();
    await copyInto(tampered, { ...sealed!, data: { ...(sealed!.data as object), personal: { $encrypted: { ...envelope, ciphertext: bytes.toString('base64') } } } }, sealed!.stream);
    await expect(encryptPersonalData(tampered, keys).readStream(sealed!.stream)).rejects.toMatchObject({ code: 'corrupt' });
    await expect(encryptPersonalData(inner, new InMemoryKeyStore()).readStream(sealed!.stream)).rejects.toMatchObject({
      code: 'corrupt',
      message: expect.stringMatching(/no key for participant p-amina/),
    });
  });
});

describe('erasing a participant', () => {
  it('records who, when and why, destroys the key, and every read then shows the participant erased', async () => {
    await recordAmina();
    await handle(store, { type: 'RegisterPartner', partnerId: 'enm-france', name: { fr: 'ENM' }, kind: 'school', country: 'FR' }, context);
    await handle(store, { type: 'ScheduleSession', sessionId: 'course-2016', title: { fr: 'Stage' }, kind: 'course', format: 'in-person', partners: ['enm-france'], plannedFor: '2016' }, context);
    await handle(store, { type: 'EnrolParticipant', sessionId: 'course-2016', participantId: 'p-amina', role: 'trainee' }, context);

    const erased = await eraseParticipant(store, keys, 'p-amina', 'request under law 09-08, file 2024/17', { ...context, actor: 'dpo:nadia' });
    expect(erased).toMatchObject({ ok: true, value: { participantId: 'p-amina', alreadyRecorded: false, keyDestroyedNow: true, residueCleared: true } });
    expect(erased.ok && erased.value.event).toMatchObject({
      type: 'ParticipantDataErased',
      data: { participantId: 'p-amina', reason: 'request under law 09-08, file 2024/17' },
      metadata: { actor: 'dpo:nadia', commandType: 'EraseParticipantData' },
    });
    expect(await keys.isDestroyed('p-amina')).toBe(true);

    const events = await store.readStream('participant-p-amina');
    expect(events.map((e) => e.type)).toEqual(['ParticipantRegistered', 'ParticipantPersonalDataCorrected', 'ParticipantDataErased']);
    expect(events[0]!.data).toEqual({ participantId: 'p-amina', kind: 'judicial-attache', cohort: 39 });
    expect(events[1]!.data).toEqual({ participantId: 'p-amina', personal: {}, reason: 'spelling confirmed by the registry' });
    expect(events.map(erasedPersonalFields)).toEqual([['personal'], ['personal'], []]);
    for (const event of events) expect(decodeEvent(event).ok).toBe(true);
    const all = await collect(store.readAll());
    for (const trace of traces) expect(JSON.stringify(all.map(storedEventToJson))).not.toContain(trace);
    // Others are untouched; what the participant took part in stays.
    expect(all.find((e) => e.stream === 'participant-p-karim')!.data).toMatchObject({ personal: { fullName: { fr: 'Karim Bennani' } } });
    expect(all.filter((e) => e.type === 'ParticipantEnrolled')).toHaveLength(1);
  });

  it('refuses new personal data for an erased participant, through commands and at the port', async () => {
    await recordAmina();
    await eraseParticipant(store, keys, 'p-amina', 'request', context);
    expect(await handle(store, { type: 'CorrectParticipantPersonalData', participantId: 'p-amina', personal: amina, reason: 'again' }, context)).toMatchObject({
      ok: false,
      error: { code: 'participant-erased' },
    });
    const [first] = await store.readStream('participant-p-amina');
    const error = await store
      .append('participant-p-amina', [{ ...first!, id: '0193a5c2-7c1d-7c3e-9d2f-4d5e6f700002', data: { ...(first!.data as object), personal: amina } }], { expectedRevision: 'any' })
      .then(() => undefined, (e: unknown) => e);
    expect(isEventStoreError(error) && error.code).toBe('invalid-batch');
    expect((error as Error).message).toMatch(/personal data was erased/);
  });

  it('destroys the key whatever records ParticipantDataErased (e.g. the generic command route)', async () => {
    await recordAmina();
    expect((await handle(store, { type: 'EraseParticipantData', participantId: 'p-amina', reason: 'request' }, context)).ok).toBe(true);
    expect(await keys.isDestroyed('p-amina')).toBe(true);
    expect((await store.readStream('participant-p-amina'))[0]!.data).not.toHaveProperty('personal');
  });

  it('finishes the job when re-run after a crash between recording the event and destroying the key', async () => {
    await recordAmina();
    // The crash: the event reached the log (written through the plain store), the key was not destroyed.
    const crashed = await inner.append('participant-p-amina', [{
      id: '0193a5c2-7c1d-7c3e-9d2f-4d5e6f700003', type: 'ParticipantDataErased', schemaVersion: 1, recordedAt: '2024-01-02T00:00:00.000Z',
      metadata: { actor: 'dpo:nadia', correlationId: 'c-9', causationId: 'c-9', commandType: 'EraseParticipantData' }, data: { participantId: 'p-amina', reason: 'request' },
    }], { expectedRevision: 1 });
    expect(crashed.ok).toBe(true);
    expect(await keys.isDestroyed('p-amina')).toBe(false);
    const purged: string[] = [];
    const rerun = await eraseParticipant(store, keys, 'p-amina', 'request', context, { onErased: (id) => void purged.push(id) });
    expect(rerun).toMatchObject({ ok: true, value: { alreadyRecorded: true, event: undefined, keyDestroyedNow: true } });
    expect(purged).toEqual(['p-amina']);
    expect((await store.readStream('participant-p-amina')).filter((e) => e.type === 'ParticipantDataErased')).toHaveLength(1);
    // And once more: nothing left to do, still fine.
    expect(await eraseParticipant(store, keys, 'p-amina', 'request', context)).toMatchObject({ ok: true, value: { alreadyRecorded: true, keyDestroyedNow: false } });
  });

  it('completes pending erasures at start-up: every key whose erasure the log records is destroyed', async () => {
    await recordAmina();
    await inner.append('participant-p-amina', [{
      id: '0193a5c2-7c1d-7c3e-9d2f-4d5e6f700004', type: 'ParticipantDataErased', schemaVersion: 1, recordedAt: '2024-01-02T00:00:00.000Z',
      metadata: { actor: 'dpo:nadia', correlationId: 'c-9', causationId: 'c-9' }, data: { participantId: 'p-amina', reason: 'request' },
    }], { expectedRevision: 1 });
    expect(await completePendingErasures(store, keys)).toEqual(['p-amina']);
    expect(await keys.isDestroyed('p-amina')).toBe(true);
    expect(await keys.isDestroyed('p-karim')).toBe(false);
    expect(await completePendingErasures(store, keys)).toEqual([]);
  });

  it('reports an unknown participant or an empty reason as errors, and erases nothing', async () => {
    expect(await eraseParticipant(store, keys, 'p-nobody', 'request', context)).toMatchObject({ ok: false, error: { code: 'not-found' } });
    await recordAmina();
    expect(await eraseParticipant(store, keys, 'p-amina', '', context)).toMatchObject({ ok: false, error: { code: 'invalid-command' } });
    expect(await keys.isDestroyed('p-nobody')).toBe(false);
    expect(await keys.isDestroyed('p-amina')).toBe(false);
  });

  it('reports a failing read-model purge as an error that asks for a re-run, with the erasure itself done', async () => {
    await recordAmina();
    const result = await eraseParticipant(store, keys, 'p-amina', 'request', context, {
      onErased: () => {
        throw new Error('read model database is locked');
      },
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'store-failure', message: expect.stringMatching(/purging read models failed.*run it again/) } });
    expect(await keys.isDestroyed('p-amina')).toBe(true);
  });

  it('keeps the data erased through an export and an import into a new store and key store', async () => {
    await recordAmina();
    await eraseParticipant(store, keys, 'p-amina', 'request', context);
    const exported = JSON.stringify((await collect(store.readAll())).map(storedEventToJson));
    for (const trace of traces) expect(exported).not.toContain(trace);

    const importedInner = new InMemoryEventStore();
    const importedKeys = new InMemoryKeyStore();
    const imported = encryptPersonalData(importedInner, importedKeys);
    for (const json of JSON.parse(exported) as unknown[]) {
      const { stream, revision, position: _p, ...event } = storedEventJsonSchema.parse(json);
      const appended = await imported.append(stream, [event], { expectedRevision: revision === 0 ? 'no-stream' : revision - 1 });
      expect(appended.ok).toBe(true);
    }
    expect(await importedKeys.isDestroyed('p-amina')).toBe(true);
    const reread = await imported.readStream('participant-p-amina');
    expect(reread[0]!.data).not.toHaveProperty('personal');
    expect(reread[1]!.data).toMatchObject({ personal: {} });
    for (const trace of traces) expect(await rawText(importedInner)).not.toContain(trace);
    // The participant who was not erased is sealed again, under the new key store's key.
    expect((await imported.readStream('participant-p-karim'))[0]!.data).toMatchObject({ personal: { fullName: { fr: 'Karim Bennani' } } });
    expect(await rawText(importedInner)).not.toContain('Karim');
  });
});

describe('the erased form of every personal field', () => {
  it('parses with its event schema, so erased events still decode', () => {
    const withPersonal = eventDefinitions.filter((d) => d.personalFields.length > 0) as unknown as EventDefinition[];
    expect(withPersonal.length).toBeGreaterThan(0);
    for (const definition of withPersonal) {
      for (const field of definition.personalFields) {
        const form = erasedFormOf(definition, field);
        const schema = (definition.data.shape as Record<string, { safeParse(v: unknown): { success: boolean } }>)[field]!;
        expect(schema.safeParse(form.omit ? undefined : form.value).success, `${definition.type}.${field}`).toBe(true);
      }
    }
  });
});

describe('encryption is transparent (property)', () => {
  it('any command sequence reads back as it would from a plain store, except erased participants\' personal fields', async () => {
    await fc.assert(
      fc.asyncProperty(commandSequenceArb(40), async (commands) => {
        const plain = new InMemoryEventStore();
        const sealedInner = new InMemoryEventStore();
        const sealedKeys = new InMemoryKeyStore();
        await recordCommands(plain, commands, deterministicContext());
        await recordCommands(encryptPersonalData(sealedInner, sealedKeys), commands, deterministicContext());
        const expected = await collect(plain.readAll());
        const actual = await collect(encryptPersonalData(sealedInner, sealedKeys).readAll());
        const erased = new Set(expected.filter((e) => e.type === 'ParticipantDataErased').map((e) => (e.data as { participantId: string }).participantId));
        expect(actual).toHaveLength(expected.length);
        for (const [i, event] of actual.entries()) {
          const original = expected[i]!;
          const data = original.data as { participantId?: string; personal?: unknown };
          const wasErased = 'personal' in data && data.participantId !== undefined && erased.has(data.participantId);
          if (!wasErased) {
            expect(event).toEqual(original);
            continue;
          }
          expect(erasedPersonalFields(event)).toEqual(['personal']);
          const { personal: _, ...rest } = data;
          expect(event.data).toEqual(original.type === 'ParticipantRegistered' ? rest : { ...rest, personal: {} });
          expect(decodeEvent(event).ok).toBe(true);
          expect(JSON.stringify((await sealedInner.readStream(event.stream))[event.revision]!.data)).not.toContain(JSON.stringify(data.personal).slice(1, -1));
        }
      }),
      { numRuns: 40 },
    );
  });
});
