#!/usr/bin/env node
/**
 * taawun's benchmark: `npm run bench` (10k, 100k and 1M events) or
 * `npm run bench -- --quick` (2k events, seconds; CI runs it so the harness
 * never rots). Every workload runs in its own child process, side by side with
 * its floor (raw better-sqlite3) and its peer (Emmett), on the same generated
 * log. Prints a markdown table and writes the run to bench/results/.
 *
 * Options: --quick, --sizes 10000,100000, --seed 42, --sample 2000,
 * --budget <seconds per workload>, --no-peer, --no-http, --no-postgres,
 * --postgres <url of a server's maintenance database>, --keep (keep the
 * SQLite files in bench/work), --cpu-prof (profile every workload into
 * bench/work/profiles), --only merkle (only the Merkle log's cost), --only rebuild (only what the rebuild is compared
 * with: our import, the peer's SQLite import, the read floor, the peer's
 * read-and-aggregate and the two rebuilds), --only postgres (only the PostgreSQL
 * workloads), --out <file>.
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fsyncFile } from './lib/measure.mjs';
import { renderReport } from './lib/report.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const rootDir = dirname(benchDir);

const { values: options } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    sizes: { type: 'string' },
    seed: { type: 'string', default: '42' },
    sample: { type: 'string' },
    budget: { type: 'string' },
    'no-peer': { type: 'boolean', default: false },
    'no-http': { type: 'boolean', default: false },
    'no-postgres': { type: 'boolean', default: false },
    postgres: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    keep: { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    out: { type: 'string' },
    only: { type: 'string' },
  },
});
if (options.only !== undefined && !['rebuild', 'merkle', 'postgres'].includes(options.only)) throw new Error(`--only: 'rebuild', 'merkle' or 'postgres', not '${options.only}'`);
/** `--only rebuild`: the rebuilds and what they are compared with, nothing else. */
const onlyRebuild = options.only === 'rebuild';
/** `--only merkle`: what the Merkle log costs (issue 17), with and without the tree side by side, on SQLite and PostgreSQL. */
const onlyMerkle = options.only === 'merkle';
/** `--only postgres`: the PostgreSQL workloads alone (workload 7), against their floor and the peer. */
const onlyPostgres = options.only === 'postgres';

const quick = options.quick;
const sizes = options.sizes ? options.sizes.split(',').map(Number) : quick ? [2000] : [10_000, 100_000, 1_000_000];
const seed = Number(options.seed);
const sample = Number(options.sample ?? (quick ? 200 : 2000));
const budgetMs = Number(options.budget ?? (quick ? 60 : 600)) * 1000;
const maxBatch = 500;
const log = (line) => process.stderr.write(`${line}\n`);

