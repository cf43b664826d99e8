/** Small measuring helpers shared by the workloads. */
import { closeSync, fsyncSync, openSync } from 'node:fs';

/**
 * Write a file's pages to the disk (before a timed workload opens it): else the first fsync of the workload
 * writes what a copy or an earlier workload left in the OS's cache (0.3 s for a 1M-event file).
 */
export function fsyncFile(path) {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Peak resident set size of this process so far, in MB. */
export const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

/** @param {number[]} values @param {number} p in [0, 100] */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Events (or commands) per second. @param {number} count @param {number} ms */
export const perSecond = (count, ms) => (ms > 0 ? Math.round((count * 1000) / ms) : 0);

/** A stopwatch that only counts the intervals it is told to (work outside them, like reading the log, is not timed). */
export class Stopwatch {
  ms = 0;
  /** @template T @param {() => Promise<T>} work @returns {Promise<T>} */
  async time(work) {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.ms += performance.now() - started;
    }
  }
  /** @template T @param {() => T} work @returns {T} */
  timeSync(work) {
    const started = performance.now();
    try {
      return work();
    } finally {
      this.ms += performance.now() - started;
    }
  }
}

/** Tell the parent how far a long workload has got (one JSON line on stdout). @param {object} progress */
export const reportProgress = (progress) => process.stdout.write(`PROGRESS ${JSON.stringify(progress)}\n`);
