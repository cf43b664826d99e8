import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { swaggerUI } from '@hono/swagger-ui';
import { sendProblem, type AppEnv } from '../http/env.js';
import { BEARER_SCHEME, errorResponses, registerHeaderComponents, responseHeaders } from '../http/openapi-common.js';
import { isProblemCode, problem, problemTypes, problemTypeUri, type ProblemCode } from '../http/problems.js';

export const OPENAPI_PATH = '/openapi.json';
export const DOCS_PATH = '/docs';

const problemTypeSchema = z
  .object({
    type: z.string().max(200),
    code: z.string().max(100),
    status: z.number().int().min(400).max(599).meta({ format: 'int32' }),
    title: z.string().max(200),
    description: z.string().max(2_000),
  })
  .strict()
  .openapi('ProblemType');

const describeProblemType = (code: ProblemCode) => ({ type: problemTypeUri(code), code, ...problemTypes[code] });

/** The document's own description: what the API is and how to authenticate. */
export const openApiInfo = {
  title: 'taawun HTTP API',
  version: '0.1.0',
  description: [
    'The record of a judicial training institute\'s international cooperation, as immutable events.',
    '',
    'Commands in (`POST /commands/<command>`), the audit feed out (`GET /events`, live `GET /events/stream`).',
    'Authenticate with `Authorization: Bearer <API key>`. Roles: `admin` (everything), `clerk` (records: every command but',
    'erasing personal data; reads), `auditor` (reads only). Errors are RFC 9457 problem details (`application/problem+json`);',
    'each `type` is a path under `/problems/` that describes it.',
  ].join('\n'),
  license: { name: 'MIT', identifier: 'MIT' },
  contact: { name: 'taawun maintainers' },
};

/**
 * What every string the API takes or gives may contain: the domain refuses NUL,
 * noncharacters and bidi embedding/override/isolate controls in all text
 * (`safeText`), and ids, dates and positions have patterns of their own. Stated
 * on each string that has no pattern, format, enum or const, so that a client
 * (and a linter) knows the character set of every field.
 */
export const TEXT_PATTERN = '^[^\\u0000\\u202A-\\u202E\\u2066-\\u2069\\uFDD0-\\uFDEF\\uFFFE\\uFFFF]*$';

function restrictStrings<T>(document: T): T {
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    const schema = node as Record<string, unknown>;
    const isString = schema.type === 'string' || (Array.isArray(schema.type) && schema.type.includes('string'));
    if (isString && !('pattern' in schema) && !('format' in schema) && !('enum' in schema) && !('const' in schema)) schema.pattern = TEXT_PATTERN;
    Object.values(schema).forEach(visit);
  };
  visit(document);
  return document;
}

export function registerMetaRoutes(app: OpenAPIHono<AppEnv>): void {
  registerHeaderComponents(app);
  app.openAPIRegistry.registerComponent('securitySchemes', BEARER_SCHEME, {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key configured on the server (opaque, not a JWT), sent as `Authorization: Bearer <key>`.',
  });

  const listRoute = createRoute({
    method: 'get',
    path: '/problems',
    operationId: 'listProblemTypes',
    tags: ['Problems'],
    summary: 'Every problem type the API returns',
    description: 'Public: each problem\'s `type` points here. Lists every code with its status, title and what it means.',
    // Anonymous (an empty requirement): the targets of problems' `type` must dereference for anyone.
    security: [{}],
    responses: {
      200: {
        description: 'The problem types',
        headers: responseHeaders(),
        content: { 'application/json': { schema: z.array(problemTypeSchema).max(1_000) } },
      },
      400: errorResponses[400],
      401: errorResponses[401],
      429: errorResponses[429],
      500: errorResponses[500],
    },
  });
  app.openapi(listRoute, (c) => c.json(Object.keys(problemTypes).filter(isProblemCode).map(describeProblemType), 200));

  const oneRoute = createRoute({
    method: 'get',
    path: '/problems/{code}',
    operationId: 'getProblemType',
    tags: ['Problems'],
    summary: 'What a problem type means (the target of a problem\'s `type`)',
    description: 'Public: the status, title and meaning of one problem code; 404 for a code the API does not have.',
    security: [{}],
    request: { params: z.object({ code: z.string().max(100).regex(/^[a-z-]+$/).meta({ examples: ['session-full'] }) }) },
    responses: {
      200: { description: 'The problem type', headers: responseHeaders(), content: { 'application/json': { schema: problemTypeSchema } } },
      400: errorResponses[400],
      401: errorResponses[401],
      404: errorResponses[404],
      429: errorResponses[429],
      500: errorResponses[500],
    },
  });
  app.openapi(oneRoute, (c) => {
    const { code } = c.req.valid('param');
    if (!isProblemCode(code)) return sendProblem(c, problem('route-not-found', `no problem type "${code}"`));
    return c.json(describeProblemType(code), 200);
  });

  const config: Parameters<typeof app.getOpenAPI31Document>[0] = {
    openapi: '3.1.0',
    info: openApiInfo,
    // Relative: the document is served by the server it describes, wherever that is.
    // (`x-internal`: the API is for the institute's own systems and staff, not the public.)
    servers: [{ url: '/', description: 'The production (or local) server that serves this document', 'x-internal': true }],
    security: [{ [BEARER_SCHEME]: [] }],
    tags: [
      { name: 'Commands', description: 'One POST per command of the domain; the body is the command without its `type`.' },
      { name: 'Read models', description: 'The read models of @taawun/projections, through a time lens (asOf, asKnownOn), a page at a time.' },
      { name: 'Audit feed', description: 'Every stored event, paged or live.' },
      { name: 'Personal data', description: "Erasure of participants' personal data (when the server encrypts it)." },
      { name: 'Problems', description: 'The problem types errors refer to.' },
    ],
  };
  // Generated once, on the first request: every route is registered by then.
  let document: unknown;
  app.get(OPENAPI_PATH, (c) => c.json((document ??= restrictStrings(app.getOpenAPI31Document(config)))));
  // Swagger UI's files are served from the installed swagger-ui-dist, not a CDN: institutes' networks may be closed.
  app.get(DOCS_PATH, swaggerUI({ url: OPENAPI_PATH, title: 'taawun HTTP API', baseUrl: DOCS_ASSETS }));
  app.get(`${DOCS_ASSETS}/swagger-ui-dist/:file{swagger-ui\\.css|swagger-ui-bundle\\.js}`, async (c) => {
    const file = c.req.param('file');
    c.header('Content-Type', file.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=86400');
    return c.body(await swaggerAsset(file));
  });
}

const DOCS_ASSETS = `${DOCS_PATH}/assets`;
const swaggerUiDist = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const assetCache = new Map<string, Promise<string>>();
const swaggerAsset = (file: string): Promise<string> => {
  let cached = assetCache.get(file);
  if (!cached) assetCache.set(file, (cached = readFile(join(swaggerUiDist, file), 'utf8')));
  return cached;
};
