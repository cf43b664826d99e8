/**
 * Stored pages against the server's own floor, two code versions side by side: `node measure.mjs <events> [seconds] [rounds]`.
 *
 * One server process per code tree (`server.mjs` of each tree: every model built, followers running, the access
 * log on), both up, measured alternately: each round asks each server for the floor (`GET /read-models`) and the
 * three default pages as the bench does (`workloads/http.mjs`: `lib/load.mjs`, 10 connections, a browser's `Accept-Encoding`,
 * the partner history rotating over five partners). Before measuring, each page is fetched from both servers
 * uncompressed and the bodies compared (the answer must not change).
 *
 * Environment: PAGES_BEFORE / PAGES_AFTER the code trees (default: /dev/shm/before-pages and this worktree);
 * PAGES_DB_BEFORE / PAGES_DB_AFTER their databases (default /dev/shm/pages-<before|after>-n<events>.db, made by
 * `prepare.mjs` of each tree); PAGES_CACHE=off to keep no encoded page (each request computes its answer);
 * PAGES_PROFILE=<dir> to run the servers with --cpu-prof into that folder; PAGES_ACCEPT_ENCODING what the pages are asked
 * with (default `gzip, deflate, br`, as browsers send it; `gzip` as curl --compressed does).
 *
 * Besides the rates, each scenario's CPU per request is measured on both sides: the server process's (from
 * /proc) and this process's (the load generator's, `process.cpuUsage`). The load generator shares the machine's
 * cores: the rate ratio says what the bench sees, the server's CPU ratio (floor's µs a request / the page's) what
 * the server can serve. Until 2026-12-05 this was autocannon, which decodes every body into a string and so spent
 * more CPU on a 20 KB page than the server did (`decode-cost.mjs`); `lib/load.mjs` reads bodies as bytes.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApiKey } from '@taawun/adapter-http';
import { httpLoad } from '../lib/load.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const events = Number(process.argv[2] ?? 100_000);
const seconds = Number(process.argv[3] ?? 5);
const rounds = Number(process.argv[4] ?? 3);
const trees = { before: process.env.PAGES_BEFORE ?? '/dev/shm/before-pages', after: process.env.PAGES_AFTER ?? resolve(here, '../..') };
const dbs = { before: process.env.PAGES_DB_BEFORE ?? `/dev/shm/pages-before-n${events}.db`, after: process.env.PAGES_DB_AFTER ?? `/dev/shm/pages-after-n${events}.db` };
const pageCacheBytes = process.env.PAGES_CACHE === 'off' ? 0 : undefined;
for (const db of Object.values(dbs)) if (!existsSync(db)) throw new Error(`${db} is missing: run bench/pages/prepare.mjs ${events} ${db} from its tree`);

function startServer(version, keyEntry) {
  const profile = process.env.PAGES_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.PAGES_PROFILE, '--cpu-prof-name', `server-${version}-n${events}-${Date.now()}.cpuprofile`] : [];
  const args = [...profile, join(trees[version], 'bench/pages/server.mjs'), JSON.stringify({ dbFile: dbs[version], keyEntry, pageCacheBytes })];
  // The access log goes to stderr, as in the bench (read and dropped here).
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (chunk) => (err = (err + chunk).slice(-2000)));
  return new Promise((ok, fail) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /LISTENING (\S+)/.exec(out);
      if (match) ok({ url: match[1], child });
    });
    child.on('exit', (code) => fail(new Error(`the ${version} server exited (${code}): ${err.trim().split('\n').slice(-3).join(' ')}`)));
  });
}

/** CPU milliseconds the process has used (user + system), from /proc (Linux). */
function cpuMsOf(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * (1000 / 100);
}

const stop = (child) => new Promise((done) => (child.once('exit', done), child.kill('SIGTERM')));
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

