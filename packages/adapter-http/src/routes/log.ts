import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { consistencyDocument, inclusionDocument, isCheckpointRefused, isEventStoreError, type CheckpointSigner, type MerkleLog } from '@taawun/domain';
import type { Context } from 'hono';
import { sendProblem, type AppEnv, type ProblemResponse } from '../http/env.js';
import { bearerSecurity, readErrors, responseHeaders } from '../http/openapi-common.js';
import { problem } from '../http/problems.js';
import { queryInteger } from '../http/query-integers.js';
import { requireRole } from '../security/middleware.js';
import { roles } from '../security/api-keys.js';

/**
 * The log's Merkle tree for auditors: the signed checkpoint to fetch and keep,
 * and proofs they check offline (`taawun verify-proof`) with the institute's public key.
 */
export interface LogRouteDeps {
  readonly log: MerkleLog;
  /** Refuses (`CheckpointRefused`) a log that no longer extends its witnessed checkpoint. */
  readonly sign: CheckpointSigner;
  /** The server's log, where a refusal's reason goes. */
  readonly report: (line: string) => void;
}

const count = (min: number) => z.number().int().min(min).max(Number.MAX_SAFE_INTEGER).meta({ format: 'int64' });
const logSize = (description: string) => queryInteger(0, Number.MAX_SAFE_INTEGER, description);
const hash = z.string().max(44);
const inclusionSchema = z
  .object({
    format: z.literal('taawun-inclusion-proof/1'),
    position: count(1),
    size: count(1),
    leaf: hash,
    proof: z.array(hash).max(64),
    checkpoint: z.string().max(2_000),
  })
  .strict()
  .openapi('InclusionProof', { description: 'The event at `position` is in the log of `size` whose signed checkpoint is given' });
const consistencySchema = z
  .object({
    format: z.literal('taawun-consistency-proof/1'),
    first: count(0),
    second: count(0),
    proof: z.array(hash).max(128),
    checkpoints: z.array(z.string().max(2_000)).max(2),
  })
  .strict()
  .openapi('ConsistencyProof', { description: 'The log of `second` extends the log of `first` unchanged; both signed checkpoints given' });

const outOfRange = (error: unknown) => isEventStoreError(error) && error.code === 'out-of-range';

/**
 * What a route answers when signing or proving failed: a position past the
 * log's end is the request's fault; a log its witness caught shrunk or
 * rewritten is signed nothing (its reason, which names the witness, goes to the
 * server's log only). Anything else is thrown on.
 */
function refused(c: Context<AppEnv>, error: unknown, report: (line: string) => void): ProblemResponse<400 | 500> {
  if (outOfRange(error)) return sendProblem(c, problem('invalid-request', (error as Error).message));
  if (isCheckpointRefused(error)) {
    report(`[taawun http] ${c.req.method} ${c.req.path}: ${error.message}`);
    return sendProblem(c, problem('log-not-witnessed', 'the log no longer extends the checkpoint its witness keeps (it shrank or was rewritten): nothing of it is signed'));
  }
  throw error;
}

export function registerLogRoutes(app: OpenAPIHono<AppEnv>, deps: LogRouteDeps): void {
  app.openapi(
    createRoute({
      tags: ['Audit feed'],
      security: bearerSecurity,
      middleware: [requireRole(roles)] as const,
      method: 'get',
      path: '/log/checkpoint',
      operationId: 'getCheckpoint',
      summary: "The log's signed checkpoint now (C2SP tlog-checkpoint signed note): fetch it and keep it",
      description: `Roles: ${roles.join(', ')}. Give kept checkpoints to \`taawun verify --against FILE\`.`,
      responses: {
        200: { description: 'A signed note: origin, size, base64 root, a blank line, the signature', headers: responseHeaders(), content: { 'text/plain': { schema: z.string().max(2_000) } } },
        ...readErrors,
      },
    }),
    async (c) => {
      try {
        return c.text(await deps.sign(await deps.log.treeHead()), 200);
      } catch (error) {
        return refused(c, error, deps.report);
      }
    },
  );

  app.openapi(
    createRoute({
      tags: ['Audit feed'],
      security: bearerSecurity,
      middleware: [requireRole(roles)] as const,
      method: 'get',
      path: '/log/proof/inclusion',
      operationId: 'getInclusionProof',
      summary: 'Proof that the event at a position is in the log of a size (default: now)',
      description: `Roles: ${roles.join(', ')}.`,
      request: { query: z.object({ position: logSize("The event's log position"), size: logSize('The log size (default: now)').optional() }) },
      responses: { 200: { description: 'The proof', headers: responseHeaders(), content: { 'application/json': { schema: inclusionSchema } } }, ...readErrors },
    }),
    async (c) => {
      const query = c.req.valid('query');
      try {
        const document = await inclusionDocument(deps.log, deps.sign, BigInt(query.position), query.size);
        return c.json({ ...document, proof: [...document.proof] }, 200);
      } catch (error) {
        return refused(c, error, deps.report);
      }
    },
  );

  app.openapi(
    createRoute({
      tags: ['Audit feed'],
      security: bearerSecurity,
      middleware: [requireRole(roles)] as const,
      method: 'get',
      path: '/log/proof/consistency',
      operationId: 'getConsistencyProof',
      summary: 'Proof that the log of size `second` (default: now) extends the log of size `first` unchanged',
      description: `Roles: ${roles.join(', ')}.`,
      request: { query: z.object({ first: logSize('The size of the earlier log'), second: logSize('The size of the later log (default: now)').optional() }) },
      responses: { 200: { description: 'The proof', headers: responseHeaders(), content: { 'application/json': { schema: consistencySchema } } }, ...readErrors },
    }),
    async (c) => {
      const query = c.req.valid('query');
      try {
        const document = await consistencyDocument(deps.log, deps.sign, query.first, query.second);
        return c.json({ ...document, proof: [...document.proof], checkpoints: [...document.checkpoints] }, 200);
      } catch (error) {
        return refused(c, error, deps.report);
      }
    },
  );
}
