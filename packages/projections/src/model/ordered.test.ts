import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extremes, othersBest } from './ordered.js';

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
