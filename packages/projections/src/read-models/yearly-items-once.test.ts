import { InMemoryEventStore } from '@taawun/domain';
import { deterministicContext } from '@taawun/domain/testing';
import { loadInstituteRecord } from '@taawun/example-institute-record';
import { describe, expect, it } from 'vitest';
import { InMemoryReadModelStorage } from '../engine/in-memory-storage.js';
import { storedModel } from '../engine/model-reader.js';
import { ProjectionRunner } from '../engine/runner.js';
import { activeGeneration } from '../engine/storage.js';
import { yearlyActivityReportProjection as yearly } from './yearly-report.js';

/*
 * A record's items are derived once and kept with the record object (the
 * engine asks for its index entries and then its counters): the kept items
 * are a record's under its own key only.
 */
describe("a yearly report record's index entries and counters", () => {
  it('are derived for the key asked, even for a record object already derived under another key', async () => {
    const store = new InMemoryEventStore();
    await loadInstituteRecord(store, deterministicContext('seed'));
    const storage = new InMemoryReadModelStorage();
    await new ProjectionRunner(yearly, { store, storage }).catchUp();
    const model = storedModel(storage, yearly, (await activeGeneration(storage, yearly.name))!);
    const held = [];
    for (const key of await model.keys({ prefix: 'session-' })) {
      const record = await model.get(key);
      if (yearly.indexes!(key, record).length > 0) held.push({ key, record });
    }
    expect(held.length).toBeGreaterThan(1);
    const [a, b] = held;
    const lineOf = (key: string, record: unknown) => yearly.indexes!(key, record as never).find((e) => e.index === 'lines')!.value as { sessionId: string };
    // Fresh copies derive as the stored records do; the same object asked under another key gives that key's session.
    expect(lineOf(a!.key, structuredClone(a!.record))).toEqual(lineOf(a!.key, a!.record));
    expect(lineOf(b!.key, a!.record).sessionId).toBe(b!.key.slice('session-'.length));
    expect(lineOf(a!.key, a!.record).sessionId).toBe(a!.key.slice('session-'.length));
  });
});
