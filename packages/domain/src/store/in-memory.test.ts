import { eventStoreContract } from '../testing/event-store-contract.js';
import { InMemoryEventStore } from './in-memory.js';

eventStoreContract('in-memory', async () => new InMemoryEventStore(), { gapFreePositions: true });
