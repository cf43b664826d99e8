import { z } from 'zod';

/**
 * - `sessions-not-numbered`: "several sessions": counted as at least 2.
 * - `no-attendance-figure`: a held session with neither an attendance figure nor a named trainee: counted as 0.
 * - `per-session-figure-of-unnumbered-sessions`: "20 each" of "several" sessions: counted for 2 sessions, a lower bound.
 * - `no-participant-figure`: a completed study visit with neither a count nor named participants: counted as 0.
 */
export const gapReasonSchema = z.enum(['sessions-not-numbered', 'no-attendance-figure', 'per-session-figure-of-unnumbered-sessions', 'no-participant-figure']);
export type GapReason = z.infer<typeof gapReasonSchema>;

export const countGapSchema = z.object({ recordId: z.string(), reason: gapReasonSchema }).meta({ id: 'CountGap' });
export type CountGap = z.infer<typeof countGapSchema>;

/**
 * A figure the record may know only in part. `known` is the sum of what the
 * record states; when `exact` is false it is a lower bound, and `gaps` says
 * which records do not give a number, and why. Nothing is estimated.
 *
 * `atMost` is the upper bound when the record gives one although the figure is
 * not exact (a range: facts that may or may not fall under a time lens): the
 * figure is then between `known` and `atMost`; `null` says there is no upper
 * bound. Absent: `known` when exact, else no upper bound (a lower bound only).
 */
export const countSchema = z
  .object({
    known: z.number().int().min(0),
    exact: z.boolean().meta({ description: 'false: `known` is a lower bound' }),
    gaps: z.array(countGapSchema).meta({ description: 'The records that give no number, and why' }),
    atMost: z
      .number()
      .int()
      .min(0)
      .nullable()
      .optional()
      .meta({ description: 'When not exact: the upper bound (a range `known`–`atMost`), null when unbounded. Absent: `known` when exact, else unbounded' }),
    gapCount: z
      .number()
      .int()
      .min(0)
      .optional()
      .meta({ description: 'How many gaps the count has in all, when `gaps` names only the first of them (the yearly report\'s totals over every period). Absent: `gaps` names them all' }),
  })
  .meta({ id: 'Count' });
export type Count = z.infer<typeof countSchema>;

export const exactly = (n: number): Count => ({ known: n, exact: true, gaps: [] });
export const atLeast = (n: number, recordId: string, reason: GapReason): Count => ({ known: n, exact: false, gaps: [{ recordId, reason }] });
/** Between `known` and `atMost` (null: no upper bound); exact when the two meet. */
export const between = (known: number, atMost: number | null, gaps: CountGap[] = []): Count =>
  atMost === known && gaps.length === 0 ? exactly(known) : { known, exact: false, gaps, atMost };

/** The upper bound of a count: `null` when there is none. */
export const upperBound = (count: Count): number | null => (count.atMost !== undefined ? count.atMost : count.exact ? count.known : null);

export const sumCounts = (counts: readonly Count[]): Count => {
  const sum: Count = {
    known: counts.reduce((total, c) => total + c.known, 0),
    exact: counts.every((c) => c.exact),
    gaps: counts.flatMap((c) => c.gaps),
  };
  // A range stays a range: the sum of the upper bounds, unbounded when one is.
  if (!counts.some((c) => c.atMost !== undefined)) return sum;
  const bounds = counts.map(upperBound);
  return { ...sum, exact: false, atMost: bounds.includes(null) ? null : bounds.reduce<number>((t, b) => t + b!, 0) };
};
