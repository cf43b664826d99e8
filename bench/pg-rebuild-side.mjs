#!/usr/bin/env node
/**
 * The PostgreSQL rebuilds side by side in one process (issue 19): a base build of
 * taawun (another worktree's bench/workloads/postgres.mjs, `--before`), this
 * build, and emmett-postgresql's read-and-aggregate, alternating, each round on
 * a database of its own copied from one imported template (`CREATE DATABASE …
 * TEMPLATE`), so every contender reads the same pages from a cold database.
 * After each pair of rebuilds the two builds' models are compared row for row
 * (documents, index entries, rm_ tables; timestamps left out).
 *
 *   node bench/pg-rebuild-side.mjs --events 10000 --rounds 3 --before /dev/shm/before/bench
 *
 * Databases are named `<prefix>_…` and dropped at the end (`--keep-template`
 * keeps the imported template for the next run).
 */
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { ensureLog } from './lib/log.mjs';

const { values: options } = parseArgs({
  options: {
    events: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '3' },
    before: { type: 'string' },
    postgres: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    prefix: { type: 'string', default: 'pgrb' },
    'keep-template': { type: 'boolean', default: false },
    only: { type: 'string', default: 'partner-history,yearly-report' },
    'no-peer': { type: 'boolean', default: false },
  },
});
const events = Number(options.events);
const here = resolve(import.meta.dirname);
const log = (line) => process.stderr.write(`${line}\n`);
const generated = ensureLog({ seed: 42, events, sample: 2000, cacheDir: join(here, '.cache'), log });

const after = await import(pathToFileURL(join(here, 'workloads/postgres.mjs')).href);
const before = options.before ? await import(pathToFileURL(join(resolve(options.before), 'workloads/postgres.mjs')).href) : undefined;
const emmett = await import(pathToFileURL(join(here, 'workloads/emmett.mjs')).href);

// emmett-postgresql's close() leaves its pool's idle connections open: dropping its copy ends them
// (57P01, "terminating connection due to administrator command"), which is expected here.
process.on('uncaughtException', (error) => {
  if (error?.code === '57P01') return;
  throw error;
});

const admin = new pg.Client({ connectionString: options.postgres });
await admin.connect();
const urlOf = (name) => {
  const u = new URL(options.postgres);
  u.pathname = `/${name}`;
  return u.toString();
};
const template = `${options.prefix}_tpl_${events}`;
const exists = async (name) => (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount > 0;

if (!(await exists(template))) {
  log(`importing the log into ${template} (taawun and emmett-postgresql) ...`);
  await admin.query(`CREATE DATABASE ${template}`);
  const args = { logFile: generated.file, maxBatch: 500, url: urlOf(template) };
  const ours = await after.importPgTaawun({ ...args, headHash: generated.headHash });
  log(`  taawun: ${Math.round(ours.eventsPerSecond)} events/s`);
  if (!options['no-peer']) {
    const peer = await emmett.importEmmett({ ...args, mode: 'postgres' });
    log(`  emmett-postgresql: ${Math.round(peer.eventsPerSecond)} events/s`);
  }
  const c = new pg.Client({ connectionString: urlOf(template) });
  await c.connect();
  await c.query('VACUUM ANALYZE');
  await c.end();
}

/** A fresh copy of the template. */
const copy = async (name) => {
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  return urlOf(name);
};
const drop = (name) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);

/** A digest of what a rebuild left, per table, leaving out the times of writing. */
async function modelDigest(url) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const tables = (await c.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'taawun' AND (table_name LIKE 'rm\\_%' OR table_name IN ('read_model_documents', 'read_model_index', 'read_model_generations')) ORDER BY 1`)).rows.map((r) => r.table_name);
    const digests = {};
    for (const t of tables) {
      const columns = (await c.query(`SELECT column_name FROM information_schema.columns WHERE table_schema = 'taawun' AND table_name = $1 AND column_name NOT IN ('created_at', 'updated_at', 'materialised_at', 'applied_at', 'laid_out_at') ORDER BY ordinal_position`, [t])).rows.map((r) => `"${r.column_name}"`);
      const { rows } = await c.query({ text: `SELECT ${columns.join(', ')} FROM taawun."${t}" ORDER BY ${columns.map((_, i) => i + 1).join(', ')}`, rowMode: 'array' });
      const hash = createHash('sha256');
      for (const row of rows) hash.update(JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))).update('\n');
      digests[t] = `${rows.length}:${hash.digest('hex').slice(0, 16)}`;
    }
    return digests;
  } finally {
    await c.end();
  }
}

const projections = options.only.split(',');
const rounds = Number(options.rounds);
const results = [];
for (let round = 0; round < rounds; round++) {
  for (const projection of projections) {
    // Alternate who goes first, round by round.
    const contenders = [
      ['after', () => after.rebuildPgTaawun],
      ...(before ? [['before', () => before.rebuildPgTaawun]] : []),
      ...(options['no-peer'] || projection !== projections[0] ? [] : [['emmett', null]]),
    ];
    const order = round % 2 === 0 ? contenders : [...contenders].reverse();
    const digests = {};
    for (const [who, rebuild] of order) {
      const name = `${options.prefix}_${who}_${events}`;
      const url = await copy(name);
      let r;
      if (who === 'emmett') r = await emmett.aggregateEmmett({ logFile: generated.file, mode: 'postgres', url });
      else {
        r = await rebuild()({ url, projection });
        digests[who] = await modelDigest(url);
      }
      await drop(name);
      results.push({ round, projection: who === 'emmett' ? 'read-and-aggregate' : projection, who, ms: r.ms, eventsPerSecond: r.eventsPerSecond });
      log(`round ${round + 1} ${who.padEnd(6)} ${(who === 'emmett' ? 'read-and-aggregate' : projection).padEnd(18)} ${(r.ms / 1000).toFixed(2).padStart(7)} s  ${Math.round(r.eventsPerSecond).toString().padStart(7)} events/s`);
    }
    if (digests.before && digests.after) {
      const same = JSON.stringify(digests.before) === JSON.stringify(digests.after);
      log(`round ${round + 1} ${projection}: models ${same ? 'identical' : 'DIFFER'} ${JSON.stringify(digests.after)}`);
      if (!same) log(`  before: ${JSON.stringify(digests.before)}`);
      results.push({ round, projection, identical: same });
    }
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const rate = (who, projection) => median(results.filter((r) => r.who === who && r.projection === projection).map((r) => r.eventsPerSecond));
const peer = rate('emmett', 'read-and-aggregate');
log(`\n${events} events, medians of ${rounds} rounds (events/s):`);
for (const projection of projections) {
  const a = rate('after', projection);
  const b = before ? rate('before', projection) : undefined;
  log(`  ${projection}: after ${Math.round(a)}${b ? `, before ${Math.round(b)} (after/before ${(a / b).toFixed(2)})` : ''}${peer ? `; emmett ${Math.round(peer)}: after/emmett ${(a / peer).toFixed(2)}${b ? `, before/emmett ${(b / peer).toFixed(2)}` : ''}` : ''}`);
}
process.stdout.write(`${JSON.stringify({ events, rounds, results })}\n`);
if (!options['keep-template']) await drop(template);
await admin.end();
