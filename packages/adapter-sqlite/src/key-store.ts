import { randomBytes } from 'node:crypto';
import { EventStoreError, PARTICIPANT_KEY_BYTES, type KeyDestruction, type KeyLookup, type KeyStore } from '@taawun/domain';
import type { Database } from 'better-sqlite3';
import { MEMORY, describeFile, openConnection, type ConnectionOptions } from './connection.js';
import { toEventStoreError } from './errors.js';
import type { SqliteEventStore } from './event-store.js';
import { assertSchemaNotTooNew, migrateIfBehind, type Migration } from './schema.js';

export const KEY_STORE_COMPONENT = 'key-store';

/**
 * One row per participant. A destroyed key leaves a tombstone (key NULL,
 * destroyed_at set) so the participant is known as erased and never gets a new key.
 */
export const keyStoreMigrations: readonly Migration[] = [
  {
    version: 1,
    description: 'one key per participant, tombstones for destroyed keys',
    up: (db) =>
      db.exec(`
        CREATE TABLE participant_keys (
          participant_id TEXT PRIMARY KEY,
          key            BLOB CHECK (key IS NULL OR length(key) = ${PARTICIPANT_KEY_BYTES}),
          created_at     TEXT NOT NULL,
          destroyed_at   TEXT,
          CHECK ((key IS NULL) = (destroyed_at IS NOT NULL))
        ) STRICT;
      `),
  },
];

export interface SqliteKeyStoreOptions extends ConnectionOptions {
  /** Where new keys come from (default `crypto.randomBytes(32)`). */
  readonly randomKey?: () => Uint8Array;
  /** The clock for `created_at` / `destroyed_at` (default: the system clock). */
  readonly now?: () => Date;
}

/**
 * Open the key store: in the event store's own file and connection (pass the
 * `SqliteEventStore`: the default, one file to look after), or in a file of its
 * own (pass a path: the keys can then be kept, backed up and destroyed apart
 * from the log). Sets `secure_delete = ON` on the connection it uses.
 */
export async function openSqliteKeyStore(target: SqliteEventStore | string, options: SqliteKeyStoreOptions = {}): Promise<SqliteKeyStore> {
  if (typeof target !== 'string') {
    // In the log's file, as in a file of its own: a key table written by a newer taawun is refused, not migrated down.
    try {
      assertSchemaNotTooNew(target.database, target.file, KEY_STORE_COMPONENT, keyStoreMigrations);
    } catch (error) {
      throw toEventStoreError(error, target.file, 'opening the key store');
    }
    return prepare(target.database, target.file, false, options);
  }
  const file = describeFile(target);
  const db = openConnection(target, options, (db) => assertSchemaNotTooNew(db, file, KEY_STORE_COMPONENT, keyStoreMigrations));
  try {
    return prepare(db, file, true, options);
  } catch (error) {
    db.close();
    throw error;
  }
}

function prepare(db: Database, file: string, ownsConnection: boolean, options: SqliteKeyStoreOptions): SqliteKeyStore {
  try {
    migrateIfBehind(db, file, KEY_STORE_COMPONENT, keyStoreMigrations);
    // Deleted content is overwritten with zeros (in the table page and, once checkpointed, in the file).
    db.pragma('secure_delete = ON');
    return new SqliteKeyStore(db, file, ownsConnection, options);
  } catch (error) {
    throw toEventStoreError(error, file, 'preparing the key store table');
  }
}

/**
 * Participant keys in SQLite. Destroying a key overwrites it: the row is
 * updated to a tombstone with `secure_delete = ON` (SQLite zeroes the freed
 * bytes of the page), then `wal_checkpoint(TRUNCATE)` copies the zeroed page
 * into the database file and empties the WAL, which still held the page as it
 * was when the key was written. See the README for what this does not reach.
 */
export class SqliteKeyStore implements KeyStore {
  private readonly statements;
  private readonly destroyTransaction;
  private readonly randomKey: () => Uint8Array;
  private readonly now: () => Date;
  private closed = false;

