/**
 * Where a single command's time goes on SQLite, and what WAL checkpoints cost
 * it: this checkout's store opened two or more times in one process, each on
 * its own copy of the same imported log, the 2,000 commands that follow the log
 * sent to each in turn (the order alternating), per command the time in
 * `append`, in `readStream`, whether it started from a kept state, and whether
 * it restarted the WAL (the command before a restart ran the checkpoint).
 *
 *   node bench/commands-checkpoints.mjs --events 1000000 --variants default,worker
 *
 * Variants: `default` (SQLite's automatic checkpoint at 1,000 pages, paid by the
 * committing command), `noauto` (no checkpoint at all: the WAL grows),
 * `worker` (automatic checkpoints off; a worker thread with its own connection
 * runs a PASSIVE checkpoint every 64 commits, and the writer runs one itself
 * once 250 commits have gone by, so the WAL can restart: a PASSIVE checkpoint
 * by another thread never catches up with commits that follow one another).
 */
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

if (isMainThread) await main();
else await checkpointer();

async function main() {
  const here = dirname(fileURLToPath(import.meta.url));
  const { values: options } = parseArgs({
    options: {
      events: { type: 'string', default: '10000' },
      variants: { type: 'string', default: 'default,worker' },
      imported: { type: 'string', default: '/dev/shm/cmds-db' },
      dir: { type: 'string', default: join(here, 'work', 'checkpoints') },
      count: { type: 'string', default: '2000' },
    },
  });
  const domain = await import('@taawun/domain');
  const sqlite = await import('@taawun/adapter-sqlite');
  const { readCommands } = await import('./lib/log.mjs');
  const cache = join(here, '.cache');
  const commandsFile = readdirSync(cache).find((f) => f.includes(`-n${options.events}-`) && f.endsWith('.commands.ndjson'));
  const items = readCommands(join(cache, commandsFile)).slice(0, Number(options.count));
  const dir = resolve(options.dir);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });

  const sides = [];
  for (const variant of options.variants.split(',')) {
    const file = join(dir, `${variant}.db`);
    copyFileSync(join(options.imported, `taawun-${options.events}.db`), file);
    const store = await sqlite.openSqliteEventStore(file, { integrityCheck: 'none' });
    let worker;
    if (variant !== 'default') store.database.pragma('wal_autocheckpoint = 0');
    if (variant === 'worker') worker = new Worker(fileURLToPath(import.meta.url), { workerData: { file, every: 64 } });
    const timing = { append: 0, read: 0 };
    const append = store.append.bind(store);
    const readStream = store.readStream.bind(store);
    let sinceOwnCheckpoint = 0;
    store.append = async (...args) => {
      const started = performance.now();
      try {
        return await append(...args);
      } finally {
        if (worker) {
          worker.postMessage('commit');
          if (++sinceOwnCheckpoint >= 250) {
            const [result] = store.database.pragma('wal_checkpoint(PASSIVE)');
            if (result.log === result.checkpointed) sinceOwnCheckpoint = 0;
          }
        }
        timing.append += performance.now() - started;
      }
    };
    store.readStream = async (...args) => {
      const started = performance.now();
      try {
        return await readStream(...args);
      } finally {
        timing.read += performance.now() - started;
      }
    };
    sides.push({ variant, store, file, worker, timing, rows: [] });
  }

  for (const [i, item] of items.entries()) {
    for (const side of i % 2 ? sides : [...sides].reverse()) {
      const stats = domain.stateCacheOf(side.store).stats;
      const misses = stats.misses;
      const walBefore = walGeneration(`${side.file}-wal`);
      side.timing.append = 0;
      side.timing.read = 0;
      const started = performance.now();
      const result = await domain.handleUnknown(side.store, item.command, { actor: item.actor, now: () => new Date(item.at), newId: () => item.id });
      const ms = performance.now() - started;
      if (!result.ok) throw new Error(`${side.variant}: command ${i}: ${result.error.message}`);
      side.rows.push({ ms, append: side.timing.append, read: side.timing.read, miss: stats.misses > misses, restart: walGeneration(`${side.file}-wal`) !== walBefore });
    }
  }

  for (const side of sides) {
    const { rows } = side;
    const sum = (list, key) => Math.round(list.reduce((a, r) => a + r[key], 0));
    const hits = rows.filter((r) => !r.miss);
    const misses = rows.filter((r) => r.miss);
    const checkpointing = rows.filter((_, i) => rows[i + 1]?.restart);
    const median = [...rows.map((r) => r.ms)].sort((a, b) => a - b)[Math.floor(rows.length / 2)];
    let workerReport;
    if (side.worker) {
      const done = new Promise((r) => side.worker.once('message', r));
      side.worker.postMessage('close');
      workerReport = await done;
      await side.worker.terminate();
    }
    const walBytes = statSync(`${side.file}-wal`).size;
    await side.store.close();
    console.log(
      JSON.stringify({
        variant: side.variant,
        totalMs: sum(rows, 'ms'),
        medianMs: Number(median.toFixed(3)),
        appendMs: sum(rows, 'append'),
        readMs: sum(rows, 'read'),
        keptState: { commands: hits.length, ms: sum(hits, 'ms') },
        firstRead: { commands: misses.length, ms: sum(misses, 'ms'), appendMs: sum(misses, 'append'), readMs: sum(misses, 'read') },
        walRestarts: rows.filter((r) => r.restart).length,
        checkpointingCommandsMs: checkpointing.map((r) => Number(r.ms.toFixed(1))),
        walBytes,
        ...(workerReport ? { workerCheckpoints: workerReport } : {}),
      }),
    );
  }
  rmSync(dir, { recursive: true, force: true });
}

/** The WAL header's checkpoint sequence and first salt: they change when a writer restarts the WAL after a complete checkpoint. */
function walGeneration(walFile) {
  if (!existsSync(walFile)) return 'none';
  const fd = openSync(walFile, 'r');
  const header = Buffer.alloc(32);
  readSync(fd, header, 0, 32, 0);
  closeSync(fd);
  return `${header.readUInt32BE(12)}:${header.readUInt32BE(16)}`;
}

/** The worker: its own connection, a PASSIVE checkpoint every `every` commits the writer reports. */
async function checkpointer() {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(workerData.file);
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = FULL');
  db.pragma('wal_autocheckpoint = 0');
  let commits = 0;
  let runs = 0;
  parentPort.on('message', (message) => {
    if (message === 'close') {
      db.close();
      parentPort.postMessage({ runs });
      return;
    }
    if (++commits < workerData.every) return;
    commits = 0;
    runs++;
    db.pragma('wal_checkpoint(PASSIVE)');
  });
}
