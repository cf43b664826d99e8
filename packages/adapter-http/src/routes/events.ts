import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { EventFilter, EventStore, StoredEvent } from '@taawun/domain';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { LiveFeeds } from '../http/live-feeds.js';
import { sendProblem, type AppEnv } from '../http/env.js';
import { eventToJson, maySeePersonalData, personalDataParam } from '../http/personal-data.js';
import { bearerSecurity, readErrors, responseHeaders } from '../http/openapi-common.js';
import { problem, type Problem } from '../http/problems.js';
import { requireRole } from '../security/middleware.js';
import { roles, type Principal } from '../security/api-keys.js';

/**
 * The audit feed: every stored event, in log order, from a checkpoint. Paged
 * (`GET /events`) or live (`GET /events/stream`, Server-Sent Events whose ids
 * are log positions, so a reconnecting client resumes with Last-Event-ID).
 */

/** The largest position every store can hold (a signed 64-bit integer: SQLite's and PostgreSQL's bigint). */
export const MAX_POSITION = 2n ** 63n - 1n;

const position = z
  .string()
  .max(19)
  .regex(/^\d{1,19}$/, 'a log position: decimal digits')
  .refine((digits) => !/^\d+$/.test(digits) || BigInt(digits) <= MAX_POSITION, `a log position is at most ${MAX_POSITION}`); // zod runs it after a failed regex too

const filterQuery = {
  after: position.optional().meta({ description: 'Exclusive checkpoint: only events after this log position (a previous page\'s `checkpoint`)' }),
  stream: z
    .string()
    .max(200)
    .regex(/^[a-z0-9][a-z0-9-]*$/)
    .optional()
    .meta({ description: 'Only this stream', examples: ['partner-enm-france'] }),
  streamPrefix: z
    .string()
    .max(200)
    .regex(/^[a-z0-9][a-z0-9-]*$/)
    .optional()
    .meta({ description: 'Only streams whose name starts with this', examples: ['session-'] }),
  type: z
    .string()
    .max(2_000)
    .regex(/^[A-Za-z][A-Za-z0-9]*(,[A-Za-z][A-Za-z0-9]*)*$/, 'event types separated by commas')
    .optional()
    .meta({ description: 'Only these event types, comma-separated', examples: ['AgreementSigned,SessionHeld'] }),
  personalData: personalDataParam,
};

/** Whether to show personal data: a problem when the key may not see it. */
function personalDataChoice(principal: Principal | undefined, choice: 'redact' | 'show' | undefined): { show: boolean } | Problem<403> {
  if (choice !== 'show') return { show: false };
  if (maySeePersonalData(principal)) return { show: true };
  return problem('forbidden', "personal data is shown to admin and clerk keys only; ask with personalData=redact (the default)");
}

const boundedInt = (min: number, max: number) => z.number().int().min(min).max(max).meta({ format: 'int32' });

export const eventJsonSchema = z
  .object({
    id: z.uuid().max(36),
    stream: z.string().max(200),
    revision: boundedInt(0, 2_147_483_647),
    position: z.string().max(20).regex(/^\d+$/).meta({ description: 'Position in the global log, a decimal string' }),
    type: z.string().max(200),
    schemaVersion: boundedInt(1, 1_000),
    recordedAt: z.iso.datetime({ offset: true }).max(40),
    data: z.record(z.string().max(200), z.unknown()).meta({ description: 'The event data, as its schema version defines it', maxProperties: 200 }),
    metadata: z
      .object({
        actor: z.string().max(200),
        correlationId: z.string().max(200),
        causationId: z.string().max(200),
        occurredOn: z.string().max(100).optional(),
        sourceRef: z.string().max(200).optional(),
        idempotencyKey: z.string().max(500).optional(),
        commandType: z.string().max(200).optional(),
      })
      .catchall(z.unknown())
      .meta({ maxProperties: 100 }),
  })
  .openapi('StoredEvent', { description: 'An event as stored: envelope, data and metadata' });

