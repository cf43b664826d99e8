import { InMemoryEventStore, handle } from '@taawun/domain';
import { deterministicContext } from '@taawun/domain/testing';
import { loadInstituteRecord } from '@taawun/example-institute-record';
import { beforeEach, describe, expect, it } from 'vitest';
import { partnerHistoryProjection } from '../read-models/partner-history.js';
import { yearlyActivityReportProjection } from '../read-models/yearly-report.js';
import { InMemoryReadModelStorage } from './in-memory-storage.js';
import { auditStoredModel } from './model-audit.js';
import { ProjectionRunner } from './runner.js';
import { activeGeneration } from './storage.js';

/*
 * A stored read model checked against the log: the record's models as built
 * match it; an edit made in the storage (a document, an index entry) does not,
 * and the audit names the first place it differs.
 */
describe('a stored read model audited against the log', () => {
  let store: InMemoryEventStore;
  let storage: InMemoryReadModelStorage;
  beforeEach(async () => {
    store = new InMemoryEventStore();
    await loadInstituteRecord(store, deterministicContext('seed'));
    storage = new InMemoryReadModelStorage();
    for (const projection of [partnerHistoryProjection, yearlyActivityReportProjection]) await new ProjectionRunner(projection, { store, storage }).rebuild();
  });

  /** A change written into the active generation as if by someone with access to the storage, not by the runner. */
  const edit = async (name: string, change: { documents?: { key: string; value: string | null }[]; index?: { remove: { index: string; key: string; sort: string }[]; put: never[] } }) => {
    const active = (await activeGeneration(storage, name))!;
    await storage.commit(name, active.generation, { documents: change.documents ?? [], index: change.index ?? { remove: [], put: [] }, position: active.position!, eventsApplied: active.eventsApplied, expectedPosition: active.position });
  };

  it('finds the models as built equal to what the log gives, documents and index entries', async () => {
    for (const projection of [partnerHistoryProjection, yearlyActivityReportProjection]) {
      expect(await auditStoredModel(store, storage, projection)).toMatchObject({ outcome: 'matches', documents: expect.any(Number), indexEntries: expect.any(Number) });
    }
  });

  it('names a document edited in the storage', async () => {
    const [document] = await storage.documents(partnerHistoryProjection.name, (await activeGeneration(storage, partnerHistoryProjection.name))!.generation, ['agreement-enm-1998']).then((m) => [...m.values()]);
    await edit(partnerHistoryProjection.name, { documents: [{ key: 'agreement-enm-1998', value: document!.replace('Cooperation agreement', 'Secret side-deal') }] });
    expect(await auditStoredModel(store, storage, partnerHistoryProjection)).toMatchObject({ outcome: 'differs', difference: 'the document agreement-enm-1998 is not what the log gives' });
  });

  it('names a document removed, and an index entry removed', async () => {
    await edit(partnerHistoryProjection.name, { documents: [{ key: 'agreement-enm-1998', value: null }] });
    expect(await auditStoredModel(store, storage, partnerHistoryProjection)).toMatchObject({ outcome: 'differs', difference: expect.stringMatching(/^the storage holds the document \S+ where the log gives agreement-enm-1998$/) });

    const active = (await activeGeneration(storage, yearlyActivityReportProjection.name))!;
    const [entry] = await storage.listIndex(yearlyActivityReportProjection.name, active.generation, { limit: 1 });
    await edit(yearlyActivityReportProjection.name, { index: { remove: [{ index: entry!.index, key: entry!.key, sort: entry!.sort }], put: [] } });
    expect(await auditStoredModel(store, storage, yearlyActivityReportProjection)).toMatchObject({ outcome: 'differs', difference: expect.stringContaining(`the log gives (${entry!.index}, ${entry!.key}, `) });
  });

  it('checks a model behind the log at its own checkpoint, and says when there is nothing to check', async () => {
    // A partner recorded after the model was built: the model is behind, and still what the log gave at its checkpoint.
    expect((await handle(store, { type: 'RegisterPartner', partnerId: 'new-school', name: { en: 'New school' }, kind: 'school' }, deterministicContext('clerk'))).ok).toBe(true);
    const later = new InMemoryEventStore();
    expect(await auditStoredModel(later, new InMemoryReadModelStorage(), partnerHistoryProjection)).toEqual({ name: 'partner-history', outcome: 'not-checked', reason: 'no stored model' });
    expect(await auditStoredModel(store, storage, partnerHistoryProjection)).toMatchObject({ outcome: 'matches' });
  });
});
