import type { OpenAPIHono } from '@hono/zod-openapi';
import type { EventStore } from '@taawun/domain';
import type { AppEnv } from '../http/env.js';
import { requireRole } from '../security/middleware.js';
import type { ServerMetrics } from './metrics.js';
import { readModelHealth, type ReadModelFollowerStatus } from './status.js';

export interface OperationsDeps {
  readonly store: EventStore;
  readonly metrics: ServerMetrics;
  readonly readModelStatus: () => readonly ReadModelFollowerStatus[];
  /** Events a read model may lag behind the log while the server is ready. */
  readonly maxReadModelLag: number;
  /** True once the server is shutting down: it is no longer ready. */
  readonly shuttingDown: () => boolean;
  readonly log: (message: string) => void;
}

export const METRICS_PATH = '/metrics';
export const LIVE_PATH = '/health/live';
export const READY_PATH = '/health/ready';

/**
 * What an operator needs: `/health/live` (the process answers), `/health/ready`
 * (the store answers and every stored read model is current within
 * `maxReadModelLag` events and not being rebuilt: a load balancer sends
 * traffic only then), both public and free of personal data; and `/metrics`
 * (Prometheus text format) for auditor and admin keys.
 */
export function registerOperationsRoutes(app: OpenAPIHono<AppEnv>, deps: OperationsDeps): void {
  app.get(LIVE_PATH, (c) => c.json({ status: 'live' }, 200, { 'Cache-Control': 'no-store' }));

  app.get(READY_PATH, async (c) => {
    let head: bigint | undefined;
    try {
      head = await deps.store.lastPosition();
    } catch (error) {
      deps.log(`[taawun http] readiness: the store does not answer: ${error instanceof Error ? error.message : String(error)}`);
      return c.json({ status: 'unready', reasons: ['the event store does not answer'] }, 503, { 'Cache-Control': 'no-store', 'Retry-After': '5' });
    }
    const readModels = readModelHealth(deps.readModelStatus(), head);
    const reasons = [
      ...(deps.shuttingDown() ? ['the server is shutting down'] : []),
      ...readModels.filter((m) => m.rebuilding).map((m) => `read model ${m.name} is being rebuilt`),
      ...readModels
        .filter((m) => !m.rebuilding && !m.stopped && m.lag > deps.maxReadModelLag)
        .map((m) =>
          m.waitingTurn
            ? `read model ${m.name} waits for another model's catch-up to end before its own (${m.lag} events behind the log)`
            : `read model ${m.name} is ${m.lag} events behind the log (at most ${deps.maxReadModelLag})`,
        ),
    ];
    const body = { status: reasons.length === 0 ? 'ready' : 'unready', head: head === undefined ? null : head.toString(), readModels, reasons };
    return reasons.length === 0 ? c.json(body, 200, { 'Cache-Control': 'no-store' }) : c.json(body, 503, { 'Cache-Control': 'no-store', 'Retry-After': '5' });
  });

  app.get(METRICS_PATH, requireRole(['auditor', 'admin']), async (c) => {
    const text = await deps.metrics.registry.metrics();
    return c.body(text, 200, { 'Content-Type': deps.metrics.registry.contentType, 'Cache-Control': 'no-store' });
  });
}
