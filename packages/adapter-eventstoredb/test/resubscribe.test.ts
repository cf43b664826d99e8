import { describe, expect, it } from 'vitest';
import { EventStoreError, type StoredEvent } from '@taawun/domain';
import { newTestEvent } from '@taawun/domain/testing';
import { resubscribing, type ResubscribePolicy, type RetryInfo } from '../src/index.js';

/**
 * The resubscription loop on its own. Each "subscription" here is a scripted
 * sequence of positions ending in a drop; the loop decides where the next one
 * starts, what it delivers, and when it gives up.
 */
const at = (position: bigint): StoredEvent => ({ ...newTestEvent(), stream: 's', revision: Number(position), position });
const drop = () => new EventStoreError('unavailable', 'EventStoreDB at test:2113 is unavailable: connection reset');

type Script = { readonly events: readonly bigint[]; readonly then: 'drop' | 'end' | Error | 'hold' };
function scripted(scripts: Script[], signal?: AbortSignal) {
  const starts: (bigint | undefined)[] = [];
  const subscribe = async function* (after: bigint | undefined) {
    starts.push(after);
    const script = scripts.shift() ?? { events: [], then: 'drop' };
    for (const position of script.events) yield at(position);
    if (script.then === 'drop') throw drop();
    if (script.then instanceof Error) throw script.then;
    if (script.then === 'hold') await new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
  };
  return { starts, subscribe };
}

const policy = (overrides: Partial<ResubscribePolicy> = {}): ResubscribePolicy => ({ maxAttempts: 5, initialDelayMs: 1, maxDelayMs: 8, healthyAfterMs: 60_000, ...overrides });

async function collect(iterable: AsyncIterable<StoredEvent>, limit = Number.POSITIVE_INFINITY) {
  const positions: bigint[] = [];
  for await (const e of iterable) {
    positions.push(e.position);
    if (positions.length >= limit) break;
  }
  return positions;
}

describe('following through dropped subscriptions', () => {
  it('subscribes again after the last event delivered, and never delivers one twice', async () => {
    const controller = new AbortController();
    const { starts, subscribe } = scripted(
      [
        { events: [11n, 12n, 13n], then: 'drop' },
        // The server may resend what came just before the checkpoint: it is skipped.
        { events: [12n, 13n, 14n, 15n], then: 'drop' },
        { events: [], then: 'drop' },
        { events: [16n], then: 'hold' },
      ],
      controller.signal,
    );
    const positions = await collect(resubscribing(subscribe, { after: 10n, signal: controller.signal, policy: policy(), describe: 'test' }), 6);
    controller.abort();
    expect(positions).toEqual([11n, 12n, 13n, 14n, 15n, 16n]);
    expect(starts).toEqual([10n, 13n, 15n, 15n]);
  });

  it('pauses longer after each consecutive failure, reports each retry, and gives up with unavailable', async () => {
    const retries: RetryInfo[] = [];
    const { starts, subscribe } = scripted([{ events: [1n], then: 'drop' }]);
    const error = await collect(
      resubscribing(subscribe, { signal: new AbortController().signal, policy: policy({ maxAttempts: 4, onRetry: (r) => retries.push(r) }), describe: 'test' }),
    ).catch((e: unknown) => e);
    expect(retries.map((r) => [r.attempt, r.delayMs, r.after])).toEqual([
      [1, 1, 1n],
      [2, 2, 1n],
      [3, 4, 1n],
      [4, 8, 1n],
    ]);
    expect(starts).toEqual([undefined, 1n, 1n, 1n, 1n]);
    expect(error).toBeInstanceOf(EventStoreError);
    expect((error as EventStoreError).code).toBe('unavailable');
    expect((error as EventStoreError).message).toBe('EventStoreDB at test:2113 is unavailable: connection reset (following stopped after 4 attempts to subscribe again)');
  });

  it('starts counting again after a subscription delivers', async () => {
    const retries: RetryInfo[] = [];
    const { subscribe } = scripted([
      { events: [], then: 'drop' },
      { events: [], then: 'drop' },
      { events: [5n], then: 'drop' },
      { events: [], then: 'drop' },
    ]);
    await collect(resubscribing(subscribe, { signal: new AbortController().signal, policy: policy({ maxAttempts: 2, onRetry: (r) => retries.push(r) }), describe: 'test' })).catch(() => undefined);
    expect(retries.map((r) => r.attempt)).toEqual([1, 2, 1, 2]);
  });

  it('treats a subscription the server ends as a drop', async () => {
    const retries: RetryInfo[] = [];
    const { subscribe } = scripted([{ events: [3n], then: 'end' }, { events: [], then: 'end' }]);
    const error = await collect(resubscribing(subscribe, { signal: new AbortController().signal, policy: policy({ maxAttempts: 1, onRetry: (r) => retries.push(r) }), describe: 'EventStoreDB at x:1: following $all' })).catch((e: unknown) => e);
    expect((error as Error).message).toBe('EventStoreDB at x:1: following $all: the server ended the subscription (following stopped after 1 attempt to subscribe again)');
    expect(retries).toHaveLength(1);
  });

  it('does not retry what retrying cannot fix', async () => {
    const corrupt = new EventStoreError('corrupt', 'not one of ours');
    const { starts, subscribe } = scripted([{ events: [1n], then: corrupt }]);
    const error = await collect(resubscribing(subscribe, { signal: new AbortController().signal, policy: policy(), describe: 'test' })).catch((e: unknown) => e);
    expect(error).toBe(corrupt);
    expect(starts).toHaveLength(1);
  });

  it('stops at once when aborted during a pause', async () => {
    const controller = new AbortController();
    const { subscribe } = scripted([{ events: [], then: 'drop' }]);
    setTimeout(() => controller.abort(), 30);
    const started = performance.now();
    expect(await collect(resubscribing(subscribe, { signal: controller.signal, policy: policy({ initialDelayMs: 60_000, maxDelayMs: 60_000 }), describe: 'test' }))).toEqual([]);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
