/**
 * The worker thread of `sqliteDecodingReader`: reads the log's handled events
 * from the file on a read-only connection of its own, page by page as the
 * store's `readAll` does (same statement, same rows), decodes each with
 * `decodeEvent`, and posts the decoded pages, at most `ahead` pages before
 * the runner has taken them (memory stays bounded by a few pages).
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { decodeEvent, isEventStoreError, type DecodeResult } from '@taawun/domain';
import { toEventStoreError } from './errors.js';
import { PAGE_SQL, pageParameters, toStoredEvent, type EventRow } from './rows.js';
import type { DecodingWorkerInput, DecodingWorkerMessage } from './log-decoding.js';

const input = workerData as DecodingWorkerInput;
const port = parentPort!;
let credits = input.ahead;
let wake: (() => void) | undefined;
// The runner took a page: one more may be read ahead.
port.on('message', () => {
  credits++;
  wake?.();
  wake = undefined;
});
/*
 * Pages go as structured clones. Measured against JSON text (one string a page,
 * parsed by the runner) on 100,000 events: the clone costs the runner's thread
 * less (1.8 s of its CPU for the whole rebuild against 2.1 s) and the worker
 * about a second less (a page's text holds Arabic, so it is a two-byte string,
 * slow to copy or to encode as UTF-8).
 */
const post = (message: DecodingWorkerMessage) => port.postMessage(message);

async function readAndDecode(): Promise<void> {
  const database = new Database(input.file, { readonly: true, fileMustExist: true });
  try {
    database.pragma(`busy_timeout = ${input.busyTimeoutMs}`);
    database.pragma(`cache_size = ${input.cacheSize}`);
    const page = database.prepare<[ReturnType<typeof pageParameters>], EventRow>(PAGE_SQL).safeIntegers(true);
    let after = input.after ?? 0n;
    for (;;) {
      let rows: EventRow[];
      try {
        rows = page.all(pageParameters(after, input.pageSize, { types: input.types }));
      } catch (error) {
        throw toEventStoreError(error, input.file, 'reading the log');
      }
      const decoded: DecodeResult[] = [];
      let end = rows.length < input.pageSize;
      for (const row of rows) {
        if (row.position > input.to) {
          end = true;
          break;
        }
        decoded.push(decodeEvent(toStoredEvent(row, input.file)));
      }
      if (decoded.length > 0) {
        while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
        credits--;
        post({ kind: 'page', page: decoded });
      }
      if (end) break;
      after = rows.at(-1)!.position;
    }
    post({ kind: 'end' });
  } finally {
    database.close();
  }
}

readAndDecode().catch((error: unknown) => {
  const failure = error as Error;
  post({ kind: 'failed', message: failure.message, ...(isEventStoreError(error) ? { code: error.code } : {}) });
});
