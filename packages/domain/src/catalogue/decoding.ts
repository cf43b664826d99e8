import { aggregates } from '../aggregates/index.js';
import { eventDecoder, type DecodeResultOf, type RecordedEventOf } from '../schema/decoding.js';
import { upcastWith, type Upcaster } from '../schema/upcasting.js';
import type { StoredEvent } from '../store/envelope.js';
import { eventDefinition, type DomainEvent } from './events.js';

/** Every upcaster of the domain: each aggregate's, for its own event types. */
export const upcasters: readonly Upcaster[] = aggregates.flatMap((a): readonly Upcaster[] => a.upcasters);

/** Bring data of `type` at `version` to the current schema version. */
export const upcast = upcastWith(upcasters, (type) => eventDefinition(type)?.schemaVersion);

/** A stored event read back: its envelope and the typed, current-version event. */
export type RecordedEvent = RecordedEventOf<DomainEvent>;
export type DecodeResult = DecodeResultOf<DomainEvent>;

const decode = eventDecoder<DomainEvent>(eventDefinition, upcast);

/**
 * Read a stored event as the domain knows it today: upcast old versions, then
 * parse with the current schema. `schemaVersion` on the result stays the stored
 * one, so an audit shows what was written.
 */
export function decodeEvent(stored: StoredEvent): DecodeResult {
  return decode(stored);
}
