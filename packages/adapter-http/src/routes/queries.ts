import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { answerSchemaOf, storedStampOf, type AnyReadModel, type QueryError, type QueryService, type TimeLens } from '@taawun/projections';
import type { Context, MiddlewareHandler } from 'hono';
import { sendProblem, type AppEnv } from '../http/env.js';
import { COMPRESS_FROM_BYTES, CONTENT_CODINGS, encodedPage, noneMatchHits, preferredCoding, type ContentCoding, type EncodedPage, type EncodedPageCache } from '../http/page-cache.js';
import { answerHeaders, bearerSecurity, errorResponses, readErrors, responseHeaders } from '../http/openapi-common.js';
import { maySeePersonalData, rolesSeeingPersonalData } from '../http/personal-data.js';
import { problem, type Problem } from '../http/problems.js';
import { tooManyReplays, type ReplayLimiter } from '../http/replays.js';
import { responseLimits, withResponseLimits, withTransportLimits, type TransportLimits } from '../http/transport-limits.js';
import { MAX_OFFSET, queryInteger } from '../http/query-integers.js';
import { roles, type Role } from '../security/api-keys.js';
import { requireRole } from '../security/middleware.js';

/**
 * One GET per read model of the query service (the built-in ones and any
 * registered with it): the model's own parameters, a time lens (`asOf`,
 * `asKnownOn`) and a page of its list, answered by the service and sent as
 * it answers. The response schema is the read model's own result schema.
 */

/** A read model whose every answer holds personal data is read only by the keys that record people. */
export const rolesForReadModel = (model: AnyReadModel): readonly Role[] => (model.personalData === 'always' ? rolesSeeingPersonalData : roles);

export const readModelPath = (name: string) => `/read-models/${name}`;

const lensQuery = {
  asOf: z
    .string()
    .max(10)
    .regex(/^\d{4}(-\d{2}(-\d{2})?)?$/, 'a day (YYYY-MM-DD), a month (YYYY-MM) or a year (YYYY)')
    .optional()
    .meta({ description: 'Business date: only what certainly happened by then (a month or year means its last day)', examples: ['2016-12-31', '2018'] }),
  asKnownOn: z
    .string()
    .max(40)
    .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/, 'an ISO 8601 instant, or a day meaning its end (UTC)')
    .optional()
    .meta({ description: 'Recording time: the record as it was known then (later corrections and additions left out)', examples: ['2024-03-01T09:30:00Z'] }),
};


const readModelListSchema = z
  .array(
    z
      .object({
        name: z.string().max(100),
        title: z.string().max(200),
        description: z.string().max(2_000),
        path: z.string().max(200),
        list: z.string().max(100).nullable(),
        personalData: z.enum(['always', 'never', 'depends']),
        roles: z.array(z.enum(roles)).max(3),
      })
      .strict(),
  )
  .max(1_000)
  .openapi('ReadModelList');

/** A refused query as a problem: 404 for what does not exist, 400 for the rest (a busy replay gate is the caller's 503). */
export function problemFromQueryError(error: QueryError): Problem<400 | 404> {
  if (error.code === 'not-found') return problem('not-found', error.message);
  // An unknown partner, period or record: 404 naming it and the valid keys.
  if (error.code === 'unknown-key') return problem('not-found', error.message, error.fields ? { fields: error.fields } : {});
  if (error.code === 'unknown-read-model') return problem('route-not-found', error.message);
  return problem('invalid-query', error.message, error.fields ? { fields: error.fields } : {});
}

export interface QueryRouteDeps {
  readonly queries: QueryService;
  /** Caps the queries that replay the log (a time lens, or no stored model at this version). */
  readonly replays: ReplayLimiter;
  readonly defaultPageSize: number;
  readonly maxPageSize: number;
  readonly transportLimits: TransportLimits;
  /** Encoded stored pages, kept while their model has not changed. */
  readonly pages: EncodedPageCache;
  readonly countStoredPage: (readModel: string, outcome: 'kept' | 'computed') => void;
}

const pascal = (name: string) => name.replace(/(^|-)([a-z])/g, (_, __, ch: string) => ch.toUpperCase());

export function registerQueryRoutes(app: OpenAPIHono<AppEnv>, deps: QueryRouteDeps): void {
  const listRoute = createRoute({
    method: 'get',
    path: '/read-models',
    operationId: 'listReadModels',
    tags: ['Read models'],
    summary: 'The read models, and where to query them',
    description: 'Each read model\'s name, title, description, parameters and route; the ones holding personal data are marked.',
    security: bearerSecurity,
    middleware: [requireRole(roles)] as const,
    responses: {
      200: { description: 'The read models', headers: responseHeaders(), content: { 'application/json': { schema: readModelListSchema } } },
      ...readErrors,
    },
  });
  app.openapi(listRoute, (c) =>
    c.json(
      deps.queries.list().map((info) => ({ ...info, path: readModelPath(info.name), roles: [...rolesForReadModel(deps.queries.get(info.name)!)] })),
      200,
    ),
  );

  for (const model of deps.queries.readModels()) registerQueryRoute(app, model, deps);
}

