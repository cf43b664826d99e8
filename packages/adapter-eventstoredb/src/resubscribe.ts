import { EventStoreError, isEventStoreError, type StoredEvent } from '@taawun/domain';

export interface ResubscribePolicy {
  /** Consecutive failed subscriptions before `follow` gives up and throws the last error. */
  readonly maxAttempts: number;
  /** First pause before resubscribing; doubles on every further failure. */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** A subscription that stayed up this long counts as healthy: the failure count starts again. */
  readonly healthyAfterMs: number;
  /** Told about every resubscription (for logs). */
  readonly onRetry?: (retry: RetryInfo) => void;
}

export interface RetryInfo {
  readonly attempt: number;
  readonly delayMs: number;
  /** The checkpoint the next subscription starts after (the last event delivered). */
  readonly after: bigint | undefined;
  readonly error: EventStoreError;
}

export const DEFAULT_RESUBSCRIBE: ResubscribePolicy = { maxAttempts: 10, initialDelayMs: 200, maxDelayMs: 5_000, healthyAfterMs: 30_000 };

/** Only a lost connection is worth another subscription; anything else (access denied, a corrupt event) is final. */
export const isTransient = (error: unknown): error is EventStoreError => isEventStoreError(error) && error.code === 'unavailable';

const pause = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * Follow through a chain of subscriptions: when one drops (the connection is
 * lost, a node fails over, the server ends it), subscribe again after the last
 * event delivered, pausing longer after each consecutive failure. Events at or
 * before that checkpoint are never delivered twice, whatever the server resends.
 */
export async function* resubscribing(
  subscribe: (after: bigint | undefined) => AsyncIterable<StoredEvent>,
  options: { readonly after?: bigint; readonly signal: AbortSignal; readonly policy: ResubscribePolicy; readonly describe: string },
): AsyncGenerator<StoredEvent> {
  const { signal, policy } = options;
  let after = options.after;
  let failures = 0;
  while (!signal.aborted) {
    const startedAt = Date.now();
    let error: EventStoreError;
    try {
      for await (const event of subscribe(after)) {
        if (after !== undefined && event.position <= after) continue;
        failures = 0;
        after = event.position;
        yield event;
      }
      if (signal.aborted) return;
      error = new EventStoreError('unavailable', `${options.describe}: the server ended the subscription`);
    } catch (thrown) {
      if (signal.aborted) return;
      if (!isTransient(thrown)) throw thrown;
      error = thrown;
    }
    if (Date.now() - startedAt >= policy.healthyAfterMs) failures = 0;
    failures++;
    if (failures > policy.maxAttempts) {
      throw new EventStoreError('unavailable', `${error.message} (following stopped after ${policy.maxAttempts} attempt${policy.maxAttempts === 1 ? '' : 's'} to subscribe again)`, { cause: error });
    }
    const delayMs = Math.min(policy.initialDelayMs * 2 ** (failures - 1), policy.maxDelayMs);
    policy.onRetry?.({ attempt: failures, delayMs, after, error });
    await pause(delayMs, signal);
  }
}
