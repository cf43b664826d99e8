import { Worker } from 'node:worker_threads';
import { EventStoreError, type DecodeResult, type EventStoreErrorCode } from '@taawun/domain';
import { decodingInProcess, type DecodedLogRequest, type DecodingLogReader } from '@taawun/projections';
import type { SqliteEventStore } from './event-store.js';

/** What the worker is started with. */
export interface DecodingWorkerInput extends Omit<DecodedLogRequest, 'after'> {
  readonly file: string;
  readonly after: bigint | undefined;
  /** Pages read ahead of the runner at most. */
  readonly ahead: number;
  readonly busyTimeoutMs: number;
  /** The store connection's page cache (`PRAGMA cache_size`), for the worker's. */
  readonly cacheSize: number;
}

/** What the worker posts: a decoded page, the end of the read, or why it failed. */
export type DecodingWorkerMessage =
  | { readonly kind: 'page'; readonly page: readonly DecodeResult[] }
  | { readonly kind: 'end' }
  | { readonly kind: 'failed'; readonly message: string; readonly code?: EventStoreErrorCode };

export interface SqliteDecodingReaderOptions {
  /**
   * Runs spanning fewer log positions than this read on the runner's thread
   * (starting a worker and loading the domain in it costs about a tenth of a
   * second). Default 20,000.
   */
  readonly minEvents?: number;
  /** Pages the worker reads ahead of the runner at most (default 4). */
  readonly ahead?: number;
}

/*
 * Sources run by vitest are TypeScript, which a worker thread cannot load: the
 * worker is always the built one (`npx tsc -b` first, as for the CLI's tests).
 */
const workerFile = new URL(import.meta.url.endsWith('.ts') ? '../dist/log-decoding-worker.js' : './log-decoding-worker.js', import.meta.url);
/**
 * The thread's flags without the export condition that loads the packages'
 * TypeScript sources (vitest sets it): the worker runs built code. `undefined`
 * (the worker inherits the flags as they are) when it is not set: a worker
 * refuses some process-wide flags given explicitly, `--max-old-space-size` among them.
 */
function workerFlags(flags: readonly string[]): string[] | undefined {
  const kept = flags.filter((flag, i) => flag !== '--conditions=@taawun/source' && !(flag === '--conditions' && flags[i + 1] === '@taawun/source') && !(flag === '@taawun/source' && flags[i - 1] === '--conditions'));
  return kept.length === flags.length ? undefined : kept;
}

/**
 * Read and decode the log of a SQLite event store in a worker thread while the
 * runner folds and writes on its own: the second core takes the `SELECT`,
 * `JSON.parse` and the schemas (`decodeEvent`), about half of a rebuild's work.
 * The worker reads the file on a read-only connection of its own, with the
 * store's statement, so the runner gets exactly the pages `store.readAll` and
 * `decodeEvent` give it on its own thread (a test holds them equal). Give it
 * the store that holds the log as the runner reads it: not under an
 * `EncryptingEventStore`, whose unsealing happens on the runner's thread.
 * A store in memory, and short runs, are read on the runner's thread.
 */
export function sqliteDecodingReader(store: SqliteEventStore, options: SqliteDecodingReaderOptions = {}): DecodingLogReader {
  const inProcess = decodingInProcess(store);
  const minEvents = options.minEvents ?? 20_000;
  return {
    read(request) {
      const span = Number(request.to - (request.after ?? 0n));
      if (store.database.memory || span < minEvents) return inProcess.read(request);
      return inWorker(store, request, Math.max(1, options.ahead ?? 4));
    },
  };
}

async function* inWorker(store: SqliteEventStore, request: DecodedLogRequest, ahead: number): AsyncGenerator<readonly DecodeResult[]> {
  const input: DecodingWorkerInput = { ...request, file: store.file, ahead, busyTimeoutMs: Number(store.database.pragma('busy_timeout', { simple: true })),
    cacheSize: Number(store.database.pragma('cache_size', { simple: true })),
  };
  const execArgv = workerFlags(process.execArgv);
  const worker = new Worker(workerFile, { workerData: input, ...(execArgv ? { execArgv } : {}) });
  const received: DecodingWorkerMessage[] = [];
  let wake: (() => void) | undefined;
  let exited: Error | undefined;
  const arrived = () => {
    wake?.();
    wake = undefined;
  };
  worker.on('message', (message: DecodingWorkerMessage) => {
    received.push(message);
    arrived();
  });
  worker.on('error', (error) => {
    exited ??= error;
    arrived();
  });
  worker.on('exit', (code) => {
    exited ??= new Error(`the log's decoding worker stopped (exit code ${code}) before the end of the read`);
    arrived();
  });
  try {
    for (;;) {
      const message = received.shift();
      if (!message) {
        if (exited) throw exited;
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      if (message.kind === 'end') return;
      if (message.kind === 'failed') throw message.code ? new EventStoreError(message.code, message.message) : new Error(message.message);
      worker.postMessage('taken');
      yield message.page;
    }
  } finally {
    await worker.terminate();
  }
}
