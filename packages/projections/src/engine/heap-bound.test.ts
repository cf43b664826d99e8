import { describe, expect, it } from 'vitest';
import { HeapBound, type Heap } from './heap-bound.js';

/** A heap as the bound sees it (V8's stand-in): what it holds, what a collection leaves. */
class CountedHeap implements Heap {
  used = 0;
  live = 0;
  collections = 0;
  usedBytes(): number {
    return this.used;
  }
  collect(): void {
    this.collections++;
    this.used = this.live;
  }
}

describe('HeapBound', () => {
  it('collects once the heap holds more than the margin above what the last collection left', () => {
    const heap = new CountedHeap();
    const bound = new HeapBound(10, heap);
    heap.used = 10;
    bound.check();
    expect(heap.collections).toBe(0);
    heap.live = 3;
    heap.used = 11;
    bound.check();
    expect(heap.collections).toBe(1);
    // From what is live now (3): 13 is within the margin, 14 is not.
    heap.used = 13;
    bound.check();
    expect(heap.collections).toBe(1);
    heap.used = 14;
    bound.check();
    expect(heap.collections).toBe(2);
  });

  it('follows what is live: a run that holds more and more is not collected at every check', () => {
    const heap = new CountedHeap();
    const bound = new HeapBound(10, heap);
    let garbage = 0;
    for (let step = 1; step <= 100; step++) {
      heap.live = step; // what the run holds grows by 1 a step, and so does its garbage until collected
      garbage++;
      heap.used = heap.live + garbage;
      const before = heap.collections;
      bound.check();
      if (heap.collections > before) garbage = 0;
    }
    // Once every 6 steps (2 a step above the last collection's 10), where a bound of 10 in all would collect at each of the last 90.
    expect(bound.collections).toBe(16);
  });

  it('does nothing without a collector', () => {
    expect(() => new HeapBound(0, undefined).check()).not.toThrow();
  });
});
