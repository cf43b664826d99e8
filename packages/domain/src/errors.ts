/**
 * Domain errors: stable codes (adapters map them to HTTP statuses and exit codes)
 * and a message a person can act on. `fields` names the offending inputs.
 */
export const domainErrorCodes = {
  // input
  'invalid-command': 'validation',
  'invalid-date': 'validation',
  'date-in-future': 'validation',
  // references and existence
  'unknown-reference': 'rule',
  'not-found': 'not-found',
  'already-exists': 'conflict',
  // business rules
  'session-closed': 'rule',
  'session-full': 'conflict',
  'already-enrolled': 'rule',
  'not-enrolled': 'rule',
  'session-already-held': 'rule',
  'session-cancelled': 'rule',
  'visit-not-planned': 'rule',
  'visit-closed': 'rule',
  'agreement-terminated': 'rule',
  'programme-closed': 'rule',
  'already-published': 'rule',
  'participant-erased': 'rule',
  'invalid-correction': 'rule',
  // concurrency and storage
  'wrong-expected-revision': 'concurrency',
  'concurrency-retries-exhausted': 'concurrency',
  'store-unavailable': 'unavailable',
  'store-failure': 'unavailable',
} as const;

export type DomainErrorCode = keyof typeof domainErrorCodes;
/** The family of an error code: what an adapter needs to pick a status. */
export type DomainErrorKind = (typeof domainErrorCodes)[DomainErrorCode];

export interface DomainError {
  readonly code: DomainErrorCode;
  readonly message: string;
  /** Offending fields, as dotted paths (`partners.1`, `heldOn`). */
  readonly fields?: readonly string[];
  readonly details?: Readonly<Record<string, unknown>>;
}

export const domainError = (
  code: DomainErrorCode,
  message: string,
  extra: { fields?: readonly string[]; details?: Record<string, unknown> } = {},
): DomainError => ({ code, message, ...extra });

export const errorKind = (error: DomainError): DomainErrorKind => domainErrorCodes[error.code];
