import { isProjectionError, ProjectionError } from './errors.js';
import type { GenerationInfo } from './storage.js';

/*
 * What the durable read-model storages (SQLite, PostgreSQL) share: the columns of
 * a generation's row and how one becomes a GenerationInfo, the bound of a key
 * prefix, the wording of their errors, and the guard every call goes through
 * (refused once closed; a driver's error becomes `storage-failure`).
 */

/** The columns of a generation's row, as both storages name them. */
export const GENERATION_COLUMNS = 'name, generation, version, status, position, events_applied, updated_at';

/** A generation's row as a driver returns it (integers as numbers, bigints or text). */
export interface GenerationRow {
  readonly name: string;
  readonly generation: number | bigint;
  readonly version: number | bigint;
  readonly status: 'building' | 'active';
  readonly position: string | number | bigint | null;
  readonly events_applied: string | number | bigint;
  readonly updated_at: string;
}

export const generationInfo = (row: GenerationRow): GenerationInfo => ({
  name: row.name,
  generation: Number(row.generation),
  version: Number(row.version),
  status: row.status,
  position: row.position === null ? undefined : BigInt(row.position),
  eventsApplied: Number(row.events_applied),
  updatedAt: row.updated_at,
});

/**
 * The smallest string above every string that starts with `prefix`, in binary
 * order (bytes of UTF-8, which is code-point order): the prefix with its last
 * character stepped up. Undefined when there is no simple bound (empty, or a surrogate).
 */
export function prefixEnd(prefix: string): string | undefined {
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.length > 0 && last < 0xd7ff ? prefix.slice(0, -1) + String.fromCharCode(last + 1) : undefined;
}

/** A generation that is not (or no longer) there. */
export const generationMissing = (where: string, name: string, generation: number, why = 'it does not exist') =>
  new ProjectionError('generation-missing', `${where}: read model ${name} has no generation ${generation} (${why})`);

/** The compare-and-set of a commit found another checkpoint than the one the change was computed from. */
export const concurrentRunner = (where: string, name: string, generation: number, stored: unknown, expected: bigint | undefined) =>
  new ProjectionError('concurrent-runner', `${where}: read model ${name} generation ${generation} is at position ${String(stored)}, not ${String(expected)}; another runner wrote first`);

/** What each call of the port is doing, as error messages say it. */
export const callDescriptions = {
  generations: (name: string) => `listing the generations of read model ${name}`,
  create: (name: string) => `creating a generation of read model ${name}`,
  commit: (name: string, position: bigint) => `committing read model ${name} at position ${position}`,
  activate: (name: string, generation: number) => `activating generation ${generation} of read model ${name}`,
  drop: (name: string, generation: number) => `dropping generation ${generation} of read model ${name}`,
  documents: (name: string) => `reading documents of read model ${name}`,
  listDocuments: (name: string) => `listing documents of read model ${name}`,
  listKeys: (name: string) => `listing the keys of read model ${name}`,
  countKeys: (name: string) => `counting the keys of read model ${name}`,
  readIndex: (name: string, index: string) => `reading index ${index} of read model ${name}`,
  countIndex: (name: string, index: string) => `counting index ${index} of read model ${name}`,
  listIndex: (name: string) => `listing the index of read model ${name}`,
} as const;

/**
 * The guard of a storage's calls: once closed, every call is refused; an error
 * that is not already a ProjectionError (a driver's) becomes `storage-failure`,
 * with the storage's own one-line wording (`describe`) and the error as `cause`.
 */
export class StorageGuard {
  private closed = false;

  constructor(
    /** The storage, as messages name it: a file, a server and schema. */
    private readonly where: () => string,
    /** The driver error as one line naming the storage and what was being done. */
    private readonly describe: (error: unknown, doing: string) => string,
  ) {}

  /** A synchronous call (better-sqlite3). */
  run<T>(doing: string, work: () => T): T {
    this.refuseWhenClosed(doing);
    try {
      return work();
    } catch (error) {
      throw this.failure(error, doing);
    }
  }

  /** An asynchronous call (pg). */
  async runAsync<T>(doing: string, work: () => Promise<T>): Promise<T> {
    this.refuseWhenClosed(doing);
    try {
      return await work();
    } catch (error) {
      throw this.failure(error, doing);
    }
  }

  /** Close once: `release` runs on the first call only (guarded like a call); every later call is refused. */
  async close(release: () => void | Promise<void>): Promise<void> {
    if (this.closed) return;
    await this.runAsync('closing the read-model storage', async () => release());
    this.closed = true;
  }

  private refuseWhenClosed(doing: string): void {
    if (this.closed) throw new ProjectionError('storage-failure', `${this.where()}: the read-model storage is closed; ${doing} failed`);
  }

  private failure(error: unknown, doing: string): Error {
    return isProjectionError(error) ? error : new ProjectionError('storage-failure', this.describe(error, doing), { cause: error });
  }
}
