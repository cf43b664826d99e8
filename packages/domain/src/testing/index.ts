export { eventStoreContract, newTestEvent, type EventStoreContractOptions } from './event-store-contract.js';
export { given, decideCommand, recorded } from './scenario.js';
export {
  partialDateArb,
  multilingualTextArb,
  commandArb,
  commandSequenceArb,
  deterministicContext,
  recordCommands,
  pools,
} from './arbitraries.js';
