import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { widenCounts, widenedByItself } from './lens-ranges.js';

/*
 * A lens answer whose widest completion is its own answer is widened by
 * itself (`widenedByItself`) instead of through `widenCounts(answer, answer)`:
 * it must give the same value for every answer, counts exact, inexact and
 * ranges, lists whose items have identities (some held twice) or none, and
 * statuses.
 */

const countArb = fc.oneof(
  fc.record({ known: fc.nat(20), exact: fc.constant(true), gaps: fc.constant([]) }),
  fc.record({
    known: fc.nat(20),
    exact: fc.boolean(),
    gaps: fc.array(fc.record({ recordId: fc.constantFrom('s1', 's2'), reason: fc.constantFrom('sessions-not-numbered', 'no-attendance-figure') }), { maxLength: 2 }),
    atMost: fc.option(fc.nat(30), { nil: undefined }),
  }),
  fc.record({ known: fc.nat(20), exact: fc.constant(false), gaps: fc.constant([]), atMost: fc.constant(null) }),
);

const { answer } = fc.letrec((tie) => ({
  answer: fc.oneof({ depthSize: 'small' }, fc.string({ maxLength: 3 }), fc.integer(), fc.constant(null), countArb, tie('item'), fc.array(tie('answer'), { maxLength: 4 })),
  // List items: an identity from a small pool (held twice at times), a period, a format, or none; a status at times.
  item: fc.record(
    {
      agreementId: fc.constantFrom('a1', 'a2', 'a3'),
      period: fc.record({ key: fc.constantFrom('2018', '2019') }),
      format: fc.constantFrom('online', 'in-person'),
      status: fc.constantFrom('signed', 'terminated'),
      sessions: countArb,
      entries: fc.array(tie('answer'), { maxLength: 3 }),
    },
    { requiredKeys: [] },
  ),
}));

describe('an answer widened by itself', () => {
  it('is the answer widenCounts gives when the widest completion is the answer itself', () => {
    fc.assert(
      fc.property(answer, (value) => {
        expect(widenedByItself(value)).toEqual(widenCounts(value, value));
        expect(JSON.stringify(widenedByItself(value))).toBe(JSON.stringify(widenCounts(value, value)));
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps an answer with nothing to widen as it is, and widens an inexact count without a bound to an unbounded range', () => {
    const register = { agreements: [{ agreementId: 'a1', status: 'signed', areas: [{ en: 'law' }] }] };
    expect(widenedByItself(register)).toBe(register);
    expect(widenedByItself({ held: { known: 2, exact: false, gaps: [] } })).toEqual({ held: { known: 2, exact: false, gaps: [], atMost: null } });
  });
});
