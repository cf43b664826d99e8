import { z, type OpenAPIHono } from '@hono/zod-openapi';
import { problemTypes, PROBLEM_CONTENT_TYPE, type ProblemCode } from './problems.js';

/** The parts every route of the document shares: the problem schema, response headers, error responses. */

const problemCodes = Object.keys(problemTypes) as [ProblemCode, ...ProblemCode[]];

export const problemSchema = z
  .object({
    type: z.string().max(200).regex(/^\/problems\/[a-z-]+$/).meta({ description: 'URI of the problem type; GET it for its description', examples: ['/problems/session-full'] }),
    title: z.string().max(200),
    status: z.number().int().min(400).max(599).meta({ format: 'int32' }),
    detail: z.string().max(10_000).meta({ description: 'What went wrong in this occurrence, for people' }),
    code: z.enum(problemCodes).meta({ description: 'Stable machine-readable code (the last segment of `type`)' }),
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

const header = (description: string, schema: Record<string, unknown> = { type: 'string', maxLength: 200 }) => ({ description, schema });

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
} as const;

type HeaderName = keyof typeof headerComponents;
const ref = (name: HeaderName) => ({ $ref: `#/components/headers/${name}` });

export function registerHeaderComponents(app: OpenAPIHono<any, any, any>): void {
  for (const [name, component] of Object.entries(headerComponents)) {
    app.openAPIRegistry.registerComponent('headers', name, component as never);
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

/** Error responses by status, with what they mean. */
const errorResponses = {
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
  503: problemResponse('The store is unavailable, the request timed out, or too many replays of the log run at once (`store-unavailable`, `request-timeout`, `too-many-replays`)', 'Retry-After'),
} as const;

export type ErrorStatus = keyof typeof errorResponses;

export const errorResponsesFor = (...statuses: ErrorStatus[]) => Object.fromEntries(statuses.map((s) => [s, errorResponses[s]]));

/** Errors any authenticated read can return. */
export const readErrors = errorResponsesFor(400, 401, 403, 429, 500, 503);
/** Errors any command can return. */
export const commandErrors = errorResponsesFor(400, 401, 403, 404, 409, 412, 413, 415, 422, 429, 500, 503);

export const BEARER_SCHEME = 'bearerAuth';
export const bearerSecurity = [{ [BEARER_SCHEME]: [] }];
