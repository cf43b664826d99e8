import { z } from '@hono/zod-openapi';
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
const statusByKind = {
  validation: 400,
  rule: 422,
  'not-found': 404,
  conflict: 409,
  concurrency: 409,
  unavailable: 503,
} as const satisfies Record<DomainErrorKind, number>;

/** Exceptions to the family mapping, each with its reason. */
const statusExceptions = {
  // A stale If-Match: the precondition the client set failed.
  'wrong-expected-revision': 412,
  // A storage failure that is not an outage: the server's fault, not worth retrying blindly.
  'store-failure': 500,
} as const satisfies Partial<Record<DomainErrorCode, number>>;

const describeKind = {
  validation: 'The request is not valid input for the command. `fields` names the offending inputs.',
  rule: 'The command breaks a business rule of the record. Nothing was written.',
  'not-found': 'The command is about a record that does not exist. Nothing was written.',
  conflict: 'The command conflicts with the current state of the record. Nothing was written.',
  concurrency: 'The record changed concurrently. Nothing was written.',
  unavailable: 'The event store could not be reached or failed. Nothing was written.',
} as const satisfies Record<DomainErrorKind, string>;

type KindOf<C extends DomainErrorCode> = (typeof domainErrorCodes)[C];
type Exceptions = typeof statusExceptions;
/** What the family rule gives each domain code: its status (or the exception's) and its family's description. */
type ByFamily = {
  readonly [C in DomainErrorCode]: {
    readonly status: C extends keyof Exceptions ? Exceptions[C] : (typeof statusByKind)[KindOf<C>];
    readonly title: string;
    readonly description: (typeof describeKind)[KindOf<C>];
  };
};

const { validation, rule, conflict, concurrency, unavailable } = describeKind;
const notFound = describeKind['not-found'];

/**
 * The problem type of each domain code, spelled out so that its status is a
 * literal type (a route declares exactly the statuses it answers): `satisfies`
 * checks each line against the family rule above, and a new code of the domain
 * is a compile error until it has its line here.
 */
const domainProblems = {
  'invalid-command': { status: 400, title: 'The command is invalid', description: validation },
  'invalid-date': { status: 400, title: 'A date is invalid', description: validation },
  'date-in-future': { status: 400, title: 'A fact is dated in the future', description: validation },
  'unknown-reference': { status: 422, title: 'The command refers to something not recorded', description: rule },
  'not-found': { status: 404, title: 'The record does not exist', description: notFound },
  'already-exists': { status: 409, title: 'The record already exists', description: conflict },
  'session-closed': { status: 422, title: 'The session is closed', description: rule },
  'session-full': { status: 409, title: 'The session is full', description: conflict },
  'already-enrolled': { status: 422, title: 'The participant is already enrolled', description: rule },
  'not-enrolled': { status: 422, title: 'The participant is not enrolled', description: rule },
  'session-already-held': { status: 422, title: 'The session was already held', description: rule },
  'session-cancelled': { status: 422, title: 'The session was cancelled', description: rule },
  'visit-not-planned': { status: 422, title: 'The study visit is not planned', description: rule },
  'visit-closed': { status: 422, title: 'The study visit is closed', description: rule },
  'agreement-terminated': { status: 422, title: 'The agreement was terminated', description: rule },
  'programme-closed': { status: 422, title: 'The programme is closed', description: rule },
  'already-published': { status: 422, title: 'The text was already published', description: rule },
  'participant-erased': { status: 422, title: "The participant's data was erased", description: rule },
  'invalid-correction': { status: 422, title: 'The correction is invalid', description: rule },
  'wrong-expected-revision': { status: 412, title: 'The record changed since the revision given in If-Match', description: concurrency },
  'concurrency-retries-exhausted': { status: 409, title: 'The record kept changing while the command was decided; try again', description: concurrency },
  'store-unavailable': { status: 503, title: 'The event store is unavailable; try again later', description: unavailable },
  'store-failure': { status: 500, title: 'The event store failed', description: unavailable },
} as const satisfies ByFamily;

