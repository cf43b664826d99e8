import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** The heap as a bound sees it: what it holds now, and a full collection. */
export interface Heap {
  usedBytes(): number;
  collect(): void;
}

/** What a run may leave as garbage above what was live at its last collection, by default. */
export const HEAP_MARGIN_BYTES = 32 * 1024 * 1024;

let v8Heap: Heap | null | undefined;

/**
 * V8's own heap, its collector reached as Node allows it at run time
 * (`--expose-gc` set, then `gc` from a new context: no flag at start);
 * `undefined` where it cannot be reached.
 */
export function nodeHeap(): Heap | undefined {
  if (v8Heap === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      const gc: unknown = runInNewContext('gc');
      v8Heap = typeof gc === 'function' ? { usedBytes: () => getHeapStatistics().used_heap_size, collect: gc as () => void } : null;
    } catch {
      v8Heap = null;
    }
  }
  return v8Heap ?? undefined;
}

/**
 * Garbage kept within a margin of what is live. V8 lets its old generation grow
 * to about four times what was live after its last collection before it
 * collects again: a rebuild holds 15–25 MB live (a page, the cache, the dirty
 * documents) yet its heap reached 100–130 MB, and catch-ups running side by
 * side 200 MB (the bench, 200k events). `check()`, called between commits,
 * collects when the heap holds more than `marginBytes` above what the last
 * collection left: the margin follows what is live, so a run that holds more
 * is never collected over and over, and the collections are few (one per
 * margin of garbage, 23–42 over six models of 200k events).
 */
export class HeapBound {
  private live: number;
  /** Full collections this bound ran. */
  collections = 0;

  constructor(
    private readonly marginBytes: number = HEAP_MARGIN_BYTES,
    private readonly heap: Heap | undefined = nodeHeap(),
  ) {
    this.live = heap?.usedBytes() ?? 0;
  }

  check(): void {
    if (!this.heap || !(this.heap.usedBytes() > this.live + this.marginBytes)) return;
    this.heap.collect();
    this.collections++;
    this.live = this.heap.usedBytes();
  }
}
