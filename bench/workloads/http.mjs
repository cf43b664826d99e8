/**
 * HTTP under load on a loopback port (`lib/load.mjs`: undici, answers read as
 * bytes and not decoded, so the load generator is not what bounds a page of
 * 20 KB on two shared cores): recording commands
 * (`POST /commands/register-partner`, one new stream and one transaction each),
 * the server's own floor (`GET /read-models`, the list of read models: an
 * authenticated GET that reads no model) and three stored pages against it
 * (a partner's history, the agreements register, the yearly report: their
 * default pages). The server runs in its own process; the load generator runs here.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApiKey } from '@taawun/adapter-http';
import { httpLoad } from '../lib/load.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** With --cpu-prof (the bench's), the server is profiled too, into the same folder: it is where a request's time goes. */
function profileArgs() {
  if (!process.execArgv.includes('--cpu-prof')) return [];
  const at = process.execArgv.findIndex((a) => a.startsWith('--cpu-prof-dir'));
  const dir = at < 0 ? undefined : process.execArgv[at].includes('=') ? process.execArgv[at].split('=')[1] : process.execArgv[at + 1];
  return ['--cpu-prof', ...(dir ? ['--cpu-prof-dir', dir] : []), '--cpu-prof-name', `http-server-${Date.now()}.cpuprofile`];
}

function startServerProcess(dbFile, keyEntry) {
  const child = spawn(process.execPath, [...profileArgs(), join(here, 'http-server.mjs'), JSON.stringify({ dbFile, keyEntry })], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /LISTENING (\S+)/.exec(out);
      if (match) resolve({ url: match[1], child, stop: () => stopServer(child, () => out) });
    });
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('exit', (code) => reject(new Error(`the server exited (${code}): ${err.trim().split('\n').slice(-3).join(' ')}`)));
  });
}

/** Stop the server and read its peak RSS: while serving (models built), and of the whole process (the build included). */
function stopServer(child, output) {
  return new Promise((resolve) => {
    child.once('exit', () => {
      const line = /PEAK_RSS (\{.*\})/.exec(output());
      resolve(line ? JSON.parse(line[1]) : undefined);
    });
    child.kill('SIGTERM');
  });
}

/** CPU milliseconds a process has used (user + system), from /proc; undefined where there is none (not Linux). */
function cpuMsOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * (1000 / 100);
  } catch {
    return undefined;
  }
}

/**
 * Wait until the server has no work of its own left (its CPU under 5% over two
 * half-seconds in a row, at most a minute): after the commands, its read-model
 * followers fold what they recorded, and a read measured meanwhile would pay
 * for that work too (the floor first). Gives the milliseconds waited.
 */
async function untilIdle(pid) {
  const started = performance.now();
  let quiet = 0;
  let last = cpuMsOf(pid);
  while (last !== undefined && quiet < 2 && performance.now() - started < 60_000) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = cpuMsOf(pid);
    quiet = now - last < 25 ? quiet + 1 : 0;
    last = now;
  }
  return Math.round(performance.now() - started);
}

const summary = ({ bytesRead, ...result }) => result;

/**
 * `acceptEncoding`: what the reads send in Accept-Encoding (`gzip, deflate, br`, as browsers send it; `gzip` as
 * curl --compressed and most HTTP libraries do; `identity` for uncompressed answers). Commands and the floor's list are sent as they are either way.
 * @param {{ dbFile: string; partners: string[]; durationSeconds: number; connections: number; acceptEncoding?: string }} args
 */
export async function httpTaawun({ dbFile, partners, durationSeconds, connections, acceptEncoding = 'gzip, deflate, br' }) {
  const { key, entry } = createApiKey('bench-clerk', 'clerk');
  const { url, stop, child } = await startServerProcess(dbFile, entry);
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const scenarios = {};
  let serverRss;
  let settledAfterCommandsMs;
  try {
    let next = 0;
    scenarios['record commands (POST register-partner)'] = summary(await httpLoad({
      url,
      connections,
      durationSeconds,
      headers,
      method: 'POST',
      path: () => '/commands/register-partner',
      body: () => JSON.stringify({ partnerId: `bench-partner-${process.pid}-${next++}`, kind: 'school', name: { fr: 'École de la magistrature (banc d’essai)', ar: 'مدرسة القضاء - اختبار' }, country: 'FR' }),
    }));
    settledAfterCommandsMs = await untilIdle(child.pid);
    const probe = await fetch(`${url}/read-models/partner-history?partnerId=${partners[0]}`, { headers });
    if (probe.status === 404 && (await probe.json()).code === 'route-not-found') {
      scenarios['read a partner history (GET /read-models/partner-history)'] = { ok: false, message: 'the route is not in @taawun/adapter-http yet' };
    } else {
      const readHeaders = { ...headers, 'accept-encoding': acceptEncoding };
      const reading = async (path) => {
        const first = await fetch(`${url}${typeof path === 'function' ? path() : path}`, { headers: readHeaders });
        // The answer's bytes, and the bytes sent (gzipped when the server compressed it).
        const bytes = (await first.arrayBuffer()).byteLength;
        const wireBytes = Number(first.headers.get('content-length') ?? bytes);
        // A tenth of the time asked first and not counted: each scenario is measured warm (its code compiled, its pages kept and compressed harder), the floor too.
        await httpLoad({ url, connections, durationSeconds: durationSeconds / 10, headers: readHeaders, path: typeof path === 'function' ? path : () => path });
        const [server0, client0] = [cpuMsOf(child.pid), process.cpuUsage()];
        const result = await httpLoad({ url, connections, durationSeconds, headers: readHeaders, path: typeof path === 'function' ? path : () => path });
        const client = process.cpuUsage(client0);
        const server1 = cpuMsOf(child.pid);
        // CPU a request on each side: the load generator shares the cores with the server.
        const cpu = server0 === undefined || server1 === undefined || result.requests === 0 ? {} : {
          serverCpuUsPerRequest: Math.round(((server1 - server0) * 1000) / result.requests),
          loadGeneratorCpuUsPerRequest: Math.round((client.user + client.system) / result.requests),
        };
        return { status: first.status, bytes, wireBytes, contentEncoding: first.headers.get('content-encoding') ?? 'identity', ...summary(result), ...cpu };
      };
      // The floor first: the same server, the same authentication, no read model.
      scenarios['the floor: an authenticated GET reading no model (GET /read-models)'] = await reading('/read-models');
      let i = 0;
      scenarios['read a partner history (GET /read-models/partner-history)'] = await reading(() => `/read-models/partner-history?partnerId=${partners[i++ % partners.length]}`);
      scenarios['read the agreements register (GET /read-models/agreements-register)'] = await reading('/read-models/agreements-register');
      scenarios['read the yearly report (GET /read-models/yearly-activity-report)'] = await reading('/read-models/yearly-activity-report');
    }
  } finally {
    serverRss = await stop();
  }
  return { scenarios, connections, durationSeconds, acceptEncoding, serverRss, settledAfterCommandsMs };
}
