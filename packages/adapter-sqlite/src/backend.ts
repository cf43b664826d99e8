import type { EventStore } from '@taawun/domain';
import type { AnyProjection, ReadModelStorage } from '@taawun/projections';
import { openSqliteEventStore, type SqliteEventStore, type SqliteEventStoreOptions } from './event-store.js';
import { openSqliteKeyStore, type SqliteKeyStore } from './key-store.js';
import { purgeReadModels, type ReadModelPurge } from './read-model-purge.js';
import { openSqliteReadModelStorage, type SqliteReadModelStorage } from './read-model-storage.js';

/** Read models kept in the log's file, on its connection, with what to do after an erasure. */
export interface SqliteReadModelsBesideLog {
  readonly storage: SqliteReadModelStorage;
  /**
   * After an erasure: rebuild the stored read models that may hold names (from
   * `store`, the encrypting store, which now reads the participant as erased),
   * with `secure_delete` on, then empty the WAL (see `purgeReadModels`).
   * `projections`: those whose models to rebuild (default: the built-in ones).
   */
  purgeAfterErasure(store: EventStore, projections?: readonly AnyProjection[], rebuildThrough?: ReadModelStorage): Promise<ReadModelPurge>;
  close(): Promise<void>;
}

/** Everything the SQLite adapter provides for one file: what a composition root (`@taawun/runtime`) puts together. */
export interface SqliteBackend {
  /** The event store as it holds the log: personal data sealed, hash chain, `verify()`. */
  readonly log: SqliteEventStore;
  /** The log's hash chain (`verify`, `checkpoint`). */
  readonly chain: SqliteEventStore;
  /** Wakes at each commit of this process to the file (other processes: after the poll interval). */
  readonly notifier: Pick<SqliteEventStore, 'waitForCommit'>;
  /** Participants' keys in the same file, on the log's connection. */
  openKeysBesideLog(): Promise<SqliteKeyStore>;
  openReadModelsBesideLog(): Promise<SqliteReadModelsBesideLog>;
  /** Close the log (close what was opened beside it first). */
  close(): Promise<void>;
}

/** Open (creating it if needed) the SQLite file at `path` as a backend: the log, and what lives beside it. */
export async function openSqliteBackend(path: string, options: SqliteEventStoreOptions = {}): Promise<SqliteBackend> {
  const log = await openSqliteEventStore(path, options);
  return {
    log,
    chain: log,
    notifier: log,
    openKeysBesideLog: () => openSqliteKeyStore(log),
    openReadModelsBesideLog: async () => {
      const storage = await openSqliteReadModelStorage(log);
      return {
        storage,
        // Given the log as stored, so the purge knows the read models share its file.
        purgeAfterErasure: (store, projections, rebuildThrough) =>
          purgeReadModels({ store, storage, eventStore: log, ...(projections ? { projections } : {}), ...(rebuildThrough ? { rebuildThrough } : {}) }),
        close: () => storage.close(),
      };
    },
    close: () => log.close(),
  };
}
