import { encryptPersonalData, type EventStore } from '@taawun/domain';
import { openSqliteEventStore, openSqliteKeyStore } from '@taawun/adapter-sqlite';
import { InMemoryReadModelStorage, ProjectionRunner, replay, type Progress } from '@taawun/projections';
import { cohortPlacements, cohortsProjection, type CohortPlacement } from './cohorts.js';

/**
 * Replay the whole log into the cohort report through the library API: a plain
 * fold (`replay`), or the runner with its progress callbacks when `onProgress`
 * is given (the same runner `taawun replay` drives).
 */
export async function replayCohorts(store: EventStore, onProgress?: (progress: Progress) => void): Promise<CohortPlacement[]> {
  if (!onProgress) return cohortPlacements(await (await replay(store, cohortsProjection)).state());
  const runner = new ProjectionRunner(cohortsProjection, { store, storage: new InMemoryReadModelStorage(), onProgress });
  await runner.rebuild();
  return cohortPlacements(await (await runner.read())!.state());
}

/** Open an institute's SQLite file the way the CLI does: events, and participants' keys in the same file. */
export async function openInstituteFile(file: string): Promise<{ store: EventStore; close: () => Promise<void> }> {
  const events = await openSqliteEventStore(file);
  const keys = await openSqliteKeyStore(events);
  return {
    store: encryptPersonalData(events, keys),
    close: async () => {
      await keys.close();
      await events.close();
    },
  };
}
