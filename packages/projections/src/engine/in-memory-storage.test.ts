import { readModelStorageContract } from '../testing/index.js';
import { InMemoryReadModelStorage } from './in-memory-storage.js';

readModelStorageContract('in-memory', async () => new InMemoryReadModelStorage());
