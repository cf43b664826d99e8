import type { EventStore } from '@taawun/domain';
import { OneAtATime } from './one-at-a-time.js';
import type { HeldReadModel, ReadModelOwnership } from './read-model-ownership.js';
import { activeGeneration, isProjectionError, ProjectionRunner, type AnyProjection, type Progress, type ReadModelFollowerStatus, type ReadModelStorage } from '@taawun/projections';

export interface ReadModelFollowersOptions {
  readonly store: EventStore;
  readonly storage: ReadModelStorage;
  readonly projections: readonly AnyProjection[];
  readonly log: (message: string) => void;
  /** How often each follower checks that the generation it writes is still the active one and that no other runner wrote it. Default 1000 ms. */
  readonly checkIntervalMs?: number;
  /** First wait before following again after a failure; it doubles with each failure in a row. Default 250 ms. */
  readonly retryMs?: number;
  /** Longest wait between two attempts. Default 30 s. */
  readonly maxRetryMs?: number;
  /** Several servers share the storage: each follower builds its read model only while this server holds it (see `ReadModelOwnership`). */
  readonly ownership?: ReadModelOwnership;
  /** The takeover bound given to `ownership` (ms). Default: the ownership's (10 s). */
  readonly leaseMs?: number;
}

/** The generation a follower last committed (or caught up) to, as its runner reported it. */
interface Followed {
  readonly generation: number;
  readonly position: bigint | undefined;
}

/** One follower as it is now (`/metrics`, `/health/ready`): the type is the projections' own. */
export type { ReadModelFollowerStatus };

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0]!;

/**
 * Keeps every stored read model current while a program (a server) runs, whatever else
 * writes the same storage. A follower (`ProjectionRunner.follow`) writes one
 * generation; when another runner replaces it (an erasure's purge rebuilds the
 * models that hold names, here or in another process such as
 * `taawun erase-participant`) or commits to it first, the follower's next
 * commit fails, and it would only notice at the next event. So each follower is
 * supervised:
 *
 * - any failure (`generation-missing`, `concurrent-runner`, a store or storage
 *   error) is logged and the follower starts again from the active generation,
 *   after a wait that doubles with each failure in a row (250 ms to 30 s);
 * - every `checkIntervalMs` it compares the active generation with the one the
 *   follower last committed to: the same mismatch seen twice in a row (once may
 *   be a commit on its way) means another runner replaced or wrote it, and the
 *   follower starts again at once;
 * - `resync()` restarts every follower now (after a purge in this process);
 * - a stored model newer than this code (`invalid-projection`) stops its
 *   follower for good: queries then replay the log;
 * - the followers catch up one at a time (a first start on a large log builds
 *   every model): a process holds the memory of one build, not of all of them
 *   side by side, and the first models are ready sooner; following the live
 *   log, they all run together.
 */
export class ReadModelFollowers {
  private readonly closing = new AbortController();
  private readonly followers: Follower[];
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(options: ReadModelFollowersOptions) {
    const catchUps = new OneAtATime();
    this.followers = options.projections.map((projection) => new Follower(projection, options, this.closing.signal, catchUps));
    this.timer = setInterval(() => {
      for (const follower of this.followers) void follower.check();
    }, Math.max(10, options.checkIntervalMs ?? 1000));
    this.timer.unref();
  }

  /** Each follower as it is now: position committed, rebuilding, restarts, last failure (for metrics and readiness). */
  status(): ReadModelFollowerStatus[] {
    return this.followers.map((f) => f.status());
  }

  /** Restart every follower from the active generation now (e.g. right after a purge rebuilt them). */
  resync(): void {
    if (this.closing.signal.aborted) return;
    for (const follower of this.followers) follower.restart(0);
  }

  /** Stop every follower (each commits what it applied) and wait for them. */
  async close(): Promise<void> {
    this.closing.abort();
    clearInterval(this.timer);
    for (const follower of this.followers) follower.stop();
    await Promise.all(this.followers.map((f) => f.done));
  }
}

class Follower {
  readonly done: Promise<void>;
  private run: AbortController | undefined;
  private followed: Followed | undefined;
  /** A mismatch seen at the last check, waiting to be seen again. */
  private suspect: string | undefined;
  private checking = false;
  private failures = 0;
  /** Set by `restart`: the run was stopped on purpose, to start again after this many ms. */
  private restartAfterMs: number | undefined;
  private wake: (() => void) | undefined;
  private position: bigint | undefined;
  private rebuilding = false;
  private waitingTurn = false;
  private restarts = 0;
  private lastError: string | undefined;
  private stopped = false;

  constructor(
    private readonly projection: AnyProjection,
    private readonly options: ReadModelFollowersOptions,
    private readonly closing: AbortSignal,
    private readonly catchUps: OneAtATime,
  ) {
    this.done = this.loop();
  }

  private get name(): string {
    return this.projection.name;
  }

  private log(message: string): void {
    this.options.log(`[taawun] read model ${this.name}: ${message}`);
  }

  private backoffMs(): number {
    const first = Math.max(1, this.options.retryMs ?? 250);
    return Math.min(this.options.maxRetryMs ?? 30_000, first * 2 ** Math.max(0, this.failures - 1));
  }

