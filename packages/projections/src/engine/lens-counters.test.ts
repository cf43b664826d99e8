import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withDelta } from './lens-by-delta.js';

const binaryOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** Counter sums as the engine writes them: none at zero, in code-unit order (before JSON.parse and the object's own order). */
const asEngineKeeps = (sums: Record<string, number>) =>
  JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(sums).filter(([, v]) => v !== 0).sort(([a], [b]) => binaryOrder(a, b))))) as Record<string, number>;

// Names like the yearly report's (`partner:giz|sessionsHeld`), its periods (`2021`, `2021-S1`: some are array indexes), and odd ones.
const counterName = fc.oneof(
  fc.constantFrom('total|items', 'partner:giz|sessionsHeld', 'partner:giz|sessionsHeld.gaps', 'theme:|items', 'format:remote|sessions'),
  fc.integer({ min: 1990, max: 2030 }).map(String),
  fc.integer({ min: 0, max: 40 }).map(String),
  fc.constantFrom('2021-S1', '2021-Q3', '10x', '9a', '4294967295', '007'),
  fc.string({ maxLength: 6 }),
);
const sums = fc.dictionary(counterName, fc.integer({ min: -5, max: 5 }));

describe('counter sums through a lens (withDelta)', () => {
  it('gives what adding the delta and writing the sums as the engine does gives, in the same order', () => {
    fc.assert(
      fc.property(sums, sums, (storedSums, deltaSums) => {
        const stored = asEngineKeeps(storedSums);
        const delta = new Map(Object.entries(deltaSums).filter(([, v]) => v !== 0));
        const expected: Record<string, number> = { ...stored };
        for (const [name, by] of delta) expected[name] = (expected[name] ?? 0) + by;
        const merged = withDelta(stored, delta);
        expect(JSON.stringify(merged)).toBe(JSON.stringify(asEngineKeeps(expected)));
      }),
      { numRuns: 500 },
    );
  });

  it('drops a counter the delta brings to zero and places a new one in code-unit order', () => {
    const stored = asEngineKeeps({ 'partner:aecid|items': 2, 'partner:giz|items': 1, 'total|items': 3 });
    const merged = withDelta(stored, new Map([['partner:giz|items', -1], ['partner:enabel|items', 1]]));
    expect(Object.keys(merged)).toEqual(['partner:aecid|items', 'partner:enabel|items', 'total|items']);
  });
});
