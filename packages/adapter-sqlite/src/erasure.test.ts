import { existsSync, readFileSync } from 'node:fs';
import {
  decodeEvent,
  encryptPersonalData,
  eraseParticipant,
  erasedPersonalFields,
  handle,
  participantDecider,
  type ParticipantEvent,
  type StoredEvent,
} from '@taawun/domain';
import { deterministicContext, eventStoreContract } from '@taawun/domain/testing';
import { describe, expect, it } from 'vitest';
import { tempDatabases } from '../test/temp-files.js';
import { openSqliteEventStore, type SqliteEventStore } from './event-store.js';
import { openSqliteKeyStore, type SqliteKeyStore } from './key-store.js';

const newDatabase = tempDatabases();

// The encrypting store keeps every promise of the port, over a real SQLite file.
eventStoreContract('encrypting store over SQLite', async () => {
  const events = await openSqliteEventStore(newDatabase());
  return encryptPersonalData(events, await openSqliteKeyStore(events));
}, { gapFreePositions: true, modelRuns: 10 });

const names = ['أمينة العلوي', 'Amina El Alaoui', 'amina.alaoui@example.org'];
const personal = { fullName: { ar: names[0], fr: names[1] }, email: names[2] };

/**
 * Every way the name could sit in the bytes: UTF-8, UTF-16 (both byte orders),
 * and base64 of the UTF-8 and UTF-16LE bytes at each of the three alignments a
 * base64 text can start at (the edge characters, which depend on the
 * neighbouring bytes, are left out). Also the JSON-escaped form.
 */
function encodingsOf(text: string): { label: string; bytes: Buffer }[] {
  const utf16be = Buffer.from(text, 'utf16le').swap16();
  const out = [
    { label: 'utf-8', bytes: Buffer.from(text, 'utf8') },
    { label: 'utf-16le', bytes: Buffer.from(text, 'utf16le') },
    { label: 'utf-16be', bytes: utf16be },
    { label: 'json-escaped', bytes: Buffer.from(JSON.stringify(text).slice(1, -1).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)) },
  ];
  for (const [encoding, raw] of [['utf-8', Buffer.from(text, 'utf8')], ['utf-16le', Buffer.from(text, 'utf16le')]] as const) {
    for (let shift = 0; shift < 3; shift++) {
      const b64 = Buffer.concat([Buffer.alloc(shift), raw]).toString('base64');
      const stable = b64.slice(Math.ceil((shift * 4) / 3) + 1, -4);
      out.push({ label: `base64 of ${encoding} (+${shift})`, bytes: Buffer.from(stable) });
    }
  }
  return out;
}

const databaseFiles = (path: string) => [path, `${path}-wal`, `${path}-shm`].filter((f) => existsSync(f));

/** Where any of the names appears, in any encoding, in the database file, its WAL or its shared memory. */
function traces(path: string, texts: readonly string[] = names): string[] {
  const found: string[] = [];
  for (const file of databaseFiles(path)) {
    const content = readFileSync(file);
    for (const text of texts) for (const { label, bytes } of encodingsOf(text)) if (content.includes(bytes)) found.push(`${text} as ${label} in ${file.slice(path.length) || 'the database'}`);
  }
  return found;
}

async function collect(events: AsyncIterable<StoredEvent>): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

interface Opened {
  path: string;
  events: SqliteEventStore;
  keys: SqliteKeyStore;
  store: ReturnType<typeof encryptPersonalData<SqliteEventStore>>;
}

async function openRecord(path = newDatabase()): Promise<Opened> {
  const events = await openSqliteEventStore(path);
  const keys = await openSqliteKeyStore(events);
  return { path, events, keys, store: encryptPersonalData(events, keys) };
}

