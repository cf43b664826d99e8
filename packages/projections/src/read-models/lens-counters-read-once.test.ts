import { InMemoryEventStore } from '@taawun/domain';
import { deterministicContext } from '@taawun/domain/testing';
import { loadInstituteRecord } from '@taawun/example-institute-record';
import { describe, expect, it } from 'vitest';
import { InMemoryReadModelStorage } from '../engine/in-memory-storage.js';
import { COUNTERS_PREFIX } from '../engine/projection.js';
import { recordStreamsProjection } from '../engine/record-streams.js';
import { ProjectionRunner } from '../engine/runner.js';
import type { ReadModelStorage } from '../engine/storage.js';
import { yearlyReportBothWays } from './lens-test-support.js';
import { yearlyActivityReportProjection } from './yearly-report.js';

/** The storage, counting how often each counters document of one model is read. */
function countingCounterReads(inner: ReadModelStorage, model: string) {
  const reads = new Map<string, number>();
  const storage = new Proxy(inner, {
    get: (target, property) => {
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (property === 'documents' && args[0] === model) for (const key of args[2] as string[]) if (key.startsWith(COUNTERS_PREFIX)) reads.set(key, (reads.get(key) ?? 0) + 1);
        return value.apply(target, args);
      };
    },
  });
  return { storage, reads };
}

/*
 * A yearly report through a lens reads every period's counters (its totals run
 * over every period), then reads them again for the same view over the widest
 * completion. At 1M events that is 49 documents of 3.8 MB in all: each is read
 * and parsed once per answer.
 */
describe('the yearly report through a lens on the whole log', () => {
  it('reads each counters document of the stored report once, and answers as the replay', async () => {
    const store = new InMemoryEventStore();
    await loadInstituteRecord(store, deterministicContext('seed'));
    const { storage, reads } = countingCounterReads(new InMemoryReadModelStorage(), yearlyActivityReportProjection.name);
    for (const projection of [recordStreamsProjection, yearlyActivityReportProjection]) await new ProjectionRunner(projection, { store, storage }).catchUp();
    // As of a day in 2019: the record's sessions of "2019" may or may not be held by then, so the widest completion is read too.
    const lens = { asOf: '2019-06-30' };
    reads.clear();
    const answers = await yearlyReportBothWays(store, storage, lens);
    expect(answers.source).toBe('streams');
    expect(answers.stored).toEqual(answers.replayed);
    expect(JSON.stringify(answers.stored.result)).toContain('"exact":false');
    expect(reads.size).toBeGreaterThan(1);
    expect([...reads].filter(([, n]) => n > 1)).toEqual([]);
  });
});
