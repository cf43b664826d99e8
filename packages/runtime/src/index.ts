export { keysLocation, openRuntime, type Runtime, type RuntimeOptions } from './runtime.js';
export {
  DEFAULT_STORE_URL,
  SUPPORTED_STORE_URLS,
  describeLocation,
  parseKeysUrl,
  parseStoreUrl,
  redact,
  type KeyStoreLocation,
  type StoreLocation,
} from './store-url.js';
export { RuntimeError, isRuntimeError, isUsageError, type RuntimeErrorCode, type RuntimeErrorDetails } from './errors.js';
export { openBackend, type AdapterReadModels, type Backend, type CommitNotifier, type HashChain, type Purge, type ReplicationStatus } from './backend.js';
export { openReadSide, ReadFreshness, switchableReads, type ReadFreshnessOptions, type ReadSide } from './read-side.js';
export type { OpenedStorage } from './opened-storage.js';
export { purgeAfterErasure, storageBesideLog, storageForRun } from './read-models.js';
export { UNTIL_THE_READER_CLOSES, unscrubbedCopies } from './erasure-residue.js';
export { privateCopyForReading, type PrivateCopy } from './private-copy.js';
export { ReadModelFollowers, type ReadModelFollowersOptions, type ReadModelFollowerStatus } from './read-model-followers.js';
export type { HeldReadModel, ReadModelOwnership } from './read-model-ownership.js';
export { serveRuntime, type ServeRuntimeOptions, type ServingRuntime } from './serve.js';
export { institute, instituteRecord, loadInstituteRecord, partners, type LoadReport, type RecordEntry } from './institute-record/index.js';
export { loadReadModels, projectionFromModule, readModelsFromModule } from './modules.js';
export { openLogForAudit, type AuditedLog } from './audit.js';
export {
  WitnessedLog,
  historyFileOf,
  isMerkleLog,
  loadSigningKey,
  openWitness,
  originOf,
  readWitness,
  recordCheckpoint,
  refusalsFileOf,
  splitNotes,
  witnessedCheckpoints,
  type Witness,
  type WitnessLocation,
  type WitnessOutcome,
} from './witness.js';
