export { eventStoreContract, newTestEvent, type EventStoreContractOptions } from './event-store-contract.js';
