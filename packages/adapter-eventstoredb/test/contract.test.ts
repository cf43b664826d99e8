import { eventStoreContract } from '@taawun/domain/testing';
import { openEventStoreDbStore } from '../src/index.js';

/**
 * The shared contract, run against a live EventStoreDB / KurrentDB when
 * ESDB_CONNECTION_STRING names one (e.g. esdb://localhost:2113?tls=false; see
 * the README for the server settings the suite needs). Every test writes under
 * its own stream prefix, so the server's log may be shared and need not be empty.
 * Without a server the suite reports itself skipped, saying why.
 */
const connectionString = process.env.ESDB_CONNECTION_STRING?.trim();

eventStoreContract('eventstoredb', () => openEventStoreDbStore(connectionString!), {
  sharedLog: true,
  timeoutMs: 120_000,
  ...(connectionString
    ? {}
    : { skipReason: 'ESDB_CONNECTION_STRING is not set, so there is no EventStoreDB server to run against (see packages/adapter-eventstoredb/README.md, "Running the live suite")' }),
});