const pageSchema = z
  .object({
    events: z.array(eventJsonSchema).max(10_000),
    checkpoint: position.nullable().meta({ description: 'Pass as `after` for the next page (the last position read; null if none yet)' }),
    hasMore: z.boolean(),
  })
  .strict()
  .openapi('EventPage');

const typesOf = (type: string | undefined) => (type ? type.split(',') : undefined);

function filterOf(query: { stream?: string | undefined; streamPrefix?: string | undefined; type?: string | undefined }): EventFilter | undefined {
  const types = typesOf(query.type);
  const prefixes = [query.stream, query.streamPrefix].filter((p): p is string => p !== undefined);
  if (!types && prefixes.length === 0) return undefined;
  return { ...(types ? { types } : {}), ...(prefixes.length > 0 ? { streamPrefixes: [query.stream ?? query.streamPrefix!] } : {}) };
}

/** `stream` is exact: the store filters by prefix, the adapter drops longer names. */
const matches = (event: StoredEvent, query: { stream?: string | undefined; streamPrefix?: string | undefined }) =>
  (query.stream === undefined || event.stream === query.stream) && (query.streamPrefix === undefined || event.stream.startsWith(query.streamPrefix));

/** The abort reason of live feeds ended because the server shuts down: they send a final event first. */
export const SHUTTING_DOWN = Symbol('shutting down');

const finalEvent = (sse: SSEStreamingApi) =>
  sse
    .writeSSE({ event: 'end', data: JSON.stringify({ reason: 'the server is shutting down; reconnect with Last-Event-ID' }) })
    .catch(() => undefined);

export interface EventRouteDeps {
  readonly store: EventStore;
  readonly defaultPageSize: number;
  readonly maxPageSize: number;
  readonly heartbeatMs: number;
  /** Live feeds currently open, capped over all keys and per key: ended when the server closes. */
  readonly liveFeeds: LiveFeeds;
  readonly log: (message: string) => void;
}

