import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cliMain, taawun } from '../support.js';

/*
 * Throwaway PostgreSQL clusters and taawun server nodes, for the `*.cluster.test.ts`
 * files: clusters made with PostgreSQL's own tools (initdb, pg_ctl) as the
 * `postgres` user, on free loopback ports, in a temporary folder removed
 * afterwards; nodes are `taawun serve` child processes. Nothing is skipped: without
 * the server binaries the harness fails and says what to install.
 */

const run = promisify(execFile);

/** The newest PostgreSQL server binaries of the machine's packages (`TAAWUN_PG_BIN` overrides). */
export function postgresBin(): string {
  const given = process.env['TAAWUN_PG_BIN'];
  const candidates = given
    ? [given]
    : existsSync('/usr/lib/postgresql')
      ? readdirSync('/usr/lib/postgresql')
          .sort((a, b) => Number(b) - Number(a))
          .map((v) => `/usr/lib/postgresql/${v}/bin`)
      : [];
  const found = candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
  if (!found) {
    throw new Error(
      `the cluster tests need PostgreSQL's server binaries (initdb, pg_ctl) and found none in ${given ?? '/usr/lib/postgresql/*/bin'}: install the "postgresql" package (apt-get install postgresql; .ci/run does), or set TAAWUN_PG_BIN`,
    );
  }
  return found;
}

/** A free TCP port on loopback (asked of the kernel, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** PostgreSQL's tools refuse to run as root: as root they run as `postgres`. */
const asPostgres = (command: string, args: readonly string[]): [string, string[]] =>
  userInfo().uid === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, [...args]];

export interface PostgresServer {
  readonly port: number;
  readonly dataDir: string;
  /** `postgres://postgres@127.0.0.1:PORT/postgres` */
  readonly url: string;
  /** Stop it (`immediate`: as if killed) and remove its files. */
  destroy(): Promise<void>;
}

/** A fresh primary: initdb, then pg_ctl start on a free loopback port, trust authentication, UTF8. */
export function startPostgres(label: string): Promise<PostgresServer> {
  return startServer(label, (tool, dataDir) => tool('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync']));
}

/**
 * A hot standby of `primary`, streaming its WAL: pg_basebackup -R (which writes
 * standby.signal and primary_conninfo), then pg_ctl start on a port of its own.
 * (initdb's trust rules already let loopback connect for replication.)
 */
export function startStandby(primary: PostgresServer, label: string): Promise<PostgresServer> {
  return startServer(label, (tool, dataDir) =>
    tool('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', dataDir, '-R', '-X', 'stream', '--no-sync', '-c', 'fast']),
  );
}

type Tool = (name: string, args: readonly string[]) => Promise<unknown>;

/** Run one of PostgreSQL's tools on a server's data folder, as `postgres` when root. */
const pgTool: Tool = (name, args) => {
  const [command, argv] = asPostgres(join(postgresBin(), name), args);
  return run(command, argv, { timeout: 60_000 });
};

