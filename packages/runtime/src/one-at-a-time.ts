/**
 * Work that takes turns: each `run` starts when the one before it has ended.
 * A turn given up (its signal aborted while it waits) is passed on at once, but
 * the next one still waits for the work before it.
 */
export class OneAtATime {
  private last: Promise<void> = Promise.resolve();

  /** Run `work` in its turn; `undefined` without running it when `signal` aborts first. */
  async run<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T | undefined> {
    const before = this.last;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    this.last = before.then(() => released);
    let stopWaiting!: () => void;
    const aborted = new Promise<void>((resolve) => (stopWaiting = resolve));
    signal.addEventListener('abort', stopWaiting, { once: true });
    try {
      await Promise.race([before, aborted]);
      return signal.aborted ? undefined : await work();
    } finally {
      signal.removeEventListener('abort', stopWaiting);
      release();
    }
  }
}
