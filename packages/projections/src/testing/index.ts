export { readModelStorageContract, type ReadModelStorageContractOptions } from './storage-contract.js';
export { sessionsHeldTables, sessionsPerPartnerProjection, type SessionsHeld } from './sessions-per-partner.js';
export { CountingStorage } from './counting-storage.js';