const { key, entry } = createApiKey('bench-clerk', 'clerk');
const headers = { authorization: `Bearer ${key}`, 'accept-encoding': process.env.PAGES_ACCEPT_ENCODING ?? 'gzip, deflate, br' };
const partners = ['enm-france', 'giz', 'aecid', 'enabel', 'ssm-italy'];
const scenarios = {
  floor: () => '/read-models',
  'partner history': (i) => `/read-models/partner-history?partnerId=${partners[i % partners.length]}`,
  'agreements register': () => '/read-models/agreements-register',
  'yearly report': () => '/read-models/yearly-activity-report',
};

const servers = {};
try {
  for (const version of Object.keys(trees)) servers[version] = await startServer(version, entry);
  console.log(`${events} events, ${seconds} s a scenario, ${rounds} rounds, encoded pages ${pageCacheBytes === 0 ? 'not kept' : 'kept (the default)'}, Accept-Encoding: ${headers['accept-encoding']}`);
  // The same answer from both versions, and its bytes (JSON, and gzipped as sent).
  for (const [name, path] of Object.entries(scenarios)) {
    for (let i = 0; i < (name === 'partner history' ? partners.length : 1); i++) {
      const bodies = {};
      for (const [version, { url }] of Object.entries(servers)) {
        const plain = await fetch(`${url}${path(i)}`, { headers: { authorization: headers.authorization, 'accept-encoding': 'identity' } });
        const zipped = await fetch(`${url}${path(i)}`, { headers });
        bodies[version] = Buffer.from(await plain.arrayBuffer());
        const sent = zipped.headers.get('content-length');
        console.log(`  ${version} ${path(i)}: ${plain.status}, ${bodies[version].byteLength} bytes, sent ${sent ?? '(chunked)'} (${zipped.headers.get('content-encoding') ?? 'identity'})`);
      }
      console.log(`  same answer: ${bodies.before.equals(bodies.after) ? 'yes' : 'NO'}`);
    }
  }
  const rates = {};
  const serverCpu = {};
  const clientCpu = {};
  for (let round = 0; round < rounds; round++) {
    for (const version of round % 2 === 0 ? ['before', 'after'] : ['after', 'before']) {
      for (const [name, path] of Object.entries(scenarios)) {
        let i = 0;
        const [server0, client0] = [cpuMsOf(servers[version].child.pid), process.cpuUsage()];
        const result = await httpLoad({ url: servers[version].url, connections: 10, durationSeconds: seconds, headers, path: () => path(i++) });
        const client = process.cpuUsage(client0);
        const serverUs = ((cpuMsOf(servers[version].child.pid) - server0) * 1000) / result.requests;
        const clientUs = (client.user + client.system) / result.requests;
        (rates[`${version} ${name}`] ??= []).push(result.requestsPerSecond);
        (serverCpu[`${version} ${name}`] ??= []).push(serverUs);
        (clientCpu[`${version} ${name}`] ??= []).push(clientUs);
        console.log(`round ${round + 1} ${version} ${name}: ${result.requestsPerSecond} req/s, p50 ${result.p50Ms.toFixed(2)} ms, CPU a request: server ${Math.round(serverUs)} µs, load generator ${Math.round(clientUs)} µs, non-2xx ${result.non2xx}, errors ${result.errors}`);
      }
    }
  }
  console.log('\nmean req/s and x the same server\'s floor (mean of each round\'s ratio):');
  for (const version of Object.keys(trees)) {
    for (const name of Object.keys(scenarios)) {
      const ratios = rates[`${version} ${name}`].map((r, k) => r / rates[`${version} floor`][k]);
      const cpuRatios = serverCpu[`${version} ${name}`].map((us, k) => serverCpu[`${version} floor`][k] / us);
      console.log(
        `  ${version} ${name}: ${Math.round(mean(rates[`${version} ${name}`]))} req/s, ${mean(ratios).toFixed(2)}x (rounds ${ratios.map((r) => r.toFixed(2)).join(', ')}); ` +
          `CPU a request: server ${Math.round(mean(serverCpu[`${version} ${name}`]))} µs (${mean(cpuRatios).toFixed(2)}x the floor's rate), load generator ${Math.round(mean(clientCpu[`${version} ${name}`]))} µs`,
      );
    }
  }
} finally {
  for (const { child } of Object.values(servers)) await stop(child);
}
