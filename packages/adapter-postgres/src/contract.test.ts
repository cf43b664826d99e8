import { eventStoreContract } from '@taawun/domain/testing';
import { afterAll } from 'vitest';
import { schemaPool } from './test-support/database.js';

const schemas = schemaPool('contract');
afterAll(() => schemas.dropAll());

// Every test opens a store in a schema of its own on the real server.
eventStoreContract('postgres', () => schemas.open(), { gapFreePositions: true });
