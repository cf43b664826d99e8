// The HTML report's pages on a big generated log: bytes, and the height a
// browser lays them out at (px, 1280 px wide). Usage:
//   node bench/report-size.mjs [--events 200000] [--seed 42] [--pages /report/activity,/report]
// The log is the bench's (lib/generator.mjs, cached in bench/.cache/), imported
// once into bench/work/report-size-<n>.db and reused.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openSqliteEventStore } from '@taawun/adapter-sqlite';
import { createApiKey, createHttpApp, launchChromium } from '@taawun/adapter-http';
import { ensureLog } from './lib/log.mjs';
import { importTaawun } from './workloads/taawun.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({ options: { events: { type: 'string', default: '200000' }, seed: { type: 'string', default: '42' }, pages: { type: 'string', default: '/report/activity' } } });
const events = Number(values.events);
const log = ensureLog({ seed: Number(values.seed), events, sample: 0, cacheDir: join(here, '.cache'), log: (l) => console.error(l) });
mkdirSync(join(here, 'work'), { recursive: true });
const dbFile = join(here, 'work', `report-size-${events}.db`);
if (!existsSync(dbFile)) {
  console.error(`importing into ${dbFile}`);
  await importTaawun({ logFile: log.file, dbFile, maxBatch: 500, headHash: log.headHash });
}
const store = await openSqliteEventStore(dbFile);
const { key, entry } = createApiKey('bench', 'admin');
const { app } = createHttpApp({ store, keys: [entry], limits: { requestTimeoutMs: 600_000 }, log: (m) => console.error(m) });
const browser = await launchChromium();
const rows = [];
for (const path of values.pages.split(',')) {
  const started = performance.now();
  const response = await app.request(path, { headers: { authorization: `Bearer ${key}` } });
  const body = await response.text();
  const ms = Math.round(performance.now() - started);
  const tab = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await tab.setContent(body, { waitUntil: 'load', timeout: 600_000 });
  const height = await tab.evaluate(() => document.documentElement.scrollHeight);
  const width = await tab.evaluate(() => document.documentElement.scrollWidth);
  await tab.close();
  rows.push({ path, status: response.status, bytes: Buffer.byteLength(body), heightPx: height, widthPx: width, ms });
}
await browser.close();
await store.close();
console.log(JSON.stringify({ events, rows }, null, 2));
