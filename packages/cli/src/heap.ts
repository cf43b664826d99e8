import { nodeHeap } from '@taawun/projections';

/**
 * Memory bounded by the page, not only what is live. V8 collects its old
 * generation when it has grown to a multiple of what was live after the last
 * collection: a process that writes a long list a page at a time, or imports
 * a file line by line (each page, each line garbage once done), lets many
 * pages of garbage pile up first. At 100k events the whole participant list
 * kept under 48 MB live, yet reached 300 MB resident. Between pages (every
 * thousand lines of an import), when the heap holds more than `boundBytes`,
 * a full collection brings it back to what is live (the collector as the
 * runners reach it, `nodeHeap`); where it cannot be reached, nothing is done
 * and V8 collects as it would.
 */
/**
 * The heap held before a full collection when a whole list is written: the
 * process's own floor and a page or two. An import and a catch-up use half of
 * it: they hold the file's ids, or the runner's cache, beside the pages.
 */
export const HEAP_BOUND = 64 * 1024 * 1024;

export function heapBound(boundBytes: number = HEAP_BOUND): () => void {
  const heap = nodeHeap();
  return () => {
    if (heap && heap.usedBytes() > boundBytes) heap.collect();
  };
}
