import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './env.js';
import { problemSchema, PROBLEM_CONTENT_TYPE } from './problems.js';

/** The parts every route of the document shares: response headers, error responses. */

/** A header's schema: a bounded string or integer (what the OWASP rules ask of every header). */
interface HeaderSchema {
  readonly type: 'string' | 'integer';
  readonly format?: 'int32';
  readonly minimum?: number;
  readonly maximum?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
}

const header = (description: string, schema: HeaderSchema = { type: 'string', maxLength: 200 }) => ({ description, schema });

/** Header components, registered once and referenced from every response. */
export const headerComponents = {
  'RateLimit-Limit': header('Requests allowed per window for this key (or address)', { type: 'integer', format: 'int32', minimum: 0, maximum: 2_147_483_647 }),
  'RateLimit-Remaining': header('Requests left in the current window', { type: 'integer', format: 'int32', minimum: 0, maximum: 2_147_483_647 }),
  'RateLimit-Reset': header('Seconds until the window resets', { type: 'integer', format: 'int32', minimum: 0, maximum: 86_400 }),
  'Access-Control-Allow-Origin': header('Present when the request\'s Origin is one of the configured CORS origins'),
  'Retry-After': header('Seconds to wait before retrying', { type: 'integer', format: 'int32', minimum: 1, maximum: 86_400 }),
  ETag: header('The stream revision after the command, as a strong ETag (`"3"`): send it back in If-Match', {
    type: 'string',
    maxLength: 20,
    pattern: '^"(\\d+|none)"$',
  }),
  AnswerETag: header('A strong ETag of the answer\'s bytes (ending in `-gz` when sent gzipped, `-br` and the brotli quality when sent with brotli): send it back in If-None-Match, and an unchanged answer is a 304 without a body', {
    type: 'string',
    maxLength: 48,
    pattern: '^"[A-Za-z0-9_-]{1,44}"$',
  }),
} as const;

/** The headers of a read model's answer: the ones every response carries, and its ETag. */
export const answerHeaders = () => ({ ...responseHeaders(), ETag: ref('AnswerETag') });

type HeaderName = keyof typeof headerComponents;
const ref = (name: HeaderName) => ({ $ref: `#/components/headers/${name}` });

export function registerHeaderComponents(app: OpenAPIHono<AppEnv>): void {
  for (const [name, component] of Object.entries(headerComponents)) {
    app.openAPIRegistry.registerComponent('headers', name, component);
  }
}

/** The headers every response carries (rate limits, CORS), plus any given. */
export const responseHeaders = (...extra: HeaderName[]) =>
  Object.fromEntries((['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Access-Control-Allow-Origin', ...extra] as HeaderName[]).map((n) => [n, ref(n)]));

const problemResponse = (description: string, ...extra: HeaderName[]) => ({
  description,
  headers: responseHeaders(...extra),
  content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema } },
});

/** Error responses by status, with what they mean. A route lists the ones it answers (literal keys: its handler may return those statuses only). */
export const errorResponses = {
  400: problemResponse('Invalid input (`invalid-command`, `invalid-request`, `malformed-json`, `invalid-precondition`, ...): `fields` names the offending inputs'),
  401: problemResponse('No valid API key (`unauthenticated`)'),
  403: problemResponse("The key's role does not allow this (`forbidden`)"),
  404: problemResponse('The record the command is about does not exist (`not-found`)'),
  409: problemResponse('The command conflicts with the record (`already-exists`, `session-full`, `concurrency-retries-exhausted`)'),
  412: problemResponse('If-Match (or If-None-Match) does not hold: the record changed (`wrong-expected-revision`)'),
  413: problemResponse('The body is too large (`payload-too-large`)'),
  415: problemResponse('The body is not JSON (`unsupported-media-type`)'),
  422: problemResponse('The command breaks a business rule (`unknown-reference`, `session-closed`, ...)'),
  429: problemResponse('Too many requests (`rate-limited`)', 'Retry-After'),
  500: problemResponse('Unexpected failure, logged on the server (`internal-error`, `store-failure`)'),
  503: problemResponse('The store is unavailable, the request timed out, or too many replays of the log run at once, or the read side does not hold the position asked for yet, or an erasure is done but a copy is not scrubbed yet (`store-unavailable`, `request-timeout`, `too-many-replays`, `read-side-behind`, `erasure-incomplete`)', 'Retry-After'),
} as const;

const { 400: invalid, 401: unauthenticated, 403: forbidden, 429: rateLimited, 500: failed, 503: unavailable } = errorResponses;

/** Errors any authenticated read can return. */
export const readErrors = { 400: invalid, 401: unauthenticated, 403: forbidden, 429: rateLimited, 500: failed, 503: unavailable };

/** Errors any command can return: a read's, and what recording can refuse (any domain error, a body too large or not JSON). */
export const commandErrors = {
  ...readErrors,
  404: errorResponses[404],
  409: errorResponses[409],
  412: errorResponses[412],
  413: errorResponses[413],
  415: errorResponses[415],
  422: errorResponses[422],
};

export const BEARER_SCHEME = 'bearerAuth';
export const bearerSecurity = [{ [BEARER_SCHEME]: [] }];
