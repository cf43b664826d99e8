import type { EventStore, KeyStore } from '@taawun/domain';
import { InMemoryReadModelStorage, sealPersonalData, type AnyProjection, type ReadModelStorage } from '@taawun/projections';
import type { Backend, Purge } from './backend.js';
import type { ReadModelOwnership } from './read-model-ownership.js';

/** Read-model storage a program uses, and how to say where it is. */
export interface OpenedStorage {
  readonly storage: ReadModelStorage;
  /** As messages say it: "stored in SQLite file /…/taawun.db", "kept in memory for this run". */
  readonly where: string;
  /** Kept beside the log by its adapter (true), or in memory for this run. */
  readonly besideLog: boolean;
  /**
   * After an erasure: rebuild the stored read models that may hold names, so
   * that they read the participant as erased (SQLite also zeroes the old bytes
   * and empties its WAL; PostgreSQL rebuilds). Nothing to do in memory.
   */
  purgeAfterErasure(): Promise<Purge>;
  /** Which server builds each read model, when several may share them (PostgreSQL); else every server builds all of them. */
  readonly ownership?: ReadModelOwnership;
  close(): Promise<void>;
}

/**
 * The backend's read models beside the log, purged through `store` (the
 * encrypting store) by rebuilding the models of `projections` (the built-in
 * and the user's), or undefined when it keeps none.
 */
export async function readModelsOf(
  backend: Backend,
  store: EventStore,
  description: string,
  projections: readonly AnyProjection[],
  keys: KeyStore | undefined,
): Promise<OpenedStorage | undefined> {
  if (!backend.openReadModelsBesideLog) return undefined;
  const beside = await backend.openReadModelsBesideLog();
  const storage = sealedWith(beside.storage, keys);
  return {
    storage,
    where: `stored in ${description}`,
    besideLog: true,
    purgeAfterErasure: () => beside.purgeAfterErasure(store, projections, storage),
    ...(beside.ownership ? { ownership: ownershipSealedWith(beside.ownership, keys) } : {}),
    close: () => beside.close(),
  };
}

/**
 * Stored read models keep personal data sealed under each participant's key
 * (when the runtime has keys): destroying a key erases every stored copy.
 */
export const sealedWith = (storage: ReadModelStorage, keys: KeyStore | undefined): ReadModelStorage => (keys ? sealPersonalData(storage, keys) : storage);

/** The ownership, whose held read models are built through the sealing storage too. */
const ownershipSealedWith = (ownership: ReadModelOwnership, keys: KeyStore | undefined): ReadModelOwnership =>
  keys === undefined
    ? ownership
    : {
        node: ownership.node,
        hold: async (name, options) => {
          const held = await ownership.hold(name, options);
          return held && { epoch: held.epoch, storage: sealPersonalData(held.storage, keys), lost: held.lost, release: () => held.release() };
        },
      };

/** Read models in memory for one run: nothing outlives it, so nothing needs purging. */
export function inMemoryStorage(): OpenedStorage {
  return {
    storage: new InMemoryReadModelStorage(),
    where: 'kept in memory for this run',
    besideLog: false,
    purgeAfterErasure: async () => ({ rebuilt: [], skipped: [], residueCleared: true }),
    close: async () => undefined,
  };
}
