import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import {
  commandSchemas,
  commandTypes,
  executeCommand,
  prepareParsedCommand,
  type CommandContext,
  type CommandOutcome,
  type CommandType,
  type EventStore,
} from '@taawun/domain';
import type { MiddlewareHandler } from 'hono';
import { limitBody, readJsonBody, requireJson } from '../http/body.js';
import { sendProblem, type AppEnv } from '../http/env.js';
import type { KeyedQueue } from '../http/keyed-queue.js';
import { bearerSecurity, commandErrors, responseHeaders } from '../http/openapi-common.js';
import { etagOf, parsePreconditions } from '../http/preconditions.js';
import { problem, problemFromDomainError } from '../http/problems.js';
import { withTransportLimits, type TransportLimits } from '../http/transport-limits.js';
import { requireRole } from '../security/middleware.js';
import type { Role } from '../security/api-keys.js';

/** `SignAgreement` -> `sign-agreement`: the command's path segment. */
export const commandSlug = (type: CommandType): string => type.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
export const commandPath = (type: CommandType): string => `/commands/${commandSlug(type)}`;

/**
 * Commands with no generic route, and why. `EraseParticipantData` alone would
 * record the erasure without purging the read models that hold the name: the
 * erasure route (`POST /participants/{id}/erasure`, admin only) does both.
 */
export const commandsWithoutRoute: Readonly<Partial<Record<CommandType, string>>> = {
  EraseParticipantData: 'use POST /participants/{participantId}/erasure, which also purges the read models',
};

/** The commands served as `POST /commands/<command>`: every command of the domain but those above. */
export const routedCommandTypes: readonly CommandType[] = commandTypes.filter((type) => !Object.hasOwn(commandsWithoutRoute, type));

/** Every routed command is a clerk's work (and an administrator's). */
export const rolesForCommand = (_type: CommandType): readonly Role[] => ['admin', 'clerk'];

const isJsonObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What a command route validates, once: the body with the path's `type`, parsed
 * by the domain's own command schema (transport limits added). Its output is
 * the typed `Command`, handed to `prepareParsedCommand` with no second parse.
 * A body that names a `type` itself is refused, as any field the command does not have.
 */
export function routeCommandSchema(type: CommandType, limits: TransportLimits) {
  return z.preprocess((body, ctx) => {
    if (!isJsonObject(body)) return body;
    if (Object.hasOwn(body, 'type')) ctx.addIssue({ code: 'unrecognized_keys', keys: ['type'], input: body, message: 'the path names the command' });
    return { ...body, type };
  }, withTransportLimits(commandSchemas[type], limits));
}

/**
 * The body of a command route, as the OpenAPI document shows it: the same
 * schema (transport limits added) without `type`, which the path names.
 */
export function commandBodySchema(type: CommandType, limits: TransportLimits) {
  const schema: z.ZodObject = withTransportLimits(commandSchemas[type], limits);
  const description = schema.meta()?.description;
  return schema.omit({ type: true }).openapi(`${type}Body`, { ...(description ? { description } : {}) });
}

const commandHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(200)
    .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
    .optional()
    .meta({ description: 'Retrying with the same key returns the first response and writes nothing new (per API key)', examples: ['3f0c9a4e-enrol-41-a'] }),
  'if-match': z
    .string()
    .max(40)
    .optional()
    .meta({ description: 'The ETag of the last response about this record (`"3"`), or `*`: the command fails with 412 if the record changed' }),
  'if-none-match': z.string().max(40).optional().meta({ description: '`*`: the command fails with 412 if the record already exists' }),
  'x-correlation-id': z
    .string()
    .max(200)
    .regex(/^[\x21-\x7e]+$/)
    .optional()
    .meta({ description: 'Kept in the events\' metadata to tie them to the caller\'s own request' }),
});

const storedSummarySchema = z
  .object({
    id: z.uuid().max(36),
    type: z.string().max(200),
    revision: z.number().int().min(0).max(2_147_483_647).meta({ format: 'int32' }),
    position: z.string().max(20).regex(/^\d+$/).meta({ description: 'Position in the global log (a decimal string: it may exceed 2^53)' }),
  })
  .strict();

export const commandAcceptedSchema = z
  .object({
    stream: z.string().max(200).meta({ description: 'The stream the command wrote to', examples: ['session-enm-new-judges-course-2021'] }),
    revision: z.number().int().min(0).max(2_147_483_647).meta({ format: 'int32', description: 'Revision of the stream after the command (also the ETag)' }),
    events: z.array(storedSummarySchema).max(1_000).meta({ description: 'The events the command stored' }),
  })
  .strict()
  .openapi('CommandAccepted');

