import { InMemoryEventStore } from '@taawun/domain';
import { describe, expect, it } from 'vitest';
import { InMemoryReadModelStorage } from '../engine/in-memory-storage.js';
import { lensFromStreams } from '../engine/lens-from-streams.js';
import { storedModel } from '../engine/model-reader.js';
import { catalogueAt, recordStreamsProjection } from '../engine/record-streams.js';
import { ProjectionRunner } from '../engine/runner.js';
import { activeGeneration } from '../engine/storage.js';
import { record } from '../engine/test-support.js';
import { agreementsRegisterProjection, agreementsRegisterReadModel } from './agreements-register.js';
import { queryService } from './built-in.js';

/*
 * Through a lens, the records a view reads together (a partner's agreements:
 * the programmes launched under them, and the other parties) are folded in one
 * fold after the scope's, not one fold each; the answer stays the replay's.
 */
describe("a partner's agreements through a lens from the streams", () => {
  it("folds the programmes and the other parties the view reads together in one fold, after the scope's, and answers as the replay", async () => {
    const store = new InMemoryEventStore();
    await record(store, [
      { type: 'RegisterPartner', partnerId: 'giz', name: { en: 'GIZ' }, kind: 'agency' },
      { type: 'RegisterPartner', partnerId: 'enm-france', name: { en: 'ENM' }, kind: 'school' },
      { type: 'SignAgreement', agreementId: 'a1', kind: 'agreement', partners: ['giz', 'enm-france'], signedOn: '2010-01-01' },
      // Neither names GIZ, and the lens cuts both (a rename and a closing after the day): the view reads and folds them.
      { type: 'LaunchProgramme', programmeId: 'p1', title: { en: 'Exchange' }, partners: ['enm-france'], startedOn: '2012-03-01', agreementId: 'a1' },
      { type: 'CloseProgramme', programmeId: 'p1', closedOn: '2020-01-01' },
      { type: 'RenamePartner', partnerId: 'enm-france', name: { en: 'ENM (renamed)' }, effectiveOn: '2019' },
      // GIZ's own record, which every view of its answer reads, is cut too: folded with the scope.
      { type: 'RenamePartner', partnerId: 'giz', name: { en: 'GIZ (renamed)' }, effectiveOn: '2018' },
    ]);
    const storage = new InMemoryReadModelStorage();
    for (const projection of [recordStreamsProjection, agreementsRegisterProjection]) await new ProjectionRunner(projection, { store, storage }).rebuild();
    const [catalogueInfo, storedInfo, head] = await Promise.all([activeGeneration(storage, recordStreamsProjection.name), activeGeneration(storage, agreementsRegisterProjection.name), store.lastPosition()]);
    const catalogue = await catalogueAt(store, storedModel(storage, recordStreamsProjection, catalogueInfo!), catalogueInfo!.position, head);
    const params = { partnerId: 'giz' };
    const lens = { asOf: '2015-06-30' };
    const declared = agreementsRegisterReadModel.lensStreams!;
    const opened = await lensFromStreams(
      { store, head, catalogue: catalogue!, stored: storedModel(storage, agreementsRegisterProjection, storedInfo!) },
      agreementsRegisterProjection,
      lens,
      declared as never,
      declared.scope(params)!,
      agreementsRegisterReadModel.lensScope!(params)!,
      params,
    );
    expect(opened.read.folds).toBe(1);
    const viewed = await agreementsRegisterReadModel.view(opened.model, params, {});
    expect(opened.read.folds).toBe(2);
    const agreement = viewed!.result.agreements[0]!;
    expect(agreement.programmes.map((p) => p.programmeId)).toEqual(['p1']);

    const [fromStreams, replayed] = await Promise.all([queryService({ store, storage }).query('agreements-register', params, { lens }), queryService({ store }).query('agreements-register', params, { lens })]);
    if (!fromStreams.ok || !replayed.ok) throw new Error('the register of GIZ was not answered');
    expect(fromStreams.value.source.kind).toBe('streams');
    expect({ ...fromStreams.value, source: null }).toEqual({ ...replayed.value, source: null });
    expect(JSON.stringify(fromStreams.value.result)).toContain('"ENM"');
  });
});
