import type { EventStore } from '@taawun/domain';
import { projections as builtInProjections, rebuildModelsHoldingPersonalData, type AnyProjection, type ReadModelStorage } from '@taawun/projections';
import { toEventStoreError } from './errors.js';
import type { SqliteEventStore } from './event-store.js';
import type { SqliteReadModelStorage } from './read-model-storage.js';

export interface ReadModelPurgeOptions {
  /** The encrypting store (`encryptPersonalData`): rebuilt read models read erased participants as erased. */
  readonly store: EventStore;
  readonly storage: SqliteReadModelStorage;
  /**
   * The SQLite event store under `store`, as it holds the log (sealed): when
   * the read models are in its file on a connection of their own, they are not
   * vacuumed by default (see `vacuum`). Read models opened on the store's
   * connection are known to share its file without it.
   */
  readonly eventStore?: SqliteEventStore;
  /**
   * The projections whose stored read models may hold personal data. Default:
   * the built-in ones that handle an event type with personal fields. Add your
   * own projections (e.g. those `taawun replay` loads from a module) here.
   */
  readonly projections?: readonly AnyProjection[];
  /**
   * The storage the rebuild writes through (default `storage`): the sealing
   * storage over it (`sealPersonalData`), so rebuilt models hold other
   * participants' personal data sealed too.
   */
  readonly rebuildThrough?: ReadModelStorage;
  /**
   * Also `VACUUM` the read models' file, which rewrites it without free pages
   * or free space in pages. Needed when read models were ever deleted on a
   * connection without `secure_delete` (their old bytes are then still in the
   * file). Default: true when the read models have a file of their own (it is
   * small); false when they share the event store's file (a VACUUM would
   * rewrite the whole log, and the key store sets `secure_delete` on that
   * connection, so nothing deleted there keeps its bytes).
   */
  readonly vacuum?: boolean;
}

export interface ReadModelPurge {
  /** Read models rebuilt from the log, as it reads now. */
  readonly rebuilt: readonly string[];
  /** Read models stored in the file that no given projection builds: not purged (pass their projection). */
  readonly skipped: readonly string[];
  readonly vacuumed: boolean;
  /** False when a reader on an older snapshot kept the WAL from being emptied: old pages remain until the next run. */
  readonly residueCleared: boolean;
}

/**
 * Purge personal data from the stored read models after an erasure: rebuild
 * every read model that may hold it (a new generation from the log, in which
 * the participant reads as erased; the old one is deleted), with
 * `secure_delete = ON` so the deleted rows are overwritten with zeros, then
 * empty the WAL (`wal_checkpoint(TRUNCATE)`), which still holds the old pages.
 * Safe to repeat. A read model another process is building at the same time
 * may make this fail with `concurrent-runner` or `generation-missing`: run it
 * again.
 */
export async function purgeReadModels(options: ReadModelPurgeOptions): Promise<ReadModelPurge> {
  const { store, storage } = options;
  const db = storage.database;
  const sharesEventFile = storage.sharesConnection || options.eventStore?.file === storage.file;
  const vacuum = options.vacuum ?? !sharesEventFile;

  const sql = <T>(doing: string, work: () => T): T => {
    try {
      return work();
    } catch (error) {
      throw toEventStoreError(error, storage.file, doing);
    }
  };
  sql('turning on secure_delete', () => db.pragma('secure_delete = ON'));
  const stored = sql('listing the stored read models', () =>
    (db.prepare('SELECT DISTINCT name FROM read_model_generations ORDER BY name').all() as { name: string }[]).map((r) => r.name),
  );
  const projections = options.projections ?? Object.values(builtInProjections);
  const rebuilt = await rebuildModelsHoldingPersonalData(store, options.rebuildThrough ?? storage, projections);
  const known = new Set(projections.map((p) => p.name));
  if (vacuum) sql('vacuuming the read models\' file', () => db.exec('VACUUM'));
  const [checkpoint] = sql('checkpointing the WAL', () => db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[]);
  return { rebuilt, skipped: stored.filter((name) => !known.has(name)), vacuumed: vacuum, residueCleared: checkpoint === undefined || checkpoint.busy === 0 };
}

/** `purgeReadModels` as the `onErased` hook of `eraseParticipant` (and of the CLI and HTTP erasure). */
export const purgeReadModelsOnErasure =
  (options: ReadModelPurgeOptions) =>
  async (_participantId: string): Promise<void> => {
    const purge = await purgeReadModels(options);
    if (!purge.residueCleared) {
      throw new Error(`${options.storage.file}: the read models were rebuilt, but another process was reading, so old pages remain in the WAL; run the erasure again when it is idle`);
    }
  };