  restart(afterMs: number): void {
    this.restartAfterMs = afterMs;
    this.run?.abort();
    this.wake?.();
  }

  stop(): void {
    this.run?.abort();
    this.wake?.();
  }

  status(): ReadModelFollowerStatus {
    return { name: this.name, position: this.position, rebuilding: this.rebuilding, waitingTurn: this.waitingTurn, restarts: this.restarts, lastError: this.lastError, stopped: this.stopped };
  }

  private progressed(progress: Progress): void {
    this.rebuilding = progress.phase === 'rebuild' && !progress.done;
    if (progress.phase === 'live' || progress.done) this.position = progress.position;
    // Only what is committed and in use counts: a live commit, or the end of a catch-up or rebuild.
    if (progress.phase === 'live' || progress.done) this.followed = { generation: progress.generation, position: progress.position };
  }

  private async loop(): Promise<void> {
    while (!this.closing.aborted) {
      const run = new AbortController();
      this.run = run;
      this.followed = undefined;
      this.suspect = undefined;
      this.restartAfterMs = undefined;
      let failure: unknown;
      const held = await this.hold(run);
      if (this.closing.aborted) {
        await held?.release();
        return;
      }
      try {
        const runner = new ProjectionRunner(this.projection, {
          store: this.options.store,
          storage: held?.storage ?? this.options.storage,
          onProgress: (progress) => this.progressed(progress),
        });
        // Up to the head in its turn; following then catches up only what came meanwhile.
        this.waitingTurn = true;
        try {
          await this.catchUps.run(run.signal, () => {
            this.waitingTurn = false;
            return runner.catchUp({ signal: run.signal });
          });
        } finally {
          this.waitingTurn = false;
        }
        if (!run.signal.aborted) await runner.follow({ signal: run.signal });
      } catch (error) {
        failure = error;
      } finally {
        await held?.release();
      }
      if (this.closing.aborted) return;
      this.rebuilding = false;
      this.restarts++;
      if (failure !== undefined && this.restartAfterMs === undefined) this.lastError = messageOf(failure);
      let waitMs: number;
      if (this.restartAfterMs !== undefined) {
        // Stopped on purpose: what the run threw on its way out is what the restart is for.
        waitMs = this.restartAfterMs;
      } else if (isProjectionError(failure) && failure.code === 'invalid-projection') {
        this.log(`stopped following: ${messageOf(failure)}`);
        this.stopped = true;
        return;
      } else {
        this.failures++;
        waitMs = this.backoffMs();
        const replaced = isProjectionError(failure) && (failure.code === 'generation-missing' || failure.code === 'concurrent-runner');
        this.log(
          replaced
            ? `another runner replaced or wrote the stored model (${messageOf(failure)}); following again from the active generation in ${waitMs} ms`
            : failure === undefined
              ? `the log's feed ended; following again in ${waitMs} ms`
              : `following failed (${messageOf(failure)}); trying again in ${waitMs} ms`,
        );
      }
      await this.sleep(waitMs);
    }
  }

  /** With an ownership: wait until this server holds the read model; a lost hold stops the run, which then waits again. */
  private async hold(run: AbortController): Promise<HeldReadModel | undefined> {
    const ownership = this.options.ownership;
    if (!ownership) return undefined;
    const held = await ownership.hold(this.name, {
      signal: this.closing,
      log: (message) => this.log(message),
      ...(this.options.leaseMs === undefined ? {} : { leaseMs: this.options.leaseMs }),
    });
    if (!held) return undefined;
    this.log(`built by this server (${ownership.node}, lease epoch ${held.epoch})`);
    const lost = () => {
      if (this.run === run && !run.signal.aborted) this.restart(0);
    };
    held.lost.addEventListener('abort', lost);
    return {
      ...held,
      // Given up after the run ended (a failure keeps its back-off): not a loss to react to.
      release: () => {
        held.lost.removeEventListener('abort', lost);
        return held.release();
      },
    };
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.closing.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }

  /** Compare the active generation with the follower's; restart it when they disagree twice in a row. */
  async check(): Promise<void> {
    const followed = this.followed;
    const run = this.run;
    if (this.checking || !followed || !run || run.signal.aborted) return;
    this.checking = true;
    try {
      const active = await activeGeneration(this.options.storage, this.name);
      // The follower committed meanwhile, or was restarted: judge at the next check.
      if (this.followed !== followed || this.run !== run) return;
      if (active && active.generation === followed.generation && active.position === followed.position) {
        this.suspect = undefined;
        this.failures = 0;
        return;
      }
      const seen = `${active?.generation}@${active?.position}/${followed.generation}@${followed.position}`;
      if (this.suspect !== seen) {
        this.suspect = seen;
        return;
      }
      this.failures++;
      const waitMs = this.failures > 1 ? this.backoffMs() : 0;
      this.log(
        active?.generation === followed.generation
          ? `another runner wrote generation ${followed.generation} (now at position ${active.position}, this follower at ${followed.position}); following again`
          : `generation ${followed.generation} is no longer the active one (${active ? `generation ${active.generation} is` : 'none is'}): following again from the active generation`,
      );
      this.restart(waitMs);
    } catch (error) {
      this.log(`cannot read its generations (${messageOf(error)}); will check again`);
    } finally {
      this.checking = false;
    }
  }
}