/** Install the bench's own dependencies on first use, so the root `npm install` stays lean. */
function ensureDependencies() {
  const installed = ['@event-driven-io/emmett-sqlite', '@event-driven-io/emmett-postgresql', 'undici'].every((name) => existsSync(join(benchDir, 'node_modules', name)));
  if (installed) return;
  log('installing the bench dependencies (Emmett, emmett-sqlite, emmett-postgresql, node-sqlite3 compiled from source, undici) into bench/node_modules ...');
  execFileSync('npm', ['install', '--prefix', benchDir, '--foreground-scripts', '--no-audit', '--no-fund'], { cwd: benchDir, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** The bench imports the packages' dist: build them (a no-op when current). */
function ensureBuilt() {
  try {
    execFileSync('npx', ['tsc', '-b'], { cwd: rootDir, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch {
    const missing = ['domain', 'adapter-sqlite', 'projections', 'adapter-http'].filter((p) => !existsSync(join(rootDir, 'packages', p, 'dist', 'index.js')));
    if (missing.length > 0) throw new Error(`tsc -b failed and these packages have no dist: ${missing.join(', ')}`);
    log('tsc -b reported errors; running on the dist already built');
  }
}

/**
 * One workload in a child process, stopped after the budget. A stopped run
 * keeps the progress it reported, so a rate can still be given (marked partial).
 */
function runChild(module, fn, args, { budget = budgetMs } = {}) {
  const profileDir = join(benchDir, 'work', 'profiles');
  const nodeArgs = options['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `${fn}-${args.projection ?? args.mode ?? ''}-${Date.now()}.cpuprofile`] : [];
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--max-old-space-size=8192', ...nodeArgs, join(benchDir, 'lib', 'child.mjs'), join(benchDir, module), fn, JSON.stringify(args)], {
      cwd: benchDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let progress;
    let timedOut = false;
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      for (const line of chunk.toString().split('\n')) if (line.startsWith('PROGRESS ')) progress = JSON.parse(line.slice(9));
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, budget);
    child.on('close', () => {
      clearTimeout(timer);
      const wallMs = Math.round(performance.now() - started);
      const last = stdout.trim().split('\n').filter((l) => l.startsWith('RESULT ') || l.startsWith('FAILED ')).at(-1);
      if (last?.startsWith('RESULT ')) return resolve({ ok: true, ...JSON.parse(last.slice(7)), wallMs });
      if (timedOut) {
        const partialRate = progress?.eventsDone && progress.elapsedMs ? Math.round((progress.eventsDone * 1000) / progress.elapsedMs) : undefined;
        return resolve({ ok: false, timedOut: true, message: `stopped after the budget of ${budget / 1000} s`, progress, partialEventsPerSecond: partialRate, wallMs });
      }
      const failure = last ? JSON.parse(last.slice(7)) : { message: stderr.trim().split('\n').slice(-3).join(' ') || 'the process died without a result' };
      resolve({ ok: false, message: failure.message, stack: failure.stack, wallMs });
    });
  });
}

/**
 * Write every file of `dir` to the disk before a workload is timed: what an earlier workload left in the
 * OS's cache (a rebuild's read models, committed without waiting for the disk) would otherwise be written
 * by the first fsync of the next one on the same file (measured: 0.3-0.95 s for the first single command
 * at 1M, after the rebuilds and lens builds; 3 ms once flushed).
 */
function flushToDisk(dir) {
  for (const name of readdirSync(dir)) fsyncFile(join(dir, name));
}

async function benchSize(events) {
  const { ensureLog } = await import('./lib/log.mjs');
  const generated = ensureLog({ seed, events, sample, cacheDir: join(benchDir, '.cache'), log });
  const work = join(benchDir, 'work', `n${events}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const files = { floor: join(work, 'floor.db'), taawun: join(work, 'taawun.db'), emmett: join(work, 'emmett.db'), scratch: join(work, 'scratch.db') };
  const results = { generated: { events: generated.events, streams: generated.streams, types: generated.types, generatedMs: generated.generatedMs } };
  const step = async (name, module, fn, args, runOptions) => {
    log(`  ${events.toLocaleString('en')} events: ${name} ...`);
    flushToDisk(work);
    const result = await runChild(module, fn, args, runOptions);
    results[name] = result;
    const figure = result.eventsPerSecond ?? result.commandsPerSecond ?? result.p50Ms ?? result.requestsPerSecond;
    const ratios = result.importRatio !== undefined ? ` (with the tree / without: import ${result.importRatio.toFixed(2)}, commands ${result.commandsRatio.toFixed(2)})` : '';
    log(`    ${result.ok ? `done in ${(result.wallMs / 1000).toFixed(1)} s${figure !== undefined ? ` (${figure.toLocaleString('en')})` : ''}${ratios}` : `NOT DONE: ${result.message}`}`);
    return result;
  };
  const common = { logFile: generated.file, maxBatch };
  const merkleCost = () =>
    step('merkleCost', 'workloads/merkle-cost.mjs', 'merkleCostSqlite', {
      ...common,
      headHash: generated.headHash,
      commandsFile: generated.commandsFile,
      count: sample,
      dbFiles: { withTree: join(work, 'merkle-with-tree.db'), withoutTree: join(work, 'merkle-without-tree.db') },
    });
  if (onlyPostgres) {
    await benchPostgres(events, generated, results, step);
    if (!options.keep) rmSync(work, { recursive: true, force: true });
    return results;
  }
  if (onlyMerkle) {
    await merkleCost();
    if (!options['no-postgres']) await benchPostgres(events, generated, results, step);
    if (!options.keep) rmSync(work, { recursive: true, force: true });
    return results;
  }

  // (1) Bulk import, floor first, then ours, then the peer.
  if (!onlyRebuild) await step('importFloor', 'workloads/sqlite-floor.mjs', 'importFloor', { ...common, dbFile: files.floor, scratchFile: files.scratch });
  const imported = await step('importTaawun', 'workloads/taawun.mjs', 'importTaawun', { ...common, dbFile: files.taawun, headHash: generated.headHash });
  if (!options['no-peer']) {
    if (!onlyRebuild) await step('importEmmettMemory', 'workloads/emmett.mjs', 'importEmmett', { ...common, mode: 'memory' });
    await step('importEmmettSqlite', 'workloads/emmett.mjs', 'importEmmett', { ...common, mode: 'sqlite', dbFile: files.emmett });
  }
  if (!imported.ok) return results;

  // (9) What the Merkle log costs: the import and the single commands with and without the tree, side by side in one process.
  if (!onlyRebuild) await merkleCost();

  // (3) Reading: the floor, per-stream aggregation (ours and the peer's), the rebuilds.
  await step('readFloor', 'workloads/sqlite-floor.mjs', 'readFloor', { dbFile: files.taawun });
  if (!onlyRebuild) await step('aggregateTaawun', 'workloads/taawun.mjs', 'aggregateTaawun', { ...common, dbFile: files.taawun });
  if (!options['no-peer'] && results.importEmmettSqlite?.ok) await step('aggregateEmmettSqlite', 'workloads/emmett.mjs', 'aggregateEmmett', { ...common, dbFile: files.emmett });
  await step('rebuildPartnerHistory', 'workloads/taawun.mjs', 'rebuildTaawun', { dbFile: files.taawun, projection: 'partner-history' });
  await step('rebuildYearlyReport', 'workloads/taawun.mjs', 'rebuildTaawun', { dbFile: files.taawun, projection: 'yearly-report' });
  // The same rebuilds with the log read and decoded in a worker thread (`sqliteDecodingReader`), the runner folding and writing meanwhile.
  await step('rebuildPartnerHistoryWorker', 'workloads/taawun.mjs', 'rebuildTaawun', { dbFile: files.taawun, projection: 'partner-history', decoding: 'worker' });
  await step('rebuildYearlyReportWorker', 'workloads/taawun.mjs', 'rebuildTaawun', { dbFile: files.taawun, projection: 'yearly-report', decoding: 'worker' });
  if (onlyRebuild) {
    if (!options.keep) rmSync(work, { recursive: true, force: true });
    return results;
  }

  // (6) Query latency on the built read model.
  const partners = ['enm-france', 'giz', 'aecid', 'enabel', 'ssm-italy'];
  if (results.rebuildPartnerHistory.ok) {
    await step('queryPartnerHistory', 'workloads/taawun.mjs', 'queryTaawun', { dbFile: files.taawun, partners, repeat: quick ? 20 : 50 });
    // Time lenses against the same stored queries, side by side (it builds the catalogue of streams and the agreements register in the file).
    await step('lensQueries', 'workloads/lens.mjs', 'lensTaawun', { dbFile: files.taawun, partners, repeat: quick ? 5 : 30, wholeLogRepeat: quick ? 3 : 5, replays: 1 });
    // A copy as the rebuild left it, for the side-by-side comparison of sizes at the end (the steps below add to the file).
    if (events === sizes[0] || events === sizes.at(-1)) {
      copyFileSync(files.taawun, queryCopy(events));
      if (existsSync(`${files.taawun}-wal`)) copyFileSync(`${files.taawun}-wal`, `${queryCopy(events)}-wal`);
    }
  }

  // (2) Single commands, one transaction each (they add to the files, so they come after the reads).
  await step('commandsTaawun', 'workloads/taawun.mjs', 'commandsTaawun', { commandsFile: generated.commandsFile, dbFile: files.taawun, count: sample });
  if (!options['no-peer'] && results.importEmmettSqlite?.ok) {
    await step('commandsEmmettSqlite', 'workloads/emmett.mjs', 'commandsEmmett', { commandsFile: generated.commandsFile, dbFile: files.emmett, count: sample });
  }

  // (4) HTTP under load on a loopback port.
  if (!options['no-http']) {
    await step('http', 'workloads/http.mjs', 'httpTaawun', { dbFile: files.taawun, partners, durationSeconds: quick ? 2 : 10, connections: 10 });
  }
  // (5b) Peak memory of the CLI's long commands, each in a process of its own, on a copy of the imported log.
  await step('cliMemory', 'workloads/cli-memory.mjs', 'cliMemoryTaawun', { dbFile: files.taawun }, { budget: budgetMs * 3 });
  // (7) The PostgreSQL adapter against raw `pg`, in a throwaway database of its own.
  if (!options['no-postgres']) await benchPostgres(events, generated, results, step);
  if (!options.keep) rmSync(work, { recursive: true, force: true });
  return results;
}

/** Bulk import, rebuilds and single commands on PostgreSQL, each beside its floor; the database is dropped afterwards. */
async function benchPostgres(events, generated, results, runStep) {
  const { createDatabase, dropDatabase, checkpoint } = await import('./workloads/postgres.mjs');
  const name = `taawun_bench_${process.pid}_${events}`;
  let database;
  try {
    database = await createDatabase(options.postgres, name);
  } catch (error) {
    results.postgres = { ok: false, message: `no PostgreSQL server at ${options.postgres}: ${error.message}` };
    log(`    PostgreSQL: NOT RUN (${results.postgres.message})`);
    return;
  }
  results.postgres = { ok: true, serverVersion: database.serverVersion, checkpointBeforeEachStep: true };
  // Each step starts on a server with nothing left to write back from the steps before it.
  const step = async (...args) => {
    const refused = await checkpoint(options.postgres);
    if (refused && results.postgres.checkpointBeforeEachStep === true) {
      results.postgres.checkpointBeforeEachStep = `no: ${refused}`;
      log(`    PostgreSQL: no CHECKPOINT before the steps (${refused})`);
    }
    return runStep(...args);
  };
  try {
    const args = { logFile: generated.file, maxBatch, url: database.url };
    if (onlyMerkle) {
      await step('pgMerkleCost', 'workloads/merkle-cost.mjs', 'merkleCostPostgres', { ...args, headHash: generated.headHash, commandsFile: generated.commandsFile, count: sample });
      return;
    }
    await step('pgImportFloor', 'workloads/postgres.mjs', 'importPgFloor', args);
    const imported = await step('pgImportTaawun', 'workloads/postgres.mjs', 'importPgTaawun', { ...args, headHash: generated.headHash });
    if (!imported.ok) return;
    await step('pgReadFloor', 'workloads/postgres.mjs', 'readPgFloor', { url: database.url });
    await step('pgRebuildPartnerHistory', 'workloads/postgres.mjs', 'rebuildPgTaawun', { url: database.url, projection: 'partner-history' });
    await step('pgRebuildYearlyReport', 'workloads/postgres.mjs', 'rebuildPgTaawun', { url: database.url, projection: 'yearly-report' });
    await step('pgMerkleCost', 'workloads/merkle-cost.mjs', 'merkleCostPostgres', { ...args, headHash: generated.headHash, commandsFile: generated.commandsFile, count: sample });
    const commands = { commandsFile: generated.commandsFile, url: database.url, count: sample };
    // The peer in the same database, in Emmett's own tables (schema public).
    const peer = options['no-peer'] ? undefined : await step('pgImportEmmett', 'workloads/emmett.mjs', 'importEmmett', { ...args, mode: 'postgres' });
    if (peer?.ok) await step('pgAggregateEmmett', 'workloads/emmett.mjs', 'aggregateEmmett', { logFile: generated.file, mode: 'postgres', url: database.url });
    if (!peer?.ok) {
      await step('pgCommandsTaawun', 'workloads/postgres.mjs', 'commandsPgTaawun', commands);
      return;
    }
    // Single commands side by side: each command to ours and to the peer in turn, so the ratio is not the order's.
    const both = await step('pgCommandsSideBySide', 'workloads/postgres.mjs', 'commandsPgSideBySide', commands);
    if (both.ok) {
      const shared = { peakRssMb: both.peakRssMb, wallMs: both.wallMs };
      results.pgCommandsTaawun = { ok: true, ...both.taawun, ...shared };
      results.pgCommandsEmmett = { ok: true, ...both.peer, ...shared };
      log(`    taawun ${both.taawun.commandsPerSecond.toLocaleString('en')} commands/s, emmett-postgresql ${both.peer.commandsPerSecond.toLocaleString('en')}`);
    }
  } finally {
    if (!options.keep) await dropDatabase(options.postgres, name).catch((error) => log(`    could not drop database ${name}: ${error.message}`));
  }
}

/** Where a size's read models are kept, as rebuilt, for `querySideBySide`. */
const queryCopy = (events) => join(benchDir, 'work', `query-n${events}.db`);

/**
 * Query latency of the smallest and the largest size side by side: one
 * process, queries alternating between the two files, so that whatever the
 * shared machine is doing weighs on both alike (the per-size query steps run
 * minutes apart, after different amounts of writing).
 */
async function querySideBySide() {
  const [small, large] = [sizes[0], sizes.at(-1)];
  if (small === large || !existsSync(queryCopy(small)) || !existsSync(queryCopy(large))) return undefined;
  log(`  query latency, ${small.toLocaleString('en')} against ${large.toLocaleString('en')} events side by side ...`);
  const partners = ['enm-france', 'giz', 'aecid', 'enabel', 'ssm-italy'];
  const result = await runChild('workloads/taawun.mjs', 'queryTaawunSideBySide', { files: { [small]: queryCopy(small), [large]: queryCopy(large) }, partners, rounds: quick ? 20 : 200 });
  log(`    ${result.ok ? `done: p50 ${Object.entries(result.sizes).map(([n, r]) => `${Number(n).toLocaleString('en')}: ${r.p50Ms.toFixed(2)} ms`).join(', ')}` : `NOT DONE: ${result.message}`}`);
  if (!options.keep) for (const n of [small, large]) for (const suffix of ['', '-wal', '-shm']) rmSync(`${queryCopy(n)}${suffix}`, { force: true });
  return { small, large, ...result };
}

/** `handle` on streams at revisions 10, 1,000 and 10,000: one file of its own, whatever the sizes. */
async function streamLength() {
  log('  single commands against stream length (revisions 10, 1,000, 10,000) ...');
  const dbFile = join(benchDir, 'work', 'stream-length.db');
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${dbFile}${suffix}`, { force: true });
  mkdirSync(dirname(dbFile), { recursive: true });
  const result = await runChild('workloads/stream-length.mjs', 'streamLengthTaawun', { dbFile, revisions: [10, 1000, 10000], commands: quick ? 30 : 200, uncachedCommands: quick ? 5 : 20 });
  log(`    ${result.ok ? `done: p50 ${Object.entries(result.revisions).map(([n, r]) => `${Number(n).toLocaleString('en')}: ${r.cachedP50Ms.toFixed(2)} ms`).join(', ')} (${result.ratio.toFixed(2)}x)` : `NOT DONE: ${result.message}`}`);
  if (!options.keep) for (const suffix of ['', '-wal', '-shm']) rmSync(`${dbFile}${suffix}`, { force: true });
  return result;
}

function machine() {
  const cpu = cpus();
  return { cpu: cpu[0]?.model ?? 'unknown', cores: cpu.length, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version, platform: `${process.platform} ${process.arch}` };
}

ensureDependencies();
ensureBuilt();
const { emmettVersions } = await import('./workloads/emmett.mjs');
const run = {
  startedAt: new Date().toISOString(),
  mode: quick ? 'quick' : 'full',
  options: { sizes, seed, sample, maxBatch, budgetSeconds: budgetMs / 1000, peer: !options['no-peer'], http: !options['no-http'], postgres: !options['no-postgres'], only: options.only },
  machine: machine(),
  peer: emmettVersions(),
  sizes: {},
};
log(`taawun bench (${run.mode}): ${sizes.map((s) => s.toLocaleString('en')).join(', ')} events, seed ${seed}, on ${run.machine.cpu} (${run.machine.cores} cores), Node ${run.machine.node}`);
for (const events of sizes) run.sizes[events] = await benchSize(events);
run.querySideBySide = onlyRebuild || onlyMerkle || onlyPostgres ? undefined : await querySideBySide();
run.streamLength = onlyRebuild || onlyMerkle || onlyPostgres ? undefined : await streamLength();
run.finishedAt = new Date().toISOString();

const report = renderReport(run);
run.summary = report.summary;
const out = options.out ?? join(benchDir, 'results', `${run.startedAt.replace(/[:.]/g, '-')}-${run.mode}.json`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(run, null, 2)}\n`);
process.stdout.write(`${report.markdown}\n\nResults written to ${relative(process.cwd(), out)}\n`);
const broken = report.summary.harnessFailures;
if (broken.length > 0) {
  log(`harness failures: ${broken.join('; ')}`);
  process.exit(1);
}
