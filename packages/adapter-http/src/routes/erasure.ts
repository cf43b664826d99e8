import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { eraseParticipant, participantIdSchema, reasonSchema, type EventStore, type KeyStore } from '@taawun/domain';
import { limitBody, requireJson } from '../http/body.js';
import { sendProblem, type AppEnv } from '../http/env.js';
import type { KeyedQueue } from '../http/keyed-queue.js';
import { bearerSecurity, errorResponsesFor, responseHeaders } from '../http/openapi-common.js';
import { problemFromDomainError } from '../http/problems.js';
import { withTransportLimits, type TransportLimits } from '../http/transport-limits.js';
import { requireRole } from '../security/middleware.js';

/**
 * Erasure of a participant's personal data (crypto-shredding, see the domain's
 * personal-data README): records `ParticipantDataErased`, destroys the
 * participant's key, then runs `onErased` to purge read models. Administrators
 * only. Safe to repeat: a re-run finishes an interrupted erasure and answers 200.
 */
export interface ErasureRouteDeps {
  readonly store: EventStore;
  readonly keys: KeyStore;
  readonly onErased?: (participantId: string) => Promise<void> | void;
  readonly queue: KeyedQueue;
  readonly now: () => Date;
  readonly newId: () => string;
  readonly transportLimits: TransportLimits;
  readonly maxBodyBytes: number;
  readonly log: (message: string) => void;
}

const erasureSchema = z
  .object({
    participantId: z.string().max(80),
    alreadyRecorded: z.boolean().meta({ description: 'True when an earlier request had recorded the erasure (this one finished it)' }),
    keyDestroyedNow: z.boolean(),
    residueCleared: z.boolean().meta({ description: 'False: the key\'s bytes may linger in the key store\'s file until a later run; repeat the request when the server is idle' }),
    event: z
      .object({ id: z.uuid().max(36), type: z.string().max(100), revision: z.number().int().min(0).max(2_147_483_647).meta({ format: 'int32' }), position: z.string().max(20) })
      .strict()
      .nullable(),
  })
  .strict()
  .openapi('Erasure');

export function registerErasureRoute(app: OpenAPIHono<AppEnv>, deps: ErasureRouteDeps): void {
  const route = createRoute({
    method: 'post',
    path: '/participants/{participantId}/erasure',
    operationId: 'eraseParticipant',
    tags: ['Personal data'],
    summary: "Erase a participant's personal data",
    description:
      'Records ParticipantDataErased (the actor is the API key), destroys the participant\'s encryption key, and purges the read models. ' +
      'Role: admin. The record of what they took part in stays. Say why without naming the person (e.g. "request of 2024-05-28, file DPO-2024-17").',
    security: bearerSecurity,
    middleware: [requireRole(['admin']), requireJson, limitBody(deps.maxBodyBytes)] as const,
    request: {
      params: z.object({ participantId: withTransportLimits(participantIdSchema, deps.transportLimits) }),
      body: { required: true, content: { 'application/json': { schema: z.object({ reason: withTransportLimits(reasonSchema, deps.transportLimits) }).strict() } } },
    },
    responses: {
      201: { description: 'Erased now', headers: responseHeaders(), content: { 'application/json': { schema: erasureSchema } } },
      200: { description: 'Already recorded as erased: the erasure is finished', headers: responseHeaders(), content: { 'application/json': { schema: erasureSchema } } },
      ...errorResponsesFor(400, 401, 403, 404, 413, 415, 429, 500, 503),
    },
  });

  app.openapi(route, async (c) => {
    const { participantId } = c.req.valid('param');
    const { reason } = c.req.valid('json');
    const principal = c.get('principal')!;
    const context = { actor: principal.name, now: deps.now, newId: deps.newId };
    const result = await deps.queue.run(`participant-${participantId}`, () =>
      eraseParticipant(deps.store, deps.keys, participantId, reason, context, deps.onErased ? { onErased: deps.onErased } : {}),
    );
    if (!result.ok) {
      if (result.error.code === 'store-failure' || result.error.code === 'store-unavailable') deps.log(`[taawun http] erasure of ${participantId} failed: ${result.error.message}`);
      return sendProblem(c, problemFromDomainError(result.error)) as never;
    }
    const outcome = result.value;
    const event = outcome.event
      ? { id: outcome.event.id, type: outcome.event.type, revision: outcome.event.revision, position: outcome.event.position.toString() }
      : null;
    const body = { participantId, alreadyRecorded: outcome.alreadyRecorded, keyDestroyedNow: outcome.keyDestroyedNow, residueCleared: outcome.residueCleared, event };
    return outcome.alreadyRecorded ? c.json(body, 200) : c.json(body, 201);
  });
}
