import { InMemoryEventStore, InMemoryKeyStore, type ChainCheckpoint, type EventStore, type KeyStore, type VerifyReport, type VerifyOptions } from '@taawun/domain';
import type { AnyProjection, ReadModelStorage } from '@taawun/projections';
import type { ReadModelOwnership } from './read-model-ownership.js';
import type { StoreLocation } from './store-url.js';

/** A log that keeps a tamper-evident hash chain (SQLite, PostgreSQL). */
export interface HashChain {
  verify(options?: VerifyOptions): Promise<VerifyReport>;
  checkpoint(): Promise<ChainCheckpoint>;
}

/** A way to wake on commits: resolves at the next commit the adapter sees, on abort, or after its poll interval. */
export interface CommitNotifier {
  waitForCommit(signal?: AbortSignal): Promise<void>;
}

/** What a purge after an erasure did. */
export interface Purge {
  /** Stored read models rebuilt from the log, in which the participant now reads as erased. */
  readonly rebuilt: readonly string[];
  /** Stored models no known projection builds: left as they are (rebuild them if they hold names). */
  readonly skipped: readonly string[];
  /** False when old pages may remain (SQLite: another process was reading, so the WAL could not be emptied). */
  readonly residueCleared: boolean;
}

/** Read-model storage kept beside the log by its adapter, with the adapter's purge after an erasure. */
export interface AdapterReadModels {
  readonly storage: ReadModelStorage;
  /** `store`: the encrypting store, which reads an erased participant as erased; `projections`: whose models to rebuild. */
  /** `rebuildThrough`: the storage the rebuild writes through (the sealing storage over `storage`). */
  purgeAfterErasure(store: EventStore, projections: readonly AnyProjection[], rebuildThrough?: ReadModelStorage): Promise<Purge>;
  /** When several servers may share these read models: which one builds each (PostgreSQL). */
  readonly ownership?: ReadModelOwnership;
  close(): Promise<void>;
}

/**
 * What an adapter's factory returns (`openSqliteBackend`, `openPostgresBackend`,
 * `openEventStoreDbBackend`): the log, and whatever the adapter keeps beside it.
 */
export interface Backend {
  readonly log: EventStore;
  readonly chain?: HashChain;
  readonly notifier?: CommitNotifier;
  openKeysBesideLog?(): Promise<KeyStore>;
  openReadModelsBesideLog?(): Promise<AdapterReadModels>;
  /** Where the server stands in replication (PostgreSQL): a primary, or a standby and its lag. */
  replication?(): Promise<ReplicationStatus>;
  close(): Promise<void>;
}

/** A server's place in replication, as the PostgreSQL adapter reports it (the replication-lag figure). */
export interface ReplicationStatus {
  readonly standby: boolean;
  readonly lsn: string;
  /** Standby only: seconds behind the primary's last commit it replayed (0 when caught up). */
  readonly lagSeconds: number | undefined;
}

/**
 * The backend a location names, from its adapter's own factory. Adapters are
 * loaded on demand, so the SQLite default does not pay for the PostgreSQL or
 * gRPC clients. `memory:` is the domain's in-memory store and key store.
 */
export async function openBackend(location: StoreLocation): Promise<Backend> {
  switch (location.kind) {
    case 'memory': {
      const log = new InMemoryEventStore();
      return { log, openKeysBesideLog: async () => new InMemoryKeyStore(), close: () => log.close() };
    }
    case 'sqlite': {
      const { openSqliteBackend } = await import('@taawun/adapter-sqlite');
      return openSqliteBackend(location.file);
    }
    case 'postgres': {
      const { openPostgresBackend } = await import('@taawun/adapter-postgres');
      return openPostgresBackend(location.connectionString, location.schema ? { schema: location.schema } : {});
    }
    case 'eventstoredb': {
      const { openEventStoreDbBackend } = await import('@taawun/adapter-eventstoredb');
      return openEventStoreDbBackend(location.connectionString);
    }
  }
}
