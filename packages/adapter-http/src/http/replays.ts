import type { ReplayGate } from '@taawun/projections';
import type { Context } from 'hono';
import { sendProblem } from './env.js';
import { problem } from './problems.js';

/**
 * A replay folds the whole log in memory: a time lens always does, and so does
 * any query when the server has no stored read model at the code's version.
 * Each one costs a full read of the log and its CPU, so only a few run at once;
 * the others are refused at once (503 `too-many-replays`, `Retry-After`) rather
 * than queued behind them, where they would hold connections and memory.
 */
export class ReplayLimiter implements ReplayGate {
  private running = 0;

  constructor(readonly max: number) {}

  /** A slot (call the returned function to give it back), or `undefined` when every slot is taken. */
  tryAcquire(): (() => void) | undefined {
    if (this.running >= this.max) return undefined;
    this.running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
    };
  }

  /** Run `work` (a replay) in a slot; `busy` when none is free. The query service calls it only when it replays. */
  async run<T>(work: () => Promise<T>): Promise<{ busy: true } | { busy: false; value: T }> {
    const release = this.tryAcquire();
    if (!release) return { busy: true };
    try {
      return { busy: false, value: await work() };
    } finally {
      release();
    }
  }
}

export const RETRY_REPLAY_AFTER_SECONDS = 2;

export const tooManyReplays = (c: Context, limiter: ReplayLimiter) =>
  sendProblem(
    c,
    problem('too-many-replays', `${limiter.max} replays of the log are running (time lenses, or read models not stored); try again in a moment`),
    { 'Retry-After': String(RETRY_REPLAY_AFTER_SECONDS) },
  );
