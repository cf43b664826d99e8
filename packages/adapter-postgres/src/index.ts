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
