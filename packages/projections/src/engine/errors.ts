/**
 * Failures of the projection engine and of read-model queries, with a stable
 * code and a message a person can act on. Storage adapters throw these too
 * (wrapping their driver's error as `cause`), so callers handle one type.
 */
export type ProjectionErrorCode =
  /** A projection definition is malformed (name, version, handled types, initial state). */
  | 'invalid-projection'
  /** A stored event could not be read as a domain event (unknown type, newer schema, invalid data). */
  | 'undecodable-event'
  /** A projection's state is not plain JSON (a bigint, a cycle, a function). */
  | 'state-not-json'
  /** Another runner committed to the same generation first; this one must reload. */
  | 'concurrent-runner'
  /** The generation written to no longer exists (another runner swapped in a rebuild). */
  | 'generation-missing'
  /** A stored model changed between two reads of one query (a runner committed): queries ask again. */
  | 'model-changed'
  /** The read-model storage failed (disk, connection); the message names it. */
  | 'storage-failure'
  /** A query's parameters or time lens are invalid. */
  | 'invalid-query'
  /** The record asked for is not in the read model. */
  | 'not-found'
  /** A parameter names a key (a partner, a period, a record) the record does not hold: the message names it and the valid ones. */
  | 'unknown-key';

export class ProjectionError extends Error {
  override readonly name = 'ProjectionError';
  constructor(
    readonly code: ProjectionErrorCode,
    message: string,
    options?: { cause?: unknown; field?: string; valid?: readonly string[]; key?: { readonly what: string; readonly value: string; readonly near?: readonly string[] } },
  ) {
    super(message, options);
    this.field = options?.field;
    this.valid = options?.valid;
    this.key = options?.key;
  }
  /** `unknown-key`: the parameter, and the keys it may take. */
  readonly field: string | undefined;
  readonly valid: readonly string[] | undefined;
  /** `unknown-key`: what was looked for (`partner`, `period`) and the value given, to say it in the reader's language. */
  readonly key: { readonly what: string; readonly value: string; readonly near?: readonly string[] } | undefined;
}

/** An unknown partner, period or record: one line naming it and the valid ones (`unknown-key`). */
export function unknownKey(field: string, what: string, value: string, valid: readonly string[]): ProjectionError {
  const shown = valid.length > 40 ? [...valid.slice(0, 40), `… (${valid.length - 40} more)`] : valid;
  return new ProjectionError('unknown-key', `no ${what} "${value}"; valid: ${shown.length > 0 ? shown.join(', ') : '(none recorded)'}`, { field, valid, key: { what, value } });
}

/**
 * An unknown key among many (record ids): every valid one when few, else the
 * closest by edit distance and how many there are, so the line stays one line.
 */
export function unknownKeyNearest(field: string, what: string, value: string, valid: readonly string[], many: { readonly noun: string; readonly where: string; readonly near?: string }): ProjectionError {
  if (valid.length <= 10) return unknownKey(field, what, value, valid);
  const nearest = valid
    .map((key) => ({ key, distance: editDistance(many.near ?? value, key) }))
    .sort((a, b) => a.distance - b.distance || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .slice(0, 5)
    .map((k) => k.key);
  return new ProjectionError('unknown-key', `no ${what} "${value}"; valid: ${nearest.join(', ')}, …; ${valid.length} ${many.noun} in all: ${many.where}`, { field, valid, key: { what, value, near: nearest } });
}

/** Levenshtein distance (insertions, deletions, substitutions), two rows at a time. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

export const isProjectionError = (e: unknown): e is ProjectionError =>
  e instanceof Error && (e as { name?: string }).name === 'ProjectionError' && typeof (e as { code?: unknown }).code === 'string';
