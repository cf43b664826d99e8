import { EventStoreError, matchesFilter, type EventStore, type ReadAllOptions, type ReadStreamOptions, type StoredEvent } from '@taawun/domain';

/**
 * Some streams of the log, whole, read back as a log of their own: the same
 * events at the same positions, in the log's order. Folding it through a time
 * lens gives, for each of these streams, exactly what a replay of the whole log
 * through the lens gives (the lens decides event by event, within a stream,
 * and a correction lives in the stream of what it corrects). Read-only.
 */
export async function subLogOf(
  store: EventStore,
  streams: Iterable<string>,
  head: bigint | undefined,
  /** Streams already read (up to `head`), and where to keep those read now: a second fold of the same streams reads none again. */
  read: Map<string, readonly StoredEvent[]> = new Map(),
): Promise<{ log: EventStore; events: number }> {
  const events: StoredEvent[] = [];
  if (head !== undefined) {
    for (const stream of new Set(streams)) {
      let own = read.get(stream);
      if (!own) read.set(stream, (own = (await store.readStream(stream)).filter((e) => e.position <= head)));
      events.push(...own);
    }
  }
  events.sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
  return { log: readOnlyLog(events), events: events.length };
}

function readOnlyLog(events: readonly StoredEvent[]): EventStore {
  const refuse = (): never => {
    throw new EventStoreError('failure', 'a sub-log of streams is read-only');
  };
  return {
    append: async () => refuse(),
    follow: () => refuse(),
    async readStream(stream: string, options: ReadStreamOptions = {}) {
      const own = events.filter((e) => e.stream === stream);
      const ordered = options.direction === 'backwards' ? own.reverse() : own;
      const from = options.fromRevision === undefined ? ordered : ordered.filter((e) => (options.direction === 'backwards' ? e.revision <= options.fromRevision! : e.revision >= options.fromRevision!));
      return from.slice(0, options.maxCount ?? from.length);
    },
    async *readAll(options: ReadAllOptions = {}) {
      let yielded = 0;
      for (const event of events) {
        if (options.maxCount !== undefined && yielded >= options.maxCount) return;
        if (options.after !== undefined && event.position <= options.after) continue;
        if (!matchesFilter(event, options.filter)) continue;
        yielded++;
        yield event;
      }
    },
    lastPosition: async () => events.at(-1)?.position,
    close: async () => undefined,
  };
}
