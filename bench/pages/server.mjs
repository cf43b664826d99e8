/**
 * The bench's HTTP server (as `workloads/http-server.mjs`: every model built, the followers running, the access
 * log on stderr) from the code tree this file sits in, for `measure.mjs`: `node server.mjs '<json>'`, where the
 * JSON is `{ dbFile, keyEntry, pageCacheBytes? }`. `pageCacheBytes: 0` keeps no encoded page: each request
 * computes its answer. Prints `LISTENING <url>`; stops on SIGTERM.
 */
import { openSqliteEventStore, openSqliteReadModelStorage } from '@taawun/adapter-sqlite';
import { startServer } from '@taawun/adapter-http';
import { ProjectionRunner, projections } from '@taawun/projections';
import { ReadModelFollowers } from '@taawun/runtime';

const { dbFile, keyEntry, pageCacheBytes } = JSON.parse(process.argv[2]);
const store = await openSqliteEventStore(dbFile, { integrityCheck: 'none' });
const readModelStorage = await openSqliteReadModelStorage(store);
for (const projection of Object.values(projections)) await new ProjectionRunner(projection, { store, storage: readModelStorage }).catchUp();
const limits = { requestsPerMinute: 1_000_000_000, ...(pageCacheBytes === undefined ? {} : { pageCacheBytes }) };
const server = await startServer({ store, keys: [keyEntry], host: '127.0.0.1', port: 0, limits, readModelStorage, log: () => {} });
const followers = new ReadModelFollowers({ store, storage: readModelStorage, projections: Object.values(projections), log: () => {} });
process.stdout.write(`LISTENING ${server.url}\n`);
process.on('SIGTERM', async () => {
  await server.close();
  await followers.close();
  await store.close();
  process.exit(0);
});
