/**
 * Single commands side by side in one process: the code of a base checkout
 * ("before", its built `dist`), this checkout's ("after") and Emmett-sqlite
 * (the peer, as `workloads/emmett.mjs` runs it), each on its own copy of the
 * same imported log, every command sent to each in turn, the order cycling
 * through the rotations of the list and of its reverse. Beside them the floor
 * of a durable append on the same file: per command one `BEGIN IMMEDIATE`,
 * the stream's last revision read, one row inserted (the command's JSON as its
 * data), `COMMIT` at `synchronous = FULL`, through better-sqlite3, no domain
 * code: what every command pays whoever writes it. A fresh process per round (the state
 * cache starts empty, as in `npm run bench`); rates are commands over the sum
 * of their latencies, so the tail counts.
 *
 *   node bench/commands-side-by-side.mjs --events 1000000 --rounds 3 \
 *     --before /dev/shm/before-cmds --imported /dev/shm/cmds-db --dir bench/work/cmds
 *
 * `--peer-domain` is a checkout whose `packages/domain/dist` (with its own
 * `node_modules`) the peer decides with: a copy, so that no side's code is
 * warmed by another side's calls (loading the same module for the peer and
 * "after" measured identical code 1.13x faster than itself).
 * `--imported` holds `taawun-<events>.db` and `emmett-<events>.db` (the bench's
 * imports of the cached log); `--dir` is where the copies are written (a disk,
 * for the fsyncs to cost what they cost). `--only after` runs ours alone (for
 * `--cpu-prof`).
 *
 * `--postgres <url>`: the same on PostgreSQL (the server of `url`). The log is
 * imported once into a template database (`pgcmd_tpl_<events>`: our store,
 * emmett-postgresql's tables and the floor's table, kept for later runs), and
 * each round runs on a fresh copy of it (`CREATE DATABASE … TEMPLATE`). The
 * floor is the least a durable append costs there: one statement a command,
 * in one round trip and one flushed commit (`synchronous_commit` as the server
 * has it), inserting the row at the stream's next revision into a table made
 * `LIKE` the store's; no lock, no check, no domain code. The template is
 * `VACUUM ANALYZE`d; `--as-imported` leaves it as the import left it (template
 * `pgcmd_tpl_<events>_raw`), as `npm run bench` measures on a server without autovacuum.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { fsyncFile } from './lib/measure.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values: options } = parseArgs({
  options: {
    events: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '3' },
    before: { type: 'string' },
    imported: { type: 'string', default: '/dev/shm/cmds-db' },
    dir: { type: 'string', default: join(here, 'work', 'cmds') },
    count: { type: 'string', default: '2000' },
    only: { type: 'string' },
    'peer-domain': { type: 'string' },
    postgres: { type: 'string' },
    'as-imported': { type: 'boolean', default: false },
    child: { type: 'string' },
  },
});

const sides = ['floor', 'before', 'after', 'peer'];
/** The orders the sides take turns in: every rotation of the list, forwards and backwards. */
const ordersOf = (names) => {
  const rotations = (list) => list.map((_, i) => [...list.slice(i), ...list.slice(0, i)]);
  return [...rotations(names), ...rotations([...names].reverse())];
};
const bounds = [0.5, 1, 2, 5, 10, 20, Infinity];

// The peer's PostgreSQL pool keeps idle connections after its close: the round ends here.
if (options.child) await child(JSON.parse(options.child)).then(() => process.exit(0));
else await parent();

async function parent() {
  const events = Number(options.events);
  const dir = resolve(options.dir);
  // On PostgreSQL the template is imported first (the log generated if it is not cached).
  const postgres = options.postgres && (await postgresRounds(options.postgres, events, options.before && resolve(options.before), options['as-imported']));
  // The floor's streams, found here: routing them in the child would warm one side's copy of the domain code.
  const { readCommands } = await import('./lib/log.mjs');
  const { parseCommand, routeCommand } = await import('@taawun/domain');
  const floorStreams = readCommands(commandsFileOf(events)).slice(0, Number(options.count)).map((item) => routeCommand(parseCommand(item.command).value).stream);
  const wanted = options.only ? [options.only] : sides.filter((s) => s !== 'before' || options.before);
  console.log(`| round | events | load | commands/s ${wanted.join(' / ')} | p50 ms | p99 ms | after / peer | after / before | after / floor |`);
  for (let round = 1; round <= Number(options.rounds); round++) {
    const files = {};
    if (postgres) {
      // A fresh copy a round, all sides in it (each its own tables), but the base build's store, which has the same tables as ours: a copy of its own.
      const url = await postgres.copy('pgcmd_round');
      for (const side of wanted) files[side] = side === 'before' ? await postgres.copy('pgcmd_round_before') : url;
    } else {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      for (const side of wanted) {
        files[side] = join(dir, `${side}.db`);
        copyFileSync(join(options.imported, `${side === 'peer' ? 'emmett' : 'taawun'}-${events}.db`), files[side]);
        fsyncFile(files[side]); // on the disk before the clock starts
      }
    }
    const load = loadavg()[0];
    const args = { files, before: options.before && resolve(options.before), peerDomain: options['peer-domain'] && resolve(options['peer-domain']), floorStreams, count: Number(options.count), commandsFile: commandsFileOf(events), round };
    const run = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', JSON.stringify(args)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 });
    const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    if (!line) throw new Error(`round ${round} failed: ${run.stdout.slice(-2000)}`);
    const result = JSON.parse(line.slice(7));
    const rate = (side) => result[side]?.commandsPerSecond;
    const cell = (f) => wanted.map((s) => f(result[s])).join(' / ');
    const ratio = (a, b) => (rate(a) && rate(b) ? (rate(a) / rate(b)).toFixed(2) : '');
    console.log(`| ${round} | ${events.toLocaleString('en')} | ${load.toFixed(1)} | ${cell((r) => r.commandsPerSecond)} | ${cell((r) => r.p50Ms.toFixed(2))} | ${cell((r) => r.p99Ms.toFixed(2))} | ${ratio('after', 'peer')} | ${ratio('after', 'before')} | ${ratio('after', 'floor')} |`);
    for (const side of wanted) console.log(`  ${side}: ${JSON.stringify(result[side].detail)}`);
  }
  if (postgres) await postgres.end();
  else rmSync(dir, { recursive: true, force: true });
}

