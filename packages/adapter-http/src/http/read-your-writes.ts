import type { MiddlewareHandler } from 'hono';
import { sendProblem, type AppEnv } from './env.js';
import { problem } from './problems.js';

/** The header a command's answer carries: the log position it was committed at (its last event's). */
export const POSITION_HEADER = 'X-Taawun-Position';
/** The header a read sends to be answered only by a read side that holds at least that position. */
export const MIN_POSITION_HEADER = 'X-Taawun-Min-Position';

/**
 * Whether the read side (the log a server reads and its stored read models)
 * holds a position: the composition answers it (`@taawun/runtime`), waiting up
 * to its own timeout (a standby replaying, a read model folding).
 */
export interface ReadFreshness {
  /** True once every read of the server answers with the events up to `position`; false if not within the timeout. */
  waitFor(position: bigint, signal?: AbortSignal): Promise<boolean>;
  /** Seconds a client should wait before asking again (Retry-After). */
  readonly retryAfterSeconds: number;
  /**
   * When set, a read whose position did not arrive is answered by `answer` run
   * against another read side (the primary) once that one holds it: true when
   * it answered, false when it did not hold it either (then the 503).
   */
  answerElsewhere?(position: bigint, answer: () => Promise<void>, signal?: AbortSignal): Promise<boolean>;
}

const POSITION = /^\d{1,20}$/;

/**
 * Read-your-writes: a command's answer names its position in a header, and a
 * read that sends it back in `X-Taawun-Min-Position` is answered only once the
 * read side holds it, else 503 `read-side-behind` with Retry-After: never a
 * stale answer that does not say so.
 */
export function readYourWrites(freshness: ReadFreshness | undefined): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const asked = c.req.header(MIN_POSITION_HEADER);
    if (asked !== undefined && c.req.method === 'GET') {
      if (!POSITION.test(asked)) return sendProblem(c, problem('invalid-request', `${MIN_POSITION_HEADER} takes a log position (a decimal number), as ${POSITION_HEADER} gives it`, { fields: [MIN_POSITION_HEADER] }));
      if (freshness && !(await freshness.waitFor(BigInt(asked), c.req.raw.signal))) {
        if (await freshness.answerElsewhere?.(BigInt(asked), next, c.req.raw.signal)) return;
        return sendProblem(c, problem('read-side-behind', `this server does not hold position ${asked} yet; ask again shortly`), { 'Retry-After': String(freshness.retryAfterSeconds) });
      }
    }
    await next();
    if (c.req.method === 'POST' && c.res.status === 200 && c.res.headers.get('content-type')?.startsWith('application/json')) {
      const body = (await c.res.clone().json()) as { events?: { position?: unknown }[] };
      const last = Array.isArray(body.events) ? body.events.at(-1)?.position : undefined;
      if (typeof last === 'string') c.res.headers.set(POSITION_HEADER, last);
    }
  };
}
