import { OpenAPIHono } from '@hono/zod-openapi';
import { isEventStoreError, newEventId, type EventStore, type KeyStore } from '@taawun/domain';
import { queryService, type AnyReadModel, type QueryService, type ReadModelStorage } from '@taawun/projections';
import { HTTPException } from 'hono/http-exception';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import { timeout } from 'hono/timeout';
import type { ZodError } from 'zod';
import { sendProblem, type AppEnv } from './http/env.js';
import { KeyedQueue } from './http/keyed-queue.js';
import { problem, type FieldError } from './http/problems.js';
import { ReplayLimiter } from './http/replays.js';
import { MIN_POSITION_HEADER, POSITION_HEADER, readYourWrites, type ReadFreshness } from './http/read-your-writes.js';
import { YieldingReads } from './http/yielding-reads.js';
import { defaultTransportLimits, type TransportLimits } from './http/transport-limits.js';
import { registerCommandRoutes } from './routes/commands.js';
import { registerEventRoutes, SHUTTING_DOWN } from './routes/events.js';
import { LiveFeeds } from './http/live-feeds.js';
import { allowedMethods } from './http/methods.js';
import { registerLogRoutes, type LogRouteDeps } from './routes/log.js';
import { registerMetaRoutes } from './routes/meta.js';
import { registerQueryRoutes } from './routes/queries.js';
import { EncodedPageCache } from './http/page-cache.js';
import { BackgroundPurges, registerErasureRoute } from './routes/erasure.js';
import { registerReportRoutes, type ReportOptions } from './report/routes.js';
import { ApiKeyRing, type ApiKeyEntry } from './security/api-keys.js';
import { authenticate, rateLimit } from './security/middleware.js';
import { pino, type Logger } from 'pino';
import { accessLog } from './operations/access-log.js';
import { ServerMetrics } from './operations/metrics.js';
import { LIVE_PATH, READY_PATH, registerOperationsRoutes } from './operations/routes.js';
import type { ReadModelFollowerStatus } from './operations/status.js';
import { FixedWindowRateLimiter } from './security/rate-limit.js';

/** The adapter's limits. Every one has a default; the README lists them. */
export interface HttpLimits {
  /** Largest request body, in bytes. */
  readonly maxBodyBytes: number;
  /** Longest a request may take, in milliseconds (live feeds excepted). */
  readonly requestTimeoutMs: number;
  /** Page size when a request gives none. */
  readonly defaultPageSize: number;
  /** Largest page a request may ask for: a larger `limit` is a 400. */
  readonly maxPageSize: number;
  /** Requests per key (or, without a key, per address) per minute. */
  readonly requestsPerMinute: number;
  /** Live feeds open at once, over all keys. */
  readonly maxLiveStreams: number;
  /** Live feeds open at once for one key, so that one key cannot take every slot. */
  readonly maxLiveStreamsPerKey: number;
  /** Replays of the whole log at once (time lenses, read models not stored): more are a 503. */
  readonly maxConcurrentReplays: number;
  /** Replays at once for one key. */
  readonly maxConcurrentReplaysPerKey: number;
  /** Events a read model may be behind the log while the server is still ready (`/health/ready`). */
  readonly maxReadModelLag: number;
  /** Interval of keep-alive comments on live feeds, in milliseconds. */
  readonly heartbeatMs: number;
  /** Longest string, largest array and integer in a request body. */
  readonly transport: TransportLimits;
  /** Bytes of encoded stored pages kept for the next request of the same page (0: none kept). */
  readonly pageCacheBytes: number;
  /**
   * How much V8 lets its old generation grow past what its last collection left
   * (`--heap-growing-percent`, for the whole process, set when `startServer`
   * starts unless Node was started with it): 100, twice. 0: V8's own pace.
   */
  readonly heapGrowingPercent: number;
}

export const defaultLimits: HttpLimits = {
  maxBodyBytes: 256 * 1024,
  requestTimeoutMs: 15_000,
  defaultPageSize: 100,
  maxPageSize: 1_000,
  requestsPerMinute: 600,
  maxLiveStreams: 100,
  maxLiveStreamsPerKey: 10,
  maxConcurrentReplays: 2,
  maxConcurrentReplaysPerKey: 1,
  maxReadModelLag: 1_000,
  heartbeatMs: 15_000,
  transport: defaultTransportLimits,
  pageCacheBytes: 32 * 1024 * 1024,
  heapGrowingPercent: 100,
};

