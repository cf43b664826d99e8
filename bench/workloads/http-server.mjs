/**
 * The HTTP adapter on a loopback port, in its own process so that the load
 * generator does not share its thread: `node http-server.mjs '<json>'`. Prints
 * `LISTENING <url>` once it serves; stops on SIGTERM.
 */
import { openSqliteEventStore } from '@taawun/adapter-sqlite';
import { startServer } from '@taawun/adapter-http';

const { dbFile, keyEntry } = JSON.parse(process.argv[2]);
const store = await openSqliteEventStore(dbFile, { integrityCheck: 'none' });
const sqlite = await import('@taawun/adapter-sqlite');
const readModelStorage = typeof sqlite.openSqliteReadModelStorage === 'function' ? await sqlite.openSqliteReadModelStorage(store) : undefined;
// Every read model built before the clock starts: the bench measures a server in its working day, not its
// first start on a log (the followers would build the models it lacks while the load runs; the server still
// answers then, between pages of the build, but slower).
if (readModelStorage) {
  const { ProjectionRunner, projections } = await import('@taawun/projections');
  for (const projection of Object.values(projections)) await new ProjectionRunner(projection, { store, storage: readModelStorage }).catchUp();
}
// No rate limit: the bench is the only client, and measures the server, not the limiter.
const server = await startServer({ store, keys: [keyEntry], host: '127.0.0.1', port: 0, limits: { requestsPerMinute: 1_000_000_000 }, readModelStorage, log: () => {} });
// The stored models followed live while the server runs, as `taawun serve` does (`serveRuntime` in @taawun/runtime).
let followers;
if (readModelStorage) {
  const [{ ReadModelFollowers }, { projections }] = await Promise.all([import('@taawun/runtime'), import('@taawun/projections')]);
  followers = new ReadModelFollowers({ store, storage: readModelStorage, projections: Object.values(projections), log: () => {} });
}
// Peak RSS while serving (the models are built by then, so what the requests cost, not the build), sampled until SIGTERM.
let servingPeakRss = process.memoryUsage.rss();
setInterval(() => (servingPeakRss = Math.max(servingPeakRss, process.memoryUsage.rss())), 25).unref();
process.stdout.write(`LISTENING ${server.url}\n`);
process.on('SIGTERM', async () => {
  process.stdout.write(`PEAK_RSS ${JSON.stringify({ servingMb: Math.round(servingPeakRss / 1048576), processMb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
  await server.close();
  await followers?.close();
  await store.close();
  process.exit(0);
});