/** Problems of the HTTP edge itself (not of the domain). */
const httpProblems = {
  'bad-request': { status: 400, title: 'The request is not HTTP', description: 'The request line or a header could not be parsed. The connection is closed.' },
  'client-timeout': { status: 408, title: 'The request did not arrive in time', description: 'The headers or the body arrived too slowly. The connection is closed.' },
  'header-fields-too-large': { status: 431, title: 'The request headers are too large', description: 'The headers exceed the server\'s limit. The connection is closed.' },
  'malformed-json': { status: 400, title: 'The body is not valid JSON', description: 'The request body could not be parsed as JSON: not UTF-8, not JSON, or an object naming a key twice.' },
  'log-not-witnessed': {
    status: 500,
    title: 'The log no longer extends its witnessed checkpoint: nothing is signed',
    description: 'The log shrank or was rewritten since the last checkpoint its witness keeps, so the server signs no checkpoint or proof of it (the reason is in its log). Run `taawun verify` where the log is: it names the first bad position.',
  },
  'invalid-request': { status: 400, title: 'The request is invalid', description: 'A query parameter or header is invalid. `fields` names them.' },
  'invalid-query': { status: 400, title: 'The query is invalid', description: 'A read-model parameter or the time lens (asOf, asKnownOn) is invalid. `fields` names them.' },
  'invalid-precondition': { status: 400, title: 'The If-Match header is invalid', description: 'If-Match takes one ETag from a previous response (`"3"`) or `*`.' },
  unauthenticated: { status: 401, title: 'An API key is required', description: 'Send `Authorization: Bearer <key>` with a key configured on the server.' },
  forbidden: { status: 403, title: 'The API key may not do this', description: "The key's role does not allow this operation." },
  'route-not-found': { status: 404, title: 'No such route', description: 'The path does not exist. See /openapi.json.' },
  'method-not-allowed': { status: 405, title: 'Method not allowed', description: 'The path exists, but not with this method.' },
  'payload-too-large': { status: 413, title: 'The request body is too large', description: 'The body exceeds the configured limit.' },
  'unsupported-media-type': { status: 415, title: 'The body must be JSON', description: 'Send `Content-Type: application/json` (UTF-8, the only charset JSON has).' },
  'rate-limited': { status: 429, title: 'Too many requests', description: 'The key (or address) exceeded its request rate. Wait `Retry-After` seconds.' },
  'internal-error': { status: 500, title: 'Internal error', description: 'Something unexpected failed. It was logged; nothing about it is disclosed.' },
  'request-timeout': { status: 503, title: 'The request took too long', description: 'The request did not complete within the configured time. A command may still complete: retry it with the same Idempotency-Key.' },
  'read-side-behind': {
    status: 503,
    title: 'This server does not hold the position asked for yet',
    description: 'The read asked for at least a log position (X-Taawun-Min-Position) that this server\'s read side (a standby replaying, a read model folding) did not reach within its wait. Wait `Retry-After` seconds.',
  },
  'erasure-incomplete': {
    status: 503,
    title: 'The participant is erased, but a copy is not scrubbed yet',
    description:
      "The erasure is recorded and the participant's key destroyed (nothing can decrypt their data), but another process holds a read snapshot of the database, so old copies (named in `detail`: read-model pages with their personal data, the destroyed key's bytes in the write-ahead log) remain until that reader ends. Repeat the request after `Retry-After` seconds: it is safe to repeat and finishes the scrub.",
  },
  'too-many-streams': { status: 503, title: 'Too many live feeds', description: 'The server holds as many live event feeds as it is configured for.' },
  'too-many-replays': {
    status: 503,
    title: 'Too many replays of the log at once',
    description: 'Answering replays the whole log (a time lens, or a read model not stored at this version), and the server runs only a few replays at once. Wait `Retry-After` seconds.',
  },
} as const satisfies Record<string, ProblemType>;

export type HttpProblemCode = keyof typeof httpProblems;
export type ProblemCode = HttpProblemCode | DomainErrorCode;

/** Every problem type the adapter can return, by code. */
export const problemTypes = { ...httpProblems, ...domainProblems } as const satisfies Readonly<Record<ProblemCode, ProblemType>>;

export const isProblemCode = (code: string): code is ProblemCode => Object.hasOwn(problemTypes, code);

export const problemTypeUri = (code: ProblemCode): string => `/problems/${code}`;

/** The status of a problem code, as a literal type. */
export type StatusOf<C extends ProblemCode> = (typeof problemTypes)[C]['status'];
/** Every status a problem can have. */
export type ProblemStatus = StatusOf<ProblemCode>;

export const problemSchema = z
  .object({
    type: z.string().max(200).regex(/^\/problems\/[a-z-]+$/).meta({ description: 'URI of the problem type; GET it for its description', examples: ['/problems/session-full'] }),
    title: z.string().max(200),
    status: z.number().int().min(400).max(599).meta({ format: 'int32' }),
    detail: z.string().max(10_000).meta({ description: 'What went wrong in this occurrence, for people' }),
    code: z.enum(Object.keys(problemTypes).filter(isProblemCode)).meta({ description: 'Stable machine-readable code (the last segment of `type`)' }),
    instance: z.string().max(2_000).optional(),
    fields: z.array(z.string().max(500)).max(1_000).optional().meta({ description: 'Offending inputs, as dotted paths (`partners.1`)' }),
    errors: z
      .array(z.object({ field: z.string().max(500), message: z.string().max(2_000) }).strict())
      .max(1_000)
      .optional()
      .meta({ description: 'One entry per offending input' }),
  })
  .strict()
  .openapi('Problem', { description: 'RFC 9457 problem details' });

/** One offending input: its dotted path and what is wrong with it. */
export type FieldError = NonNullable<z.infer<typeof problemSchema>['errors']>[number];

/** A problem as it is sent, its status a literal type: a route's handler may answer it only if the route declares that status. */
export type Problem<S extends ProblemStatus = ProblemStatus> = z.infer<typeof problemSchema> & { readonly status: S };

export function problem<C extends ProblemCode>(
  code: C,
  detail: string,
  extra: { fields?: readonly string[]; errors?: readonly FieldError[]; instance?: string } = {},
): Problem<StatusOf<C>> {
  const fields = extra.fields ?? (extra.errors ? [...new Set(extra.errors.map((e) => e.field))] : undefined);
  return {
    type: problemTypeUri(code),
    title: problemTypes[code].title,
    status: problemTypes[code].status,
    detail,
    code,
    ...(extra.instance ? { instance: extra.instance } : {}),
    ...(fields && fields.length > 0 ? { fields: [...fields] } : {}),
    ...(extra.errors && extra.errors.length > 0 ? { errors: [...extra.errors] } : {}),
  };
}

/**
 * A domain error as a problem. Server-side failures keep their message out of
 * the response (it may name files and hosts); the caller logs it.
 */
export function problemFromDomainError(error: DomainError, instance?: string): Problem<StatusOf<DomainErrorCode>> {
  const kind = errorKind(error);
  const detail = kind === 'unavailable' ? problemTypes[error.code].title : error.message;
  return problem(error.code, detail, { ...(error.fields ? { fields: error.fields } : {}), ...(instance ? { instance } : {}) });
}
