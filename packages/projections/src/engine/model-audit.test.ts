import { InMemoryEventStore, handle } from '@taawun/domain';
import { deterministicContext } from '@taawun/domain/testing';
import { loadInstituteRecord } from '@taawun/example-institute-record';
import { beforeEach, describe, expect, it } from 'vitest';
import { partnerHistoryProjection } from '../read-models/partner-history.js';
import { yearlyActivityReportProjection } from '../read-models/yearly-report.js';
import { InMemoryReadModelStorage } from './in-memory-storage.js';
import { auditStoredModel } from './model-audit.js';
import { defineProjection } from './projection.js';
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

  it('checks a model a run left behind the head as that run built it: with the corrections it applied, recorded after its checkpoint', async () => {
    // A projection written later that leaves corrections to the engine: each held session's attendance.
    const attendance = defineProjection({
      name: 'attendance-by-session',
      version: 1,
      handles: ['SessionHeld'],
      initialState: null as number | null,
      keyOf: (e) => e.stream,
      evolve: (_count: number | null, e) => e.data.attendance?.count ?? null,
    });
    await new ProjectionRunner(attendance, { store, storage }).rebuild();
    const clerk = deterministicContext('clerk');
    const held = await handle(store, { type: 'RecordSessionHeld', sessionId: 'giz-extra-2019', title: { en: 'Extra session' }, kind: 'training-session', format: 'in-person', partners: ['giz'], heldOn: '2019-03-12', attendance: { count: 10, basis: 'total' } }, clerk);
    if (!held.ok) throw new Error(held.error.message);
    const event = held.value.events[0]!;
    expect((await handle(store, { type: 'CorrectRecord', stream: event.stream, eventId: event.id, changes: { attendance: { count: 12, basis: 'total' } }, reason: 'recounted' }, clerk)).ok).toBe(true);
    expect((await handle(store, { type: 'RecordSessionHeld', sessionId: 'giz-extra-2020', title: { en: 'Another session' }, kind: 'training-session', format: 'in-person', partners: ['giz'], heldOn: '2020-03-12' }, clerk)).ok).toBe(true);
    // A catch-up stopped after one event: the session as corrected, the checkpoint before the correction, and a note of how far corrections were read.
    await new ProjectionRunner(attendance, { store, storage }).catchUp({ maxEvents: 1 });
    const active = (await activeGeneration(storage, attendance.name))!;
    expect(active.position).toBe(event.position);
    expect((await storage.documents(attendance.name, active.generation, [event.stream])).get(event.stream)).toBe('12');
    expect(await auditStoredModel(store, storage, attendance)).toMatchObject({ outcome: 'matches', position: event.position });
  });
});