export interface HttpAppOptions {
  readonly store: EventStore;
  /** The configured keys (hashed). With none, every protected route answers 401. */
  readonly keys: readonly ApiKeyEntry[];
  readonly limits?: Partial<HttpLimits>;
  /** Origins allowed to call the API from a browser (CORS). None by default. */
  readonly corsOrigins?: readonly string[];
  readonly now?: () => Date;
  readonly newId?: () => string;
  /** Stored read models (checkpointed projections); without it, queries replay the log. */
  readonly readModelStorage?: ReadModelStorage;
  /** Read models of the user's own (reports written later), served beside the built-in ones. */
  readonly readModels?: readonly AnyReadModel[];
  /**
   * The key store of the encrypting store (\`encryptPersonalData\`), when personal
   * data is encrypted: it enables \`POST /participants/{id}/erasure\`, and
   * \`onErased\` purges the read models that hold names.
   */
  readonly personalData?: { readonly keys: KeyStore; readonly onErased?: (participantId: string) => Promise<void> | void };
  /** Where reads (queries, the report, the feed) come from when not `store` (a standby); commands always use `store`. */
  readonly readStore?: EventStore;
  /** Read-your-writes: whether the read side holds a position asked for (`X-Taawun-Min-Position`). */
  readonly readFreshness?: ReadFreshness;
  /** Where unexpected errors are logged (never sent to clients). Default: console.error. */
  readonly log?: (message: string) => void;
  /** The log's Merkle tree and the checkpoint signer: enables `GET /log/checkpoint` and `/log/proof/…`. */
  readonly merkle?: Omit<LogRouteDeps, 'report'>;
  /** The structured access log (pino): one line per request. Default: JSON lines on stderr; false for none. */
  readonly accessLog?: Logger | false;
  /** The stored read models' followers as they are now (`@taawun/runtime`): their positions, lag and restarts feed `/metrics` and `/health/ready`. */
  readonly readModelStatus?: () => readonly ReadModelFollowerStatus[];
  /** Seconds the standby `readStore` is behind its primary, for `/metrics` (`taawun_read_replication_lag_seconds`). */
  readonly replicationLag?: () => Promise<number | undefined>;
  /** The report's letterhead: the institute's name and the log's hash chain. */
  readonly report?: ReportOptions;
}

export interface HttpApp {
  readonly app: OpenAPIHono<AppEnv>;
  /** What the routes and the report answer from: the built-in read models and the user's own. */
  readonly queries: QueryService;
  readonly limits: HttpLimits;
  /** The Prometheus registry behind `/metrics`. */
  readonly metrics: ServerMetrics;
  /** Stop being ready (`/health/ready` answers 503) and end every live feed with a final event, before closing the server. */
  beginShutdown(): void;
  /** Resolves when nothing runs in the background any more: no erasure's purge (before closing the stores), no page being compressed harder. */
  backgroundWork(): Promise<void>;
}

const LIVE_FEED_PATH = '/events/stream';

/** zod issues as field errors: dotted paths, and one entry per unknown key. */
export function fieldErrorsOf(error: ZodError): FieldError[] {
  return error.issues.flatMap((issue) => {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: base ? `${base}.${key}` : key, message: 'is not a field of this command' }));
    }
    return [{ field: base || '(body)', message: issue.message }];
  });
}

