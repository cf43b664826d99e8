import { accessSync, constants, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { parseStoreUrl, type StoreLocation } from './store-url.js';

/** A store to read from a private copy: its URLs, and the removal of the copy. */
export interface PrivateCopy {
  /** The copy's store URL (`sqlite:/tmp/…/log.db`). */
  readonly store: string;
  /** The copy of a separate key file (`sqlite:/tmp/…/keys.db`), when one was given. */
  readonly keys?: string;
  readonly remove: () => void;
}

/**
 * Whether a SQLite file cannot be opened in place without writing where it
 * must not: a file without write permission bits (an auditor's copy, even for
 * root, who could write it), or one the process may not write, or a folder it
 * may not write (SQLite makes `-wal` and `-shm` beside a WAL database).
 */
function mustNotWriteInPlace(file: string): boolean {
  if ((statSync(file).mode & 0o222) === 0) return true;
  try {
    accessSync(file, constants.W_OK);
    accessSync(dirname(file), constants.W_OK);
    return false;
  } catch {
    return true;
  }
}

/** The file and its `-wal` (taken again if a writer changed the WAL meanwhile), as `name` in `folder`. */
function copyWithWal(file: string, folder: string, name: string): string {
  const copy = join(folder, name);
  const wal = () => (existsSync(`${file}-wal`) ? readFileSync(`${file}-wal`) : Buffer.alloc(0));
  for (let attempt = 1; ; attempt++) {
    const before = wal();
    copyFileSync(file, copy);
    const after = wal();
    if (before.equals(after) || attempt >= 5) {
      if (after.length > 0) writeFileSync(`${copy}-wal`, after);
      return copy;
    }
  }
}

const sqliteFile = (location: StoreLocation): string | undefined =>
  location.kind === 'sqlite' && location.file !== ':memory:' && existsSync(location.file) ? location.file : undefined;

/**
 * For commands that only read (`partners`, `report`…): when the SQLite log, or
 * its separate key file, may not be written in place, a private copy of both
 * in a temporary folder, so that the read models are caught up there and no
 * byte, `-wal` or `-shm` is added where the log lies. Undefined when the log
 * can be opened in place (or is not a SQLite file): then it is.
 */
export function privateCopyForReading(storeUrl: string, keysUrl: string | undefined, cwd: string): PrivateCopy | undefined {
  const log = sqliteFile(parseStoreUrl(storeUrl, cwd));
  if (log === undefined) return undefined;
  const keys = keysUrl?.startsWith('sqlite:') ? sqliteFile(parseStoreUrl(keysUrl, cwd)) : undefined;
  if (!mustNotWriteInPlace(log) && (keys === undefined || !mustNotWriteInPlace(keys))) return undefined;
  const folder = mkdtempSync(join(tmpdir(), 'taawun-read-'));
  try {
    const store = `sqlite:${copyWithWal(log, folder, basename(log))}`;
    const keysCopy = keys === undefined ? undefined : `sqlite:${copyWithWal(keys, folder, `keys-${basename(keys)}`)}`;
    return { store, ...(keysCopy === undefined ? {} : { keys: keysCopy }), remove: () => rmSync(folder, { recursive: true, force: true }) };
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
}