async function recordInstitute({ store }: Opened, context = deterministicContext('registrar:salma')): Promise<void> {
  const ok = async (command: object) => expect((await handle(store, command, context)).ok, JSON.stringify(command)).toBe(true);
  await ok({ type: 'RegisterPartner', partnerId: 'enm-france', name: { fr: 'École nationale de la magistrature' }, kind: 'school', country: 'FR' });
  await ok({ type: 'ScheduleSession', sessionId: 'enm-course-2016', title: { fr: 'Stage de deux mois' }, kind: 'course', format: 'in-person', partners: ['enm-france'], plannedFor: '2016' });
  await ok({ type: 'RegisterParticipant', participantId: 'p-amina', kind: 'judicial-attache', cohort: 39, personal });
  await ok({ type: 'CorrectParticipantPersonalData', participantId: 'p-amina', personal: { ...personal, phone: '+212 600 000 000' }, reason: 'phone added' });
  await ok({ type: 'RegisterParticipant', participantId: 'p-karim', kind: 'judicial-attache', cohort: 40, personal: { fullName: { fr: 'Karim Bennani' } } });
  await ok({ type: 'EnrolParticipant', sessionId: 'enm-course-2016', participantId: 'p-amina', role: 'trainee' });
  await ok({ type: 'EnrolParticipant', sessionId: 'enm-course-2016', participantId: 'p-karim', role: 'trainee' });
}

const statusOf = (events: readonly StoredEvent[]) =>
  events.map((e) => decodeEvent(e)).reduce((state, decoded) => {
    if (!decoded.ok) throw new Error(decoded.error.message);
    return participantDecider.evolve(state, decoded.value as unknown as ParticipantEvent);
  }, participantDecider.initialState).status;

