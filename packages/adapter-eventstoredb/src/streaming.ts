import type { Readable } from 'node:stream';

export interface GuardOptions {
  /**
   * Longest wait for the next item while the deadline applies. The clock stops
   * while the consumer holds an item: only the server's silence counts.
   */
  readonly deadlineMs: number;
  /** The error to fail with when the deadline passes (it names the server). */
  readonly onDeadline: () => Error;
  /** The deadline applies until this returns true (a subscription: until the server confirms it). Default: always. */
  readonly settled?: () => boolean;
  /** Stop reading: the iteration then ends normally. */
  readonly signal?: AbortSignal;
  /** Tell the server to stop (cancel the call); errors are ignored. */
  readonly cancel: () => Promise<void>;
}

type Outcome<T> = IteratorResult<T> | 'deadline' | 'aborted';

/**
 * Wait for `pending`, the deadline (none when `deadlineMs` is undefined) or the abort
 * signal, whichever comes first. Listeners and timers are per wait, so a
 * subscription that runs for months holds nothing per event delivered.
 */
function waitFor<T>(pending: Promise<IteratorResult<T>>, deadlineMs: number | undefined, signal: AbortSignal | undefined): Promise<Outcome<T>> {
  return new Promise<Outcome<T>>((resolve, reject) => {
    let done = false;
    const finish = (settle: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      settle();
    };
    const onAbort = () => finish(() => resolve('aborted'));
    const timer = deadlineMs === undefined ? undefined : setTimeout(() => finish(() => resolve('deadline')), deadlineMs);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (result) => finish(() => resolve(result)),
      (error: unknown) => finish(() => reject(error)),
    );
  });
}

/**
 * Iterate a client stream (a read or a subscription) with a deadline on the
 * server's silence and an abort signal. gRPC waits for a connection without
 * limit when a server accepts TCP but never answers, and keep-alive pings only
 * start once HTTP/2 is up; this is what turns that wait into a clear error.
 */
export async function* guarded<T>(source: Readable, options: GuardOptions): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<T>;
  const { signal } = options;
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    void options.cancel().catch(() => undefined);
    source.destroy();
  };
  // One `next()` at a time: a wait that outlives a deadline check keeps its promise for the next round.
  let pending: Promise<IteratorResult<T>> | undefined;
  try {
    for (;;) {
      if (signal?.aborted) return;
      if (!pending) {
        pending = iterator.next();
        // If we stop first, this settles later (rejects once the stream is destroyed); nobody waits for it then.
        pending.catch(() => undefined);
      }
      const outcome = await waitFor(pending, options.settled?.() === true ? undefined : options.deadlineMs, signal);
      if (outcome === 'aborted') return;
      if (outcome === 'deadline') {
        // A subscription confirmed while we waited is alive: keep waiting, without a deadline now.
        if (options.settled?.() === true) continue;
        const error = options.onDeadline();
        stop();
        throw error;
      }
      pending = undefined;
      if (outcome.done) return;
      yield outcome.value;
    }
  } finally {
    stop();
  }
}
