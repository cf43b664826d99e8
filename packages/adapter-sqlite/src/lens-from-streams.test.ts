import { encryptPersonalData, eraseParticipant, handle, type CommandInput } from '@taawun/domain';
import { deterministicContext } from '@taawun/domain/testing';
import { loadInstituteRecord } from '@taawun/example-institute-record';
import { ProjectionRunner, queryService, type TimeLens } from '@taawun/projections';
import { describe, expect, it } from 'vitest';
import { tempDatabases } from '../test/temp-files.js';
import { openSqliteEventStore } from './event-store.js';
import { openSqliteKeyStore } from './key-store.js';
import { openSqliteReadModelStorage } from './read-model-storage.js';

const newDatabase = tempDatabases();

/*
 * A time lens answered from the records' streams on SQLite (the catalogue of
 * streams and the stored models in the file) gives the replay's answer: the
 * index order, the key prefixes and the batched reads of this storage are the
 * ones the lens relies on.
 */
describe('a time lens from the stored streams on SQLite', () => {
  it("answers the institute's partners as a replay of the log does, with the models at the head and behind it", async () => {
    const store = await openSqliteEventStore(newDatabase());
    try {
      const context = deterministicContext('seed');
      await loadInstituteRecord(store, context);
      const storage = await openSqliteReadModelStorage(store);
      const replaying = queryService({ store });
      const fromStreams = queryService({ store, storage });
      for (const projection of replaying.projections()) await new ProjectionRunner(projection, { store, storage }).rebuild();
      const lenses: TimeLens[] = [{ asOf: '2010' }, { asOf: '2018-06' }, { asKnownOn: '2024-01-01T08:30:00Z' }, { asOf: '2016', asKnownOn: '2024-01-01T09:00:00Z' }];
      const compareAll = async () => {
        for (const lens of lenses) {
          for (const partnerId of ['giz', 'aecid', 'ssm-italy', 'enabel', 'kvinfo', 'no-such-partner']) {
            const asked = [['partner-history', { offset: 0, limit: 3 }], ['partner-history', undefined], ['agreements-register', undefined], ['sessions', { offset: 1, limit: 3 }], ['publications', undefined]] as const;
            for (const [name, page] of asked) {
              const options = { lens, ...(page ? { page } : {}) };
              const replayed = await replaying.query(name, { partnerId }, options);
              const stored = await fromStreams.query(name, { partnerId }, options);
              if (!replayed.ok || !stored.ok) {
                // A partner the record does not hold at all: the same error either way.
                expect(stored).toEqual(replayed);
                continue;
              }
              const { source, ...answer } = stored.value;
              const { source: _replayedFrom, ...expected } = replayed.value;
              expect(source.kind, `${name} ${partnerId} ${JSON.stringify(lens)}`).toBe('streams');
              expect(answer, `${name} ${partnerId} ${JSON.stringify(lens)}`).toEqual(expected);
            }
          }
        }
      };
      await compareAll();
      // Recorded after the models were built: the catalogue's tail is read from the log, and no stored document is taken whole.
      const renamed = await handle(store, { type: 'RenamePartner', partnerId: 'giz', name: { en: 'GIZ (renamed)' }, effectiveOn: '2012' }, context);
      expect(renamed.ok).toBe(true);
      await compareAll();
    } finally {
      await store.close();
    }
  });

  it("answers a participant's record from their streams, erased as known before the erasure, and the catalogue keeps no name", async () => {
    const path = newDatabase();
    const events = await openSqliteEventStore(path);
    const keys = await openSqliteKeyStore(events);
    const store = encryptPersonalData(events, keys);
    try {
      const context = deterministicContext('registrar');
      const commands: CommandInput[] = [
        { type: 'RegisterPartner', partnerId: 'giz', name: { en: 'GIZ' }, kind: 'agency' },
        { type: 'RegisterParticipant', participantId: 'p-amina', kind: 'judge', personal: { fullName: { fr: 'Amina El Alaoui' } } },
        { type: 'ScheduleSession', sessionId: 's1', title: { en: 'ToT' }, kind: 'course', format: 'in-person', partners: ['giz'], plannedFor: '2018' },
        { type: 'EnrolParticipant', sessionId: 's1', participantId: 'p-amina', role: 'trainee' },
      ];
      for (const command of commands) expect((await handle(store, command, context)).ok).toBe(true);
      const asKnownOn = (await store.readStream('session-s1')).at(-1)!.recordedAt;
      expect(await eraseParticipant(store, keys, 'p-amina', 'the person asked', context)).toMatchObject({ ok: true });
      const storage = await openSqliteReadModelStorage(events);
      const replaying = queryService({ store });
      const fromStreams = queryService({ store, storage });
      for (const projection of replaying.projections()) await new ProjectionRunner(projection, { store, storage }).rebuild();
      for (const lens of [{ asKnownOn }, { asOf: '2018' }]) {
        const replayed = await replaying.query('participant-record', { participantId: 'p-amina' }, { lens });
        const stored = await fromStreams.query('participant-record', { participantId: 'p-amina' }, { lens });
        if (!stored.ok || !replayed.ok) throw new Error('the participant is registered');
        const { source, ...answer } = stored.value;
        const { source: _replayedFrom, ...expected } = replayed.value;
        expect(source.kind).toBe('streams');
        expect(answer).toEqual(expected);
        expect(answer).toMatchObject({ result: { personal: null, erased: true, sessions: [{ sessionId: 's1' }] } });
      }
      // The catalogue names the participant by id only.
      const rows = events.database.prepare("SELECT d.value FROM read_model_documents d JOIN read_model_generations g ON g.id = d.model WHERE g.name = 'record-streams'").pluck().all();
      expect(rows.join('\n')).toContain('participant:p-amina');
      expect(rows.join('\n')).not.toContain('Amina');
    } finally {
      await keys.close();
      await store.close();
    }
  });
});
