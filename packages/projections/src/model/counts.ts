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
 */
export const countSchema = z
  .object({
    known: z.number().int().min(0),
    exact: z.boolean().meta({ description: 'false: `known` is a lower bound' }),
    gaps: z.array(countGapSchema).meta({ description: 'The records that give no number, and why' }),
  })
  .meta({ id: 'Count' });
export type Count = z.infer<typeof countSchema>;

export const exactly = (n: number): Count => ({ known: n, exact: true, gaps: [] });
export const atLeast = (n: number, recordId: string, reason: GapReason): Count => ({ known: n, exact: false, gaps: [{ recordId, reason }] });

export const sumCounts = (counts: readonly Count[]): Count => ({
  known: counts.reduce((sum, c) => sum + c.known, 0),
  exact: counts.every((c) => c.exact),
  gaps: counts.flatMap((c) => c.gaps),
});
