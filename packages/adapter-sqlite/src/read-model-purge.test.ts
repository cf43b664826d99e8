import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encryptPersonalData, eraseParticipant, handle, type EventStore } from '@taawun/domain';
import { deterministicContext } from '@taawun/domain/testing';
import { ProjectionRunner, projections, queryParticipantRecord, queryYearlyActivityReport, type AnyProjection, type ReadModelStorage } from '@taawun/projections';
import { describe, expect, it } from 'vitest';
import { tempDatabases, tempFolders } from '../test/temp-files.js';
import { openSqliteEventStore } from './event-store.js';
import { openSqliteKeyStore } from './key-store.js';
import { purgeReadModels, purgeReadModelsOnErasure } from './read-model-purge.js';
import { openSqliteReadModelStorage } from './read-model-storage.js';

const newDatabase = tempDatabases();
const newFolder = tempFolders();

const amina = { fullName: { ar: 'أمينة العلوي', fr: 'Amina El Alaoui' }, email: 'amina.alaoui@example.org' };
const names = ['أمينة العلوي', 'Amina El Alaoui', 'amina.alaoui@example.org'];

/** The name in UTF-8, UTF-16LE and UTF-16BE, and JSON's \u escapes (the encodings a read model's JSON text could use). */
const encodingsOf = (text: string): Buffer[] => [
  Buffer.from(text, 'utf8'),
  Buffer.from(text, 'utf16le'),
  Buffer.from(text, 'utf16le').swap16(),
  Buffer.from(text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)),
];
function traces(path: string): string[] {
  const found: string[] = [];
  for (const file of [path, `${path}-wal`, `${path}-shm`].filter((f) => existsSync(f))) {
    const bytes = readFileSync(file);
    for (const name of names) if (encodingsOf(name).some((e) => bytes.includes(e))) found.push(`${name} in ${file.slice(path.length) || 'the database'}`);
  }
  return found;
}

async function recordTheInstitute(store: EventStore, context: ReturnType<typeof deterministicContext>): Promise<void> {
  const ok = async (command: object) => expect((await handle(store, command, context)).ok, JSON.stringify(command)).toBe(true);
  await ok({ type: 'RegisterPartner', partnerId: 'enm-france', name: { fr: 'École nationale de la magistrature' }, kind: 'school', country: 'FR' });
  await ok({ type: 'RegisterParticipant', participantId: 'p-amina', kind: 'judicial-attache', cohort: 39, personal: amina });
  await ok({ type: 'RegisterParticipant', participantId: 'p-karim', kind: 'judicial-attache', cohort: 40, personal: { fullName: { fr: 'Karim Bennani' } } });
  await ok({ type: 'ScheduleSession', sessionId: 'enm-course-2016', title: { fr: 'Stage de deux mois' }, kind: 'course', format: 'in-person', partners: ['enm-france'], plannedFor: '2016' });
  await ok({ type: 'EnrolParticipant', sessionId: 'enm-course-2016', participantId: 'p-amina', role: 'trainee' });
  await ok({ type: 'EnrolParticipant', sessionId: 'enm-course-2016', participantId: 'p-karim', role: 'trainee' });
  await ok({ type: 'RecordSessionHeld', sessionId: 'enm-course-2016', heldOn: '2016', attendance: { count: 2, basis: 'total' } });
  await ok({ type: 'PlanStudyVisit', visitId: 'madrid-visit', direction: 'outgoing', partners: ['enm-france'], plannedFor: '2021' });
  await ok({ type: 'CompleteStudyVisit', visitId: 'madrid-visit', completedOn: '2021', participantIds: ['p-amina'], participantCount: 2 });
}

async function buildEveryReadModel(store: EventStore, storage: ReadModelStorage): Promise<void> {
  for (const projection of Object.values(projections) as AnyProjection[]) await new ProjectionRunner(projection, { store, storage }).rebuild({ fromScratch: true });
}