export function createHttpApp(options: HttpAppOptions): HttpApp {
  const limits: HttpLimits = { ...defaultLimits, ...options.limits, transport: { ...defaultTransportLimits, ...options.limits?.transport } };
  const log = options.log ?? ((message: string) => console.error(message));
  const keys = new ApiKeyRing(options.keys);
  const liveFeeds = new LiveFeeds(limits.maxLiveStreams, Math.min(limits.maxLiveStreamsPerKey, limits.maxLiveStreams));

  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (result.success) return undefined;
      const errors = fieldErrorsOf(result.error as ZodError);
      const isBody = result.target === 'json';
      const summary = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
      return sendProblem(c, problem(isBody ? 'invalid-command' : 'invalid-request', summary, { errors }));
    },
  });

  app.onError((error, c) => {
    if (error instanceof HTTPException) {
      if (error.status === 400) return sendProblem(c, problem('malformed-json', error.message || 'the body is not valid JSON'));
      // @hono/zod-openapi's own media-type gate, should a request ever get past ours to it.
      if (error.status === 415) return sendProblem(c, problem('unsupported-media-type', 'the body must be JSON (Content-Type: application/json)'));
      if (error.status === 413) return sendProblem(c, problem('payload-too-large', `the body exceeds ${limits.maxBodyBytes} bytes`));
      if (error.status === 503) return sendProblem(c, problem('request-timeout', `no answer within ${limits.requestTimeoutMs} ms`), { 'Retry-After': '1', connection: 'close' });
    }
    log(`[taawun http] ${c.req.method} ${c.req.path} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    if (isEventStoreError(error)) {
      return error.code === 'unavailable'
        ? sendProblem(c, problem('store-unavailable', 'the event store is unavailable; try again later'), { 'Retry-After': '5' })
        : sendProblem(c, problem('store-failure', 'the event store failed; it was logged'));
    }
    return sendProblem(c, problem('internal-error', 'an unexpected error occurred; it was logged'));
  });

  app.notFound((c) => {
    const allow = allowedMethods(app, c.req.path);
    if (allow.length > 0) {
      return sendProblem(c, problem('method-not-allowed', `${c.req.method} is not allowed on ${c.req.path}; it takes ${allow.join(', ')}`), { Allow: allow.join(', ') });
    }
    return sendProblem(c, problem('route-not-found', `no route ${c.req.method} ${c.req.path}`));
  });

  const replays = new ReplayLimiter(limits.maxConcurrentReplays, Math.min(limits.maxConcurrentReplaysPerKey, limits.maxConcurrentReplays));
  const readModelStatus = options.readModelStatus ?? (() => []);
  const pages = new EncodedPageCache(limits.pageCacheBytes);
  const metrics = new ServerMetrics({ store: options.store, liveFeeds, replays, readModelStatus, pages, ...(options.replicationLag ? { replicationLag: options.replicationLag } : {}) });
  let shuttingDown = false;
  // Outermost: it sees every answer, problems from onError and 404/405 included.
  app.use('*', accessLog(options.accessLog === false ? undefined : (options.accessLog ?? pino({ base: null }, pino.destination(2))), metrics));
  app.use('*', secureHeaders({ crossOriginResourcePolicy: 'same-origin' }));
  if (options.corsOrigins && options.corsOrigins.length > 0) {
    app.use('*', cors({ origin: [...options.corsOrigins], allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'If-Match', 'If-None-Match', 'Last-Event-ID', 'X-Correlation-Id', MIN_POSITION_HEADER], exposeHeaders: ['ETag', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Retry-After', POSITION_HEADER] }));
  }
  const limitTime = timeout(limits.requestTimeoutMs, () => new HTTPException(503, { message: 'request timeout' }));
  app.use('*', async (c, next) => (c.req.path === LIVE_FEED_PATH ? next() : limitTime(c, next)));
  app.use('*', authenticate(keys, { basicFor: (path) => path === '/report' || path.startsWith('/report/') }));
  // The health checks answer whatever else an address sent: behind a proxy every client shares one address,
  // and failed logins there must not make the orchestrator think the process is dead.
  const limited = rateLimit(new FixedWindowRateLimiter(limits.requestsPerMinute));
  app.use('*', async (c, next) => (c.req.path === LIVE_PATH || c.req.path === READY_PATH ? next() : limited(c, next)));

  app.use('*', readYourWrites(options.readFreshness));
  registerMetaRoutes(app);
  registerOperationsRoutes(app, { store: options.store, metrics, readModelStatus, maxReadModelLag: limits.maxReadModelLag, shuttingDown: () => shuttingDown, log });
  const readStore = options.readStore ?? options.store;
  const commandDeps = {
    store: options.store,
    queue: new KeyedQueue(),
    now: options.now ?? (() => new Date()),
    newId: options.newId ?? newEventId,
    maxBodyBytes: limits.maxBodyBytes,
    transportLimits: limits.transport,
    log,
  };
  registerCommandRoutes(app, commandDeps);
  const purges = new BackgroundPurges(options.personalData?.onErased, log);
  if (options.personalData) {
    registerErasureRoute(app, {
      ...commandDeps,
      keys: options.personalData.keys,
      ...(purges.enabled ? { purge: (participantId: string) => purges.start(participantId) } : {}),
      purgeWaitMs: Math.floor(limits.requestTimeoutMs / 2),
    });
  }
  const queries = queryService({ store: new YieldingReads(readStore), ...(options.readModelStorage ? { storage: options.readModelStorage } : {}) }, options.readModels ?? []);
  registerQueryRoutes(app, {
    queries,
    replays,
    defaultPageSize: limits.defaultPageSize,
    maxPageSize: limits.maxPageSize,
    transportLimits: limits.transport,
    pages,
    countStoredPage: (readModel, outcome) => metrics.countStoredPage(readModel, outcome),
  });
  registerReportRoutes(app, { queries, replays, now: options.now ?? (() => new Date()), ...options.report });
  registerEventRoutes(app, {
    store: readStore,
    // The default page never exceeds the hard maximum (a log longer than the maximum showed it when the default was larger).
    defaultPageSize: Math.min(limits.defaultPageSize, limits.maxPageSize),
    maxPageSize: limits.maxPageSize,
    heartbeatMs: limits.heartbeatMs,
    liveFeeds,
    log,
  });

  if (options.merkle) registerLogRoutes(app, { ...options.merkle, report: log });

  return {
    app,
    queries,
    limits,
    metrics,
    beginShutdown: () => {
      shuttingDown = true;
      liveFeeds.closeAll(SHUTTING_DOWN);
    },
    backgroundWork: async () => {
      await Promise.all([purges.settled(), pages.settled()]);
    },
  };
}
