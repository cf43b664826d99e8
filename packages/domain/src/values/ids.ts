import { z } from 'zod';
import { v5 as uuidv5, v7 as uuidv7, validate as isUuid } from 'uuid';

/**
 * Readable record ids: lower-case ASCII words joined by hyphens (`enm-france`,
 * `giz`, `ssm-italy`). They appear in stream names, so they must never carry
 * personal data: participants get opaque ids (a uuid, or a code like `attache-41-a`).
 */
export const slugSchema = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'use lower-case letters, digits and single hyphens, e.g. "enm-france"')
  .max(80)
  .meta({ examples: ['enm-france'] });

export const partnerIdSchema = slugSchema.meta({ description: 'Partner id, a readable slug', examples: ['enm-france'] });
export const recordIdSchema = slugSchema.meta({ description: 'Record id, a slug or uuid', examples: ['enm-course-2016'] });
export const participantIdSchema = slugSchema.meta({
  description: 'Participant id: opaque, never derived from the person\'s name',
  examples: ['0193a5c2-7c1d-7c3e-9d2f-4d5e6f708192'],
});
export const eventIdSchema = z.uuid();
export const themeSchema = slugSchema.meta({ description: 'Theme slug', examples: ['migration-asylum'] });
export const countryCodeSchema = z.string().length(2).regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code such as "FR"');

export type PartnerId = z.infer<typeof partnerIdSchema>;
export type RecordId = z.infer<typeof recordIdSchema>;
export type ParticipantId = z.infer<typeof participantIdSchema>;

/** Event ids: uuid v7, time-ordered. The caller's id source decides, so tests stay deterministic. */
export const newEventId = (): string => uuidv7();

/** Namespace for ids derived from idempotency keys (a fixed, random uuid). */
const idempotencyNamespace = '6f1c3a52-8d0e-4b7f-9a61-2c5e7d9b0f34';

/** The id of the n-th event a command with this idempotency key produces: the same key, the same ids. */
export const idempotentEventId = (key: string, index: number): string =>
  uuidv5(`${key}\u0000${index}`, idempotencyNamespace);

export { isUuid };
