import { getConnInfo } from '@hono/node-server/conninfo';
import type { MiddlewareHandler } from 'hono';
import { sendProblem, type AppEnv } from '../http/env.js';
import { problem } from '../http/problems.js';
import type { ApiKeyRing, Role } from './api-keys.js';
import type { FixedWindowRateLimiter } from './rate-limit.js';

const bearer = /^Bearer[ ]+([A-Za-z0-9._~+/-]+=*)[ ]*$/i;
const basic = /^Basic[ ]+([A-Za-z0-9+/]+=*)[ ]*$/i;

/**
 * The key presented with a request: `Authorization: Bearer <key>`, or, for the
 * HTML report only (a browser cannot send a bearer header by itself), Basic
 * authentication with the key as the password.
 */
function presentedKey(authorization: string, allowBasic: boolean): string | undefined {
  const b = bearer.exec(authorization);
  if (b) return b[1];
  if (!allowBasic) return undefined;
  const m = basic.exec(authorization);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? undefined : decoded.slice(colon + 1);
}

/** Resolves the principal without rejecting: routes decide whether they need one. */
export const authenticate =
  (keys: ApiKeyRing, options: { basicFor: (path: string) => boolean }): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    c.set('principal', undefined);
    c.set('authFailure', undefined);
    const authorization = c.req.header('authorization');
    if (authorization !== undefined) {
      const key = presentedKey(authorization, options.basicFor(c.req.path));
      const principal = key === undefined ? undefined : keys.authenticate(key);
      if (principal) c.set('principal', principal);
      else c.set('authFailure', key === undefined ? 'the Authorization header is not "Bearer <key>"' : 'the API key is not valid');
    }
    await next();
  };

const remoteAddress = (c: Parameters<MiddlewareHandler>[0]): string => {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
};

/** Counts the request against its key (or address) and answers 429 once the window is spent. */
export const rateLimit =
  (limiter: FixedWindowRateLimiter): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const principal = c.get('principal');
    const client = principal ? `key:${principal.name}` : `address:${remoteAddress(c)}`;
    const decision = limiter.take(client);
    c.header('RateLimit-Limit', String(decision.limit));
    c.header('RateLimit-Remaining', String(decision.remaining));
    c.header('RateLimit-Reset', String(decision.resetSeconds));
    if (!decision.allowed) {
      return sendProblem(c, problem('rate-limited', `rate limit of ${decision.limit} requests per window reached; retry in ${decision.resetSeconds} s`), {
        'Retry-After': String(decision.resetSeconds),
      });
    }
    await next();
  };

/** Only keys with one of these roles: 401 without a valid key, 403 with a key of another role. */
export const requireRole =
  (allowed: readonly Role[], options: { basicChallenge?: boolean } = {}): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const principal = c.get('principal');
    if (!principal) {
      const reason = c.get('authFailure') ?? 'no Authorization header';
      const challenge = options.basicChallenge ? 'Basic realm="taawun", charset="UTF-8"' : 'Bearer realm="taawun"';
      return sendProblem(c, problem('unauthenticated', `an API key is required: ${reason}`), { 'WWW-Authenticate': challenge });
    }
    if (!allowed.includes(principal.role)) {
      return sendProblem(c, problem('forbidden', `the key "${principal.name}" has role ${principal.role}; this needs ${allowed.join(' or ')}`));
    }
    await next();
  };
