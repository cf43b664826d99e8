import { ProjectionRunner, isProjectionError, type TimeLens } from '@taawun/projections';
import type { Runtime } from '@taawun/runtime';
import type { Io } from '../io.js';
import { progress, showsProgress } from '../output/progress.js';

/**
 * Before a report is asked, bring its stored model up to the log's head with
 * progress shown (the first report on a large log folds the whole log): the
 * query service's own catch-up then finds nothing left to do. Only when
 * progress is shown; a lens replays instead; a model of personal data is
 * stored only when the runtime seals it (it has participants' keys).
 */
export async function catchUpWithProgress(opened: Runtime, io: Io, name: string, lens: TimeLens): Promise<void> {
  if (!showsProgress(io) || lens.asOf !== undefined || lens.asKnownOn !== undefined) return;
  const model = opened.readModels.find((m) => m.name === name);
  if (!model || model.kind !== 'projected') return;
  const projection = model.projection;
  if (opened.keys === undefined && opened.readModels.some((m) => m.kind === 'projected' && m.projection.name === projection.name && m.personalData === 'always')) return;
  const beside = await opened.openReadModelsBesideLog();
  if (!beside) return;
  const shown = progress(io, `${name}: catching up`);
  try {
    await new ProjectionRunner(projection, { store: opened.store, storage: beside.storage, onProgress: (p) => shown.update(p.eventsDone, p.eventsTotal) }).catchUp();
  } catch (error) {
    // Another runner is writing it: the service answers by a replay, as it would have.
    if (!isProjectionError(error)) throw error;
  } finally {
    shown.stop();
    await beside.close();
  }
}
