import type { StoredEvent } from './envelope.js';
import type { FollowOptions, ReadAllOptions } from './port.js';

/**
 * Catch up, then wait for more: the shared loop behind every store's `follow`.
 * `waitForChange` resolves when the store may have new events (a notification,
 * or a poll interval elapsing); a missed wake-up only delays, never loses, events
 * because each round reads from the last position covered.
 *
 * `committedHead`, for stores whose positions are assigned in commit order (every
 * position up to the head is committed): each round also covers the events a
 * filter skipped, up to the head read before the round, so a follower of a rare
 * type does not rescan everything since its last match on every wake-up.
 */
export async function* followLog(
  readAll: (options: ReadAllOptions) => AsyncIterable<StoredEvent>,
  waitForChange: (signal: AbortSignal | undefined) => Promise<void>,
  options: FollowOptions = {},
  committedHead?: () => Promise<bigint | undefined>,
): AsyncGenerator<StoredEvent> {
  let after = options.after;
  const signal = options.signal;
  while (!signal?.aborted) {
    const head = options.filter && committedHead ? await committedHead() : undefined;
    for await (const event of readAll({ ...(after === undefined ? {} : { after }), ...(options.filter ? { filter: options.filter } : {}) })) {
      if (signal?.aborted) return;
      after = event.position;
      yield event;
    }
    if (head !== undefined && (after === undefined || head > after)) after = head;
    await waitForChange(signal);
  }
}

/** A wake-up signal for in-process writers: `notify()` releases everyone waiting. */
export class ChangeNotifier {
  private waiters = new Set<() => void>();

  notify(): void {
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiting) wake();
  }

  /** Resolves on the next notify, on abort, or after `timeoutMs` (a safety net for missed notifications). */
  wait(signal: AbortSignal | undefined, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal?.addEventListener('abort', done, { once: true });
      this.waiters.add(done);
    });
  }
}
