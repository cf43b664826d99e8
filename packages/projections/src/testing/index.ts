export { readModelStorageContract, type ReadModelStorageContractOptions } from './storage-contract.js';
