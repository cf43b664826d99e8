import type { z } from 'zod';
import { participantDataErased } from '../aggregates/participant/events.js';
import type { EventDefinition } from '../schema/define.js';
import { eventDefinition } from '../catalogue/events.js';
import { assertValidBatch } from '../store/append-rules.js';
import type { EventToAppend, StoredEvent } from '../store/envelope.js';
import {
  EventStoreError,
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type FollowOptions,
  type ReadAllOptions,
  type ReadStreamOptions,
} from '../store/port.js';
import { looksSealed, openValue, sealValue, SealedValueError, type SealBinding } from './cipher.js';
import type { KeyLookup, KeyStore } from './key-store.js';

/** Metadata key, added on read, listing the fields of this event whose personal data was erased. */
export const ERASED_FIELDS_METADATA_KEY = 'erasedPersonalFields';

/** The personal fields of this event that read as erased (empty when none). */
export const erasedPersonalFields = (event: Pick<StoredEvent, 'metadata'>): readonly string[] => {
  const marked = event.metadata[ERASED_FIELDS_METADATA_KEY];
  return Array.isArray(marked) ? marked.filter((f): f is string => typeof f === 'string') : [];
};

/**
 * How an erased field reads so that the event still parses with its schema:
 * removed when the schema lets the field be absent, otherwise an empty object
 * (the `personal` object of `ParticipantPersonalDataCorrected`, whose parts are
 * all optional). A personal field that allows neither cannot be erased: that is
 * a mistake in the event definition, and a test over every definition catches it.
 */
export type ErasedForm = { readonly omit: true } | { readonly omit: false; readonly value: Record<string, never> };

