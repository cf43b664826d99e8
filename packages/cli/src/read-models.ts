import { ProjectionRunner, isProjectionError, projections, type AnyProjection, type ReadModelSource } from '@taawun/projections';
import { storageBesideLog, type Runtime } from '@taawun/runtime';

/**
 * Where a query reads from: the stored model beside the log, brought up to the
 * log's head first (rebuilt if its version changed), so answers come from
 * precomputed documents instead of a replay of the whole log. Without storage,
 * or when another runner (a server's follower) is writing it right now, the
 * query replays the log instead: slower, same answer.
 */
export async function currentSource(opened: Runtime, projectionName: string): Promise<{ source: ReadModelSource; close(): Promise<void> }> {
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
