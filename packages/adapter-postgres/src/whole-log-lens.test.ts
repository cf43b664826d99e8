import { InMemoryEventStore } from '@taawun/domain';
import { ProjectionRunner, projections, queryService, recordStreamsProjection, type TimeLens } from '@taawun/projections';
import { afterAll, describe, expect, it } from 'vitest';
import { openPostgresReadModelStorage } from './read-model-storage.js';
import { schemaPool } from './test-support/database.js';
import { copyInto, instituteLog, record } from './test-support/institute.js';

const schemas = schemaPool('whole_log_lens');
afterAll(() => schemas.dropAll());

/*
 * A lens on a whole-log answer from read models stored in PostgreSQL: the
 * stored model with the streams the lens changes folded through it gives the
 * answer a replay of the log gives (the reference, in memory), for the
 * institute's record and a later correction, every kind of lens.
 */
describe('a lens on a whole-log answer, over PostgreSQL', () => {
  it('answers the yearly report, the partner list and the whole registers as a replay does, from the stored models', async () => {
    const store = await schemas.open();
    const log = await instituteLog();
    await copyInto(store, log);
    // Recorded later: the 2018 training moved to 2019, so the record as known before it differs.
    const held = log.find((e) => e.type === 'SessionHeld' && (e.data as { heldOn?: string }).heldOn?.startsWith('2018'))!;
    await record(store, [{ type: 'CorrectRecord', stream: held.stream, eventId: held.id, changes: { heldOn: '2019' }, reason: 'the year was misread' }]);
    const storage = await openPostgresReadModelStorage(store);
    const built = ['partner-history', 'agreements-register', 'activity-register', 'yearly-activity-report'];
    for (const projection of [recordStreamsProjection, ...built.map((name) => projections[name]!)]) await new ProjectionRunner(projection, { store, storage }).rebuild();
    const fromStored = queryService({ store, storage }, [], { wholeLogLensShare: 1 });
    const memory = new InMemoryEventStore();
    for await (const e of store.readAll()) await memory.append(e.stream, [e], { expectedRevision: 'any' });
    const replaying = queryService({ store: memory });
    const lenses: TimeLens[] = [{ asOf: '2018-06' }, { asOf: '2030' }, { asKnownOn: '2025-01-01' }, { asOf: '2019', asKnownOn: '2030-01-01' }];
    for (const lens of lenses) {
      for (const [name, params] of [['yearly-activity-report', {}], ['partners', {}], ['agreements-register', {}], ['sessions', {}], ['publications', { period: '2017' }], ['sessions', { period: '2018' }]] as const) {
        const [stored, replayed] = [await fromStored.query(name, params, { lens }), await replaying.query(name, params, { lens })];
        // The answer without where it came from; an error (a period the lens has not reached) as it is.
        const seen = (answer: typeof stored) => (answer.ok ? { ...answer.value, source: answer.value.source.kind } : answer.error);
        expect(seen(stored), `${name} ${JSON.stringify(lens)}`).toEqual(replayed.ok ? { ...seen(replayed), source: 'streams' } : replayed.error);
      }
    }
    await storage.close();
  }, 60_000);
});
