import type { RunningServer, StartServerOptions } from '@taawun/adapter-http';
import { ScrubPendingError } from '@taawun/domain';
import { unscrubbedCopies } from './erasure-residue.js';
import type { OpenedStorage } from './opened-storage.js';
import { ReadModelFollowers } from './read-model-followers.js';
import { projectionsOf } from '@taawun/projections';
import { openReadSide, ReadFreshness, switchableReads, type ReadSide } from './read-side.js';
import type { Runtime } from './runtime.js';

export interface ServeRuntimeOptions extends Omit<StartServerOptions, 'store' | 'readModelStorage' | 'personalData' | 'readModels' | 'readStore' | 'readFreshness'> {
  /**
   * Answer reads (read models, history, reports, the feed) from this store, a
   * streaming-replication standby of the runtime's (`postgres://standby…`);
   * commands and the read-model builders stay on the runtime's store.
   */
  readonly readStore?: string;
  /** The folder a relative `readStore` path is resolved against. */
  readonly cwd?: string;
  /** Read-your-writes: how long a read asking for a position waits for the read side to hold it before a 503 (ms). Default 2000. */
  readonly minPositionWaitMs?: number;
  /** With `readStore`: a read whose position the standby did not reach in time is answered with a 503 (default) or from the primary. */
  readonly whenBehind?: '503' | 'primary';
  /**
   * Keep every stored read model current by following the log while the server
   * runs (supervised: see `ReadModelFollowers`). Default true; false when
   * another process keeps them current.
   */
  readonly followReadModels?: boolean;
  /** How often a follower checks that another runner did not replace or write its generation (ms). Default 1000. */
  readonly followerCheckIntervalMs?: number;
  /**
   * When the store lets several servers share its read models (PostgreSQL): how
   * long a read model may go unbuilt after its builder died before another
   * server takes it over (ms). Default 10 s.
   */
  readonly readModelLeaseMs?: number;
  /** Run after each erasure, once the read models are purged (the embedding program's own clean-up). */
  readonly afterErasure?: (participantId: string) => Promise<void> | void;
}

export interface ServingRuntime extends RunningServer {
  /** The read models beside the log the server answers from, when the store keeps them. */
  readonly readModels: OpenedStorage | undefined;
  /** Where reads come from when not the runtime's store (`readStore`): its replication lag is `readSide.replication()`. */
  readonly readSide: ReadSide | undefined;
  /** The followers keeping them current, when they run. */
  readonly followers: ReadModelFollowers | undefined;
  /** Stop the server (waiting for purges still running), then the followers, then close the read models. The runtime stays open. */
  close(): Promise<void>;
}

/**
 * Serve the HTTP API and the report over a runtime: answers from the read models
 * beside the log (when the store keeps them), followers that keep them current,
 * and, when participants' keys are open, the erasure route, whose purge rebuilds
 * the models that hold names and then restarts the followers on the new
 * generations. A purge that left old pages behind (another process reading the
 * SQLite file) fails the purge, so the erasure answers that it may be repeated.
 */
export async function serveRuntime(runtime: Runtime, options: ServeRuntimeOptions): Promise<ServingRuntime> {
  const { followReadModels = true, followerCheckIntervalMs, readModelLeaseMs, afterErasure, readStore, cwd, minPositionWaitMs, whenBehind = '503', ...http } = options;
  const readModels = await runtime.openReadModelsBesideLog();
  let readSide: ReadSide | undefined;
  try {
    // After the primary's read models: their tables are laid out there, then replayed on the standby.
    readSide = readStore === undefined ? undefined : await openReadSide(readStore, runtime, cwd === undefined ? {} : { cwd });
  } catch (error) {
    await readModels?.close().catch(() => undefined);
    throw error;
  }
  const fallback = readSide && whenBehind === 'primary' ? switchableReads(readSide, { store: runtime.store, storage: readModels?.storage }) : undefined;
  const readStorage = fallback ? fallback.storage : readSide ? readSide.storage : readModels?.storage;
  const projections = projectionsOf(runtime.readModels);
  const timeout = minPositionWaitMs === undefined ? {} : { timeoutMs: minPositionWaitMs };
  // Falling back to the primary, the read still waits for the primary's read models to hold the position.
  const onPrimary = fallback ? new ReadFreshness({ store: runtime.store, storage: readModels?.storage, projections, ...timeout }) : undefined;
  const readFreshness = new ReadFreshness({
    store: readSide?.store ?? runtime.store,
    storage: readSide ? readSide.storage : readModels?.storage,
    projections,
    ...timeout,
    ...(fallback && onPrimary
      ? {
          answerElsewhere: async (position: bigint, answer: () => Promise<void>, signal?: AbortSignal) => {
            if (!(await onPrimary.waitFor(position, signal))) return false;
            await fallback.onPrimary(answer);
            return true;
          },
        }
      : {}),
  });
  let followers: ReadModelFollowers | undefined;
  // While a purge rebuilds the models that hold names, their answers are not current: the server is not ready.
  let purging = 0;
  const onErased = async (participantId: string) => {
    purging++;
    try {
      if (readModels) {
        const purge = await readModels.purgeAfterErasure();
        // A reader's snapshot kept the old pages: said as such, so the route answers `erasure-incomplete`, not a failure.
        if (!purge.residueCleared) throw new ScrubPendingError(unscrubbedCopies(runtime.location, false, purge));
      }
      await afterErasure?.(participantId);
    } finally {
      purging--;
      // The purge rebuilt the models the followers write: they follow the new generations at once.
      followers?.resync();
    }
  };
  let server: RunningServer;
  try {
    // Loaded when a server starts, like the store adapters: every other command starts without the HTTP stack.
    const { startServer } = await import('@taawun/adapter-http');
    server = await startServer({
      ...http,
      // The letterhead of printed pages names the log's head and its hash.
      ...(runtime.chain ? { report: { ...http.report, chain: runtime.chain } } : {}),
      store: runtime.store,
      readModels: runtime.ownReadModels,
      readModelStatus: () => (followers?.status() ?? []).map((s) => (purging > 0 ? { ...s, rebuilding: true } : s)),
      ...(readStorage ? { readModelStorage: readStorage } : {}),
      ...(runtime.merkle ? { merkle: runtime.merkle } : {}),
      ...(readSide ? { readStore: fallback?.store ?? readSide.store, replicationLag: async () => (await readSide!.replication())?.lagSeconds } : {}),
      readFreshness,
      ...(runtime.keys ? { personalData: { keys: runtime.keys, ...(readModels || afterErasure ? { onErased } : {}) } } : {}),
    });
  } catch (error) {
    await readSide?.close().catch(() => undefined);
    await readModels?.close().catch(() => undefined);
    throw error;
  }
  if (readModels && followReadModels) {
    followers = new ReadModelFollowers({
      store: runtime.store,
      storage: readModels.storage,
      projections: server.http.queries.projections(),
      log: http.log ?? ((message) => console.error(message)),
      ...(followerCheckIntervalMs === undefined ? {} : { checkIntervalMs: followerCheckIntervalMs }),
      ...(readModels.ownership ? { ownership: readModels.ownership } : {}),
      ...(readModelLeaseMs === undefined ? {} : { leaseMs: readModelLeaseMs }),
    });
  }
  return {
    ...server,
    readModels,
    readSide,
    followers,
    close: async () => {
      try {
        await server.close();
        await followers?.close();
      } finally {
        await readSide?.close().catch(() => undefined);
        await readModels?.close();
      }
    },
  };
}
