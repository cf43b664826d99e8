import { jsonEvent, type EventData, type JSONType, type RecordedEvent } from '@eventstore/db-client';
import { EventStoreError, storedEventSchema, toJson, type EventToAppend, type StoredEvent } from '@taawun/domain';
import { toRevisionNumber } from './errors.js';
import { encodePosition, isRealPosition } from './position.js';

/**
 * How an event's envelope is laid out in EventStoreDB's metadata. The server's
 * own projections (`$by_correlation_id`, and the conventions of its tooling) read
 * `$correlationId` and `$causationId`; the rest of our envelope sits beside them
 * under its own names, together with the two fields EventStoreDB has no slot for.
 *
 *   { "$correlationId": ..., "$causationId": ..., "actor": ..., "occurredOn": ...,
 *     "sourceRef": ..., "idempotencyKey": ..., "commandType": ..., <other keys>,
 *     "recordedAt": ..., "schemaVersion": ... }
 *
 * The event's id, type and data are the server's own id, type and (JSON) data.
 */
export interface ServerMetadata {
  readonly $correlationId: string;
  readonly $causationId: string;
  readonly recordedAt: string;
  readonly schemaVersion: number;
  readonly [key: string]: unknown;
}

/** Keys our envelope writes itself; metadata that already has them would be overwritten, so it is refused. */
export const RESERVED_METADATA_KEYS: readonly string[] = ['recordedAt', 'schemaVersion'];

/** EventStoreDB keeps ids as UUIDs and gives them back lowercase: only lowercase UUIDs round-trip exactly. */
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The rules this store adds to the shared batch checks, so that everything written reads back unchanged. */
export function assertStorableHere(events: readonly EventToAppend[]): void {
  for (const [i, e] of events.entries()) {
    if (typeof e.id !== 'string' || !CANONICAL_UUID.test(e.id)) {
      throw new EventStoreError('invalid-batch', `event ${i} (${e.type}) has id "${e.id}"; EventStoreDB keeps ids as UUIDs and returns them lowercase, so ids must be lowercase UUIDs`);
    }
    if (e.type.startsWith('$')) {
      throw new EventStoreError('invalid-batch', `event ${i} has type "${e.type}"; types starting with "$" are EventStoreDB's system events`);
    }
    if (typeof e.metadata !== 'object' || e.metadata === null || Array.isArray(e.metadata)) {
      throw new EventStoreError('invalid-batch', `event ${i} (${e.type}) has no metadata object`);
    }
    for (const key of Object.keys(e.metadata)) {
      if (key.startsWith('$') || RESERVED_METADATA_KEYS.includes(key)) {
        throw new EventStoreError('invalid-batch', `event ${i} (${e.type}) has the metadata key "${key}", which this store reserves (keys starting with "$", ${RESERVED_METADATA_KEYS.join(', ')})`);
      }
    }
  }
}

export function toServerMetadata(event: EventToAppend): ServerMetadata {
  const { correlationId, causationId, ...rest } = event.metadata;
  return { $correlationId: correlationId, $causationId: causationId, ...rest, recordedAt: event.recordedAt, schemaVersion: event.schemaVersion };
}

/** The event as the client appends it, built with the client's own `jsonEvent`. */
export function toClientEvent(event: EventToAppend): EventData {
  // Refuse what JSON cannot carry before the client tries (it would throw a TypeError or drop values silently).
  toJson(event.data, `${event.type} data`);
  const metadata = toServerMetadata(event);
  toJson(metadata, `${event.type} metadata`);
  return jsonEvent({ id: event.id, type: event.type, data: event.data as JSONType, metadata });
}

/** System events (`$`-types such as `$streamDeleted`, `$>` links, `$`-streams) are the server's, never ours. */
export const isSystemEvent = (event: { readonly type: string; readonly streamId: string }): boolean =>
  event.type.startsWith('$') || event.streamId.startsWith('$');

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);

/**
 * An event read back from the server, validated against the port's schema so
 * that nothing malformed reaches the core. Anything that is not one of ours
 * (a binary event, metadata without our envelope) is `corrupt`, naming where it is.
 */
export function fromRecordedEvent(recorded: RecordedEvent, where: string): StoredEvent {
  const at = `${where}: the event at revision ${recorded.revision} of "${recorded.streamId}"`;
  if (!isRealPosition(recorded.position)) {
    throw new EventStoreError('failure', `${at} came without its position in $all; this store needs EventStoreDB 22.6 or later, which reports positions on every read`);
  }
  if (!recorded.isJson) throw new EventStoreError('corrupt', `${at} (${recorded.type}) is not a JSON event, so it was not written by this library`);
  const raw = recorded.metadata;
  if (!isPlainObject(raw)) throw new EventStoreError('corrupt', `${at} (${recorded.type}) has no JSON metadata object, so it was not written by this library`);
  const { $correlationId, $causationId, recordedAt, schemaVersion, actor, ...rest } = raw;
  const candidate = {
    id: recorded.id,
    type: recorded.type,
    schemaVersion,
    data: recorded.data,
    metadata: { actor, correlationId: $correlationId, causationId: $causationId, ...rest },
    recordedAt,
    stream: recorded.streamId,
    revision: toRevisionNumber(recorded.revision),
    position: encodePosition(recorded.position),
  };
  const checked = storedEventSchema.safeParse(candidate);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const field = issue?.path.join('.') || 'the event';
    throw new EventStoreError('corrupt', `${at} (${recorded.type}) does not carry this library's envelope: ${field}: ${issue?.message ?? 'invalid'}`, { cause: checked.error });
  }
  return candidate as StoredEvent;
}
