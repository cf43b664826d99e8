import { SingleBar } from 'cli-progress';
import type { Io } from '../io.js';

/**
 * Progress of a long operation (replay, import, export, verify, the catch-up
 * before a report) on stderr: a bar with the rate and the time left when the
 * total is known, a counter and the rate when it is not. Drawn only when
 * stderr is a terminal, so a pipe or a log file never gets it;
 * `TAAWUN_PROGRESS=always` draws it anyway (one line a second), `never` never.
 */
export interface Progress {
  /** `done` so far, of `total` when known. */
  update(done: number, total?: number): void;
  /** Draw the last figures and end the line. Safe to call more than once. */
  stop(): void;
}

const silent: Progress = { update: () => undefined, stop: () => undefined };

export type ProgressSetting = 'auto' | 'always' | 'never';

/** `TAAWUN_PROGRESS`: `always` (or `1`), `never` (or `0`), else `auto` (when stderr is a terminal). */
export function progressSetting(io: Io): ProgressSetting {
  const value = io.env['TAAWUN_PROGRESS']?.toLowerCase();
  if (value === 'always' || value === '1') return 'always';
  if (value === 'never' || value === '0') return 'never';
  return 'auto';
}

export const showsProgress = (io: Io): boolean => {
  const setting = progressSetting(io);
  return setting === 'always' || (setting === 'auto' && io.stderr.isTTY === true);
};

/** A progress display for `label` counting `unit`s, or one that draws nothing (see `showsProgress`). */
export function progress(io: Io, label: string, unit = 'events'): Progress {
  if (!showsProgress(io)) return silent;
  const started = performance.now();
  let bar: SingleBar | undefined;
  let counted = false;
  const payload = (done: number) => {
    const seconds = (performance.now() - started) / 1000;
    return { rate: Math.round(seconds > 0 ? done / seconds : 0).toLocaleString('en') };
  };
  return {
    update(done, total) {
      if (!bar) {
        counted = total === undefined;
        bar = new SingleBar({
          stream: io.stderr,
          format: counted
            ? `${label} {value} ${unit} | {rate} ${unit}/s | {duration_formatted}`
            : `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {rate} ${unit}/s | ETA {eta_formatted} | {duration_formatted}`,
          barCompleteChar: '█',
          barIncompleteChar: '░',
          hideCursor: true,
          clearOnComplete: false,
          // Forced on a pipe: a line a second, not a redraw.
          noTTYOutput: true,
          notTTYSchedule: 1000,
          etaBuffer: 50,
        });
        bar.start(Math.max(1, total ?? 1), done, payload(done));
      }
      if (!counted && total !== undefined) bar.setTotal(Math.max(1, total));
      bar.update(done, payload(done));
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}

/** Run `work` with a progress display, stopped whatever happens. */
export async function withProgress<T>(io: Io, label: string, work: (progress: Progress) => Promise<T>, unit?: string): Promise<T> {
  const shown = progress(io, label, unit);
  try {
    return await work(shown);
  } finally {
    shown.stop();
  }
}
