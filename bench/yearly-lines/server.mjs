// The HTTP adapter over a log whose yearly report is built (only that model): `node server.mjs '<json>'`.
import { openSqliteEventStore, openSqliteReadModelStorage } from '@taawun/adapter-sqlite';
import { startServer } from '@taawun/adapter-http';
import { ProjectionRunner, yearlyActivityReportProjection } from '@taawun/projections';

const { dbFile, keyEntry } = JSON.parse(process.argv[2]);
const store = await openSqliteEventStore(dbFile, { integrityCheck: 'none' });
const readModelStorage = await openSqliteReadModelStorage(store);
await new ProjectionRunner(yearlyActivityReportProjection, { store, storage: readModelStorage }).catchUp();
const server = await startServer({ store, keys: [keyEntry], host: '127.0.0.1', port: 0, limits: { requestsPerMinute: 1_000_000_000 }, readModelStorage, accessLog: false, log: () => {} });
process.stdout.write(`LISTENING ${server.url}\n`);
process.on('SIGTERM', async () => {
  await server.close();
  await store.close();
  process.exit(0);
});
