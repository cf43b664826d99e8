import { domainErrorCodes, errorKind, type DomainError, type DomainErrorCode, type DomainErrorKind } from '@taawun/domain';

/**
 * RFC 9457 problem details. Every error the adapter returns is one of these
 * types: a stable `code`, its `type` URI (`/problems/<code>`, served by the
 * adapter itself, so it dereferences to its description), a status, and the
 * offending fields when there are some. Never a stack trace.
 */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface ProblemType {
  readonly status: number;
  readonly title: string;
  readonly description: string;
}

/** Status of a domain error, by its family: the adapter never looks at business rules themselves. */
const statusByKind: Record<DomainErrorKind, number> = {
  validation: 400,
  rule: 422,
  'not-found': 404,
  conflict: 409,
  concurrency: 409,
  unavailable: 503,
};

/** Exceptions to the family mapping, each with its reason. */
const statusByDomainCode: Partial<Record<DomainErrorCode, number>> = {
  // A stale If-Match: the precondition the client set failed.
  'wrong-expected-revision': 412,
  // A storage failure that is not an outage: the server's fault, not worth retrying blindly.
  'store-failure': 500,
};

const domainTitles: Record<DomainErrorCode, string> = {
  'invalid-command': 'The command is invalid',
  'invalid-date': 'A date is invalid',
  'date-in-future': 'A fact is dated in the future',
  'unknown-reference': 'The command refers to something not recorded',
  'not-found': 'The record does not exist',
  'already-exists': 'The record already exists',
  'session-closed': 'The session is closed',
  'session-full': 'The session is full',
  'already-enrolled': 'The participant is already enrolled',
  'not-enrolled': 'The participant is not enrolled',
  'session-already-held': 'The session was already held',
  'session-cancelled': 'The session was cancelled',
  'visit-not-planned': 'The study visit is not planned',
  'visit-closed': 'The study visit is closed',
  'agreement-terminated': 'The agreement was terminated',
  'programme-closed': 'The programme is closed',
  'already-published': 'The text was already published',
  'participant-erased': "The participant's data was erased",
  'invalid-correction': 'The correction is invalid',
  'wrong-expected-revision': 'The record changed since the revision given in If-Match',
  'concurrency-retries-exhausted': 'The record kept changing while the command was decided; try again',
  'store-unavailable': 'The event store is unavailable; try again later',
  'store-failure': 'The event store failed',
};

const describeKind: Record<DomainErrorKind, string> = {
  validation: 'The request is not valid input for the command. `fields` names the offending inputs.',
  rule: 'The command breaks a business rule of the record. Nothing was written.',
  'not-found': 'The command is about a record that does not exist. Nothing was written.',
  conflict: 'The command conflicts with the current state of the record. Nothing was written.',
  concurrency: 'The record changed concurrently. Nothing was written.',
  unavailable: 'The event store could not be reached or failed. Nothing was written.',
};

/** Problems of the HTTP edge itself (not of the domain). */
const httpProblems = {
  'malformed-json': { status: 400, title: 'The body is not valid JSON', description: 'The request body could not be parsed as JSON.' },
  'invalid-request': { status: 400, title: 'The request is invalid', description: 'A query parameter or header is invalid. `fields` names them.' },
  'invalid-query': { status: 400, title: 'The query is invalid', description: 'A read-model parameter or the time lens (asOf, asKnownOn) is invalid. `fields` names them.' },
  'invalid-precondition': { status: 400, title: 'The If-Match header is invalid', description: 'If-Match takes one ETag from a previous response (`"3"`) or `*`.' },
  unauthenticated: { status: 401, title: 'An API key is required', description: 'Send `Authorization: Bearer <key>` with a key configured on the server.' },
  forbidden: { status: 403, title: 'The API key may not do this', description: "The key's role does not allow this operation." },
  'route-not-found': { status: 404, title: 'No such route', description: 'The path does not exist. See /openapi.json.' },
  'method-not-allowed': { status: 405, title: 'Method not allowed', description: 'The path exists, but not with this method.' },
  'payload-too-large': { status: 413, title: 'The request body is too large', description: 'The body exceeds the configured limit.' },
  'unsupported-media-type': { status: 415, title: 'The body must be JSON', description: 'Send `Content-Type: application/json`.' },
  'rate-limited': { status: 429, title: 'Too many requests', description: 'The key (or address) exceeded its request rate. Wait `Retry-After` seconds.' },
  'internal-error': { status: 500, title: 'Internal error', description: 'Something unexpected failed. It was logged; nothing about it is disclosed.' },
  'request-timeout': { status: 503, title: 'The request took too long', description: 'The request did not complete within the configured time. A command may still complete: retry it with the same Idempotency-Key.' },
  'too-many-streams': { status: 503, title: 'Too many live feeds', description: 'The server holds as many live event feeds as it is configured for.' },
  'too-many-replays': {
    status: 503,
    title: 'Too many replays of the log at once',
    description: 'Answering replays the whole log (a time lens, or a read model not stored at this version), and the server runs only a few replays at once. Wait `Retry-After` seconds.',
  },
} as const satisfies Record<string, ProblemType>;

export type HttpProblemCode = keyof typeof httpProblems;
export type ProblemCode = HttpProblemCode | DomainErrorCode;

const domainProblem = (code: DomainErrorCode): ProblemType => ({
  status: statusByDomainCode[code] ?? statusByKind[domainErrorCodes[code]],
  title: domainTitles[code],
  description: describeKind[domainErrorCodes[code]],
});

/** Every problem type the adapter can return, by code. */
export const problemTypes: Readonly<Record<ProblemCode, ProblemType>> = {
  ...httpProblems,
  ...(Object.fromEntries((Object.keys(domainErrorCodes) as DomainErrorCode[]).map((code) => [code, domainProblem(code)])) as Record<
    DomainErrorCode,
    ProblemType
  >),
};

export const isProblemCode = (code: string): code is ProblemCode => Object.hasOwn(problemTypes, code);

export const problemTypeUri = (code: ProblemCode): string => `/problems/${code}`;

/** One offending input: its dotted path and what is wrong with it. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: ProblemCode;
  readonly instance?: string;
  readonly fields?: readonly string[];
  readonly errors?: readonly FieldError[];
}

export function problem(
  code: ProblemCode,
  detail: string,
  extra: { fields?: readonly string[]; errors?: readonly FieldError[]; instance?: string } = {},
): Problem {
  const type = problemTypes[code];
  const fields = extra.fields ?? (extra.errors ? [...new Set(extra.errors.map((e) => e.field))] : undefined);
  return {
    type: problemTypeUri(code),
    title: type.title,
    status: type.status,
    detail,
    code,
    ...(extra.instance ? { instance: extra.instance } : {}),
    ...(fields && fields.length > 0 ? { fields } : {}),
    ...(extra.errors && extra.errors.length > 0 ? { errors: extra.errors } : {}),
  };
}

/**
 * A domain error as a problem. Server-side failures keep their message out of
 * the response (it may name files and hosts); the caller logs it.
 */
export function problemFromDomainError(error: DomainError, instance?: string): Problem {
  const kind = errorKind(error);
  const detail = kind === 'unavailable' ? problemTypes[error.code].title : error.message;
  return problem(error.code, detail, { ...(error.fields ? { fields: error.fields } : {}), ...(instance ? { instance } : {}) });
}

export const problemResponse = (p: Problem, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(p), { status: p.status, headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...headers } });
