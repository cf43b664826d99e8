/**
 * A figure the record may know only in part. `known` is the sum of what the
 * record states; when `exact` is false it is a lower bound, and `gaps` says
 * which records do not give a number, and why. Nothing is estimated.
 */
export interface Count {
  readonly known: number;
  readonly exact: boolean;
  readonly gaps: readonly CountGap[];
}

export interface CountGap {
  readonly recordId: string;
  readonly reason: GapReason;
}

/**
 * - `sessions-not-numbered`: "several sessions": counted as 1.
 * - `no-attendance-figure`: a held session with neither an attendance figure nor a named trainee: counted as 0.
 * - `per-session-figure-of-unnumbered-sessions`: "20 each" of "several" sessions: counted once.
 * - `no-participant-figure`: a completed study visit with neither a count nor named participants: counted as 0.
 */
export type GapReason = 'sessions-not-numbered' | 'no-attendance-figure' | 'per-session-figure-of-unnumbered-sessions' | 'no-participant-figure';

export const exactly = (n: number): Count => ({ known: n, exact: true, gaps: [] });
export const atLeast = (n: number, recordId: string, reason: GapReason): Count => ({ known: n, exact: false, gaps: [{ recordId, reason }] });

export const sumCounts = (counts: readonly Count[]): Count => ({
  known: counts.reduce((sum, c) => sum + c.known, 0),
  exact: counts.every((c) => c.exact),
  gaps: counts.flatMap((c) => c.gaps),
});