describe('crypto-shredding in an SQLite file', () => {
  it('the scan finds a name stored in plaintext (control: the scanner works)', async () => {
    const path = newDatabase();
    const plain = await openSqliteEventStore(path);
    await handle(plain, { type: 'RegisterParticipant', participantId: 'p-amina', kind: 'judge', personal }, deterministicContext());
    expect(traces(path).length).toBeGreaterThan(0);
    expect(traces(path).some((t) => t.includes('utf-8'))).toBe(true);
    await plain.close();
    // And the base64 forms are found when base64 of the name is what is stored.
    const other = newDatabase();
    const raw = await openSqliteEventStore(other);
    await raw.append('notes', [{ id: '0193a5c2-7c1d-7c3e-9d2f-4d5e6f700010', type: 'Note', schemaVersion: 1, recordedAt: '2024-01-01T00:00:00.000Z', metadata: { actor: 'a', correlationId: 'c', causationId: 'c' }, data: { b: Buffer.from(`xy${names[1]}`).toString('base64') } }], { expectedRevision: 'any' });
    expect(traces(other, [names[1]!])).toEqual([expect.stringContaining('base64 of utf-8 (+2)')]);
    await raw.close();
  });

  it('after erasure: no trace of the name in the file or WAL, the key is gone, the events decode, the participant reads as erased, the chain verifies', async () => {
    const opened = await openRecord();
    const { path, events, keys, store } = opened;
    const context = deterministicContext('registrar:salma');
    await recordInstitute(opened, context);
    expect(traces(path)).toEqual([]); // sealed from the start: the name never reaches the file
    expect((await store.readStream('participant-p-amina'))[0]!.data).toMatchObject({ personal });
    const key = await keys.lookup('p-amina');
    const keyBytes = Buffer.from(key.state === 'active' ? key.key : []);
    const auditorCheckpoint = await events.checkpoint();

    const erased = await eraseParticipant(store, keys, 'p-amina', 'erasure requested, file 2024/17', { ...context, actor: 'dpo:nadia', now: () => new Date('2024-06-01T10:00:00Z') });
    expect(erased).toMatchObject({ ok: true, value: { keyDestroyedNow: true, residueCleared: true } });

    expect(traces(path)).toEqual([]);
    for (const file of databaseFiles(path)) expect(readFileSync(file).includes(keyBytes), file).toBe(false);

    const stream = await store.readStream('participant-p-amina');
    expect(stream.map((e) => decodeEvent(e).ok)).toEqual([true, true, true]);
    expect(statusOf(stream)).toBe('erased');
    expect(stream[0]!.data).toEqual({ participantId: 'p-amina', kind: 'judicial-attache', cohort: 39 });
    expect(erasedPersonalFields(stream[0]!)).toEqual(['personal']);
    expect(stream[2]).toMatchObject({ type: 'ParticipantDataErased', recordedAt: '2024-06-01T10:00:00.000Z', metadata: { actor: 'dpo:nadia' }, data: { reason: 'erasure requested, file 2024/17' } });
    // What happened stays: both enrolments, and the other participant's name.
    const all = await collect(store.readAll());
    expect(all.filter((e) => e.type === 'ParticipantEnrolled').map((e) => (e.data as { participantId: string }).participantId)).toEqual(['p-amina', 'p-karim']);
    expect((await store.readStream('participant-p-karim'))[0]!.data).toMatchObject({ personal: { fullName: { fr: 'Karim Bennani' } } });

    // The log was only appended to: the chain verifies, and so does the auditor's checkpoint from before.
    expect(await events.verify()).toMatchObject({ intact: true, events: all.length });
    expect(await events.verify({ against: auditorCheckpoint })).toMatchObject({ intact: true });

    await keys.close();
    await store.close();
    expect(traces(path)).toEqual([]);
    const reopened = await openRecord(path);
    expect(statusOf(await reopened.store.readStream('participant-p-amina'))).toBe('erased');
    expect(await reopened.keys.isDestroyed('p-amina')).toBe(true);
    await reopened.store.close();
  });

  it('rejects a tampered ciphertext on read with corrupt, and verify() locates the change', async () => {
    const opened = await openRecord();
    const { events, store, keys } = opened;
    await recordInstitute(opened);
    const row = events.database.prepare(`SELECT position, data FROM events WHERE stream = 'participant-p-amina' AND revision = 0`).get() as { position: number; data: string };
    const data = JSON.parse(row.data) as { personal: { $encrypted: { ciphertext: string } } };
    const bytes = Buffer.from(data.personal.$encrypted.ciphertext, 'base64');
    bytes[5]! ^= 0x01;
    data.personal.$encrypted.ciphertext = bytes.toString('base64');
    events.database.exec('DROP TRIGGER events_are_never_updated');
    events.database.prepare('UPDATE events SET data = ? WHERE position = ?').run(JSON.stringify(data), row.position);

    const error = await store.readStream('participant-p-amina').then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ name: 'EventStoreError', code: 'corrupt', message: expect.stringMatching(/encrypted personal field is rejected|does not authenticate/) });
    for (const name of names) expect((error as Error).message).not.toContain(name);
    await expect(collect(store.readAll())).rejects.toMatchObject({ code: 'corrupt' });
    expect(await events.verify()).toMatchObject({ intact: false, position: BigInt(row.position), problem: 'hash-mismatch' });
    await keys.close();
    await store.close();
  });

  it('works with the keys in a file of their own: the event file never holds a key', async () => {
    const path = newDatabase();
    const keysPath = `${path}.keys`;
    const events = await openSqliteEventStore(path);
    const keys = await openSqliteKeyStore(keysPath);
    const store = encryptPersonalData(events, keys);
    const context = deterministicContext();
    await recordInstitute({ path, events, keys, store }, context);
    const key = await keys.lookup('p-amina');
    const keyBytes = Buffer.from(key.state === 'active' ? key.key : []);
    expect(databaseFiles(path).some((f) => readFileSync(f).includes(keyBytes))).toBe(false);
    expect(events.database.prepare(`SELECT name FROM sqlite_schema WHERE name = 'participant_keys'`).get()).toBeUndefined();

    expect((await eraseParticipant(store, keys, 'p-amina', 'request', context)).ok).toBe(true);
    expect(databaseFiles(keysPath).some((f) => readFileSync(f).includes(keyBytes))).toBe(false);
    expect(traces(path)).toEqual([]);
    expect(statusOf(await store.readStream('participant-p-amina'))).toBe('erased');
    await keys.close();
    await store.close();
  });
});
