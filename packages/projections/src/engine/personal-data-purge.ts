import type { EventStore } from '@taawun/domain';
import type { AnyProjection } from './projection.js';
import { ProjectionRunner } from './runner.js';
import type { ReadModelStorage } from './storage.js';

/**
 * After an erasure: rebuild from the log (through the encrypting store, which
 * reads the participant as erased) every stored model of these projections
 * that may hold personal data (`holdsPersonalData`), active or still building,
 * into a new generation; the old ones are deleted. The storage's adapter then
 * removes what deletion leaves behind (SQLite zeroes pages, empties its WAL).
 * Gives the names rebuilt.
 */
export async function rebuildModelsHoldingPersonalData(store: EventStore, storage: ReadModelStorage, projections: readonly AnyProjection[]): Promise<string[]> {
  const rebuilt: string[] = [];
  for (const projection of projections.filter((p) => p.holdsPersonalData)) {
    if ((await storage.generations(projection.name)).length === 0) continue;
    await new ProjectionRunner(projection, { store, storage }).rebuild({ fromScratch: true });
    rebuilt.push(projection.name);
  }
  return rebuilt;
}
