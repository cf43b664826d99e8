import { ProjectionRunner, isProjectionError, recordStreamsProjection, type AnyProjection, type TimeLens } from '@taawun/projections';
import type { Runtime } from '@taawun/runtime';
import type { Io } from '../io.js';
import { progress } from '../output/progress.js';
import { HEAP_BOUND, heapBound } from '../heap.js';

/**
 * Before a report is asked, bring its stored model up to the log's head, with
 * progress shown on a terminal (the first report on a large log folds the
 * whole log): the query service's own catch-up then finds nothing left to do.
 * Done here rather than by the service so that the heap is kept bounded while
 * the log is folded (`heapBound` at each of the runner's commits, at half the
 * lists' bound: the first report yearly of a million events reached 250 MB
 * resident at 64 MB, 243 MB at 32, partners 281 MB unbounded, 181 MB at 32).
 * Through a lens, the catalogue of the records' streams the lens is answered
 * from is brought up first (a model without one replays instead); a model of
 * personal data is stored only when the runtime seals it (it has participants' keys).
 */
export async function catchUpWithProgress(opened: Runtime, io: Io, name: string, lens: TimeLens): Promise<void> {
  const model = opened.readModels.find((m) => m.name === name);
  if (!model || model.kind !== 'projected') return;
  const throughLens = lens.asOf !== undefined || lens.asKnownOn !== undefined;
  // A lens is answered from the catalogue of the records' streams where the model maps to it, or folds the streams it changes into the stored model (its first build folds the whole log too); otherwise it replays.
  if (throughLens && !model.lensStreams && !model.documentsByStream) return;
  const projection = model.projection;
  const mayStore = opened.keys !== undefined || !opened.readModels.some((m) => m.kind === 'projected' && m.projection.name === projection.name && m.personalData === 'always');
  if (!throughLens && !mayStore) return;
  const beside = await opened.openReadModelsBesideLog();
  if (!beside) return;
  const keepHeap = heapBound(HEAP_BOUND / 2);
  const catchUp = async (folded: AnyProjection, label: string) => {
    const shown = progress(io, label);
    try {
      await new ProjectionRunner(folded, {
        store: opened.store,
        storage: beside.storage,
        onProgress: (p) => {
          shown.update(p.eventsDone, p.eventsTotal);
          keepHeap();
        },
      }).catchUp();
    } catch (error) {
      // Another runner is writing it: the service answers by a replay, as it would have.
      if (!isProjectionError(error)) throw error;
    } finally {
      shown.stop();
    }
  };
  try {
    if (throughLens) await catchUp(recordStreamsProjection, `${name}: cataloguing the records' streams`);
    if (mayStore) await catchUp(projection, `${name}: catching up`);
  } finally {
    await beside.close();
  }
}
