import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { guarded } from '../src/index.js';

/** Real Node streams in object mode, standing where the client's read and subscription streams stand. */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const tracked = () => {
  const calls = { cancel: 0 };
  return { calls, cancel: async () => void calls.cancel++ };
};

describe('guarded iteration of a client stream', () => {
  it('yields every item in order and ends with the stream', async () => {
    const { calls, cancel } = tracked();
    const got: number[] = [];
    for await (const n of guarded<number>(Readable.from([1, 2, 3]), { deadlineMs: 1_000, onDeadline: () => new Error('late'), cancel })) got.push(n);
    expect(got).toEqual([1, 2, 3]);
    expect(calls.cancel).toBe(1);
  });

  it('fails with the deadline error when the server stays silent, cancelling the call and destroying the stream', async () => {
    const { calls, cancel } = tracked();
    const source = new PassThrough({ objectMode: true });
    const started = performance.now();
    const error = await (async () => {
      for await (const _ of guarded(source, { deadlineMs: 150, onDeadline: () => new Error('silent for 150 ms'), cancel })) {
        /* nothing */
      }
    })().catch((e: unknown) => e);
    expect((error as Error).message).toBe('silent for 150 ms');
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(calls.cancel).toBe(1);
    expect(source.destroyed).toBe(true);
  });

  it("counts only the server's silence: a slow consumer is not a late server", async () => {
    const source = new PassThrough({ objectMode: true });
    source.write(1);
    source.write(2);
    source.end();
    const got: number[] = [];
    for await (const n of guarded<number>(source, { deadlineMs: 50, onDeadline: () => new Error('late'), cancel: async () => undefined })) {
      await sleep(200);
      got.push(n);
    }
    expect(got).toEqual([1, 2]);
  });

  it('drops the deadline once settled (a confirmed subscription may be quiet for hours) without losing an item', async () => {
    const source = new PassThrough({ objectMode: true });
    let confirmed = false;
    setTimeout(() => (confirmed = true), 20);
    setTimeout(() => source.write('late but fine'), 250);
    setTimeout(() => source.end(), 300);
    const got: string[] = [];
    for await (const s of guarded<string>(source, { deadlineMs: 100, settled: () => confirmed, onDeadline: () => new Error('late'), cancel: async () => undefined })) got.push(s);
    expect(got).toEqual(['late but fine']);
  });

  it('ends quietly when aborted while waiting, and cancels the call', async () => {
    const { calls, cancel } = tracked();
    const controller = new AbortController();
    const source = new PassThrough({ objectMode: true });
    setTimeout(() => controller.abort(), 50);
    const got: unknown[] = [];
    for await (const item of guarded(source, { deadlineMs: 10_000, signal: controller.signal, onDeadline: () => new Error('late'), cancel })) got.push(item);
    expect(got).toEqual([]);
    expect(calls.cancel).toBe(1);
  });

  it('passes stream errors through', async () => {
    const source = new PassThrough({ objectMode: true });
    setTimeout(() => source.destroy(new Error('connection reset')), 20);
    const error = await (async () => {
      for await (const _ of guarded(source, { deadlineMs: 1_000, onDeadline: () => new Error('late'), cancel: async () => undefined })) {
        /* nothing */
      }
    })().catch((e: unknown) => e);
    expect((error as Error).message).toBe('connection reset');
  });

  it('cancels the call when the consumer stops early', async () => {
    const { calls, cancel } = tracked();
    const source = new PassThrough({ objectMode: true });
    source.write('a');
    source.write('b');
    for await (const _ of guarded(source, { deadlineMs: 1_000, onDeadline: () => new Error('late'), cancel })) break;
    expect(calls.cancel).toBe(1);
    expect(source.destroyed).toBe(true);
  });
});
