import type { DomainEventType, EventStore } from '@taawun/domain';
import { changesByTarget, correctedEvent, readCorrections, type CorrectionChanges } from './corrections.js';
import { DocumentFolder } from './document-folder.js';
import { decodeFor } from './events.js';
import { InMemoryReadModelStorage } from './in-memory-storage.js';
import { storedModel, type ModelReader } from './model-reader.js';
import type { EventOfType, Projection } from './projection.js';

/** Events decoded and their documents fetched together, in one read. */
export const CHUNK = 500;

/**
 * Fold events into a fresh model in memory (documents, index entries and
 * counters as a stored generation would hold them), committed once at the end:
 * what replays and time lenses answer from. The events are folded as given:
 * for a projection whose corrections the engine applies, give them corrected
 * (`decodedPages` does).
 */
export async function foldInMemory<S, T extends DomainEventType>(
  projection: Projection<S, T>,
  events: AsyncIterable<readonly EventOfType<T>[]>,
): Promise<ModelReader<S>> {
  const storage = new InMemoryReadModelStorage();
  const info = await storage.create(projection.name, projection.version);
  // Nothing is evicted before the end: the one commit writes every document once.
  const folder = new DocumentFolder(projection, storage, info, { cacheSize: 1 });
  let applied = 0;
  for await (const page of events) {
    const keys = page.map((event) => projection.keysOf(event));
    await folder.prefetch(keys.flat());
    for (let i = 0; i < page.length; i++) await folder.apply(page[i]!, keys[i]);
    applied += page.length;
  }
  const committed = await folder.commit(0n, applied);
  await storage.activate(projection.name, info.generation);
  // A model of no stored generation: it has no `info`.
  return { ...storedModel<S>(storage, projection, { ...committed, status: 'active' }), info: undefined };
}

/**
 * The handled events of the log, decoded, a page at a time, as `evolve` sees
 * them: for a projection whose corrections the engine applies, each event with
 * its corrections applied (`corrections`, else every correction of the log,
 * read first by type).
 */
export async function* decodedPages<S, T extends DomainEventType>(
  store: EventStore,
  projection: Projection<S, T>,
  options: { pageSize?: number; corrections?: CorrectionChanges } = {},
): AsyncGenerator<EventOfType<T>[]> {
  const corrections =
    projection.correctionsBy === 'evolve'
      ? undefined
      : (options.corrections ?? changesByTarget(await readCorrections(store, { ofTypes: (type) => projection.handlesType(type) })));
  const reader = `projection ${projection.name}`;
  const size = Math.max(1, options.pageSize ?? CHUNK);
  let page: EventOfType<T>[] = [];
  for await (const stored of store.readAll({ filter: { types: projection.handles }, ...(options.pageSize ? { pageSize: options.pageSize } : {}) })) {
    if (!projection.handlesType(stored.type)) continue;
    const event = decodeFor(projection, stored);
    page.push(corrections && corrections.size > 0 ? correctedEvent(event, corrections, reader) : event);
    if (page.length >= size) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}

/**
 * Fold the whole log through a projection into a model in memory (no durable
 * storage), page by page: what queries answer from when no stored model is at
 * the code's version. Its `info` is that of an in-memory generation.
 */
export async function replay<S, T extends DomainEventType>(store: EventStore, projection: Projection<S, T>, options: { pageSize?: number } = {}): Promise<ModelReader<S>> {
  return foldInMemory(projection, decodedPages(store, projection, options));
}
