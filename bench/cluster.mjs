#!/usr/bin/env node
/**
 * The cluster workload: `taawun serve` nodes on one PostgreSQL database, 1 node
 * then 3, under the same bounded load on loopback (a fixed number of clients
 * recording commands and as many reading a partner's history, spread over the
 * nodes), reporting the combined rates and the ratio of 3 nodes to 1.
 *
 *   npx tsc -b && node bench/cluster.mjs [--seconds 8] [--clients 8] [--store postgres://…] [--standby] [--out file]
 *
 * The store is the machine's server (TAAWUN_BENCH_POSTGRES_URL, else
 * postgres://postgres@127.0.0.1:5432/test), in a fresh schema dropped afterwards.
 * With --standby, a throwaway primary and a streaming standby are made instead
 * (initdb, pg_basebackup -R, pg_ctl, as the postgres user when root; removed
 * afterwards), and a third run has 3 nodes of which 2 read from the standby.
 * Clients are plain fetch loops in this process (no autocannon: the bench's own
 * dependencies need not be installed).
 */
import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'packages/cli/dist/main.js');
const { values: options } = parseArgs({
  options: {
    seconds: { type: 'string', default: '8' },
    clients: { type: 'string', default: '8' },
    store: { type: 'string' },
    out: { type: 'string' },
    standby: { type: 'boolean', default: false },
  },
});
const seconds = Number(options.seconds);
const clients = Number(options.clients);
const folder = mkdtempSync(join(tmpdir(), 'taawun-bench-cluster-'));
const pair = options.standby ? await throwawayPair() : undefined;
const base = pair?.primary ?? options.store ?? process.env.TAAWUN_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `bench_cluster_${process.pid}`;
const store = `${base}?schema=${schema}`;

/** A throwaway primary and its streaming standby on free ports, as the cluster tests make them. */
async function throwawayPair() {
  const { readdirSync, chownSync } = await import('node:fs');
  const { userInfo } = await import('node:os');
  const { createServer } = await import('node:net');
  const bin = `/usr/lib/postgresql/${readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a))[0]}/bin`;
  const root = join(folder, 'pg');
  chmodSync(folder, 0o755);
  mkdirSync(root);
  const asRoot = userInfo().uid === 0;
  if (asRoot) chownSync(root, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })));
  const tool = (name, args) => (asRoot ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, name), ...args], { stdio: 'ignore' }) : execFileSync(join(bin, name), args, { stdio: 'ignore' }));
  const port = () => new Promise((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); }); });
  const start = (dir, p) => tool('pg_ctl', ['-D', dir, '-o', `-p ${p} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${root} -c fsync=off -c max_connections=200`, '-l', `${dir}.log`, '-w', 'start']);
  const [p1, p2] = [await port(), await port()];
  tool('initdb', ['-D', join(root, 'primary'), '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync']);
  start(join(root, 'primary'), p1);
  tool('pg_basebackup', ['-h', '127.0.0.1', '-p', String(p1), '-U', 'postgres', '-D', join(root, 'standby'), '-R', '-X', 'stream', '--no-sync', '-c', 'fast']);
  start(join(root, 'standby'), p2);
  return {
    primary: `postgres://postgres@127.0.0.1:${p1}/postgres`,
    standby: `postgres://postgres@127.0.0.1:${p2}/postgres`,
    stop: () => {
      for (const dir of ['standby', 'primary']) {
        try { tool('pg_ctl', ['-D', join(root, dir), '-m', 'immediate', '-w', 'stop']); } catch { /* already stopped */ }
      }
    },
  };
}

const taawun = (args) => execFileSync(process.execPath, [cli, ...args], { cwd: folder, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

function startNode(extra = []) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TAAWUN_')));
  const child = spawn(process.execPath, [cli, 'serve', '--store', store, '--keys', 'sqlite:keys.db', '--config', 'taawun.json', '--port', '0', ...extra], { cwd: folder, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (c) => (err += c));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const url = /report:\s+(http:\/\/[^/\s]+)\/report/.exec(out)?.[1];
      if (url) resolve({ url, child });
    });
    child.once('exit', (code) => reject(new Error(`a node exited (${code}): ${err.trim().split('\n').slice(-2).join(' ')}`)));
  });
}

async function stopNode(node) {
  if (node.child.exitCode !== null) return;
  const exited = new Promise((resolve) => node.child.once('exit', resolve));
  node.child.kill('SIGTERM');
  await exited;
}

