export { openSqliteEventStore, SqliteEventStore, type SqliteEventStoreOptions } from './event-store.js';
export { openConnection, describeFile, type ConnectionOptions } from './connection.js';
export { toEventStoreError, translating, sqliteCodeOf } from './errors.js';
export {
  EVENT_STORE_COMPONENT,
  EVENT_STORE_SCHEMA_VERSION,
  SCHEMA_VERSIONS_TABLE,
  eventStoreMigrations,
  migrate,
  readSchemaVersion,
  assertSchemaNotTooNew,
  type Migration,
} from './schema.js';
export * from './personal-data.js';
export { openSqliteReadModelStorage, SqliteReadModelStorage, READ_MODELS_COMPONENT, readModelMigrations, type SqliteReadModelStorageOptions } from './read-model-storage.js';
export { openSqliteBackend, type SqliteBackend, type SqliteReadModelsBesideLog } from './backend.js';
export { openSqliteAudit, type SqliteAudit } from './audit.js';
export { readWal, type WalReading } from './wal-check.js';
export { sqliteDecodingReader, type SqliteDecodingReaderOptions } from './log-decoding.js';
