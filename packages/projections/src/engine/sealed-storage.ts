import { eventDefinitions, looksSealed, openValue, sealValue, SealedValueError, type KeyLookup, type KeyStore, type SealBinding } from '@taawun/domain';
import { ProjectionError } from './errors.js';
import type { CommitChange, GenerationInfo, IndexPosition, IndexRange, IndexRow, KeyRange, KeySpan, ReadModelStorage, StoredDocument, StoredIndexEntry } from './storage.js';

/** The fields the domain marks personal in any event (`personal`): what a read model may copy from them. */
const personalFieldNames = [...new Set(eventDefinitions.flatMap((d) => d.personalFields))];
/** A cheap test before parsing: JSON text that names no personal field holds none. */
const namesPersonalField = (json: string): boolean => personalFieldNames.some((field) => json.includes(`"${field}":`));
const SEALED_MARK = '"$encrypted":';

type Json = unknown;
const isObject = (value: Json): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Where a sealed value of a read model belongs: the model, the document (or
 * index entry), the participant and the field. Moved anywhere else, it does
 * not open. The generation is left out on purpose: a rebuild may copy documents.
 */
const bindingOf = (model: string, place: string, participantId: string, field: string): SealBinding => ({
  eventId: `read-model:${model}`,
  stream: place,
  field: `${participantId}/${field}`,
});

/** The participants' keys, looked up once per call (never cached longer: another process may erase in between). */
class KeysOfOneCall {
  private readonly found = new Map<string, Promise<KeyLookup>>();
  constructor(
    private readonly keys: KeyStore,
    private readonly create: boolean,
  ) {}

  /** One lookup per participant, even when documents are sealed concurrently (a key is made once). */
  of(participantId: string): Promise<KeyLookup> {
    let key = this.found.get(participantId);
    if (!key) {
      key = this.create ? this.keys.keyFor(participantId) : this.keys.lookup(participantId);
      this.found.set(participantId, key);
    }
    return key;
  }
}

/**
 * Visit every object of a JSON value that names a participant (`participantId`)
 * and carries one of the personal fields, and replace that field through `change`
 * (`undefined`: remove it). Objects are changed in place: the value was parsed for this.
 */
async function eachPersonalField(value: Json, change: (participantId: string, field: string, current: Json) => Promise<Json>): Promise<void> {
  if (Array.isArray(value)) {
    for (const item of value) await eachPersonalField(item, change);
    return;
  }
  if (!isObject(value)) return;
  const participantId = value.participantId;
  for (const [name, child] of Object.entries(value)) {
    if (typeof participantId === 'string' && personalFieldNames.includes(name) && child !== undefined && child !== null) {
      const next = await change(participantId, name, child);
      if (next === undefined) delete value[name];
      else value[name] = next;
    } else {
      await eachPersonalField(child, change);
    }
  }
}

/**
 * Read-model storage that never holds personal data in plaintext: every
 * personal field a document (or an index value) carries is sealed with its
 * participant's key before it reaches the storage it wraps, and opened when it
 * is read. Destroying the key (an erasure) makes every stored copy unreadable
 * at once: the storage's pages, a database's heap and WAL, replicas and
 * backups. Such a field then reads as absent, the participant as erased; the
 * rebuild after an erasure only tidies up.
 *
 * A personal field is one the domain marks personal in an event definition
 * (`personal`), found beside the `participantId` it belongs to, as projections
 * copy it from the event's data. A projection that moves personal values
 * elsewhere is outside this guarantee (its README must say so).
 */
export class SealedReadModelStorage implements ReadModelStorage {
  constructor(
    /** The storage as the adapter keeps it (only ciphertext for personal fields). */
    readonly inner: ReadModelStorage,
    private readonly keys: KeyStore,
  ) {}

  generations(name: string): Promise<GenerationInfo[]> {
    return this.inner.generations(name);
  }

  create(name: string, version: number): Promise<GenerationInfo> {
    return this.inner.create(name, version);
  }

  async commit(name: string, generation: number, change: CommitChange): Promise<GenerationInfo> {
    const keys = new KeysOfOneCall(this.keys, true);
    const documents = await Promise.all(
      change.documents.map(async (d) => (d.value === null ? d : { key: d.key, value: await this.seal(name, `document:${d.key}`, d.value, keys) })),
    );
    const put = await Promise.all(
      change.index.put.map(async (row) => (row.value === null ? row : { ...row, value: await this.seal(name, indexPlace(row), row.value, keys) })),
    );
    return this.inner.commit(name, generation, { ...change, documents, index: { remove: change.index.remove, put } });
  }