export function registerEventRoutes(app: OpenAPIHono<AppEnv>, deps: EventRouteDeps): void {
  const pageRoute = createRoute({
    method: 'get',
    path: '/events',
    operationId: 'listEvents',
    tags: ['Audit feed'],
    summary: 'The audit feed: stored events in log order, a page at a time',
    description: `Roles: ${roles.join(', ')}. Start without \`after\`, then pass each page's \`checkpoint\`.`,
    security: bearerSecurity,
    middleware: [requireRole(roles)] as const,
    request: {
      query: z.object({
        ...filterQuery,
        limit: z.coerce
          .number()
          .pipe(boundedInt(1, deps.maxPageSize))
          .optional()
          .meta({ description: `Events per page (default ${deps.defaultPageSize}, at most ${deps.maxPageSize})` }),
      }),
    },
    responses: {
      200: { description: 'A page of events', headers: responseHeaders(), content: { 'application/json': { schema: pageSchema } } },
      ...readErrors,
    },
  });

  app.openapi(pageRoute, async (c) => {
    const query = c.req.valid('query');
    const choice = personalDataChoice(c.get('principal'), query.personalData);
    if ('code' in choice) return sendProblem(c, choice);
    const limit = query.limit ?? deps.defaultPageSize;
    const events: StoredEvent[] = [];
    let hasMore = false;
    let lastSeen = query.after === undefined ? undefined : BigInt(query.after);
    const filter = filterOf(query);
    for await (const event of deps.store.readAll({ ...(lastSeen !== undefined ? { after: lastSeen } : {}), ...(filter ? { filter } : {}), pageSize: limit + 1 })) {
      if (!matches(event, query)) continue;
      if (events.length === limit) {
        hasMore = true;
        break;
      }
      events.push(event);
      lastSeen = event.position;
    }
    const page = { events: events.map((e) => eventToJson(e, choice.show)) as z.infer<typeof eventJsonSchema>[], checkpoint: lastSeen === undefined ? null : lastSeen.toString(), hasMore };
    return c.json(page, 200);
  });

  const streamRoute = createRoute({
    method: 'get',
    path: '/events/stream',
    operationId: 'followEvents',
    tags: ['Audit feed'],
    summary: 'The live audit feed (Server-Sent Events)',
    description:
      `Roles: ${roles.join(', ')}. Sends every stored event after the checkpoint, then each new one as it is committed. ` +
      'Each message has `id: <log position>` and `data: <StoredEvent as JSON>`; comments (`: keep-alive`) keep the connection open. ' +
      'A reconnecting client sends `Last-Event-ID` (EventSource does) and misses nothing.',
    security: bearerSecurity,
    middleware: [requireRole(roles)] as const,
    request: {
      query: z.object(filterQuery),
      headers: z.object({
        'last-event-id': position.optional().meta({ description: 'Resume after this position (takes precedence over `after`)' }),
      }),
    },
    responses: {
      200: {
        description: 'The event stream',
        headers: responseHeaders(),
        content: {
          'text/event-stream': {
            schema: z.string().max(100_000_000).meta({ description: 'Server-Sent Events: `id: <position>` and `data: <StoredEvent JSON>` per message' }),
          },
        },
      },
      ...readErrors,
    },
  });

  app.openapi(streamRoute, async (c) => {
    const query = c.req.valid('query');
    const principal = c.get('principal')!;
    const choice = personalDataChoice(principal, query.personalData);
    if ('code' in choice) return sendProblem(c, choice);
    // HEAD (routed here as GET) has its headers and no body: the server never reads a stream for it, so a feed
    // opened for it would hold its slot, and the server's shutdown, for ever.
    if (c.req.method === 'HEAD') return c.body(null, 200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' });
    const slot = deps.liveFeeds.tryOpen(principal.name);
    if (slot === 'server-full' || slot === 'key-full') {
      const detail =
        slot === 'server-full'
          ? `the server holds its maximum of ${deps.liveFeeds.max} live feeds; retry later`
          : `the key "${principal.name}" holds its maximum of ${deps.liveFeeds.maxPerKey} live feeds; close one first`;
      return sendProblem(c, problem('too-many-streams', detail), { 'Retry-After': '10' });
    }
    const { controller, release } = slot;
    const resumeFrom = c.req.valid('header')['last-event-id'] ?? query.after;
    const filter = filterOf(query);
    c.header('X-Accel-Buffering', 'no');
    // Every error is caught inside: Hono's streamSSE would otherwise write the error's own message
    // (a file path, a driver's text) to the client after any onError.
    return streamSSE(c, async (sse) => {
      sse.onAbort(() => controller.abort());
      const heartbeat = setInterval(() => {
        void sse.write(': keep-alive\n\n').catch(() => controller.abort());
      }, deps.heartbeatMs);
      try {
        await sse.write(': connected\n\n');
        for await (const event of deps.store.follow({
          ...(resumeFrom !== undefined ? { after: BigInt(resumeFrom) } : {}),
          ...(filter ? { filter } : {}),
          signal: controller.signal,
        })) {
          if (!matches(event, query)) continue;
          await sse.writeSSE({ id: event.position.toString(), data: JSON.stringify(eventToJson(event, choice.show)) });
        }
        if (controller.signal.reason === SHUTTING_DOWN) await finalEvent(sse);
      } catch (error) {
        if (controller.signal.reason === SHUTTING_DOWN) {
          await finalEvent(sse);
        } else if (!controller.signal.aborted) {
          // The feed cannot continue (store closed or failed): tell the client, without details, and end.
          deps.log(`[taawun http] live feed ended: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
          await sse
            .writeSSE({ event: 'error', data: JSON.stringify(problem('internal-error', 'the live feed stopped; reconnect with Last-Event-ID')) })
            .catch(() => undefined);
        }
      } finally {
        clearInterval(heartbeat);
        release();
      }
    });
  });
}
