// Personal data in SQLite: the participant key store, and purging read models after an erasure.
export { openSqliteKeyStore, SqliteKeyStore, KEY_STORE_COMPONENT, keyStoreMigrations, type SqliteKeyStoreOptions } from './key-store.js';
export { purgeReadModels, purgeReadModelsOnErasure, type ReadModelPurge, type ReadModelPurgeOptions } from './read-model-purge.js';
