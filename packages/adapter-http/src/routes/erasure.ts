import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { executeErasure, isScrubPending, participantIdSchema, reasonSchema, type CommandOf, type EventStore, type KeyStore } from '@taawun/domain';
import { limitBody, readJsonBody, requireJson } from '../http/body.js';
import { sendProblem, type AppEnv } from '../http/env.js';
import { KeyedQueue } from '../http/keyed-queue.js';
import { bearerSecurity, commandErrors, errorResponses, responseHeaders } from '../http/openapi-common.js';
import { problem, problemFromDomainError } from '../http/problems.js';
import { withTransportLimits, type TransportLimits } from '../http/transport-limits.js';
import { requireRole } from '../security/middleware.js';

/**
 * Erasure of a participant's personal data (crypto-shredding, see the domain's
 * personal-data README): records `ParticipantDataErased` and destroys the
 * participant's key within the request, then purges the read models
 * (`onErased`) in the background, one purge at a time, and waits for it at most
 * `purgeWaitMs` (half the request timeout): a purge rebuilds every model that
 * holds names, which on a large log outlasts any request timeout, and must not
 * be cut off by it. The answer says whether the purge finished. Administrators
 * only. Safe to repeat: a re-run finishes an interrupted erasure and answers 200.
 */
export interface ErasureRouteDeps {
  readonly store: EventStore;
  readonly keys: KeyStore;
  /** Start purging the read models for this erasure (see `BackgroundPurges`); absent when there is no `onErased`. */
  readonly purge?: (participantId: string) => Promise<void>;
  /** How long the request waits for the purge before answering `readModels: "purging"`. */
  readonly purgeWaitMs: number;
  readonly queue: KeyedQueue;
  readonly now: () => Date;
  readonly newId: () => string;
  readonly transportLimits: TransportLimits;
  readonly maxBodyBytes: number;
  readonly log: (message: string) => void;
}

/**
 * Runs `onErased` after each erasure, one purge after another, outside any
 * request: its failure is logged (and answered when the request is still
 * waiting). `settled()` waits for every purge started so far.
 */
export class BackgroundPurges {
  private readonly queue = new KeyedQueue();
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly onErased: ((participantId: string) => Promise<void> | void) | undefined,
    private readonly log: (message: string) => void,
  ) {}

  get enabled(): boolean {
    return this.onErased !== undefined;
  }

  start(participantId: string): Promise<void> {
    const onErased = this.onErased;
    if (!onErased) return Promise.resolve();
    const purge = this.queue.run('purge', async () => onErased(participantId));
    const tracked = purge.then(
      () => undefined,
      (error: unknown) => this.log(`[taawun http] purging the read models after the erasure of ${participantId} failed: ${(error as Error)?.message ?? String(error)}; repeat the erasure to purge them again`),
    );
    this.running.add(tracked);
    void tracked.then(() => this.running.delete(tracked));
    return purge;
  }

  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}

