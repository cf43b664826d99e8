import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extremes, extremesOverWorlds, othersBest } from './ordered.js';

const day = fc.integer({ min: 0, max: 60 }).map((n) => `2018-01-${String(1 + (n % 28)).padStart(2, '0')}`);

describe("the other items' best day, in one pass", () => {
  it('for every item, the same as comparing it with each of the others (undefined days take no part)', () => {
    fc.assert(
      fc.property(fc.array(fc.option(day, { nil: undefined }), { maxLength: 40 }), (values) => {
        const minOr = (a: string | undefined, b: string | undefined) => (a === undefined ? b : b === undefined ? a : a < b ? a : b);
        const maxOr = (a: string | undefined, b: string | undefined) => (a === undefined ? b : b === undefined ? a : a > b ? a : b);
        const lowest = othersBest(values, (a, b) => a < b);
        const highest = othersBest(values, (a, b) => a > b);
        values.forEach((_, i) => {
          expect(lowest(i)).toBe(values.reduce<string | undefined>((m, v, k) => (k === i ? m : minOr(m, v)), undefined));
          expect(highest(i)).toBe(values.reduce<string | undefined>((m, v, k) => (k === i ? m : maxOr(m, v)), undefined));
        });
      }),
    );
  });

  it('a partner with thousands of entries on one day: every one may be first and last', () => {
    const items = Array.from({ length: 20_000 }, () => ({ earliest: '2018-11-08', latest: '2018-11-08' }));
    const found = extremes(items)!;
    expect(found.first.candidates).toHaveLength(20_000);
    expect(found.first).toMatchObject({ certain: false, earliest: '2018-11-08', latest: '2018-11-08' });
    expect(found.last.candidates).toHaveLength(20_000);
  });
});

/*
 * The first and last item over partial worlds (a time lens: sure items in every
 * world, may-be items in some), against every world and every day each item may
 * have in it: the candidates are exactly those some world's ordering puts first
 * (last), certain exactly when one item only ever is, and the days given hold
 * every world's first (last) day.
 */
describe('the first and last item over partial worlds', () => {
  const iso = (d: number) => `2000-01-${String(d + 2).padStart(2, '0')}`; // -1 … 6
  const boundsArb = fc.record({ open: fc.constantFrom(false, false, true), a: fc.integer({ min: 0, max: 5 }), b: fc.integer({ min: 0, max: 5 }) }).map(({ open, a, b }) => ({
    earliest: open ? undefined : iso(Math.min(a, b)),
    latest: iso(Math.max(a, b)),
  }));
  const caseArb = fc
    .record({ sure: fc.array(boundsArb, { maxLength: 3 }), maybe: fc.array(boundsArb, { maxLength: 3 }) })
    .filter(({ sure, maybe }) => sure.length + maybe.length > 0 && sure.length + maybe.length <= 4)
    .chain(({ sure, maybe }) => {
      const n = sure.length + maybe.length;
      // Stated orders: an item follows one before it in the list; a sure item never follows a may-be one (it would then be there too).
      const pair = fc.tuple(fc.nat({ max: n - 1 }), fc.nat({ max: n - 1 })).filter(([f, p]) => p < f && !(f < sure.length && p >= sure.length));
      return fc.record({ sure: fc.constant(sure), maybe: fc.constant(maybe), follows: n > 1 ? fc.array(pair, { maxLength: 2 }) : fc.constant([] as [number, number][]) });
    });

  /** Every world (the sure items and a set of may-be ones, none without what it follows) and every day each item may have in it. */
  function everyWorld(sure: { earliest?: string; latest?: string }[], maybe: { earliest?: string; latest?: string }[], follows: [number, number][]) {
    const items = [...sure, ...maybe];
    const range = (i: number): [number, number] => [items[i]!.earliest === undefined ? -1 : Number(items[i]!.earliest!.slice(8)) - 2, Number(items[i]!.latest!.slice(8)) - 2];
    const firsts = new Set<number>();
    const lasts = new Set<number>();
    const firstDays: number[] = [];
    const lastDays: number[] = [];
    let emptyWorld = false;
    let impossible = false;
    for (let mask = 0; mask < 2 ** maybe.length; mask++) {
      const there = items.map((_, i) => i < sure.length || (mask & (1 << (i - sure.length))) !== 0);
      if (follows.some(([f, p]) => there[f] && !there[p])) continue;
      const present = items.map((_, i) => i).filter((i) => there[i]);
      if (present.length === 0) {
        emptyWorld = true;
        continue;
      }
      let any = false;
      const days = new Array<number>(items.length);
      const assign = (k: number) => {
        if (k === present.length) {
          if (follows.some(([f, p]) => there[f] && days[f]! < days[p]!)) return;
          any = true;
          const min = Math.min(...present.map((i) => days[i]!));
          const max = Math.max(...present.map((i) => days[i]!));
          // On one day, a stated order still says which came first.
          for (const i of present) if (days[i] === min && !follows.some(([f, p]) => f === i && there[p])) firsts.add(i);
          for (const i of present) if (days[i] === max && !follows.some(([f, p]) => p === i && there[f])) lasts.add(i);
          firstDays.push(min);
          lastDays.push(max);
          return;
        }
        const [lo, hi] = range(present[k]!);
        for (let d = lo; d <= hi; d++) {
          days[present[k]!] = d;
          assign(k + 1);
        }
      };
      assign(0);
      if (!any) impossible = true;
    }
    return { firsts, lasts, firstDays, lastDays, emptyWorld, impossible };
  }

  const dayOf = (d: string | undefined, open: number) => (d === undefined ? open : Number(d.slice(8)) - 2);

  it('gives the candidates every world gives, certain exactly when one item only is ever first (last), its days holding them all', () => {
    fc.assert(
      fc.property(caseArb, ({ sure, maybe, follows }) => {
        const truth = everyWorld(sure, maybe, follows);
        fc.pre(!truth.impossible);
        const found = extremesOverWorlds(sure, maybe, { before: (i) => follows.filter(([f]) => f === i).map(([, p]) => p) })!;
        for (const [side, candidates, days] of [['first', truth.firsts, truth.firstDays], ['last', truth.lasts, truth.lastDays]] as const) {
          const x = found[side];
          expect(new Set(x.candidates), side).toEqual(candidates);
          expect(x.certain, side).toBe(candidates.size === 1 && !truth.emptyWorld);
          expect(Math.min(...days), side).toBeGreaterThanOrEqual(dayOf(x.earliest, -1));
          expect(Math.max(...days), side).toBeLessThanOrEqual(dayOf(x.latest, 99));
        }
      }),
      { numRuns: 400 },
    );
  });
});