  activate(name: string, generation: number): Promise<void> {
    return this.inner.activate(name, generation);
  }

  drop(name: string, generation: number): Promise<void> {
    return this.inner.drop(name, generation);
  }

  async documents(name: string, generation: number, keys: readonly string[]): Promise<Map<string, string>> {
    const found = await this.inner.documents(name, generation, keys);
    const lookups = new KeysOfOneCall(this.keys, false);
    for (const [key, value] of found) found.set(key, await this.open(name, `document:${key}`, value, lookups));
    return found;
  }

  async listDocuments(name: string, generation: number, range?: KeyRange): Promise<StoredDocument[]> {
    const lookups = new KeysOfOneCall(this.keys, false);
    const listed = await this.inner.listDocuments(name, generation, range);
    return Promise.all(listed.map(async (d) => ({ key: d.key, value: await this.open(name, `document:${d.key}`, d.value, lookups) })));
  }

  listKeys(name: string, generation: number, range?: KeyRange): Promise<string[]> {
    return this.inner.listKeys(name, generation, range);
  }

  countKeys(name: string, generation: number, range?: KeySpan): Promise<number> {
    return this.inner.countKeys(name, generation, range);
  }

  async readIndex(name: string, generation: number, index: string, key: string, range?: IndexRange): Promise<StoredIndexEntry[]> {
    const lookups = new KeysOfOneCall(this.keys, false);
    const entries = await this.inner.readIndex(name, generation, index, key, range);
    return Promise.all(
      entries.map(async (e) => (e.value === null ? e : { ...e, value: await this.open(name, indexPlace({ index, key, sort: e.sort }), e.value, lookups) })),
    );
  }

  countIndex(name: string, generation: number, index: string, key: string): Promise<number> {
    return this.inner.countIndex(name, generation, index, key);
  }

  async listIndex(name: string, generation: number, range?: { readonly after?: IndexPosition; readonly limit?: number }): Promise<IndexRow[]> {
    const lookups = new KeysOfOneCall(this.keys, false);
    const rows = await this.inner.listIndex(name, generation, range);
    return Promise.all(rows.map(async (r) => (r.value === null ? r : { ...r, value: await this.open(name, indexPlace(r), r.value, lookups) })));
  }

  /** The JSON text with its personal fields sealed (unchanged, same string, when it has none). */
  private async seal(model: string, place: string, json: string, keys: KeysOfOneCall): Promise<string> {
    if (!namesPersonalField(json)) return json;
    const value = JSON.parse(json) as Json;
    let sealed = false;
    await eachPersonalField(value, async (participantId, field, current) => {
      if (looksSealed(current)) return current;
      sealed = true;
      const key = await keys.of(participantId);
      // Erased while this change was computed: what it would have written is gone.
      if (key.state !== 'active') return undefined;
      return sealValue(key.key, bindingOf(model, place, participantId, field), current);
    });
    return sealed ? JSON.stringify(value) : json;
  }

  /** The JSON text with its sealed personal fields opened; those of erased participants removed. */
  private async open(model: string, place: string, json: string, keys: KeysOfOneCall): Promise<string> {
    if (!json.includes(SEALED_MARK)) return json;
    const value = JSON.parse(json) as Json;
    await eachPersonalField(value, async (participantId, field, current) => {
      if (!looksSealed(current)) return current;
      const key = await keys.of(participantId);
      if (key.state === 'destroyed') return undefined;
      if (key.state === 'absent') {
        throw new ProjectionError('storage-failure', `read model ${model}: ${place} holds personal data of participant ${participantId} sealed with a key this key store does not have; is it the key store that wrote it?`);
      }
      try {
        return openValue(key.key, bindingOf(model, place, participantId, field), current);
      } catch (cause) {
        const problem = cause instanceof SealedValueError ? cause.message : 'it cannot be decrypted';
        throw new ProjectionError('storage-failure', `read model ${model}: the sealed ${field} of participant ${participantId} in ${place} is rejected: ${problem}`, { cause });
      }
    });
    return JSON.stringify(value);
  }
}

const indexPlace = (row: { readonly index: string; readonly key: string; readonly sort: string }): string => `index:${row.index}/${row.key}/${row.sort}`;

/** The storage, sealing personal data under participants' keys (see `SealedReadModelStorage`). */
export const sealPersonalData = (storage: ReadModelStorage, keys: KeyStore): SealedReadModelStorage => new SealedReadModelStorage(storage, keys);
