import { EventStoreError, isEventStoreError, type EventStoreErrorCode } from '@taawun/domain';

/** The error better-sqlite3 throws: `code` is SQLite's extended result code name (`SQLITE_BUSY`, `SQLITE_FULL`, ...). */
export const sqliteCodeOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
};

/** How many times a busy error SQLite reported without waiting is tried again. */
export const BUSY_RETRIES = 5;

/**
 * Whether `error` is a busy error worth another try: SQLite reported it without
 * waiting out the busy timeout (a WAL being recovered after a crash, two
 * connections switching a new file to WAL at once). One that waited is final.
 */
export const isImmediateBusy = (error: unknown, waitedMs: number, busyTimeoutMs: number): boolean =>
  (sqliteCodeOf(error)?.startsWith('SQLITE_BUSY') ?? false) && waitedMs < busyTimeoutMs / 2;

/** The pause before the attempt after `attempt`: growing, with jitter so two processes do not retry in step. */
export const busyRetryPauseMs = (attempt: number): number => 10 * attempt + Math.random() * 20;

/**
 * Run synchronous work that only reads or sets idempotent pragmas, again when
 * SQLite reports busy without waiting: two processes opening a new file at once
 * both switch it to WAL, and the one that loses that race is told busy at once.
 * Opening is synchronous, so the pause blocks the thread (milliseconds, rarely).
 */
export function retryingImmediateBusy<T>(busyTimeoutMs: number, work: () => T): T {
  for (let attempt = 1; ; attempt++) {
    const started = performance.now();
    try {
      return work();
    } catch (error) {
      if (!isImmediateBusy(error, performance.now() - started, busyTimeoutMs) || attempt >= BUSY_RETRIES) throw error;
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, busyRetryPauseMs(attempt));
  }
}

const classify = (sqliteCode: string): { code: EventStoreErrorCode; problem: string } => {
  if (sqliteCode === 'SQLITE_FULL') return { code: 'storage-full', problem: 'the disk is full (or the database reached its size limit)' };
  if (sqliteCode === 'SQLITE_NOTADB') return { code: 'corrupt', problem: 'the file is not a SQLite database' };
  if (sqliteCode.startsWith('SQLITE_CORRUPT')) return { code: 'corrupt', problem: 'the database file is corrupted' };
  if (sqliteCode.startsWith('SQLITE_BUSY') || sqliteCode.startsWith('SQLITE_LOCKED')) {
    return { code: 'unavailable', problem: 'the database is locked by another connection for longer than the busy timeout' };
  }
  if (sqliteCode.startsWith('SQLITE_CANTOPEN')) return { code: 'unavailable', problem: 'the file cannot be opened (missing folder or no permission)' };
  if (sqliteCode.startsWith('SQLITE_READONLY') || sqliteCode.startsWith('SQLITE_PERM') || sqliteCode.startsWith('SQLITE_AUTH')) {
    return { code: 'unavailable', problem: 'the file cannot be written (read-only file, folder or medium)' };
  }
  if (sqliteCode === 'SQLITE_TOOBIG') return { code: 'too-large', problem: 'a value is larger than SQLite accepts' };
  if (sqliteCode.startsWith('SQLITE_IOERR')) return { code: 'failure', problem: `an input/output error occurred (${sqliteCode})` };
  return { code: 'failure', problem: `SQLite reported ${sqliteCode}` };
};

/**
 * Turn whatever a database call threw into an `EventStoreError` naming the file,
 * what was being done and the problem. `EventStoreError`s pass through unchanged;
 * the original error stays reachable as `cause`, never in the message.
 */
export function toEventStoreError(error: unknown, file: string, doing: string, consequence?: string): EventStoreError {
  if (isEventStoreError(error)) return error as EventStoreError;
  const sqliteCode = sqliteCodeOf(error);
  const detail = error instanceof Error ? error.message : String(error);
  const { code, problem } = sqliteCode ? classify(sqliteCode) : { code: 'failure' as const, problem: 'an unexpected error occurred' };
  const message = `${file}: ${problem}; ${doing} failed${consequence ? `, ${consequence}` : ''} (${sqliteCode ? 'SQLite: ' : ''}${detail})`;
  return new EventStoreError(code, message, { cause: error });
}

/** Run `work`, translating anything it throws with `toEventStoreError`. */
export function translating<T>(file: string, doing: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw toEventStoreError(error, file, doing);
  }
}