export function erasedFormOf(definition: EventDefinition, field: string): ErasedForm {
  const schema = (definition.data.shape as Record<string, z.ZodType | undefined>)[field];
  if (!schema || schema.safeParse(undefined).success) return { omit: true };
  if (schema.safeParse({}).success) return { omit: false, value: {} };
  throw new EventStoreError('failure', `${definition.type}.${field} is marked personal but its schema allows neither absence nor an empty object, so it cannot read as erased`);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The personal fields an event definition declares, when the event carries any of them. */
function personalFieldsIn(type: string, data: unknown): { definition: EventDefinition; fields: string[]; data: Record<string, unknown> } | undefined {
  const definition = eventDefinition(type);
  if (!definition || definition.personalFields.length === 0 || !isRecord(data)) return undefined;
  const fields = definition.personalFields.filter((f) => data[f] !== undefined);
  return fields.length === 0 ? undefined : { definition, fields, data };
}

const where = (event: Pick<StoredEvent, 'id' | 'type' | 'stream'> & { position?: bigint }) =>
  `${event.type} ${event.id} in ${event.stream}${event.position === undefined ? '' : ` at position ${event.position}`}`;

/**
 * An `EventStore` that seals personal data before it reaches the store it wraps.
 *
 * On append, every field an event's definition marks personal is sealed with
 * its participant's key (`data.participantId`), AES-256-GCM bound to the event
 * id, stream and field. On read (`readStream`, `readAll`, `follow`, and the
 * events `append` returns), sealed fields are opened; a participant whose key
 * was destroyed reads as erased (see `erasedFormOf`, and the metadata key
 * `erasedPersonalFields`); a sealed field that does not authenticate is a
 * `corrupt` error, never decoded. Stream names, types, ids and metadata pass
 * through unchanged: they must never hold personal data.
 *
 * Appending `ParticipantDataErased` destroys the participant's key once the
 * event is stored, whatever recorded it (command handler, import), so the log
 * and the key store agree; `eraseParticipant` does the same and survives a crash
 * between the two steps.
 */
export class EncryptingEventStore<Inner extends EventStore = EventStore> implements EventStore {
  constructor(
    /** The wrapped store, holding sealed data (e.g. for `verify()` on the SQLite store). */
    readonly inner: Inner,
    readonly keys: KeyStore,
  ) {}

  /** Options pass through to the wrapped store: so does what it checks. */
  get checksAppendPreconditions(): boolean {
    return this.inner.checksAppendPreconditions === true;
  }

  async append(stream: string, events: readonly EventToAppend[], options: AppendOptions): Promise<AppendResult> {
    assertValidBatch(stream, events, options.expectedRevision);
    const sealed: EventToAppend[] = [];
    for (const [index, event] of events.entries()) sealed.push(await this.seal(stream, event, index));
    const result = await this.inner.append(stream, sealed, options);
    if (!result.ok) return result;
    await this.destroyKeysOfErasures(result.events);
    const opened: StoredEvent[] = [];
    for (const event of result.events) opened.push(await this.open(event));
    return { ...result, events: opened };
  }

  async readStream(stream: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    const events = await this.inner.readStream(stream, options);
    const opened: StoredEvent[] = [];
    for (const event of events) opened.push(await this.open(event));
    return opened;
  }

  async *readAll(options?: ReadAllOptions): AsyncGenerator<StoredEvent> {
    for await (const event of this.inner.readAll(options)) yield await this.open(event);
  }

  async *follow(options?: FollowOptions): AsyncGenerator<StoredEvent> {
    for await (const event of this.inner.follow(options)) yield await this.open(event);
  }

  lastPosition(): Promise<bigint | undefined> {
    return this.inner.lastPosition();
  }

  /** Closes the wrapped store. The key store is the caller's to close (it may share a connection with the store). */
  close(): Promise<void> {
    return this.inner.close();
  }

  private async seal(stream: string, event: EventToAppend, index: number): Promise<EventToAppend> {
    const found = personalFieldsIn(event.type, event.data);
    if (!found) return event;
    const { definition, fields, data } = found;
    const participantId = data.participantId;
    if (typeof participantId !== 'string' || participantId.length === 0) {
      throw new EventStoreError('invalid-batch', `event ${index} (${event.type}) carries personal data but no participantId to choose its key`);
    }
    const key = await this.keys.keyFor(participantId);
    const copy = { ...data };
    for (const field of fields) {
      const binding = { eventId: event.id, stream, field };
      if (key.state === 'destroyed') {
        // Only the erased form itself may be written for an erased participant (re-importing an export).
        const erased = erasedFormOf(definition, field);
        if (!erased.omit && JSON.stringify(copy[field]) === JSON.stringify(erased.value)) continue;
        throw new EventStoreError('invalid-batch', `event ${index} (${event.type}): participant ${participantId}'s personal data was erased; no personal data can be recorded for them`);
      }
      copy[field] = sealValue(key.key, binding, this.plaintextOf(copy[field], key.key, binding, index, event.type));
    }
    return { ...event, data: copy };
  }

  /** A value already sealed (re-appending what this store returned raw) is accepted only if it opens with the participant's key. */
  private plaintextOf(value: unknown, key: Uint8Array, binding: SealBinding, index: number, type: string): unknown {
    if (!looksSealed(value)) return value;
    try {
      return openValue(key, binding, value);
    } catch (cause) {
      throw new EventStoreError('invalid-batch', `event ${index} (${type}): ${binding.field} is already encrypted, but not for this event, stream and key store; append it through the encrypting store that exported it, in plaintext`, { cause });
    }
  }

  private async open(event: StoredEvent): Promise<StoredEvent> {
    const found = personalFieldsIn(event.type, event.data);
    if (!found) return event;
    const { definition, fields, data } = found;
    const participantId = data.participantId;
    const sealed = fields.filter((f) => looksSealed(data[f]));
    if (typeof participantId !== 'string') {
      if (sealed.length === 0) return event;
      throw new EventStoreError('corrupt', `${where(event)}: encrypted personal data with no participantId to find its key`);
    }
    const key: KeyLookup = await this.keys.lookup(participantId);
    if (key.state === 'destroyed') {
      const copy = { ...data };
      for (const field of fields) {
        const erased = erasedFormOf(definition, field);
        if (erased.omit) delete copy[field];
        else copy[field] = erased.value;
      }
      const marked = [...new Set([...erasedPersonalFields(event), ...fields])];
      return { ...event, data: copy, metadata: { ...event.metadata, [ERASED_FIELDS_METADATA_KEY]: marked } };
    }
    if (sealed.length === 0) return event; // written before encryption was configured: see the README
    if (key.state === 'absent') {
      throw new EventStoreError('corrupt', `${where(event)}: personal data is encrypted but the key store has no key for participant ${participantId}; is this the key store that wrote it?`);
    }
    const copy = { ...data };
    for (const field of sealed) {
      try {
        copy[field] = openValue(key.key, { eventId: event.id, stream: event.stream, field }, data[field]);
      } catch (cause) {
        const problem = cause instanceof SealedValueError ? cause.message : 'it cannot be decrypted';
        throw new EventStoreError('corrupt', `${where(event)}: the encrypted ${field} field is rejected: ${problem}`, { cause });
      }
    }
    return { ...event, data: copy };
  }

  private async destroyKeysOfErasures(events: readonly StoredEvent[]): Promise<void> {
    for (const event of events) {
      if (event.type !== participantDataErased.type || !isRecord(event.data) || typeof event.data.participantId !== 'string') continue;
      try {
        await this.keys.destroy(event.data.participantId);
      } catch (cause) {
        throw new EventStoreError(
          'failure',
          `${where(event)} is recorded, but the participant's key could not be destroyed: run the erasure again (it is safe to repeat)`,
          { cause },
        );
      }
    }
  }
}

/** Wrap a store so that personal data is sealed on the way in and opened (or shown erased) on the way out. */
export const encryptPersonalData = <Inner extends EventStore>(inner: Inner, keys: KeyStore): EncryptingEventStore<Inner> =>
  new EncryptingEventStore(inner, keys);
