import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { queryReadModel, readModels, type Answer, type QueryError, type ReadModelName, type ReadModelSource } from '@taawun/projections';
import { sendProblem, type AppEnv } from '../http/env.js';
import { bearerSecurity, errorResponsesFor, readErrors, responseHeaders } from '../http/openapi-common.js';
import { maySeePersonalData, rolesSeeingPersonalData } from '../http/personal-data.js';
import { problem, type Problem } from '../http/problems.js';
import { answerReplays, tooManyReplays, type ReplayLimiter } from '../http/replays.js';
import { withTransportLimits, type TransportLimits } from '../http/transport-limits.js';
import { roles, type Role } from '../security/api-keys.js';
import { requireRole } from '../security/middleware.js';

/**
 * One GET per read model of `@taawun/projections`, generated from its registry:
 * the model's own parameters, a time lens (`asOf`, `asKnownOn`) and a page of
 * its main list. A read model added to the registry must be given its list
 * here (the `satisfies` below fails to compile until it is).
 */
export const pagedLists = {
  'partner-history': 'entries',
  'agreements-register': 'agreements',
  'yearly-activity-report': 'periods',
  'participant-record': 'sessions',
  'audit-trail': 'events',
} as const satisfies Record<ReadModelName, string>;

/** The participant record is personal data through and through: only the keys that record it read it. */
export const rolesForReadModel = (name: ReadModelName): readonly Role[] => (name === 'participant-record' ? rolesSeeingPersonalData : roles);

export const readModelPath = (name: ReadModelName) => `/read-models/${name}`;

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

const int32 = (min: number, max: number) => z.number().int().min(min).max(max).meta({ format: 'int32' });

const pageSchema = z
  .object({
    list: z.string().max(100).meta({ description: 'The list of `result` this page is of' }),
    offset: int32(0, 2_147_483_647),
    limit: int32(1, 2_147_483_647),
    total: int32(0, 2_147_483_647),
    nextOffset: int32(0, 2_147_483_647).nullable().meta({ description: 'Offset of the next page; null on the last' }),
  })
  .strict();

const answerSchema = z
  .object({
    readModel: z.string().max(100),
    version: int32(1, 1_000_000).nullable(),
    asOf: z.string().max(10).nullable(),
    asKnownOn: z.string().max(40).nullable(),
    lens: z
      .record(z.string().max(100), z.unknown())
      .nullable()
      .meta({ description: 'With a time lens: how many events counted, and those it left out and why', maxProperties: 20 }),
    source: z
      .object({
        kind: z.enum(['stored', 'replayed', 'log']),
        generation: int32(0, 2_147_483_647).optional(),
        reason: z.string().max(500).optional(),
        position: z.string().max(20).nullable().meta({ description: 'The last log position the answer reflects' }),
      })
      .strict(),
    page: pageSchema,
    result: z.record(z.string().max(100), z.unknown()).meta({ description: 'The read model\'s answer (see the operation description)', maxProperties: 100 }),
  })
  .strict()
  .openapi('ReadModelAnswer');

const readModelListSchema = z
  .array(
    z
      .object({
        name: z.string().max(100),
        title: z.string().max(200),
        description: z.string().max(2_000),
        path: z.string().max(200),
        list: z.string().max(100),
        roles: z.array(z.enum(roles)).max(3),
      })
      .strict(),
  )
  .max(100)
  .openapi('ReadModelList');

export function problemFromQueryError(error: QueryError): Problem {
  if (error.code === 'not-found') return problem('not-found', error.message);
  if (error.code === 'unknown-read-model') return problem('route-not-found', error.message);
  return problem('invalid-query', error.message, error.fields ? { fields: error.fields } : {});
}

/**
 * The page of the answer's main list, the rest of the answer whole: the read
 * model pages it natively when it can (a partner's history reads only the
 * page's records), else the list is sliced here.
 */
export function pageOf(answer: Answer<unknown>, list: string, offset: number, limit: number) {
  if (answer.page && answer.page.list === list) return answer;
  const result = answer.result as Record<string, unknown>;
  const items = Array.isArray(result[list]) ? (result[list] as unknown[]) : [];
  const slice = items.slice(offset, offset + limit);
  return {
    ...answer,
    page: { list, offset, limit, total: items.length, nextOffset: offset + limit < items.length ? offset + limit : null },
    result: { ...result, [list]: slice },
  };
}

