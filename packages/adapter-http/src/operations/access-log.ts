import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { Logger } from 'pino';
import type { AppEnv } from '../http/env.js';
import type { ServerMetrics } from './metrics.js';

const requestIdPattern = /^[A-Za-z0-9._:-]{1,100}$/;

/** The route pattern that answered (`/participants/:participantId/erasure`), never the path: paths carry ids. */
export function routeOf(c: Parameters<MiddlewareHandler>[0]): string {
  try {
    return matchedRoutes(c).filter((route) => route.method !== 'ALL').at(-1)?.path ?? '(none)';
  } catch {
    return '(none)';
  }
}

/**
 * One structured line per request (pino, JSON): its id (the caller's
 * `X-Request-Id` when it is a plain token, else a new one, echoed back), the
 * key's name and role, the route pattern, the status and the latency. Never
 * the key, the query string, the body or the path (ids), so no personal data.
 * The same observation feeds the metrics.
 */
export const accessLog =
  (logger: Logger | undefined, metrics: ServerMetrics): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const started = process.hrtime.bigint();
    const given = c.req.header('x-request-id');
    const requestId = given !== undefined && requestIdPattern.test(given) ? given : randomUUID();
    c.header('X-Request-Id', requestId);
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeOf(c);
      const status = c.res.status;
      metrics.observe(c.req.method, route, status, seconds);
      if (logger) {
        const principal = c.get('principal');
        logger.info(
          {
            requestId,
            method: c.req.method,
            route,
            status,
            latencyMs: Math.round(seconds * 1e6) / 1e3,
            ...(principal ? { key: principal.name, role: principal.role } : {}),
          },
          'request',
        );
      }
    }
  };
