import { openEventStoreDbStore, type EventStoreDbEventStore, type EventStoreDbStoreOptions } from './event-store.js';

/**
 * Everything the EventStoreDB adapter provides for one server or cluster: the
 * log only. The server keeps no hash chain of ours (its integrity is its own),
 * read models and participants' keys live elsewhere, and `follow` is pushed by
 * the server, so there is no separate way to wake on commits.
 */
export interface EventStoreDbBackend {
  readonly log: EventStoreDbEventStore;
  close(): Promise<void>;
}

/** Open the store on `esdb://…` or `esdb+discover://…` as a backend (see `openEventStoreDbStore`). */
export async function openEventStoreDbBackend(connectionString: string, options: EventStoreDbStoreOptions = {}): Promise<EventStoreDbBackend> {
  const log = await openEventStoreDbStore(connectionString, options);
  return { log, close: () => log.close() };
}
