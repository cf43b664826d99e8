import { encryptPersonalData, handle, InMemoryEventStore, InMemoryKeyStore, type Command } from '@taawun/domain';
import { deterministicContext } from '@taawun/domain/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { participantRecordProjection, participantRecordView } from '../read-models/participant-record.js';
import { readModelStorageContract } from '../testing/index.js';
import { InMemoryReadModelStorage } from './in-memory-storage.js';
import { storedModel } from './model-reader.js';
import { ProjectionRunner } from './runner.js';
import { sealPersonalData } from './sealed-storage.js';

/*
 * Read models keep personal data only under the participant's key: given a
 * participant registered with a name, the stored documents hold ciphertext,
 * a query reads the name, and destroying the key (an erasure) makes every
 * stored copy unreadable without any rebuild.
 */

readModelStorageContract('sealing, over in-memory', async () => sealPersonalData(new InMemoryReadModelStorage(), new InMemoryKeyStore()));

const amina = { fullName: { ar: 'أمينة العلوي', fr: 'Amina El Alaoui' }, email: 'amina@example.ma', phone: '+212 600 000 041' };
const plaintexts = ['أمينة العلوي', 'Amina El Alaoui', 'amina@example.ma', '+212 600 000 041'];

let keys: InMemoryKeyStore;
let store: ReturnType<typeof encryptPersonalData>;
let inner: InMemoryReadModelStorage;
let context: ReturnType<typeof deterministicContext>;

async function record(command: Command): Promise<void> {
  const result = await handle(store, command, context);
  if (!result.ok) throw new Error(result.error.message);
}

/** Every document and index value the wrapped storage holds, as stored. */
async function storedText(): Promise<string> {
  const generation = (await inner.generations(participantRecordProjection.name)).at(-1)!.generation;
  const documents = await inner.listDocuments(participantRecordProjection.name, generation);
  const index = await inner.listIndex(participantRecordProjection.name, generation);
  return JSON.stringify([documents, index]);
}

async function build(): Promise<ReturnType<typeof sealPersonalData>> {
  const sealed = sealPersonalData(inner, keys);
  await new ProjectionRunner(participantRecordProjection, { store, storage: sealed }).rebuild();
  return sealed;
}

async function modelIn(storage: ReturnType<typeof sealPersonalData>) {
  const info = (await storage.generations(participantRecordProjection.name)).at(-1)!;
  return storedModel(storage, participantRecordProjection, info);
}

beforeEach(async () => {
  keys = new InMemoryKeyStore();
  store = encryptPersonalData(new InMemoryEventStore(), keys);
  inner = new InMemoryReadModelStorage();
  context = deterministicContext('registrar');
  await record({ type: 'RegisterParticipant', participantId: 'attache-41-a', kind: 'judicial-attache', cohort: 41, personal: amina });
  await record({ type: 'RegisterParticipant', participantId: 'judge-7', kind: 'judge', cohort: 7, personal: { fullName: { fr: 'Karim Bennani' } } });
  await record({ type: 'CorrectParticipantPersonalData', participantId: 'attache-41-a', personal: { ...amina, phone: '+212 600 000 042' }, reason: 'new phone' });
});

describe('a read model of personal data, stored', () => {
  it('holds no personal value in clear, in any encoding, and a query reads them opened', async () => {
    const sealed = await build();
    const text = await storedText();
    for (const value of [...plaintexts, '+212 600 000 042', 'Karim Bennani']) {
      expect(text).not.toContain(value);
      expect(text).not.toContain(JSON.stringify(value).slice(1, -1)); // as JSON escapes it
    }
    expect(text).toContain('$encrypted');
    const view = await participantRecordView(await modelIn(sealed), 'attache-41-a');
    expect(view?.personal).toEqual({ ...amina, phone: '+212 600 000 042' });
    expect(view?.personalDataCorrections).toEqual([expect.objectContaining({ reason: 'new phone' })]);
  });

  it('when the key is destroyed, every stored copy reads as erased at once, with no rebuild; the others are untouched', async () => {
    const sealed = await build();
    const before = await storedText();
    await keys.destroy('attache-41-a');
    expect(await storedText()).toBe(before); // nothing was rewritten…
    const model = await modelIn(sealed);
    const erased = await participantRecordView(model, 'attache-41-a');
    expect(erased?.personal).toBeNull(); // …yet nothing can be read back
    expect(erased?.kind).toBe('judicial-attache');
    expect((await participantRecordView(model, 'judge-7'))?.personal).toEqual({ fullName: { fr: 'Karim Bennani' } });
  });

  it('a sealed value changed, or moved to another document, is refused, never shown', async () => {
    await build();
    const generation = (await inner.generations(participantRecordProjection.name)).at(-1)!.generation;
    const [attache, judge] = await inner.listDocuments(participantRecordProjection.name, generation, { prefix: 'participant-' });
    expect(attache && judge).toBeTruthy();
    const sealedOf = (json: string) => JSON.stringify((JSON.parse(json) as { registered: { data: { personal: unknown } } }).registered.data.personal);
    const tampered = attache!.value.replace(/"ciphertext":"(.)/, (_, c: string) => `"ciphertext":"${c === 'A' ? 'B' : 'A'}`);
    // The judge's document given the attaché's sealed name (and the attaché's participant id, so the key is found).
    const moved = judge!.value.replace(sealedOf(judge!.value), sealedOf(attache!.value)).replace('"participantId":"judge-7"', '"participantId":"attache-41-a"');
    for (const [key, value] of [[attache!.key, tampered], [judge!.key, moved]] as const) {
      const copy = new InMemoryReadModelStorage();
      const g = await copy.create(participantRecordProjection.name, participantRecordProjection.version);
      await copy.commit(participantRecordProjection.name, g.generation, { documents: [{ key, value }], index: { remove: [], put: [] }, position: 1n, eventsApplied: 1, expectedPosition: undefined });
      const reading = sealPersonalData(copy, keys).documents(participantRecordProjection.name, g.generation, [key]);
      await expect(reading).rejects.toMatchObject({ code: 'storage-failure', message: expect.stringMatching(/is rejected: the sealed value does not authenticate/) });
    }
  });

  it('a key store that never held the key is told apart from an erasure', async () => {
    await build();
    const strangers = sealPersonalData(inner, new InMemoryKeyStore());
    const generation = (await inner.generations(participantRecordProjection.name)).at(-1)!.generation;
    await expect(strangers.listDocuments(participantRecordProjection.name, generation)).rejects.toMatchObject({
      code: 'storage-failure',
      message: expect.stringContaining('is it the key store that wrote it?'),
    });
  });
});