function registerQueryRoute(app: OpenAPIHono<AppEnv>, model: AnyReadModel, deps: QueryRouteDeps): void {
  const { list } = model;
  const allowed = rolesForReadModel(model);
  const defaultLimit = Math.min(model.defaultPageSize ?? Infinity, deps.defaultPageSize, deps.maxPageSize);
  const paging =
    list === null
      ? {}
      : {
          offset: queryInteger(0, MAX_OFFSET, `Skip this many items of \`result.${list}\` (default 0)`).optional(),
          limit: queryInteger(1, deps.maxPageSize, `Items of \`result.${list}\` per page (default ${defaultLimit})`).optional(),
        };
  const query = withTransportLimits(z.object({ ...model.params.shape, ...lensQuery, ...paging }), deps.transportLimits);
  const answer = withResponseLimits(answerSchemaOf(model.result), responseLimits).openapi(`${pascal(model.name)}Answer`);
  const route = createRoute({
    method: 'get',
    path: readModelPath(model.name),
    operationId: `query${pascal(model.name)}`,
    tags: ['Read models'],
    summary: model.title,
    description: `${model.description}. Roles: ${allowed.join(', ')}.${list === null ? '' : ` Pages through \`result.${list}\`; the rest of the answer is whole.`}`,
    security: bearerSecurity,
    middleware: [requireRole(allowed), keptPageFirst(model, deps)] as const,
    request: { query },
    responses: {
      200: { description: `The ${model.title.toLowerCase()}`, headers: answerHeaders(), content: { 'application/json': { schema: answer } } },
      304: { description: 'Not modified: If-None-Match named the ETag the answer has now', headers: answerHeaders() },
      ...readErrors,
      404: errorResponses[404],
    },
  });

  app.openapi(route, async (c) => {
    const { asOf, asKnownOn, offset, limit, ...params } = c.req.valid('query') as Record<string, unknown> & { asOf?: string; asKnownOn?: string; offset?: number; limit?: number };
    const parsed = model.params.safeParse(params);
    if (parsed.success && typeof model.personalData === 'function' && model.personalData(parsed.data) && !maySeePersonalData(c.get('principal'))) {
      return sendProblem(c, problem('forbidden', 'personal data is shown to admin and clerk keys only'));
    }
    const lens: TimeLens = { ...(asOf !== undefined ? { asOf } : {}), ...(asKnownOn !== undefined ? { asKnownOn } : {}) };
    const page = list === null ? undefined : { offset: offset ?? 0, limit: limit ?? defaultLimit };
    // Not kept (keptPageFirst found none): computed, and kept when it is a stored page without personal data.
    const keep = deps.pages.enabled && parsed.success && !holdsPersonalData(model, parsed.data);
    const answer = await deps.queries.query(model.name, params, { lens, replays: deps.replays.forKey(c.get('principal')?.name), ...(page ? { page } : {}) });
    if (!answer.ok) return answer.error.code === 'replays-busy' ? tooManyReplays(c, deps.replays) : sendProblem(c, problemFromQueryError(answer.error));
    const readAt = storedStampOf(answer.value);
    const kept = keep && readAt !== undefined;
    if (kept) deps.countStoredPage(model.name, 'computed');
    // A page kept is sent to every kind of client: it is compressed in every coding; an answer sent once, in its client's.
    const coding = kept ? undefined : preferredCoding(c.req.header('accept-encoding'));
    const encoded = await encodedPage(answer.value, kept ? 'kept' : 'once', kept ? CONTENT_CODINGS : coding ? [coding] : []);
    if (kept) deps.pages.put(questionOf(c, model), readAt, encoded);
    return sendPage(c, encoded);
  });
}

/**
 * The question a kept page answers: the role that asked, the read model and
 * the request's query string as sent. A page is kept only once its query was
 * validated and answered (and only a stored page without personal data, read
 * through no lens), and the same query string always validates the same way,
 * so a page kept under it is sent without validating the query again. Queries
 * that mean the same but are written differently (`?partnerId=giz` and
 * `?offset=0&partnerId=giz`) are kept apart.
 */
function questionOf(c: Context<AppEnv>, model: AnyReadModel): string {
  const { url } = c.req;
  const at = url.indexOf('?');
  return JSON.stringify([c.get('principal')?.role ?? null, model.name, at < 0 ? '' : url.slice(at + 1)]);
}

/**
 * A stored page asked again is sent as kept while its model has not changed
 * (see EncodedPageCache): looked up before the query is validated and the
 * answer computed, at the cost of one read of the model's stamp; on a miss,
 * the route goes on (and keeps what it computes).
 */
function keptPageFirst(model: AnyReadModel, deps: QueryRouteDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!deps.pages.enabled) return next();
    // A lens's answer is never kept: its query string is never a question kept, and the stamp read is the lens-free one.
    const stamp = await deps.queries.storedStamp(model.name);
    const kept = stamp === undefined ? undefined : deps.pages.get(questionOf(c, model), stamp);
    if (!kept) return next();
    deps.countStoredPage(model.name, 'kept');
    return sendPage(c, kept);
  };
}

const holdsPersonalData = (model: AnyReadModel, params: unknown): boolean =>
  model.personalData === 'always' || (typeof model.personalData === 'function' && model.personalData(params as never));

/**
 * An encoded answer with its ETag; 304 without a body when the client's
 * If-None-Match names it. Typed as the route's JSON answer (the bytes are
 * `JSON.stringify` of it), which hono's typed handlers cannot see in a body.
 */
function sendPage(c: Context<AppEnv>, page: EncodedPage): never {
  const codings = Object.keys(page.compressed) as ContentCoding[];
  const coding = preferredCoding(c.req.header('accept-encoding'), codings);
  const { body, etag } = coding ? page.compressed[coding]! : page;
  // An answer too small to compress is the same whatever the client accepts; others vary with it (even one sent once in one coding).
  const vary: Record<string, string> = codings.length > 0 || body.byteLength >= COMPRESS_FROM_BYTES ? { Vary: 'Accept-Encoding' } : {};
  if (noneMatchHits(c.req.header('if-none-match'), etag)) return c.body(null, 304, { ETag: etag, ...vary }) as never;
  return c.body(body, 200, { 'Content-Type': 'application/json', ETag: etag, ...vary, ...(coding ? { 'Content-Encoding': coding } : {}) }) as never;
}