  /** Use `openSqliteKeyStore`. */
  constructor(
    readonly database: Database,
    readonly file: string,
    private readonly ownsConnection: boolean,
    options: SqliteKeyStoreOptions = {},
  ) {
    this.randomKey = options.randomKey ?? (() => randomBytes(PARTICIPANT_KEY_BYTES));
    this.now = options.now ?? (() => new Date());
    this.statements = {
      get: database.prepare<[string], { key: Buffer | null }>('SELECT key FROM participant_keys WHERE participant_id = ?'),
      create: database.prepare<[string, Buffer, string]>(
        'INSERT INTO participant_keys (participant_id, key, created_at) VALUES (?, ?, ?) ON CONFLICT (participant_id) DO NOTHING',
      ),
      destroy: database.prepare<[string, string, string]>(
        `INSERT INTO participant_keys (participant_id, key, created_at, destroyed_at) VALUES (?, NULL, ?, ?)
         ON CONFLICT (participant_id) DO UPDATE SET key = NULL, destroyed_at = coalesce(destroyed_at, excluded.destroyed_at)`,
      ),
    };
    this.destroyTransaction = database.transaction((participantId: string, at: string): boolean => {
      const active = this.statements.get.get(participantId)?.key != null;
      this.statements.destroy.run(participantId, at, at);
      return active;
    });
  }

  async keyFor(participantId: string): Promise<Exclude<KeyLookup, { state: 'absent' }>> {
    const found = await this.lookup(participantId);
    if (found.state !== 'absent') return found;
    const key = Buffer.from(this.randomKey());
    if (key.length !== PARTICIPANT_KEY_BYTES) throw new EventStoreError('failure', `the key source gave ${key.length} bytes, not ${PARTICIPANT_KEY_BYTES}`);
    // Another connection may have made one first: theirs wins, ours is dropped.
    this.run('making a participant key', () => this.statements.create.run(participantId, key, this.now().toISOString()));
    key.fill(0);
    const made = await this.lookup(participantId);
    if (made.state === 'absent') throw new EventStoreError('failure', `${this.file}: the key of participant ${participantId} was not stored`);
    return made;
  }

  async lookup(participantId: string): Promise<KeyLookup> {
    const row = this.run('reading a participant key', () => this.statements.get.get(participantId));
    if (!row) return { state: 'absent' };
    return row.key === null ? { state: 'destroyed' } : { state: 'active', key: row.key };
  }

  async destroy(participantId: string): Promise<KeyDestruction> {
    const destroyedNow = this.run('destroying a participant key', () => this.destroyTransaction.immediate(participantId, this.now().toISOString()));
    return { destroyedNow, residueCleared: this.truncateWal() };
  }

  async isDestroyed(participantId: string): Promise<boolean> {
    return (await this.lookup(participantId)).state === 'destroyed';
  }

  /**
   * Copy every WAL frame into the file and empty the WAL. Waits (busy timeout)
   * for readers on older snapshots; false when one still holds the WAL, so old
   * frames, possibly with a destroyed key, remain until the next successful run.
   */
  truncateWal(): boolean {
    if (this.file === MEMORY) return true;
    const [result] = this.run('checkpointing the WAL', () => this.database.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number; checkpointed: number }[]);
    return result !== undefined && result.busy === 0;
  }

  /** Closes the connection only if the store opened its own; one shared with the event store is closed with it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.ownsConnection) return;
    try {
      this.database.close();
    } catch (error) {
      throw toEventStoreError(error, this.file, 'closing the key store');
    }
  }

  private run<T>(doing: string, work: () => T): T {
    if (this.closed || !this.database.open) throw new EventStoreError('closed', `${this.file}: the key store is closed`);
    try {
      return work();
    } catch (error) {
      throw toEventStoreError(error, this.file, doing);
    }
  }
}
