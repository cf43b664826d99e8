import type { Context } from 'hono';
import type { Principal } from '../security/api-keys.js';
import { PROBLEM_CONTENT_TYPE, type Problem } from './problems.js';

/** What middleware leaves in the request context for the routes. */
export type AppEnv = {
  Variables: {
    /** The authenticated key's holder; undefined without a valid key. */
    principal: Principal | undefined;
    /** Set when an Authorization header was sent but is not a valid key. */
    authFailure: string | undefined;
  };
};

export type AppContext = Context<AppEnv>;

/** A problem response that keeps the headers middleware prepared (rate limits, CORS). */
export const sendProblem = (c: Context, problem: Problem, headers: Record<string, string> = {}): Response => {
  c.status(problem.status as never);
  c.header('content-type', PROBLEM_CONTENT_TYPE);
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
  return c.body(JSON.stringify(problem));
};
