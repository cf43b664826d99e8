import { z } from 'zod';
import { parsePartialDate, partialDateSchema } from '../values/partial-date.js';

/**
 * Metadata on every event: who recorded it, why (correlation / causation),
 * when it happened in the world (possibly partial), and where the fact comes from.
 * Never personal data: actors are account names or key ids, not participants.
 */
export const eventMetadataSchema = z
  .object({
    actor: z.string().min(1).meta({ description: 'Who recorded the event (API key name, user account)' }),
    correlationId: z.string().min(1),
    causationId: z.string().min(1),
    occurredOn: partialDateSchema.optional().meta({ description: 'Business date of what the event records, as precisely as known' }),
    sourceRef: z.string().min(1).optional().meta({ description: 'Where the fact comes from, e.g. "F12" of the source text' }),
    idempotencyKey: z.string().min(1).optional(),
    /** Digest of the command (personal fields left out): a key reused for another command is refused. */
    commandFingerprint: z.string().min(1).optional(),
    commandType: z.string().min(1).optional(),
  })
  .catchall(z.unknown());

export type EventMetadata = z.infer<typeof eventMetadataSchema>;

const requiredText = ['actor', 'correlationId', 'causationId'] as const;
const optionalText = ['sourceRef', 'idempotencyKey', 'commandFingerprint', 'commandType'] as const;
/** The fields `metadataCertainlyValid` checks: every field of `eventMetadataSchema` (a test holds them equal). */
export const metadataFieldsChecked: readonly string[] = [...requiredText, 'occurredOn', ...optionalText];

/**
 * True when `eventMetadataSchema` certainly accepts `value`, found without zod:
 * a plain object whose fields are what the schema asks of them (other keys are
 * free, as its catchall lets them be). `false` means "ask the schema", which
 * decides and names the field. Decoding checks the metadata of every event read
 * back and keeps it as stored, so this spares the schema's work on nearly every
 * event of a rebuild without accepting anything the schema refuses.
 */
export function metadataCertainlyValid(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) return false;
  const metadata = value as Record<string, unknown>;
  for (const field of requiredText) {
    const text = metadata[field];
    if (typeof text !== 'string' || text.length === 0) return false;
  }
  for (const field of optionalText) {
    const text = metadata[field];
    if (text !== undefined && (typeof text !== 'string' || text.length === 0)) return false;
  }
  const occurredOn = metadata.occurredOn;
  return occurredOn === undefined || (typeof occurredOn === 'string' && occurredOn.length <= 40 && parsePartialDate(occurredOn).ok);
}

/** What a writer hands to the store. `recordedAt` comes from the writer's clock, so imports keep it. */
export interface EventToAppend {
  readonly id: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  readonly metadata: EventMetadata;
  /** ISO 8601 instant, UTC (`2024-03-01T09:30:00.000Z`). */
  readonly recordedAt: string;
}

/** An event as the store holds it. Revisions start at 0 per stream; positions increase across the whole log. */
export interface StoredEvent extends EventToAppend {
  readonly stream: string;
  readonly revision: number;
  readonly position: bigint;
}

export const storedEventSchema = z.object({
  id: z.uuid(),
  type: z.string().min(1),
  schemaVersion: z.number().int().min(1),
  data: z.unknown(),
  metadata: eventMetadataSchema,
  recordedAt: z.iso.datetime({ offset: true }),
  stream: z.string().min(1),
  revision: z.number().int().min(0),
  position: z.bigint().min(0n),
});

/** JSON form of a stored event (positions are decimal strings: JSON has no bigint). */
export const storedEventJsonSchema = storedEventSchema.extend({
  position: z.string().regex(/^\d+$/).transform((s) => BigInt(s)),
});

export const storedEventToJson = (event: StoredEvent) => ({
  id: event.id,
  stream: event.stream,
  revision: event.revision,
  position: event.position.toString(),
  type: event.type,
  schemaVersion: event.schemaVersion,
  recordedAt: event.recordedAt,
  data: event.data,
  metadata: event.metadata,
});
