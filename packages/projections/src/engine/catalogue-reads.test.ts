import { InMemoryEventStore } from '@taawun/domain';
import { deterministicContext } from '@taawun/domain/testing';
import { loadInstituteRecord } from '@taawun/example-institute-record';
import { describe, expect, it } from 'vitest';
import { agreementsRegisterProjection } from '../read-models/agreements-register.js';
import { queryService } from '../read-models/built-in.js';
import { InMemoryReadModelStorage } from './in-memory-storage.js';
import type { ModelIndexEntry, ModelReader } from './model-reader.js';
import { recordStreamsProjection } from './record-streams.js';
import { rememberedReads } from './remembered-reads.js';
import { ProjectionRunner } from './runner.js';
import type { ReadModelStorage } from './storage.js';
import { record } from './test-support.js';

/** The storage, counting the reads of one model (documents, index entries, keys) by the calls made. */
function countingReadsOf(inner: ReadModelStorage, model: string): { storage: ReadModelStorage; reads: () => number } {
  let reads = 0;
  const counted = new Set(['documents', 'readIndex', 'listKeys', 'listDocuments', 'countKeys', 'countIndex']);
  const storage = new Proxy(inner, {
    get: (target, property) => {
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (counted.has(String(property)) && args[0] === model) reads++;
        return value.apply(target, args);
      };
    },
  });
  return { storage, reads: () => reads };
}

describe("the catalogue of streams' reads kept between lens answers", () => {
  it('reads the catalogue once for the answers at one commit, and again, with what was recorded since, after it moved', async () => {
    const store = new InMemoryEventStore();
    const context = deterministicContext('seed');
    await loadInstituteRecord(store, context);
    const { storage, reads } = countingReadsOf(new InMemoryReadModelStorage(), recordStreamsProjection.name);
    const catchUp = async () => {
      for (const projection of [recordStreamsProjection, agreementsRegisterProjection]) await new ProjectionRunner(projection, { store, storage }).catchUp();
    };
    await catchUp();
    const replaying = queryService({ store });
    const fromStreams = queryService({ store, storage });
    const answer = async (asOf: string) => {
      const [stored, replayed] = await Promise.all([
        fromStreams.query('agreements-register', { partnerId: 'enm-france' }, { lens: { asOf } }),
        replaying.query('agreements-register', { partnerId: 'enm-france' }, { lens: { asOf } }),
      ]);
      if (!stored.ok || !replayed.ok) throw new Error('the register of the ENM was not answered');
      expect(stored.value.source.kind).toBe('streams');
      expect({ ...stored.value, source: null }).toEqual({ ...replayed.value, source: null });
      return (stored.value.result as { agreements: { agreementId: string }[] }).agreements.map((a) => a.agreementId);
    };

    const before = await answer('2030');
    const first = reads();
    expect(first).toBeGreaterThan(0);
    // Another lens, the same commit: nothing of the catalogue read again.
    expect(await answer('2010')).not.toEqual(before);
    expect(reads()).toBe(first);

    // Recorded and committed: the next answer reads the catalogue at its new checkpoint and finds the agreement.
    await record(store, [{ type: 'SignAgreement', agreementId: 'enm-2023', kind: 'agreement', partners: ['enm-france'], signedOn: '2023-06-01' }], context);
    await catchUp();
    expect(await answer('2030')).toEqual([...before, 'enm-2023']);
    expect(reads()).toBeGreaterThan(first);
  });

  it('forgets what it holds past its bound and reads it again, giving the same documents and lists', async () => {
    const documents: Record<string, { n: number }> = { a: { n: 1 }, b: { n: 2 }, c: { n: 3 } };
    let read = 0;
    const inner = {
      async getMany(keys: readonly string[]) {
        read += keys.length;
        return new Map(keys.flatMap((k) => (documents[k] ? [[k, documents[k]] as const] : [])));
      },
      async index(): Promise<ModelIndexEntry[]> {
        read++;
        return [{ sort: '1', document: 'a', value: null }];
      },
      async keys() {
        read++;
        return ['a', 'b', 'c'];
      },
    } as unknown as ModelReader<{ n: number }>;
    const remembered = rememberedReads(inner, 3);
    expect([...(await remembered.getMany(['a', 'b', 'missing']))]).toEqual([['a', { n: 1 }], ['b', { n: 2 }]]);
    expect(read).toBe(3);
    // Held: a, b and the missing one. Asked with one more, they are forgotten, and what was asked is still given whole, in order.
    expect([...(await remembered.getMany(['b', 'c', 'a']))]).toEqual([['b', { n: 2 }], ['c', { n: 3 }], ['a', { n: 1 }]]);
    expect(read).toBe(4);
    expect(await remembered.get('a')).toEqual({ n: 1 });
    expect(read).toBe(5);
    expect(await remembered.index('i', 'k')).toEqual(await remembered.index('i', 'k'));
    expect(await remembered.keys({ prefix: 'x' })).toEqual(['a', 'b', 'c']);
    expect(await remembered.keys({ prefix: 'x' })).toEqual(['a', 'b', 'c']);
    expect(read).toBe(7);
  });
});