describe('read models after an erasure (SQLite)', () => {
  it('shows the participant erased, keeps the yearly report\'s totals, and leaves no name in the file or WAL', async () => {
    const path = newDatabase();
    const events = await openSqliteEventStore(path);
    const keys = await openSqliteKeyStore(events);
    const storage = await openSqliteReadModelStorage(events);
    const store = encryptPersonalData(events, keys);
    const context = deterministicContext('registrar:salma');
    await recordTheInstitute(store, context);
    await buildEveryReadModel(store, storage);

    const before = await queryParticipantRecord({ store, storage }, { participantId: 'p-amina' });
    expect(before).toMatchObject({ ok: true, value: { source: { kind: 'stored' }, result: { personal: amina, erased: false } } });
    const reportBefore = await queryYearlyActivityReport({ store, storage }, {});
    expect(reportBefore.ok && reportBefore.value.source.kind).toBe('stored');
    // The participant record holds the name in clear: that is what must be purged.
    expect(traces(path)).not.toEqual([]);

    const erased = await eraseParticipant(store, keys, 'p-amina', 'erasure requested, file DPO-2024-17', { ...context, actor: 'dpo:nadia' }, {
      onErased: purgeReadModelsOnErasure({ store, storage }),
    });
    expect(erased).toMatchObject({ ok: true, value: { keyDestroyedNow: true, residueCleared: true } });

    const after = await queryParticipantRecord({ store, storage }, { participantId: 'p-amina' });
    expect(after).toMatchObject({
      ok: true,
      value: {
        source: { kind: 'stored' },
        result: { participantId: 'p-amina', personal: null, erased: true, erasure: { reason: 'erasure requested, file DPO-2024-17' }, cohort: 39 },
      },
    });
    // What she took part in stays.
    expect(after.ok && after.value.result.sessions.map((s) => s.sessionId)).toEqual(['enm-course-2016']);
    expect(after.ok && after.value.result.studyVisits.map((v) => v.visitId)).toEqual(['madrid-visit']);
    const karim = await queryParticipantRecord({ store, storage }, { participantId: 'p-karim' });
    expect(karim.ok && karim.value.result.personal).toEqual({ fullName: { fr: 'Karim Bennani' } });

    const reportAfter = await queryYearlyActivityReport({ store, storage }, {});
    expect(reportAfter.ok && reportAfter.value.source.kind).toBe('stored');
    expect(reportAfter.ok && reportAfter.value.result).toEqual(reportBefore.ok && reportBefore.value.result);

    expect(traces(path)).toEqual([]);
    expect(await events.verify()).toMatchObject({ intact: true });
    await keys.close();
    await storage.close();
    await store.close();
    expect(traces(path)).toEqual([]);
  });

  it('reports what it rebuilt and what it does not know; repeating it is harmless', async () => {
    const path = newDatabase();
    const events = await openSqliteEventStore(path);
    const keys = await openSqliteKeyStore(events);
    const storage = await openSqliteReadModelStorage(events);
    const store = encryptPersonalData(events, keys);
    await recordTheInstitute(store, deterministicContext());
    await buildEveryReadModel(store, storage);
    await storage.create('custom-register', 1);

    const purge = await purgeReadModels({ store, storage });
    expect(purge).toEqual({ rebuilt: ['partner-history', 'activity-register', 'participant-record'], skipped: ['custom-register'], vacuumed: false, residueCleared: true });
    expect(await purgeReadModels({ store, storage })).toMatchObject({ rebuilt: ['partner-history', 'activity-register', 'participant-record'] });
    await keys.close();
    await storage.close();
    await store.close();
  });

  it('read models in a file of their own are vacuumed by default, and no name is left in either file', async () => {
    const folder = newFolder();
    const eventsPath = join(folder, 'events.db');
    const readModelsPath = join(folder, 'read-models.db');
    const events = await openSqliteEventStore(eventsPath);
    const keys = await openSqliteKeyStore(events);
    const store = encryptPersonalData(events, keys);
    const context = deterministicContext();
    await recordTheInstitute(store, context);
    const storage = await openSqliteReadModelStorage(readModelsPath); // its own connection, with secure_delete on
    await buildEveryReadModel(store, storage);
    await buildEveryReadModel(store, storage);
    expect(traces(readModelsPath)).not.toEqual([]);

    const erased = await eraseParticipant(store, keys, 'p-amina', 'request', context, { onErased: purgeReadModelsOnErasure({ store, storage }) });
    expect(erased.ok).toBe(true);
    expect(traces(readModelsPath)).toEqual([]);
    expect(traces(eventsPath)).toEqual([]);
    const after = await queryParticipantRecord({ store, storage }, { participantId: 'p-amina' });
    expect(after.ok && after.value.result).toMatchObject({ erased: true, personal: null });
    await storage.close();
    await keys.close();
    await store.close();
  });

  it("read models in the log's file on a connection of their own are not vacuumed when the purge is told the event store as stored", async () => {
    const path = newDatabase();
    const events = await openSqliteEventStore(path);
    const keys = await openSqliteKeyStore(events);
    const store = encryptPersonalData(events, keys);
    await recordTheInstitute(store, deterministicContext());
    const storage = await openSqliteReadModelStorage(path); // the same file, another connection
    await buildEveryReadModel(store, storage);
    expect(storage.sharesConnection).toBe(false);
    // Told nothing, it takes the file for the read models' own: a VACUUM would rewrite the whole log.
    expect(await purgeReadModels({ store, storage, projections: [] })).toMatchObject({ vacuumed: true });
    expect(await purgeReadModels({ store, storage, eventStore: events })).toMatchObject({ rebuilt: ['partner-history', 'activity-register', 'participant-record'], vacuumed: false, residueCleared: true });
    await storage.close();
    await keys.close();
    await store.close();
  });

  it('why VACUUM: a generation deleted without secure_delete (by an older taawun) leaves its bytes in the file until the file is rewritten', async () => {
    const path = join(newFolder(), 'read-models.db');
    const storage = await openSqliteReadModelStorage(path);
    expect(storage.database.pragma('secure_delete', { simple: true })).toBe(1);
    storage.database.pragma('secure_delete = OFF'); // as a file written before taawun turned it on
    const store = encryptPersonalData(await openSqliteEventStore(join(path, '..', 'events.db')), await openSqliteKeyStore(':memory:'));
    const document = JSON.stringify({ people: Array.from({ length: 50 }, (_, i) => ({ i, personal: amina })) });
    const abandoned = await storage.create('participant-record', 1);
    await storage.commit('participant-record', abandoned.generation, {
      documents: [{ key: 'participant-p-amina', value: document }],
      index: { remove: [], put: [] },
      position: 1n,
      eventsApplied: 1,
      expectedPosition: undefined,
    });
    await storage.drop('participant-record', abandoned.generation);
    storage.database.pragma('wal_checkpoint(TRUNCATE)');
    expect(traces(path)).not.toEqual([]); // deleted, but still in the file

    expect(await purgeReadModels({ store, storage, projections: [], vacuum: false })).toMatchObject({ vacuumed: false, residueCleared: true });
    expect(traces(path)).not.toEqual([]);
    expect(await purgeReadModels({ store, storage, projections: [] })).toMatchObject({ vacuumed: true, residueCleared: true });
    expect(traces(path)).toEqual([]);
    await storage.close();
    await store.close();
  });
});
