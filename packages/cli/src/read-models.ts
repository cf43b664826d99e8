import {
  InMemoryReadModelStorage,
  ProjectionRunner,
  isProjectionError,
  projections,
  type AnyProjection,
  type ReadModelSource,
  type ReadModelStorage,
} from '@taawun/projections';
import type { OpenedStore } from './store-url.js';

/** Read-model storage beside the log, when the store has one, and how to say where it is. */
export interface OpenedStorage {
  readonly storage: ReadModelStorage;
  readonly where: string;
  readonly kind: 'sqlite' | 'postgres' | 'memory';
  close(): Promise<void>;
}

/**
 * SQLite: the same file, on the store's connection; PostgreSQL: the same
 * database and schema, on the store's pool; other stores: none.
 */
export async function storageBesideLog(opened: OpenedStore): Promise<OpenedStorage | undefined> {
  if (opened.location.kind === 'sqlite') {
    const { openSqliteReadModelStorage, SqliteEventStore } = await import('@taawun/adapter-sqlite');
    if (!(opened.inner instanceof SqliteEventStore)) return undefined;
    const storage = await openSqliteReadModelStorage(opened.inner);
    return { storage, kind: 'sqlite', where: `stored in ${opened.description}`, close: () => storage.close() };
  }
  if (opened.location.kind === 'postgres') {
    const { openPostgresReadModelStorage, PostgresEventStore } = await import('@taawun/adapter-postgres');
    if (!(opened.inner instanceof PostgresEventStore)) return undefined;
    const storage = await openPostgresReadModelStorage(opened.inner);
    return { storage, kind: 'postgres', where: `stored in ${opened.description}`, close: () => storage.close() };
  }
  return undefined;
}

/** Beside the log, else in memory for this run. */
export async function storageForRun(opened: OpenedStore): Promise<OpenedStorage> {
  const beside = await storageBesideLog(opened);
  if (beside) return beside;
  return { storage: new InMemoryReadModelStorage(), kind: 'memory', where: 'kept in memory for this run', close: async () => undefined };
}

export interface Purge {
  readonly rebuilt: readonly string[];
  /** Stored models no built-in projection builds: left as they are. */
  readonly skipped: readonly string[];
  readonly residueCleared: boolean;
}

/**
 * After an erasure, rebuild the stored read models that may hold names. On
 * SQLite, the adapter's `purgeReadModels` (old bytes zeroed, WAL emptied); on
 * PostgreSQL, a rebuild of each stored built-in model fed personal data (the
 * server keeps dead row versions until its next VACUUM).
 */
export async function purgeAfterErasure(opened: OpenedStore, open?: OpenedStorage): Promise<Purge> {
  const beside = open ?? (await storageBesideLog(opened));
  if (!beside) return { rebuilt: [], skipped: [], residueCleared: true };
  try {
    if (beside.kind === 'sqlite') {
      const { purgeReadModels } = await import('@taawun/adapter-sqlite');
      return await purgeReadModels({ store: opened.store, storage: beside.storage as import('@taawun/adapter-sqlite').SqliteReadModelStorage });
    }
    const rebuilt: string[] = [];
    for (const projection of (Object.values(projections) as AnyProjection[]).filter((projection) => projection.holdsPersonalData)) {
      const runner = new ProjectionRunner(projection, { store: opened.store, storage: beside.storage });
      if (!(await runner.status()).active) continue;
      await runner.rebuild({ fromScratch: true });
      rebuilt.push(projection.name);
    }
    return { rebuilt, skipped: [], residueCleared: true };
  } finally {
    if (!open) await beside.close();
  }
}

/**
 * Where a query reads from: the stored model beside the log, brought up to the
 * log's head first (rebuilt if its version changed), so answers come from
 * precomputed documents instead of a replay of the whole log. Without storage,
 * or when another runner (a server's follower) is writing it right now, the
 * query replays the log instead: slower, same answer.
 */
export async function currentSource(opened: OpenedStore, projectionName: string): Promise<{ source: ReadModelSource; close(): Promise<void> }> {
  const projection = (projections as Record<string, AnyProjection>)[projectionName];
  const beside = projection ? await storageBesideLog(opened) : undefined;
  if (!projection || !beside) return { source: { store: opened.store }, close: async () => undefined };
  try {
    await new ProjectionRunner(projection, { store: opened.store, storage: beside.storage }).catchUp();
    return { source: { store: opened.store, storage: beside.storage }, close: () => beside.close() };
  } catch (error) {
    await beside.close();
    if (isProjectionError(error)) return { source: { store: opened.store }, close: async () => undefined };
    throw error;
  }
}