export interface QueryRouteDeps {
  readonly source: ReadModelSource;
  /** Caps the queries that replay the log (a time lens, or no stored model at this version). */
  readonly replays: ReplayLimiter;
  readonly defaultPageSize: number;
  readonly maxPageSize: number;
  readonly transportLimits: TransportLimits;
}

export function registerQueryRoutes(app: OpenAPIHono<AppEnv>, deps: QueryRouteDeps): void {
  const names = Object.keys(readModels) as ReadModelName[];

  const listRoute = createRoute({
    method: 'get',
    path: '/read-models',
    operationId: 'listReadModels',
    tags: ['Read models'],
    summary: 'The read models, and where to query them',
    security: bearerSecurity,
    middleware: [requireRole(roles)] as const,
    responses: {
      200: { description: 'The read models', headers: responseHeaders(), content: { 'application/json': { schema: readModelListSchema } } },
      ...readErrors,
    },
  });
  app.openapi(listRoute, (c) =>
    c.json(
      names.map((name) => ({
        name,
        title: readModels[name].title,
        description: readModels[name].description,
        path: readModelPath(name),
        list: pagedLists[name],
        roles: [...rolesForReadModel(name)],
      })),
      200,
    ),
  );

  for (const name of names) registerQueryRoute(app, name, deps);
}

function registerQueryRoute(app: OpenAPIHono<AppEnv>, name: ReadModelName, deps: QueryRouteDeps): void {
  const model = readModels[name];
  const list = pagedLists[name];
  const allowed = rolesForReadModel(name);
  const shape = (model.params as unknown as z.ZodObject).shape;
  const query = withTransportLimits(
    z.object({
      ...shape,
      ...lensQuery,
      offset: z.coerce.number().pipe(int32(0, 2_147_483_647)).optional().meta({ description: `Skip this many items of \`result.${list}\` (default 0)` }),
      limit: z.coerce
        .number()
        .pipe(int32(1, deps.maxPageSize))
        .optional()
        .meta({ description: `Items of \`result.${list}\` per page (default ${deps.defaultPageSize}, at most ${deps.maxPageSize})` }),
    }),
    deps.transportLimits,
  );
  const route = createRoute({
    method: 'get',
    path: readModelPath(name),
    operationId: `query${name.replace(/(^|-)([a-z])/g, (_, __, ch: string) => ch.toUpperCase())}`,
    tags: ['Read models'],
    summary: model.title,
    description: `${model.description}. Roles: ${allowed.join(', ')}. Pages through \`result.${list}\`; the rest of the answer is whole.`,
    security: bearerSecurity,
    middleware: [requireRole(allowed)] as const,
    request: { query },
    responses: {
      200: { description: `The ${model.title.toLowerCase()}`, headers: responseHeaders(), content: { 'application/json': { schema: answerSchema } } },
      ...readErrors,
      ...errorResponsesFor(404),
    },
  });

  app.openapi(route, async (c) => {
    const { asOf, asKnownOn, offset, limit, ...params } = c.req.valid('query') as Record<string, unknown> & {
      asOf?: string;
      asKnownOn?: string;
      offset?: number;
      limit?: number;
    };
    if (params.personalData === 'show' && !maySeePersonalData(c.get('principal'))) {
      return sendProblem(c, problem('forbidden', 'personal data is shown to admin and clerk keys only')) as never;
    }
    const lens = { ...(asOf !== undefined ? { asOf } : {}), ...(asKnownOn !== undefined ? { asKnownOn } : {}) };
    const page = { offset: offset ?? 0, limit: limit ?? deps.defaultPageSize };
    // A log read model reads one record's stream; a projected one may replay the whole log.
    const replays = model.kind === 'projected' && (await answerReplays(deps.source, model.projection, lens));
    const run = await deps.replays.run(replays, () => queryReadModel(deps.source, name, params, lens, page));
    if (run.busy) return tooManyReplays(c, deps.replays) as never;
    const answer = run.value;
    if (!answer.ok) return sendProblem(c, problemFromQueryError(answer.error)) as never;
    return c.json(pageOf(answer.value, list, page.offset, page.limit) as never, 200);
  });
}
