import { isDeepStrictEqual } from 'node:util';
import type { EventStore } from '@taawun/domain';
import { InMemoryReadModelStorage } from './in-memory-storage.js';
import { CORRECTIONS_KNOWN_TO, type AnyProjection } from './projection.js';
import { ProjectionRunner } from './runner.js';
import { ENGINE_NOTES_PREFIX } from './shares.js';
import type { ReadModelReads } from './model-reader.js';
import { activeGeneration, type GenerationInfo, type ReadModelStorage } from './storage.js';

/*
 * A stored read model checked against the log it was built from: the same
 * projection folded again, in memory, from the first event to the stored
 * generation's checkpoint, and every document and index entry compared. The
 * log's own checks (hash chain, Merkle tree, witness) prove the events; this
 * proves what queries, reports and printed pages answer from. A document edited
 * in the storage, one removed or added, an index entry moved: each is found,
 * the first one named.
 */

export type ModelAudit =
  | { readonly name: string; readonly outcome: 'matches'; readonly generation: number; readonly position: bigint | undefined; readonly documents: number; readonly indexEntries: number }
  | { readonly name: string; readonly outcome: 'differs'; readonly generation: number; readonly position: bigint | undefined; readonly difference: string }
  /** Nothing to compare: no active generation, or one of another version than this code builds. */
  | { readonly name: string; readonly outcome: 'not-checked'; readonly reason: string };

/**
 * The log as the generation's builds read it: its events up to the checkpoint
 * `position`, and the corrections up to `correctionsTo` (a run stopped before
 * the head it started from has applied corrections recorded after its
 * checkpoint, and notes how far: `CORRECTIONS_KNOWN_TO`).
 */
function logAsBuilt(store: EventStore, position: bigint | undefined, correctionsTo: bigint | undefined): EventStore {
  async function* readAll(options?: Parameters<EventStore['readAll']>[0]) {
    for await (const event of store.readAll(options)) {
      if (position === undefined || event.position <= position || event.type === 'RecordCorrected') yield event;
    }
  }
  return {
    append: () => Promise.reject(new Error('a model audit never appends')),
    readStream: (stream, options) => store.readStream(stream, options),
    readAll,
    follow: (options) => store.follow(options),
    lastPosition: async () => correctionsTo,
    close: async () => undefined,
  };
}

const PAGE = 1000;

/** The documents of a generation in key order, a page at a time, the engine's own notes left out. */
async function* documentsOf(storage: ReadModelReads, info: GenerationInfo): AsyncGenerator<{ key: string; value: unknown }> {
  for (let after: string | undefined; ; ) {
    const page = await storage.listDocuments(info.name, info.generation, { ...(after === undefined ? {} : { after }), limit: PAGE });
    for (const d of page) if (!d.key.startsWith(ENGINE_NOTES_PREFIX)) yield { key: d.key, value: JSON.parse(d.value) as unknown };
    if (page.length < PAGE) return;
    after = page.at(-1)!.key;
  }
}

/** The index entries of a generation in `(index, key, sort)` order, a page at a time. */
async function* indexOf(storage: ReadModelReads, info: GenerationInfo): AsyncGenerator<{ at: string; document: string; value: unknown }> {
  for (let after: { index: string; key: string; sort: string } | undefined; ; ) {
    const page = await storage.listIndex(info.name, info.generation, { ...(after === undefined ? {} : { after }), limit: PAGE });
    for (const e of page) yield { at: `(${e.index}, ${e.key}, ${JSON.stringify(e.sort)})`, document: e.document, value: e.value === null ? null : (JSON.parse(e.value) as unknown) };
    if (page.length < PAGE) return;
    const last = page.at(-1)!;
    after = { index: last.index, key: last.key, sort: last.sort };
  }
}

/** The first place two ordered streams differ, in words; how many items both held when they do not. */
async function firstDifference<T extends object>(
  what: string,
  stored: AsyncGenerator<T>,
  rebuilt: AsyncGenerator<T>,
  idOf: (item: T) => string,
): Promise<{ difference: string } | { count: number }> {
  for (let count = 0; ; count++) {
    const [a, b] = await Promise.all([stored.next(), rebuilt.next()]);
    if (a.done && b.done) return { count };
    if (a.done) return { difference: `the ${what} ${idOf(b.value!)} the log gives is missing from the storage` };
    if (b.done) return { difference: `the ${what} ${idOf(a.value)} is in the storage, but the log gives none` };
    // In the same order on both sides: the first place they part is where one holds what the other does not.
    if (idOf(a.value) !== idOf(b.value)) return { difference: `the storage holds the ${what} ${idOf(a.value)} where the log gives ${idOf(b.value)}` };
    if (!isDeepStrictEqual(a.value, b.value)) return { difference: `the ${what} ${idOf(a.value)} is not what the log gives` };
  }
}

/**
 * Check the active generation of `projection` in `storage` against `store`:
 * fold the log again in memory up to the generation's checkpoint and compare
 * every document and index entry. Costs a rebuild, held in memory.
 */
export async function auditStoredModel(store: EventStore, storage: ReadModelStorage, projection: AnyProjection): Promise<ModelAudit> {
  const { name } = projection;
  const active = await activeGeneration(storage, name);
  if (!active) return { name, outcome: 'not-checked', reason: 'no stored model' };
  if (active.version !== projection.version) return { name, outcome: 'not-checked', reason: `stored at version ${active.version}, this code builds version ${projection.version}` };
  const [known] = [...(await storage.documents(name, active.generation, [CORRECTIONS_KNOWN_TO])).values()];
  const correctionsTo = known === undefined ? active.position : BigInt(JSON.parse(known) as string);
  const fresh = new InMemoryReadModelStorage();
  await new ProjectionRunner(projection, { store: logAsBuilt(store, active.position, correctionsTo), storage: fresh }).rebuild();
  const rebuilt = (await activeGeneration(fresh, name))!;
  const where = { name, generation: active.generation, position: active.position };
  const documents = await firstDifference('document', documentsOf(storage, active), documentsOf(fresh, rebuilt), (d) => d.key);
  if ('difference' in documents) return { ...where, outcome: 'differs', difference: documents.difference };
  const index = await firstDifference('index entry', indexOf(storage, active), indexOf(fresh, rebuilt), (e) => e.at);
  if ('difference' in index) return { ...where, outcome: 'differs', difference: index.difference };
  return { ...where, outcome: 'matches', documents: documents.count, indexEntries: index.count };
}
