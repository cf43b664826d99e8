import { partialDateArb } from '@taawun/domain/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareByCompletion, completionSortKey } from './dates.js';

describe('completionSortKey', () => {
  it('orders dates exactly as compareByCompletion does, so index entries sorted by it are in chronological order', () => {
    fc.assert(
      fc.property(partialDateArb, partialDateArb, (a, b) => {
        const [ka, kb] = [completionSortKey(a), completionSortKey(b)];
        expect(Math.sign(ka < kb ? -1 : ka > kb ? 1 : 0)).toBe(Math.sign(compareByCompletion(a, b)));
      }),
      { numRuns: 5000 },
    );
  });
});
