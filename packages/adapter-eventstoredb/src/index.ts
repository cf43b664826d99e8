export { openEventStoreDbStore, EventStoreDbEventStore, toClientExpectedRevision, type EventStoreDbStoreOptions } from './event-store.js';
export { parseConnectionString, redactConnectionString, withClientDefaults, type EventStoreDbTarget, type ClientDefaults } from './connection-string.js';
export { encodePosition, decodePosition, isRealPosition } from './position.js';
export { toServerMetadata, toClientEvent, fromRecordedEvent, assertStorableHere, isSystemEvent, RESERVED_METADATA_KEYS, type ServerMetadata } from './envelope.js';
export { toEventStoreError, toWrongExpectedRevision, toStreamRevision, toRevisionNumber, type ErrorContext } from './errors.js';
export { serverFilterFor, toClientFilter, buildReadAllRequest, type ServerFilter, type ReadAllRequest } from './filtered-read.js';
export { resubscribing, isTransient, DEFAULT_RESUBSCRIBE, type ResubscribePolicy, type RetryInfo } from './resubscribe.js';
export { guarded, type GuardOptions } from './streaming.js';
