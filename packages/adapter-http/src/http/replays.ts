import type { ReplayGate } from '@taawun/projections';
import type { Context } from 'hono';
import { sendProblem } from './env.js';
import { problem } from './problems.js';

/**
 * A replay folds the whole log in memory: a time lens always does, and so does
 * any query when the server has no stored read model at the code's version.
 * Each one costs a full read of the log and its CPU, so only a few run at once
 * (`max`), and fewer for any one key (`maxPerKey`), so that one client cannot
 * hold them all; the others are refused at once (503 `too-many-replays`,
 * `Retry-After`) rather than queued behind them, where they would hold
 * connections and memory.
 */
export class ReplayLimiter implements ReplayGate {
  private running = 0;
  private readonly byKey = new Map<string, number>();

  constructor(
    readonly max: number,
    readonly maxPerKey: number = max,
  ) {}

  /** Replays running now. */
  get inFlight(): number {
    return this.running;
  }

  /** A slot (call the returned function to give it back), or `undefined` when the server's or the key's slots are taken. */
  tryAcquire(key?: string): (() => void) | undefined {
    if (this.running >= this.max) return undefined;
    const held = key === undefined ? 0 : (this.byKey.get(key) ?? 0);
    if (key !== undefined && held >= this.maxPerKey) return undefined;
    this.running++;
    if (key !== undefined) this.byKey.set(key, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      if (key === undefined) return;
      const left = (this.byKey.get(key) ?? 1) - 1;
      if (left === 0) this.byKey.delete(key);
      else this.byKey.set(key, left);
    };
  }

  /** Run `work` (a replay) in a slot; `busy` when none is free. The query service calls it only when it replays. */
  run<T>(work: () => Promise<T>): Promise<{ busy: true } | { busy: false; value: T }> {
    return this.runAs(undefined, work);
  }

  /** The gate for one key's request: its replays count against the key's share too. */
  forKey(key: string | undefined): ReplayGate {
    return { run: (work) => this.runAs(key, work) };
  }

  private async runAs<T>(key: string | undefined, work: () => Promise<T>): Promise<{ busy: true } | { busy: false; value: T }> {
    const release = this.tryAcquire(key);
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
    problem('too-many-replays', `at most ${limiter.max} replays of the log run at once, ${limiter.maxPerKey} per key (time lenses, or read models not stored); try again in a moment`),
    { 'Retry-After': String(RETRY_REPLAY_AFTER_SECONDS) },
  );
