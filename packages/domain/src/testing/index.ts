export { eventStoreContract, newTestEvent, type EventStoreContractOptions } from './event-store-contract.js';
export { given, decideCommand, recorded } from './scenario.js';
export {
  partialDateArb,
  multilingualTextArb,
  commandArb,
  commandSequenceArb,
  deterministicContext,
  recordCommands,
  firstEventOfStream,
  pools,
} from './arbitraries.js';
export { keyStoreContract } from '../personal-data/key-store-contract.js';
export { batchPlanArb, appendPlan, expectTreeFromScratch, type BatchWriter } from './merkle-batches.js';
