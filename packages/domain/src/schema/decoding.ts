import { eventMetadataSchema, metadataCertainlyValid, type StoredEvent } from '../store/envelope.js';
import type { EventDefinition } from './define.js';
import type { Upcast } from './upcasting.js';

/** A stored event read back: its envelope and the typed, current-version event (one member per event type of `E`). */
export type RecordedEventOf<E extends { type: string }> = E extends unknown ? Omit<StoredEvent, 'type' | 'data'> & E : never;

export type DecodeFailure = {
  readonly code: 'unknown-event-type' | 'too-new' | 'invalid-event';
  readonly message: string;
  readonly event: Pick<StoredEvent, 'id' | 'type' | 'stream' | 'revision' | 'position' | 'schemaVersion'>;
};

export type DecodeResultOf<E extends { type: string }> = { ok: true; value: RecordedEventOf<E> } | { ok: false; error: DecodeFailure };

/** Where a stored event that failed to decode lies (built for failures only: a rebuild decodes every event, nearly all of them fine). */
const where = (stored: StoredEvent): DecodeFailure['event'] => ({
  id: stored.id,
  type: stored.type,
  stream: stored.stream,
  revision: stored.revision,
  position: stored.position,
  schemaVersion: stored.schemaVersion,
});

/**
 * The decoder of a set of event types: read a stored event as the domain knows
 * it today (upcast old versions, then parse with the current schema).
 * `schemaVersion` on the result stays the stored one, so an audit shows what was written.
 * `upcast` brings data to `definitionOf(type).schemaVersion`; data already at
 * that version is not passed to it.
 */
export function eventDecoder<E extends { type: string }>(
  definitionOf: (type: string) => EventDefinition | undefined,
  upcast: Upcast,
): (stored: StoredEvent) => DecodeResultOf<E> {
  return (stored) => {
    const definition = definitionOf(stored.type);
    if (!definition) return { ok: false, error: { code: 'unknown-event-type', message: `unknown event type ${stored.type}`, event: where(stored) } };
    // At the current version there is nothing to upcast (what `upcast` would return as it is).
    const upcasted = stored.schemaVersion === definition.schemaVersion ? { ok: true as const, data: stored.data } : upcast(stored.type, stored.schemaVersion, stored.data);
    if (!upcasted.ok) {
      return { ok: false, error: { code: stored.schemaVersion > definition.schemaVersion ? 'too-new' : 'invalid-event', message: upcasted.message, event: where(stored) } };
    }
    // Metadata is read back from storage too: an audit depends on it, so it is checked like the data (the schema when the quick check cannot say).
    const metadata = metadataCertainlyValid(stored.metadata) ? undefined : eventMetadataSchema.safeParse(stored.metadata);
    if (metadata && !metadata.success) {
      const detail = metadata.error.issues.map((i) => `metadata.${i.path.join('.')}: ${i.message}`).join('; ');
      return { ok: false, error: { code: 'invalid-event', message: `${stored.type} at ${stored.stream}@${stored.revision} has invalid metadata: ${detail}`, event: where(stored) } };
    }
    const parsed = definition.data.safeParse(upcasted.data);
    if (!parsed.success) {
      const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`).join('; ');
      return { ok: false, error: { code: 'invalid-event', message: `${stored.type} at ${stored.stream}@${stored.revision} does not match its schema: ${detail}`, event: where(stored) } };
    }
    return { ok: true, value: { ...stored, data: parsed.data } as unknown as RecordedEventOf<E> };
  };
}
