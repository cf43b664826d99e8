import type { Purge } from './backend.js';
import { inMemoryStorage, type OpenedStorage } from './opened-storage.js';
import type { Runtime } from './runtime.js';

/** SQLite: the same file, on the log's connection; PostgreSQL: the same database and schema, on its pool; other stores: none. */
export const storageBesideLog = (runtime: Runtime): Promise<OpenedStorage | undefined> => runtime.openReadModelsBesideLog();

/** Beside the log, else in memory for this run (`taawun replay` on EventStoreDB or `memory:`). */
export async function storageForRun(runtime: Runtime): Promise<OpenedStorage> {
  return (await storageBesideLog(runtime)) ?? inMemoryStorage();
}

/**
 * After an erasure, rebuild the stored read models that may hold names, through
 * the storage `open` (left open), else through storage opened beside the log for
 * the purge and closed after it. A store without stored read models has nothing to purge.
 */
export async function purgeAfterErasure(runtime: Runtime, open?: OpenedStorage): Promise<Purge> {
  const storage = open ?? (await storageBesideLog(runtime));
  if (!storage) return { rebuilt: [], skipped: [], residueCleared: true };
  try {
    return await storage.purgeAfterErasure();
  } finally {
    if (!open) await storage.close();
  }
}