/** The response body depends only on the stored events, so a retried command answers exactly as the first time. */
export function acceptedBody(outcome: CommandOutcome): z.infer<typeof commandAcceptedSchema> {
  const last = outcome.events.at(-1);
  const revision = last ? last.revision : outcome.revision === 'no-stream' ? 0 : outcome.revision;
  return {
    stream: outcome.stream,
    revision,
    events: outcome.events.map((e) => ({ id: e.id, type: e.type, revision: e.revision, position: e.position.toString() })),
  };
}

export interface CommandRouteDeps {
  readonly store: EventStore;
  readonly queue: KeyedQueue;
  readonly now: () => Date;
  readonly newId: () => string;
  readonly maxBodyBytes: number;
  readonly transportLimits: TransportLimits;
  readonly log: (message: string) => void;
}

export function registerCommandRoutes(app: OpenAPIHono<AppEnv>, deps: CommandRouteDeps): void {
  const bodyLimit = limitBody(deps.maxBodyBytes);
  for (const type of routedCommandTypes) registerCommandRoute(app, type, deps, bodyLimit);
}

function registerCommandRoute(app: OpenAPIHono<AppEnv>, type: CommandType, deps: CommandRouteDeps, bodyLimit: MiddlewareHandler): void {
  const roles = rolesForCommand(type);
  const documentedBody = commandBodySchema(type, deps.transportLimits);
  const route = createRoute({
    method: 'post',
    path: commandPath(type),
    operationId: type.charAt(0).toLowerCase() + type.slice(1),
    tags: ['Commands'],
    summary: documentedBody.meta()?.description ?? type,
    description: `The \`${type}\` command. Roles: ${roles.join(', ')}. The actor recorded on its events is the API key's name.`,
    security: bearerSecurity,
    middleware: [requireRole(roles), requireJson, bodyLimit, readJsonBody] as const,
    request: {
      headers: commandHeaders,
      body: { required: true, content: { 'application/json': { schema: routeCommandSchema(type, deps.transportLimits) } } },
    },
    responses: {
      200: {
        description: 'The command was recorded (or had been, under the same Idempotency-Key)',
        headers: responseHeaders('ETag'),
        content: { 'application/json': { schema: commandAcceptedSchema } },
      },
      ...commandErrors,
    },
  });
  // The document shows the body a client sends (without `type`); the route validates the command it makes.
  const { middleware: _middleware, ...documented } = route;
  app.openAPIRegistry.registerPath({ ...documented, request: { ...route.request, body: { required: true, content: { 'application/json': { schema: documentedBody } } } } });

  app.openapi({ ...route, hide: true }, async (c) => {
    const headers = c.req.valid('header');
    const preconditions = parsePreconditions(headers['if-match'], headers['if-none-match']);
    if (!preconditions.ok) {
      const field = headers['if-match'] !== undefined ? 'If-Match' : 'If-None-Match';
      return sendProblem(c, problem('invalid-precondition', preconditions.message, { fields: [field] }));
    }
    if ('neverMatches' in preconditions) return sendProblem(c, problem('wrong-expected-revision', preconditions.neverMatches, { fields: ['If-Match'] }));
    const prepared = prepareParsedCommand(c.req.valid('json'));
    const principal = c.get('principal')!;
    const key = headers['idempotency-key'];
    const context: CommandContext = {
      actor: principal.name,
      now: deps.now,
      newId: deps.newId,
      ...(headers['x-correlation-id'] ? { correlationId: headers['x-correlation-id'] } : {}),
      // Keys are scoped to the API key, so two clients cannot collide on (or replay) each other's.
      ...(key ? { idempotencyKey: `${principal.name}:${key}` } : {}),
      ...('expected' in preconditions && preconditions.expected !== undefined ? { expectedRevision: preconditions.expected } : {}),
    };
    const { stream } = prepared;
    const result = await deps.queue.run(stream, () => executeCommand(deps.store, prepared, context));
    if (!result.ok) {
      if (result.error.code === 'store-failure' || result.error.code === 'store-unavailable') {
        deps.log(`[taawun http] ${type} on ${stream} failed: ${result.error.message}`);
      }
      const extra: Record<string, string> = result.error.code === 'store-unavailable' ? { 'Retry-After': '5' } : {};
      return sendProblem(c, problemFromDomainError(result.error), extra);
    }
    const accepted = acceptedBody(result.value);
    c.header('ETag', etagOf(accepted.revision));
    return c.json(accepted, 200);
  });
}
