#!/usr/bin/env node
/**
 * Workload 5b alone (the CLI's peak memory per command), without the rest of
 * `npm run bench`: `node bench/cli-memory.mjs --events 100000 [--seed 42]
 * [--formats json,csv]` (the whole participant list also in those formats).
 * Generates the log (or takes it from bench/.cache), imports it into
 * bench/work/cli-memory-n<events>.db once (kept for the next run; `--fresh`
 * imports again), then runs `workloads/cli-memory.mjs` on a copy of it and
 * prints each command's peak RSS, time and output size as markdown rows.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureLog } from './lib/log.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const { values: options } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '42' },
    sample: { type: 'string', default: '2000' },
    fresh: { type: 'boolean', default: false },
    formats: { type: 'string', default: '' },
  },
});
const events = Number(options.events);
const log = (line) => process.stderr.write(`${line}\n`);

const generated = ensureLog({ seed: Number(options.seed), events, sample: Number(options.sample), cacheDir: join(benchDir, '.cache'), log });
const dbFile = join(benchDir, 'work', `cli-memory-n${events}.db`);
mkdirSync(dirname(dbFile), { recursive: true });
if (options.fresh || !existsSync(dbFile)) {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${dbFile}${suffix}`, { force: true });
  log(`importing ${events.toLocaleString('en')} events into ${dbFile} ...`);
  const { importTaawun } = await import('./workloads/taawun.mjs');
  await importTaawun({ logFile: generated.file, dbFile, maxBatch: 500, headHash: generated.headHash });
}
log('running the CLI commands, one process each ...');
const { cliMemoryTaawun } = await import('./workloads/cli-memory.mjs');
const { results } = await cliMemoryTaawun({ dbFile, formats: options.formats.split(',').filter(Boolean) });
process.stdout.write('| command | peak RSS, MB | time, s | output, bytes |\n|---|---:|---:|---:|\n');
for (const [label, r] of Object.entries(results)) {
  process.stdout.write(`| ${label} | ${r.peakRssMb} | ${(r.ms / 1000).toFixed(1)} | ${r.outputBytes.toLocaleString('en')} |\n`);
}
process.stdout.write(`\n${JSON.stringify(results)}\n`);
