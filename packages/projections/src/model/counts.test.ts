import { describe, expect, it } from 'vitest';
import { countText } from '../presentation/texts.js';
import { atLeast, between, exactly, sumCounts, upperBound } from './counts.js';

describe('counts: exact, lower bounds and ranges', () => {
  it('a range is known..atMost; a lower bound has no upper bound; exact is both', () => {
    expect(upperBound(exactly(6))).toBe(6);
    expect(upperBound(atLeast(8, 'giz-tot-2018', 'sessions-not-numbered'))).toBeNull();
    expect(between(8, 14)).toEqual({ known: 8, exact: false, gaps: [], atMost: 14 });
    expect(between(8, 8)).toEqual(exactly(8));
    expect(between(8, null)).toMatchObject({ exact: false, atMost: null });
  });

  it('sums keep what they are: exact with exact, a range with a range, unbounded when one part is', () => {
    expect(sumCounts([exactly(2), exactly(3)])).toEqual(exactly(5));
    expect(sumCounts([exactly(2), between(1, 4)])).toEqual({ known: 3, exact: false, gaps: [], atMost: 6 });
    expect(sumCounts([between(1, 4), atLeast(0, 'x', 'no-attendance-figure')])).toMatchObject({ known: 1, exact: false, atMost: null });
    expect(sumCounts([exactly(1), atLeast(2, 'x', 'no-attendance-figure')])).not.toHaveProperty('atMost');
  });

  it('reads as 6, 8–14, ≥ 8, or not stated', () => {
    expect(countText(exactly(6))).toBe('6');
    expect(countText(between(8, 14))).toBe('8–14');
    expect(countText(atLeast(8, 'x', 'no-attendance-figure'))).toBe('≥ 8');
    expect(countText(atLeast(0, 'x', 'no-attendance-figure'))).toBe('not stated');
    expect(countText(between(0, 20))).toBe('0–20');
  });
});
