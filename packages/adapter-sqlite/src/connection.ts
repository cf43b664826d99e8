import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { EventStoreError } from '@taawun/domain';
import Database from 'better-sqlite3';
import { retryingImmediateBusy, toEventStoreError } from './errors.js';

export interface ConnectionOptions {
  /** How long a write waits for another process's write lock before failing with `unavailable`. Default 5000 ms. */
  readonly busyTimeoutMs?: number;
  /**
   * What to check when opening: `quick` (default) runs `PRAGMA quick_check` so a
   * damaged file is refused before anything is written; `full` runs
   * `integrity_check` (slower: also checks indexes); `none` skips it.
   */
  readonly integrityCheck?: 'quick' | 'full' | 'none';
}

export const MEMORY = ':memory:';

/** The absolute file name used in every message (`:memory:` stays as it is). */
export const describeFile = (path: string): string => (path === MEMORY ? MEMORY : resolve(path));

/**
 * Open the file, refuse a damaged one, and set the pragmas durability depends on.
 * They are per connection, so they are set on every open: better-sqlite3 is built
 * with `SQLITE_DEFAULT_WAL_SYNCHRONOUS=1`, which would otherwise reopen a WAL file
 * at `synchronous=NORMAL` (a power loss could drop the last acknowledged commits).
 * `beforeWrites` runs after the read-only checks and before the first pragma that
 * may write to the file (`journal_mode=WAL`), so a refused file is left untouched.
 */
export function openConnection(path: string, options: ConnectionOptions, beforeWrites: (db: Database.Database) => void): Database.Database {
  const file = describeFile(path);
  if (path !== MEMORY) {
    try {
      mkdirSync(dirname(file), { recursive: true });
    } catch (cause) {
      throw new EventStoreError('unavailable', `${file}: cannot create the folder ${dirname(file)} (${(cause as Error).message})`, { cause });
    }
  }
  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (error) {
    throw toEventStoreError(error, file, 'opening the event store');
  }
  try {
    const busyTimeoutMs = Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000));
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    retryingImmediateBusy(busyTimeoutMs, () => {
      checkIntegrity(db, file, options.integrityCheck ?? 'quick');
      beforeWrites(db);
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal' && path !== MEMORY) {
        throw new EventStoreError('failure', `${file}: SQLite refused write-ahead logging (journal mode stays "${String(mode)}"); is the file on a network share?`);
      }
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
    });
    return db;
  } catch (error) {
    db.close();
    throw toEventStoreError(error, file, 'opening the event store');
  }
}

function checkIntegrity(db: Database.Database, file: string, level: 'quick' | 'full' | 'none'): void {
  // Reading the first page is what detects a file that is not a database at all.
  db.prepare('SELECT count(*) FROM sqlite_schema').get();
  if (level === 'none') return;
  const problems = db.pragma(level === 'quick' ? 'quick_check(5)' : 'integrity_check(5)', { simple: false }) as Record<string, string>[];
  const messages = problems.map((row) => Object.values(row)[0]).filter((m) => m !== 'ok');
  if (messages.length > 0) {
    throw new EventStoreError('corrupt', `${file}: the database file is corrupted (${messages.join('; ')}); restore it from a backup`);
  }
}