/**
 * The template database of `events` (imported on first use: our store, emmett-postgresql's
 * tables, the floor's table with the same rows, then `VACUUM ANALYZE`, unless `asImported`:
 * left as an import leaves it on a server without autovacuum, as `npm run bench` measures it)
 * and a fresh copy of it for each round.
 */
async function postgresRounds(adminUrl, events, before, asImported) {
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const urlOf = (name) => Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();
  // Imported by the base build when there is one: its schema version, which this build migrates on open.
  const template = `pgcmd_tpl_${events}${before ? '_base' : ''}${asImported ? '_raw' : ''}`;
  if ((await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template])).rowCount === 0) {
    const { ensureLog } = await import('./lib/log.mjs');
    const generated = ensureLog({ seed: 42, events, sample: 2000, cacheDir: join(here, '.cache'), log: (line) => process.stderr.write(`${line}\n`) });
    process.stderr.write(`importing ${events} events into ${template} (taawun, emmett-postgresql, the floor's table) ...\n`);
    await admin.query(`CREATE DATABASE ${template}`);
    const args = { logFile: generated.file, maxBatch: 500, url: urlOf(template) };
    const adapter = before && pathToFileURL(join(before, 'packages/adapter-postgres/dist/index.js')).href;
    await (await import('./workloads/postgres.mjs')).importPgTaawun({ ...args, headHash: generated.headHash, ...(adapter ? { adapter } : {}) });
    await (await import('./workloads/emmett.mjs')).importEmmett({ ...args, mode: 'postgres' });
    const c = new pg.Client({ connectionString: urlOf(template) });
    await c.connect();
    await c.query('CREATE SCHEMA floor; CREATE TABLE floor.events (LIKE taawun.events INCLUDING ALL); INSERT INTO floor.events SELECT * FROM taawun.events');
    if (!asImported) await c.query('VACUUM ANALYZE');
    await c.end();
  }
  const copies = new Set();
  return {
    async copy(name) {
      copies.add(name);
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
      return urlOf(name);
    },
    async end() {
      for (const name of copies) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

function commandsFileOf(events) {
  const cache = join(here, '.cache');
  const name = readdirSync(cache).find((f) => f.includes(`-n${events}-`) && f.endsWith('.commands.ndjson'));
  if (!name) throw new Error(`no cached commands for ${events} events in ${cache}`);
  return join(cache, name);
}

async function child({ files, before, peerDomain, floorStreams, count, commandsFile, round }) {
  const { readCommands } = await import('./lib/log.mjs');
  const { percentile, perSecond } = await import('./lib/measure.mjs');
  const items = readCommands(commandsFile).slice(0, count);
  const opened = {};
  for (const side of Object.keys(files)) {
    if (side === 'peer') opened[side] = await openPeer(files.peer, peerDomain);
    else if (side === 'floor') opened[side] = await openFloor(files.floor, items, floorStreams);
    else opened[side] = await openOurs(side === 'before' ? before : join(here, '..'), files[side]);
  }
  const names = Object.keys(opened);
  const orders = ordersOf(names);
  const latencies = Object.fromEntries(names.map((n) => [n, []]));
  for (const [i, item] of items.entries()) {
    const order = orders[(i + round) % orders.length];
    for (const side of order) {
      const t = performance.now();
      const failure = await opened[side].handle(item);
      latencies[side].push(performance.now() - t);
      if (failure) throw new Error(`${side}: command ${i} (${item.command.type}) failed: ${failure}`);
    }
  }
  const result = {};
  for (const side of names) {
    const ms = latencies[side].reduce((a, b) => a + b, 0);
    // The mean of the fastest 90%: what a command costs without the preemptions and stalls of a shared machine.
    const fastest = [...latencies[side]].sort((a, b) => a - b).slice(0, Math.ceil(latencies[side].length * 0.9));
    const detail = { fastest90MeanMs: Number((fastest.reduce((a, b) => a + b, 0) / fastest.length).toFixed(4)), histogram: histogram(latencies[side]), ...(await opened[side].close()) };
    result[side] = { commandsPerSecond: perSecond(items.length, ms), ms, p50Ms: percentile(latencies[side], 50), p99Ms: percentile(latencies[side], 99), detail };
  }
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

/** Commands and milliseconds per latency bucket (upper bounds in ms): where the sum of latencies goes. */
function histogram(values) {
  const buckets = bounds.map((b) => ({ le: b === Infinity ? 'more' : b, commands: 0, ms: 0 }));
  for (const v of values) {
    const bucket = buckets[bounds.findIndex((b) => v <= b)];
    bucket.commands++;
    bucket.ms += v;
  }
  return buckets.filter((b) => b.commands > 0).map((b) => `≤${b.le}: ${b.commands} (${Math.round(b.ms)} ms)`).join(', ');
}

function isUrl(target) {
  return target.startsWith('postgres://');
}

async function openOurs(root, target) {
  const domain = await import(pathToFileURL(join(root, 'packages/domain/dist/index.js')).href);
  const store = isUrl(target)
    ? await (await import(pathToFileURL(join(root, 'packages/adapter-postgres/dist/index.js')).href)).openPostgresEventStore(target, { listen: false })
    : await (await import(pathToFileURL(join(root, 'packages/adapter-sqlite/dist/index.js')).href)).openSqliteEventStore(target, { integrityCheck: 'none' });
  return {
    handle: async (item) => {
      const result = await domain.handleUnknown(store, item.command, { actor: item.actor, now: () => new Date(item.at), newId: () => item.id, ...(item.sourceRef ? { sourceRef: item.sourceRef } : {}) });
      return result.ok ? undefined : `${result.error.code}: ${result.error.message}`;
    },
    close: async () => {
      const cache = { ...domain.stateCacheOf(store).stats };
      await store.close();
      return { cache };
    },
  };
}

async function openPeer(target, peerDomain) {
  const { emmettCommandStep, openEmmettSqlite, openEmmettPostgres } = await import('./workloads/emmett.mjs');
  const domain = peerDomain ? await import(pathToFileURL(join(peerDomain, 'packages/domain/dist/index.js')).href) : undefined;
  if (isUrl(target)) {
    const { store, close } = await openEmmettPostgres(target);
    return { handle: emmettCommandStep(store, domain), close: async () => (await close(), {}) };
  }
  const { store, pragmas, close } = await openEmmettSqlite(target);
  if (pragmas.journalMode !== 'wal' || pragmas.synchronous !== 2) throw new Error(`the peer is not at WAL with synchronous = FULL: ${JSON.stringify(pragmas)}`);
  return { handle: emmettCommandStep(store, domain), close: async () => (await close(), { pragmas }) };
}

/** The floor on PostgreSQL: one statement a command (one round trip, one flushed commit), at the stream's next revision. */
async function openPostgresFloor(url, items, floorStreams) {
  const { default: pg } = await import('pg');
  const streams = new Map(items.map((item, i) => [item, floorStreams[i]]));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query('SHOW synchronous_commit');
  const insert = `INSERT INTO floor.events (position, stream, revision, id, type, schema_version, recorded_at, data, metadata, hash)
    SELECT (SELECT max(position) FROM floor.events) + 1, $1, coalesce((SELECT max(revision) FROM floor.events WHERE stream = $1) + 1, 0), $2, $3, 1, $4, $5, '{}', 'floor'`;
  return {
    handle: async (item) => void (await client.query(insert, [streams.get(item), item.id, item.command.type, new Date(item.at).toISOString(), JSON.stringify(item.command)])),
    close: async () => (await client.end(), { synchronousCommit: rows[0].synchronous_commit }),
  };
}

/** The floor: one durable append a command, no domain code (each item's stream found by the parent). */
async function openFloor(dbFile, items, floorStreams) {
  if (isUrl(dbFile)) return openPostgresFloor(dbFile, items, floorStreams);
  const { default: Database } = await import('better-sqlite3');
  const streams = new Map(items.map((item, i) => [item, floorStreams[i]]));
  const db = new Database(dbFile);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const head = db.prepare('SELECT max(revision) FROM events WHERE stream = ?').pluck();
  const insert = db.prepare(`INSERT INTO events (stream, revision, id, type, schema_version, recorded_at, data, metadata, hash) VALUES (?, ?, ?, ?, 1, ?, ?, '{}', 'floor')`);
  const append = db.transaction((item) => {
    const stream = streams.get(item);
    const last = head.get(stream);
    insert.run(stream, last === null ? 0 : last + 1, item.id, item.command.type, new Date(item.at).toISOString(), JSON.stringify(item.command));
  });
  return {
    handle: async (item) => void append.immediate(item),
    close: async () => (db.close(), {}),
  };
}
