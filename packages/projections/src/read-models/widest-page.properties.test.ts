import { InMemoryEventStore } from '@taawun/domain';
import { commandSequenceArb, deterministicContext, pools, recordCommands } from '@taawun/domain/testing';
import { loadInstituteRecord } from '@taawun/example-institute-record';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replayThroughLens, resolveLens } from '../engine/temporal.js';
import type { ModelReader } from '../engine/model-reader.js';
import { builtInReadModels } from './built-in.js';
import type { AnyReadModel } from './define.js';
import { widenCounts, widenedByWidest } from './lens-ranges.js';

/*
 * A lens's counts are ranges up to the same view over the widest completion.
 * That view is read for the page's items alone (`Page.only`: the yearly report
 * then reads only the page's periods, not all 45 of a large log): the widened
 * answer must be the one `widenCounts` gives with the widest answer read whole,
 * for random logs, lenses as of a day, and pages. Both the replay and the
 * stored streams widen through `widenedByWidest`, so their property test
 * (lens-from-streams.properties.test.ts) could not see a period left out here.
 */

type Projected = Extract<AnyReadModel, { kind: 'projected' }>;
const ranged = builtInReadModels.filter((m): m is Projected => m.kind === 'projected' && m.lensRanges === true);

/** Each ranged read model with the parameters it is asked with (a partner's, or none). */
const asks = (partnerId: string): [Projected, Record<string, unknown>][] =>
  ranged.map((m) => [m, 'partnerId' in m.params.shape ? { partnerId } : {}]);

async function widenedBothWays(model: Projected, params: Record<string, unknown>, asOf: string, certainModel: ModelReader, widestModel: ModelReader, page: { offset?: number; limit?: number }) {
  const parsed = model.params.parse(params);
  const certain = await model.view(certainModel, parsed, page);
  if (certain === undefined) return undefined;
  const whole = await model.view(widestModel, parsed, {});
  const day = resolveLens({ asOf }).asOf!;
  return {
    byItems: await widenedByWidest(model, parsed, certain.result, { widest: widestModel, certain: certainModel, asOf: day }),
    whole: model.lensWiden ? await model.lensWiden(certain.result, { widest: widestModel, certain: certainModel, asOf: day }) : widenCounts(certain.result, whole?.result),
  };
}

const dayArb = fc.integer({ min: 1995, max: 2030 }).chain((y) => fc.constantFrom(`${y}`, `${y}-06`, `${y}-02-28`, `${y}-12-31`));
const pageArb = fc.record({ offset: fc.integer({ min: 0, max: 4 }), limit: fc.integer({ min: 1, max: 3 }) }, { requiredKeys: [] });

describe("a lens's widest completion read for the page's items", () => {
  it('widens the answer exactly as the widest answer read whole, for random logs, lenses and pages', async () => {
    expect(ranged.map((m) => m.name)).toContain('yearly-activity-report');
    await fc.assert(
      fc.asyncProperty(commandSequenceArb(40), dayArb, fc.array(pageArb, { minLength: 1, maxLength: 3 }), fc.constantFrom(...pools.partners), async (commands, asOf, pages, partnerId) => {
        const store = new InMemoryEventStore();
        await recordCommands(store, commands, deterministicContext());
        for (const [model, params] of asks(partnerId)) {
          const certain = (await replayThroughLens(store, model.projection, { asOf })).model;
          const widest = (await replayThroughLens(store, model.projection, { asOf }, { widest: true })).model;
          for (const page of pages) {
            const both = await widenedBothWays(model, params, asOf, certain, widest, page);
            expect(both?.byItems, `${model.name} as of ${asOf} ${JSON.stringify(page)}`).toEqual(both?.whole);
          }
        }
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it("gives the yearly report's widest answer for the page's periods alone, with the totals over every period", async () => {
    const store = new InMemoryEventStore();
    await loadInstituteRecord(store, deterministicContext('seed'));
    const model = ranged.find((m) => m.name === 'yearly-activity-report')!;
    const { model: widest } = await replayThroughLens(store, model.projection, { asOf: '2018-06-30' }, { widest: true });
    const params = model.params.parse({});
    const whole = (await model.view(widest, params, {}))!.result as { periods: { period: { key: string } }[]; totals: unknown };
    expect(whole.periods.length).toBeGreaterThan(2);
    const [first, , third] = whole.periods;
    const only = new Set([`period:${first!.period.key}`, `period:${third!.period.key}`]);
    const some = (await model.view(widest, params, { only }))!.result as typeof whole;
    expect(some.periods).toEqual([first, third]);
    expect(some.totals).toEqual(whole.totals);
  });
});
