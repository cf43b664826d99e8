export {
  DEFAULT_SCHEMA,
  PostgresEventStore,
  openPostgresEventStore,
  type PostgresEventStoreOptions,
} from './event-store.js';
export {
  DEFAULT_CONNECTION_TIMEOUT_MS,
  createPool,
  describeTarget,
  quoteIdentifier,
  translateError,
  type PostgresTarget,
} from './connection.js';
export { eventStoreMigrations, migrate, type Migration } from './schema.js';
export { notificationChannel } from './notifications.js';
export { PostgresReadModelStorage, openPostgresReadModelStorage, type PostgresReadModelStorageOptions, type WriteFence } from './read-model-storage.js';
export {
  DEFAULT_LEASE_MS,
  PostgresReadModelOwnership,
  READ_MODEL_LEASES_COMPONENT,
  openPostgresReadModelOwnership,
  readModelLeaseMigrations,
  type HeldReadModel,
  type HoldOptions,
  type LeaseRow,
} from './read-model-leases.js';
export { openPostgresBackend, postgresLogExists, type PostgresBackend, type PostgresReadModelsBesideLog, type PostgresReadModelPurge } from './backend.js';
export { READ_MODELS_COMPONENT, readModelMigrations } from './read-model-schema.js';
export { readModelTablesSql } from './read-model-ddl.js';
export { replicationStatus, waitForLogPosition, type ReplicationStatus } from './replication.js';
export { DEFAULT_WITNESS_SCHEMA, openPostgresWitnessTable, witnessMigrations, type PostgresWitnessTable, type WitnessDecision } from './witness-table.js';
