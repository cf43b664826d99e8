// The yearly report's default page before and after issue 19's bounds (lines, then partners and the totals' gaps), side by side on one server:
// bytes gzipped and requests per second against the floor (GET /read-models). `node measure.mjs <events> [seconds] [rounds]`
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { createApiKey } from '@taawun/adapter-http';
import { openSqliteEventStore, openSqliteReadModelStorage } from '@taawun/adapter-sqlite';
import { ProjectionRunner, yearlyActivityReportPage, yearlyActivityReportProjection } from '@taawun/projections';
import { httpLoad } from '../lib/load.mjs';
import { ensureLog } from '../lib/log.mjs';
import { importTaawun } from '../workloads/taawun.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const events = Number(process.argv[2] ?? 100_000);
const seconds = Number(process.argv[3] ?? 5);
const rounds = Number(process.argv[4] ?? 2);

const log = ensureLog({ seed: 42, events, sample: 2000, cacheDir: join(here, '../.cache'), log: console.log });
const dbFile = process.env.YEARLY_DB ?? `/dev/shm/yearly-n${events}.db`;
if (!existsSync(dbFile)) console.log('import', await importTaawun({ logFile: log.file, dbFile, maxBatch: 500, headHash: log.headHash }));

// Build the model, and the page as it was before (every line of each period), straight from the library.
{
  const store = await openSqliteEventStore(dbFile, { integrityCheck: 'none' });
  const storage = await openSqliteReadModelStorage(store);
  const runner = new ProjectionRunner(yearlyActivityReportProjection, { store, storage });
  const started = performance.now();
  await runner.catchUp();
  console.log(`yearly model caught up in ${Math.round(performance.now() - started)} ms`);
  const model = await runner.read();
  const whole = await yearlyActivityReportPage(model, {}, { offset: 0, limit: 5 });
  const lines = whole.report.periods.map((p) => [p.period.key, p.sessions.length + p.studyVisits.length + p.publications.prepared.length + p.publications.plannedForPublication.length + p.publications.published.length, Math.max(p.sessions.length, p.studyVisits.length, p.publications.prepared.length)]);
  console.log('default page, every line (before): periods [key, lines, longest list]', JSON.stringify(lines));
  console.log(`default page, every line (before): result JSON ${JSON.stringify(whole.report).length} bytes, gzipped ${gzipSync(JSON.stringify(whole.report)).length}`);
  // The page before the partner bound: 25 lines a list, every partner, every gap of the totals.
  const lined = await yearlyActivityReportPage(model, {}, { offset: 0, limit: 5 }, { limit: 25 });
  console.log(`default page, 25 lines, every partner and gap (before the partner bound): result JSON ${JSON.stringify(lined.report).length} bytes, gzipped ${gzipSync(JSON.stringify(lined.report)).length}`);
  await store.close();
}

const { key, entry } = createApiKey('bench-clerk', 'clerk');
const child = spawn(process.execPath, [join(here, 'server.mjs'), JSON.stringify({ dbFile, keyEntry: entry })], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((resolve) => {
  let out = '';
  child.stdout.on('data', (c) => {
    out += c;
    const m = /LISTENING (\S+)/.exec(out);
    if (m) resolve(m[1]);
  });
});
const headers = { authorization: `Bearer ${key}`, 'accept-encoding': 'gzip' };
const run = (path) => httpLoad({ url, connections: 10, durationSeconds: seconds, headers, path: () => path });
const paths = {
  floor: '/read-models',
  'after: the default page (25 lines a list, 10 partners)': '/read-models/yearly-activity-report',
  'before-like: partners=1000 (every partner)': '/read-models/yearly-activity-report?partners=1000',
  'partners=25': '/read-models/yearly-activity-report?partners=25',
  'lines=0&partners=0': '/read-models/yearly-activity-report?lines=0&partners=0',
};
// Other pages to set side by side: YEARLY_QUERIES='lines=10,lines=10&partners=5' (the floor and the default page stay).
if (process.env.YEARLY_QUERIES) {
  for (const name of Object.keys(paths).slice(2)) delete paths[name];
  for (const query of process.env.YEARLY_QUERIES.split(',')) paths[query] = `/read-models/yearly-activity-report?${query}`;
}
for (const [name, path] of Object.entries(paths)) {
  const r = await fetch(`${url}${path}`, { headers });
  const body = Buffer.from(await r.arrayBuffer());
  console.log(`${name}: status ${r.status}, ${body.length} bytes, content-encoding ${r.headers.get('content-encoding')}, content-length ${r.headers.get('content-length')}, gzipped here ${gzipSync(body).length}`);
}
const rates = Object.fromEntries(Object.keys(paths).map((n) => [n, []]));
for (let round = 0; round < rounds; round++) {
  for (const [name, path] of Object.entries(paths)) {
    const r = await run(path);
    rates[name].push(r.requestsPerSecond);
    console.log(`round ${round + 1} ${name}: ${r.requestsPerSecond} req/s, p50 ${r.p50Ms.toFixed(2)} ms, non2xx ${r.non2xx}`);
  }
}
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
for (const name of Object.keys(paths)) console.log(`${name}: ${Math.round(mean(rates[name]))} req/s, ${(mean(rates[name]) / mean(rates.floor)).toFixed(2)}x the floor`);
child.kill('SIGTERM');
