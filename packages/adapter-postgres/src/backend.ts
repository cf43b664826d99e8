import type { EventStore } from '@taawun/domain';
import { projections as builtInProjections, rebuildModelsHoldingPersonalData, type AnyProjection, type ReadModelStorage } from '@taawun/projections';
import type { PoolConfig } from 'pg';
import { createPool, describeTarget, quoteIdentifier, toPoolConfig, translateError } from './connection.js';
import { DEFAULT_SCHEMA, openPostgresEventStore, type PostgresEventStore, type PostgresEventStoreOptions } from './event-store.js';
import { openPostgresReadModelOwnership, type PostgresReadModelOwnership } from './read-model-leases.js';
import { openPostgresReadModelStorage, type PostgresReadModelStorage } from './read-model-storage.js';
import { replicationStatus, type ReplicationStatus } from './replication.js';

/** What a purge after an erasure did. */
export interface PostgresReadModelPurge {
  /** Stored read models rebuilt from the log, as it reads now. */
  readonly rebuilt: readonly string[];
  /** Always empty here: only active models of the given projections are looked at. */
  readonly skipped: readonly string[];
  /** Always true: the server keeps dead row versions until its next VACUUM, which is the DBA's (see the README). */
  readonly residueCleared: boolean;
}

/** Read models kept in the log's schema, on its pool, with what to do after an erasure. */
export interface PostgresReadModelsBesideLog {
  readonly storage: PostgresReadModelStorage;
  /** Which node builds each read model (a lease per read model, fenced by epoch): several servers share the models. */
  readonly ownership: PostgresReadModelOwnership;
  /**
   * After an erasure: rebuild every stored read model that may hold names
   * (those of `projections`, default the built-in ones, that handle an event
   * with personal fields and have an active generation) from `store`, the
   * encrypting store, which now reads the participant as erased.
   */
  /** `rebuildThrough`: the storage the rebuild writes through (the sealing one over this storage); default this storage. */
  purgeAfterErasure(store: EventStore, projections?: readonly AnyProjection[], rebuildThrough?: ReadModelStorage): Promise<PostgresReadModelPurge>;
  close(): Promise<void>;
}

/** Everything the PostgreSQL adapter provides for one schema: what a composition root (`@taawun/runtime`) puts together. */
export interface PostgresBackend {
  /** The event store as it holds the log: personal data sealed, hash chain, `verify()`. */
  readonly log: PostgresEventStore;
  /** The log's hash chain (`verify`, `checkpoint`). */
  readonly chain: PostgresEventStore;
  /** Wakes at each commit to the log, from any process (LISTEN/NOTIFY), else after the poll interval. */
  readonly notifier: Pick<PostgresEventStore, 'waitForCommit'>;
  openReadModelsBesideLog(): Promise<PostgresReadModelsBesideLog>;
  /** Where this server stands in replication: a primary, or a standby and how far behind it replays. */
  replication(): Promise<ReplicationStatus>;
  /** Close the log (close what was opened beside it first). */
  close(): Promise<void>;
}

/** Open (creating or migrating its tables) the log in a PostgreSQL schema as a backend: the log, and what lives beside it. */
export async function openPostgresBackend(connection: string | PoolConfig, options: PostgresEventStoreOptions = {}): Promise<PostgresBackend> {
  const log = await openPostgresEventStore(connection, options);
  return {
    log,
    chain: log,
    notifier: log,
    openReadModelsBesideLog: async () => {
      const storage = await openPostgresReadModelStorage(log);
      return {
        storage,
        ownership: await openPostgresReadModelOwnership(storage),
        purgeAfterErasure: (store, projections, rebuildThrough) => rebuildModelsHoldingNames(store, rebuildThrough ?? storage, projections),
        close: () => storage.close(),
      };
    },
    replication: () => replicationStatus(log.pool, log.target),
    close: () => log.close(),
  };
}

async function rebuildModelsHoldingNames(
  store: EventStore,
  storage: ReadModelStorage,
  projections: readonly AnyProjection[] = Object.values(builtInProjections),
): Promise<PostgresReadModelPurge> {
  return { rebuilt: await rebuildModelsHoldingPersonalData(store, storage, projections), skipped: [], residueCleared: true };
}

/**
 * Whether the schema (default `taawun`) holds a taawun log, checked without
 * creating anything: a program that must not start an empty log on a mistyped
 * schema asks this before `openPostgresBackend`. Fails with `unavailable` when
 * the server cannot be reached.
 */
export async function postgresLogExists(connection: string | PoolConfig, options: { readonly schema?: string } = {}): Promise<boolean> {
  const config = toPoolConfig(connection);
  const schema = options.schema ?? DEFAULT_SCHEMA;
  const pool = createPool(config);
  try {
    const { rows } = await pool.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [`${quoteIdentifier(schema)}.events`]);
    return rows[0]?.found === true;
  } catch (error) {
    throw translateError(error, describeTarget(config), 'checking that the log exists');
  } finally {
    await pool.end().catch(() => undefined);
  }
}
