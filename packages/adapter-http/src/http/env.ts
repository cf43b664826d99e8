import type { Context, TypedResponse } from 'hono';
import type { JSONParsed } from 'hono/utils/types';
import type { Principal } from '../security/api-keys.js';
import { PROBLEM_CONTENT_TYPE, type Problem, type ProblemStatus } from './problems.js';

/** What middleware leaves in the request context for the routes. */
export type AppEnv = {
  Variables: {
    /** The authenticated key's holder; undefined without a valid key. */
    principal: Principal | undefined;
    /** Set when an Authorization header was sent but is not a valid key. */
    authFailure: string | undefined;
  };
};

/** A problem as a route's handler returns it. */
export type ProblemResponse<S extends ProblemStatus> = Response & TypedResponse<JSONParsed<Problem<S>>, S, 'json'>;

/**
 * A problem response that keeps the headers middleware prepared (rate limits,
 * CORS), typed with the problem's own status: a route handler may return it
 * only when the route declares that status.
 */
export const sendProblem = <S extends ProblemStatus>(c: Context, problem: Problem<S>, headers: Record<string, string> = {}): ProblemResponse<S> =>
  c.json(problem, problem.status, { ...headers, 'Content-Type': PROBLEM_CONTENT_TYPE });
