import { eventStoreContract } from '@taawun/domain/testing';
import { openSqliteEventStore } from '../src/index.js';
import { tempDatabases } from './temp-files.js';

const newDatabase = tempDatabases();

eventStoreContract('sqlite', () => openSqliteEventStore(newDatabase()), { gapFreePositions: true });