const erasureSchema = z
  .object({
    participantId: z.string().max(80),
    alreadyRecorded: z.boolean().meta({ description: 'True when an earlier request had recorded the erasure (this one finished it)' }),
    keyDestroyedNow: z.boolean(),
    residueCleared: z.boolean().meta({ description: 'False: the key\'s bytes may linger in the key store\'s file until a later run; repeat the request when the server is idle' }),
    readModels: z.enum(['purged', 'purging', 'not-configured']).meta({
      description:
        'purged: the stored read models were purged before this answer; purging: the purge goes on in the background after it (a large log), and a failure is logged on the server (repeat the request to purge again); not-configured: the server has no purge (no onErased)',
    }),
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
      'Records ParticipantDataErased (the actor is the API key) and destroys the participant\'s encryption key, then purges the read models: ' +
      'the answer waits for the purge up to half the request timeout, and `readModels` says whether it finished (`purging`: it goes on in the background). ' +
      '503 `erasure-incomplete` (with Retry-After): erased, but another process holds a read snapshot, so old copies are not scrubbed yet; repeat the request, it finishes the scrub. ' +
      'The only way to erase over HTTP (there is no /commands/erase-participant-data). ' +
      'Role: admin. The record of what they took part in stays. Say why without naming the person (e.g. "request of 2024-05-28, file DPO-2024-17").',
    security: bearerSecurity,
    middleware: [requireRole(['admin']), requireJson, limitBody(deps.maxBodyBytes), readJsonBody] as const,
    request: {
      params: z.object({ participantId: withTransportLimits(participantIdSchema, deps.transportLimits) }),
      body: { required: true, content: { 'application/json': { schema: z.object({ reason: withTransportLimits(reasonSchema, deps.transportLimits) }).strict() } } },
    },
    responses: {
      201: { description: 'Erased now', headers: responseHeaders(), content: { 'application/json': { schema: erasureSchema } } },
      200: { description: 'Already recorded as erased: the erasure is finished', headers: responseHeaders(), content: { 'application/json': { schema: erasureSchema } } },
      ...commandErrors,
      503: errorResponses[503],
    },
  });

  app.openapi(route, async (c) => {
    const { participantId } = c.req.valid('param');
    const { reason } = c.req.valid('json');
    const principal = c.get('principal')!;
    const context = { actor: principal.name, now: deps.now, newId: deps.newId };
    // The id and the reason were parsed by the command's own field schemas: the command is executed, not parsed again.
    const command: CommandOf<'EraseParticipantData'> = { type: 'EraseParticipantData', participantId, reason };
    const result = await deps.queue.run(`participant-${participantId}`, () => executeErasure(deps.store, deps.keys, command, context));
    if (!result.ok) {
      if (result.error.code === 'store-failure' || result.error.code === 'store-unavailable') deps.log(`[taawun http] erasure of ${participantId} failed: ${result.error.message}`);
      return sendProblem(c, problemFromDomainError(result.error));
    }
    let readModels: 'purged' | 'purging' | 'not-configured' = 'not-configured';
    const outcome = result.value;
    const unscrubbed = outcome.residueCleared ? [] : ["the destroyed key's bytes in the key store's write-ahead log"];
    if (deps.purge) {
      const waited = await waitAtMost(deps.purge(participantId), deps.purgeWaitMs);
      if (typeof waited === 'object' && isScrubPending(waited.failed)) unscrubbed.unshift(...waited.failed.copies);
      else if (typeof waited === 'object') {
        return sendProblem(
          c,
          problem('store-failure', 'the erasure is recorded and the key destroyed, but purging the read models failed (logged on the server); repeat the request: it is safe, and purges them again'),
        );
      }
      readModels = waited === 'done' || typeof waited === 'object' ? 'purged' : 'purging';
    }
    if (unscrubbed.length > 0) {
      return sendProblem(
        c,
        problem(
          'erasure-incomplete',
          `${participantId} is erased (recorded, key destroyed), but another process holds a read snapshot of the database, so these copies are not scrubbed yet: ${unscrubbed.join('; ')}; they remain until that reader ends its read: repeat the request then, it is safe to repeat and finishes the scrub`,
        ),
        { 'Retry-After': String(RETRY_SCRUB_AFTER_SECONDS) },
      );
    }
    const event = outcome.event
      ? { id: outcome.event.id, type: outcome.event.type, revision: outcome.event.revision, position: outcome.event.position.toString() }
      : null;
    const body = { participantId, alreadyRecorded: outcome.alreadyRecorded, keyDestroyedNow: outcome.keyDestroyedNow, residueCleared: outcome.residueCleared, readModels, event };
    return outcome.alreadyRecorded ? c.json(body, 200) : c.json(body, 201);
  });
}

/** A reader's snapshot is usually a backup or a shell: ask again after a few seconds. */
const RETRY_SCRUB_AFTER_SECONDS = 5;

/** Whether `work` settled within `ms` (and why it failed); it goes on either way. */
async function waitAtMost(work: Promise<void>, ms: number): Promise<'done' | { readonly failed: unknown } | 'running'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'running'>((resolve) => {
    timer = setTimeout(() => resolve('running'), ms);
  });
  try {
    return await Promise.race([work.then(() => 'done' as const, (failed: unknown) => ({ failed })), late]);
  } finally {
    clearTimeout(timer);
  }
}
