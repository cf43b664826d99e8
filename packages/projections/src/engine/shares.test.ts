import { InMemoryEventStore } from '@taawun/domain';
import { commandSequenceArb, deterministicContext, recordCommands } from '@taawun/domain/testing';
import { loadInstituteRecord } from '@taawun/example-institute-record';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { yearlyActivityReportProjection as yearly } from '../read-models/yearly-report.js';
import { yearlyReportBothWays } from '../read-models/lens-test-support.js';
import { InMemoryReadModelStorage } from './in-memory-storage.js';
import { exportModel, storedModel } from './model-reader.js';
import { recordStreamsProjection } from './record-streams.js';
import { ProjectionRunner } from './runner.js';
import type { AnyProjection } from './projection.js';
import { ENGINE_NOTES_PREFIX, shareNoteKey, shareOf, SHARES_KEPT } from './shares.js';
import { CountingStorage } from '../testing/counting-storage.js';
import { activeGeneration, type ReadModelStorage } from './storage.js';

/** Every document of the active generation and every share note, by the key they are about. */
async function documentsAndNotes(storage: ReadModelStorage, name: string) {
  const { generation } = (await activeGeneration(storage, name))!;
  const all = await storage.listDocuments(name, generation);
  const notePrefix = shareNoteKey('');
  const documents = new Map(all.filter((d) => !d.key.startsWith('#')).map((d) => [d.key, JSON.parse(d.value) as unknown]));
  const notes = new Map(all.filter((d) => d.key.startsWith(notePrefix)).map((d) => [d.key.slice(notePrefix.length), JSON.parse(d.value) as unknown]));
  return { generation, documents, notes, kept: all.some((d) => d.key === SHARES_KEPT) };
}

/*
 * A projection that keeps shares (the yearly report) has, beside each document,
 * a note of what the document gives the model's lists and counters, written by
 * the engine when the share changes: a lens then reads the notes of the
 * streams it takes off, not their documents.
 */
describe("documents' shares kept beside them", () => {
  it('every document has its note, equal to its share as derived, and no note outlives its document, whatever the log and the commits', async () => {
    await fc.assert(
      fc.asyncProperty(commandSequenceArb(40), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 4 }), async (commands, batchSize, cacheSize) => {
        const store = new InMemoryEventStore();
        await recordCommands(store, commands, deterministicContext());
        const storage = new InMemoryReadModelStorage();
        // Small commits and a small cache: documents change over many commits and are read back from storage between them.
        await new ProjectionRunner(yearly, { store, storage, batchSize, cacheSize }).catchUp();
        const { documents, notes, kept } = await documentsAndNotes(storage, yearly.name);
        expect(kept).toBe(true);
        expect([...notes.keys()].sort()).toEqual([...documents.keys()].sort());
        for (const [key, document] of documents) expect(notes.get(key)).toEqual(JSON.parse(JSON.stringify(shareOf(yearly, key, document))));
      }),
      { numRuns: 40 },
    );
  });

  it('takes the names a projection gives as data: an index or counters named "__proto__" is one more', () => {
    const projection = {
      indexes: () => [{ index: '__proto__', key: 'k', sort: 'a' }, { index: '__proto__', key: 'k', sort: 'b' }],
      counters: () => [{ counters: '__proto__', values: { n: 2 } }],
    } as unknown as AnyProjection;
    const text = JSON.stringify(shareOf(projection, 'd', {}));
    expect(text).toBe('{"entries":{"__proto__":{"k":2}},"counters":{"__proto__":{"n":2}}}');
    expect(({} as Record<string, unknown>)['k']).toBeUndefined();
  });

  it('leaves the notes out of the model: its export, its keys', async () => {
    const store = new InMemoryEventStore();
    await loadInstituteRecord(store, deterministicContext('seed'));
    const storage = new InMemoryReadModelStorage();
    await new ProjectionRunner(yearly, { store, storage }).catchUp();
    const { generation, notes } = await documentsAndNotes(storage, yearly.name);
    expect(notes.size).toBeGreaterThan(0);
    const exported = JSON.parse(await exportModel(storage, yearly.name, generation)) as { documents: [string, unknown][] };
    expect(exported.documents.filter(([key]) => key.startsWith(ENGINE_NOTES_PREFIX))).toEqual([]);
    const model = storedModel(storage, yearly, (await activeGeneration(storage, yearly.name))!);
    expect((await model.keys()).filter((key) => key.startsWith('#'))).toEqual([]);
  });

  it("lists the model's keys a page at a time past its notes, reading a page of keys, not the notes", async () => {
    const store = new InMemoryEventStore();
    await loadInstituteRecord(store, deterministicContext('seed'));
    const counting = new CountingStorage(new InMemoryReadModelStorage());
    await new ProjectionRunner(yearly, { store, storage: counting.storage }).catchUp();
    const model = storedModel(counting.storage, yearly, (await activeGeneration(counting.storage, yearly.name))!);
    const { documents, notes } = await documentsAndNotes(counting.storage, yearly.name);
    expect(notes.size).toBeGreaterThan(20);
    const all = [...documents.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(await model.keys()).toEqual(all);
    expect(await model.keyCount()).toBe(all.length);
    const paged: string[] = [];
    for (let offset = 0; offset < all.length + 3; offset += 3) {
      counting.keysListed = 0;
      paged.push(...(await model.keys({ offset, limit: 3 })));
      expect(counting.keysListed).toBeLessThanOrEqual(4);
    }
    expect(paged).toEqual(all);
    expect(await model.keys({ after: all[4]!, offset: 1, limit: 2 })).toEqual(all.slice(6, 8));
  });

  it('lets a lens on the whole report take streams off by their notes, reading none of their documents, and answer as the replay', async () => {
    const store = new InMemoryEventStore();
    await loadInstituteRecord(store, deterministicContext('seed'));
    const inner = new InMemoryReadModelStorage();
    for (const projection of [recordStreamsProjection, yearly]) await new ProjectionRunner(projection, { store, storage: inner }).catchUp();
    const documentsRead: string[] = [];
    const storage = new Proxy(inner, {
      get: (target, property) => {
        const value = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (property === 'documents' && args[0] === yearly.name) documentsRead.push(...(args[2] as string[]).filter((key) => !key.startsWith('#')));
          return value.apply(target, args);
        };
      },
    });
    // As known on a day before the record's last entries: the streams first recorded after it are only taken off.
    const events = [];
    for await (const event of store.readAll()) events.push(event);
    const lens = { asKnownOn: events[Math.floor(events.length * 0.6)]!.recordedAt };
    const answers = await yearlyReportBothWays(store, storage, lens);
    expect(answers.source).toBe('streams');
    expect(answers.stored).toEqual(answers.replayed);
    const laterStreams = new Set(events.slice(Math.floor(events.length * 0.6) + 1).map((e) => e.stream));
    for (const e of events.slice(0, Math.floor(events.length * 0.6) + 1)) laterStreams.delete(e.stream);
    const takenOff = [...laterStreams].filter((stream) => yearly.keysOf(events.find((e) => e.stream === stream)! as never).includes(stream));
    expect(takenOff.length).toBeGreaterThan(0);
    expect(documentsRead.filter((key) => takenOff.includes(key))).toEqual([]);
  });
});