/** SIGKILL the server's postmaster (its backends see it die and exit): a crash, no shutdown of any kind. */
export function killPostgres(server: PostgresServer): void {
  const pid = Number(readFileSync(join(server.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  process.kill(pid, 'SIGKILL');
}

/** Promote a standby to primary (pg_ctl promote, waiting until it accepts writes). */
export async function promoteStandby(server: PostgresServer): Promise<void> {
  await pgTool('pg_ctl', ['-D', server.dataDir, '-w', '-t', '60', 'promote']);
}

async function startServer(label: string, create: (tool: Tool, dataDir: string) => Promise<unknown>): Promise<PostgresServer> {
  const bin = postgresBin();
  const root = await mkdtemp(join(tmpdir(), `taawun-cluster-${label}-`));
  const dataDir = join(root, 'data');
  if (userInfo().uid === 0) chownSync(root, idOf('postgres', '-u'), idOf('postgres', '-g'));
  const port = await freePort();
  const tool: Tool = (name, args) => {
    const [command, argv] = asPostgres(join(bin, name), args);
    return run(command, argv, { timeout: 60_000 });
  };
  const stop = () => tool('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
  try {
    await create(tool, dataDir);
    // fsync off: throwaway data; the tests are about processes, not disks.
    const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${root} -c fsync=off -c max_connections=120`;
    await tool('pg_ctl', ['-D', dataDir, '-o', options, '-l', join(root, 'server.log'), '-w', '-t', '60', 'start']);
  } catch (error) {
    await stop();
    await rm(root, { recursive: true, force: true });
    throw new Error(`could not start a throwaway PostgreSQL in ${root}: ${(error as Error).message}`);
  }
  return {
    port,
    dataDir,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    destroy: async () => {
      await stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** A user's numeric id (`-u`) or group (`-g`). */
const idOf = (user: string, flag: '-u' | '-g'): number => Number(execFileSync('id', [flag, user], { encoding: 'utf8' }).trim());

/** A `taawun serve` child process. */
export interface ServerNode {
  readonly name: string;
  readonly process: ChildProcess;
  readonly pid: number;
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** What it wrote to stderr so far (its log). */
  log(): string;
  /** Send a signal (SIGKILL, SIGSTOP, SIGCONT). */
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM and wait for it to exit (SIGKILL after 10 s). */
  stop(): Promise<void>;
}

/** A folder with an admin key in its configuration file, a key store, and the log seeded with the institute's record. */
export interface Site {
  readonly folder: string;
  readonly store: string;
  readonly key: string;
  readonly args: readonly string[];
}

export async function prepareSite(parent: string, store: string, label: string): Promise<Site> {
  const folder = join(parent, label);
  await mkdir(folder);
  const args = ['--store', store, '--keys', 'sqlite:keys.db', '--config', 'taawun.json'];
  const seeded = await taawun(['seed', '--store', store, '--keys', 'sqlite:keys.db'], { cwd: folder });
  if (seeded.code !== 0) throw new Error(`taawun seed failed: ${seeded.stderr}`);
  const added = await taawun(['keys', 'add', 'admin', '--role', 'admin', '--config', 'taawun.json'], { cwd: folder });
  if (added.code !== 0) throw new Error(`taawun keys add failed: ${added.stderr}`);
  return { folder, store, key: added.stdout.trim(), args };
}

/** Start `taawun serve` on a free port; resolves once it prints its address. */
export function startNode(site: Site, name: string, extra: readonly string[] = []): Promise<ServerNode> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TAAWUN_')));
  const child = spawn(process.execPath, [cliMain, 'serve', ...site.args, '--port', '0', ...extra], { cwd: site.folder, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`node ${name} did not start in 30 s: ${stderr}`)), 30_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const early = (code: number | null) => fail(new Error(`node ${name} exited (${code}) before serving: ${stderr}`));
    child.once('exit', early);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const url = /report:\s+(http:\/\/[^/\s]+)\/report/.exec(stdout)?.[1];
      if (!url) return;
      clearTimeout(timer);
      child.off('exit', early);
      child.stdout!.removeAllListeners('data');
      child.stdout!.resume();
      resolve({
        name,
        process: child,
        pid: child.pid!,
        url,
        log: () => stderr,
        signal: (signal) => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        },
        stop: async () => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill('SIGCONT');
          child.kill('SIGTERM');
          const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(killer);
        },
      });
    });
  });
}

/** POST a command to a node; the status and body (a dead node reads as status 0). */
export async function command(node: ServerNode, key: string, name: string, body: unknown): Promise<{ status: number; body: unknown }> {
  try {
    const response = await fetch(`${node.url}/commands/${name}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    return { status: response.status, body: await response.json().catch(() => undefined) };
  } catch {
    return { status: 0, body: undefined };
  }
}

/** Poll `check` until it returns a value other than undefined, or fail after `timeoutMs` naming `what`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
