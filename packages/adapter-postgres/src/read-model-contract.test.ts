import type { ReadModelStorage } from '@taawun/projections';
import { readModelStorageContract } from '@taawun/projections/testing';
import { afterAll } from 'vitest';
import { openPostgresEventStore, type PostgresEventStore } from './event-store.js';
import { openPostgresReadModelStorage, type PostgresReadModelStorage } from './read-model-storage.js';
import { TEST_DATABASE_URL, schemaPool } from './test-support/database.js';

const schemas = schemaPool('rm_contract');
afterAll(() => schemas.dropAll());

// Beside the log: the event store's pool and schema (what the CLI and the server use).
const stores = new WeakMap<ReadModelStorage, PostgresEventStore>();
readModelStorageContract(
  'postgres, beside the log',
  async () => {
    const store = await schemas.open();
    const storage = await openPostgresReadModelStorage(store);
    stores.set(storage, store);
    return storage;
  },
  {
    reopen: async (storage) => {
      const store = stores.get(storage)!;
      await (storage as PostgresReadModelStorage).close();
      await store.close();
      const again = await openPostgresEventStore(TEST_DATABASE_URL, { schema: store.schema });
      const reopened = await openPostgresReadModelStorage(again);
      stores.set(reopened, again);
      return reopened;
    },
    close: async (storage) => {
      await (storage as PostgresReadModelStorage).close();
      await stores.get(storage)?.close();
    },
  },
);

// On a pool of its own, in a schema without an event log.
readModelStorageContract('postgres, own pool and schema', async () => openPostgresReadModelStorage(TEST_DATABASE_URL, { schema: schemas.fresh() }), {
  reopen: async (storage) => {
    const { schema } = storage as PostgresReadModelStorage;
    await (storage as PostgresReadModelStorage).close();
    return openPostgresReadModelStorage(TEST_DATABASE_URL, { schema });
  },
  close: (storage) => (storage as PostgresReadModelStorage).close(),
});
