import type { EventStore } from '@taawun/domain';
import { InMemoryReadModelStorage, ProjectionRunner, replay, type Progress } from '@taawun/projections';
import { openRuntime } from '@taawun/runtime';
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

/** Open an institute's SQLite file as the CLI does, through the runtime: events, and participants' keys in the same file. */
export async function openInstituteFile(file: string): Promise<{ store: EventStore; close: () => Promise<void> }> {
  const runtime = await openRuntime(`sqlite:${file}`);
  return { store: runtime.store, close: () => runtime.close() };
}
