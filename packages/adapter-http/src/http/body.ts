import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { sendProblem, type AppEnv } from './env.js';
import { problem } from './problems.js';

/** 415 unless the body is declared JSON. */
export const requireJson: MiddlewareHandler<AppEnv> = async (c, next) => {
  const contentType = c.req.header('content-type') ?? '';
  if (!/^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/i.test(contentType)) {
    return sendProblem(c, problem('unsupported-media-type', `the body must be JSON (Content-Type: application/json), not ${contentType || 'untyped'}`));
  }
  await next();
};

/** 413 past `maxBytes`, whether announced by Content-Length or found while reading. */
export const limitBody = (maxBytes: number): MiddlewareHandler =>
  bodyLimit({
    maxSize: maxBytes,
    // The rest of the body is not read: the connection cannot carry another request after it.
    onError: (c) => sendProblem(c, problem('payload-too-large', `the body exceeds ${maxBytes} bytes`), { connection: 'close' }),
  });