/** `clients` loops of `request` against the nodes in turn for `seconds`: requests answered 2xx per second, and the others. */
async function load(nodes, request) {
  const deadline = Date.now() + seconds * 1000;
  let ok = 0;
  let failed = 0;
  const statuses = {};
  const latencies = [];
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      const node = nodes[c % nodes.length];
      for (let i = 0; Date.now() < deadline; i++) {
        const started = performance.now();
        const response = await request(node, c, i).catch(() => undefined);
        latencies.push(performance.now() - started);
        if (response?.ok) ok++;
        else {
          failed++;
          const status = response?.status ?? 'no answer';
          statuses[status] = (statuses[status] ?? 0) + 1;
        }
        await response?.arrayBuffer().catch(() => undefined);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { perSecond: Math.round(ok / seconds), failed, statuses, p50Ms: Math.round(latencies[Math.floor(latencies.length / 2)] ?? 0), p99Ms: Math.round(latencies[Math.floor(latencies.length * 0.99)] ?? 0) };
}

async function run(count, key, round, onStandby = 0) {
  const nodes = await Promise.all(Array.from({ length: count }, (_, i) => startNode(i < onStandby ? ['--read-store', `${pair.standby}?schema=${schema}`] : [])));
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  try {
    // Warm-up: every node answers, and the read models built after the seed are in place (a read replays the log until then).
    for (const node of nodes) {
      for (let i = 0; i < 100 && (await fetch(`${node.url}/read-models/partner-history?partnerId=enm-france`, { headers })).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 2000));
    // Commands and reads at once: the mixed load of an institute's clerks and readers.
    const [commands, reads] = await Promise.all([
      load(nodes, (node, c, i) =>
        fetch(`${node.url}/commands/register-partner`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ partnerId: `bench-${round}-${count}-${c}-${i}`, kind: 'school', name: { fr: 'École (banc d’essai)', ar: 'مدرسة - اختبار' }, country: 'FR' }),
        }),
      ),
      load(nodes, (node) => fetch(`${node.url}/read-models/partner-history?partnerId=enm-france`, { headers })),
    ]);
    return { nodes: count, readingFromStandby: onStandby, commands, reads, combinedPerSecond: commands.perSecond + reads.perSecond };
  } finally {
    await Promise.all(nodes.map(stopNode));
  }
}

try {
  taawun(['seed', '--store', store, '--keys', 'sqlite:keys.db']);
  const key = taawun(['keys', 'add', 'bench', '--role', 'admin', '--config', 'taawun.json']).trim();
  // The per-key rate limit (600 a minute by default) would measure itself, not the nodes.
  const config = JSON.parse(readFileSync(join(folder, 'taawun.json'), 'utf8'));
  writeFileSync(join(folder, 'taawun.json'), JSON.stringify({ ...config, limits: { ...config.limits, requestsPerMinute: 10_000_000 } }), { mode: 0o600 });
  const one = await run(1, key, 'a');
  const three = await run(3, key, 'b');
  const withStandby = pair ? await run(3, key, 'c', 2) : undefined;
  const ratio = (a, b) => Math.round((a / b) * 100) / 100;
  const result = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
    store: store.replace(/:[^:@/]*@/, ':***@'),
    load: { seconds, commandClients: clients, readClients: clients },
    runs: [one, three, ...(withStandby ? [withStandby] : [])],
    ratio3to1: { commands: ratio(three.commands.perSecond, one.commands.perSecond), reads: ratio(three.reads.perSecond, one.reads.perSecond), combined: ratio(three.combinedPerSecond, one.combinedPerSecond) },
    ...(withStandby ? { ratioWithStandbyTo1: { commands: ratio(withStandby.commands.perSecond, one.commands.perSecond), reads: ratio(withStandby.reads.perSecond, one.reads.perSecond), combined: ratio(withStandby.combinedPerSecond, one.combinedPerSecond) } } : {}),
  };
  const rows = result.runs.map((r) => `| ${r.nodes}${r.readingFromStandby ? ` (${r.readingFromStandby} reading from the standby)` : ''} | ${r.commands.perSecond} (p50 ${r.commands.p50Ms} ms, p99 ${r.commands.p99Ms} ms, ${r.commands.failed} failed) | ${r.reads.perSecond} (p50 ${r.reads.p50Ms} ms, p99 ${r.reads.p99Ms} ms, ${r.reads.failed} failed) | ${r.combinedPerSecond} |${r.commands.failed + r.reads.failed ? ` ${JSON.stringify({ commands: r.commands.statuses, reads: r.reads.statuses })}` : ''}`);
  console.log(['| nodes | commands/s | reads/s | combined/s |', '|---|---|---|---|', ...rows, `| 3 : 1 | ${result.ratio3to1.commands} | ${result.ratio3to1.reads} | ${result.ratio3to1.combined} |`, ...(result.ratioWithStandbyTo1 ? [`| 3 (2 on the standby) : 1 | ${result.ratioWithStandbyTo1.commands} | ${result.ratioWithStandbyTo1.reads} | ${result.ratioWithStandbyTo1.combined} |`] : [])].join('\n'));
  if (options.out) {
    mkdirSync(dirname(options.out), { recursive: true });
    writeFileSync(options.out, `${JSON.stringify(result, null, 2)}\n`);
  }
} finally {
  if (pair) pair.stop();
  else {
    try {
      execFileSync('psql', [base, '-qc', `DROP SCHEMA IF EXISTS ${schema} CASCADE`], { stdio: 'ignore' });
    } catch {
      console.error(`could not drop schema ${schema}: drop it by hand`);
    }
  }
  rmSync(folder, { recursive: true, force: true });
}
