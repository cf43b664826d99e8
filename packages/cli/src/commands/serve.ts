import { DEFAULT_STORE_URL, loadReadModels, openRuntime, serveRuntime, type ServingRuntime } from '@taawun/runtime';
import { Option, type Command } from 'commander';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliError, exitCodes, usageError, type ExitCode } from '../errors.js';
import { runs, storeUrlOf, witnessOption, type CliContext, type GlobalOptions, type Io } from '../io.js';
import { seedStore, seedSummary } from './seed.js';

/** Next to the default SQLite file (git-ignored `data/`): the server's keys (hashed), host, port and limits. */
export const DEFAULT_CONFIG_FILE = './data/taawun.json';

interface ServeOptions {
  readonly config?: string;
  readonly host?: string;
  readonly port?: number;
  readonly lease?: number;
  readonly readStore?: string;
  readonly minPositionWait?: number;
  readonly whenBehind?: '503' | 'primary';
}

const parsePort = (value: string): number => {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw usageError(`--port ${value}: give a port from 0 to 65535 (0 picks a free one)`);
  return port;
};

const parseLease = (value: string): number => {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0.1 || seconds > 3_600) throw usageError(`--lease ${value}: give a number of seconds from 0.1 to 3600`);
  return seconds;
};

const parseWait = (value: string): number => {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 60) throw usageError(`--min-position-wait ${value}: give a number of seconds from 0 to 60`);
  return seconds;
};

const configPathOf = (options: ServeOptions, io: Io): string => resolve(io.cwd, options.config ?? (io.env['TAAWUN_CONFIG'] || DEFAULT_CONFIG_FILE));

type Http = typeof import('@taawun/adapter-http');

/** The adapter's configuration (file + environment); a bad file or variable is a usage error naming it. */
function loadConfig(http: Http, path: string, io: Io) {
  try {
    const raw = existsSync(path) ? http.readConfigFile(path) : {};
    const config = http.loadServerConfig({ env: io.env, ...(existsSync(path) ? { file: path } : {}) });
    return { config, databaseSet: Boolean(io.env['TAAWUN_DATABASE'] || raw.database) };
  } catch (error) {
    if (error instanceof http.ConfigError) throw usageError(error.message);
    throw error;
  }
}

/** `--store`, `TAAWUN_STORE`, the config's `database` (or `TAAWUN_DATABASE`) when set, else the SQLite default. */
function serverStoreUrl(options: GlobalOptions, io: Io, config: { database: string }, databaseSet: boolean): string {
  if (options.store !== undefined || io.env['TAAWUN_STORE'] !== undefined) return storeUrlOf(options, io);
  return databaseSet ? `sqlite:${config.database}` : DEFAULT_STORE_URL;
}

/** Resolves on Ctrl+C or a termination signal. */
const stopped = (): Promise<string> =>
  new Promise((resolve) => {
    const stop = (signal: string) => () => resolve(signal);
    process.once('SIGINT', stop('SIGINT'));
    process.once('SIGTERM', stop('SIGTERM'));
  });

interface ServeRun {
  readonly firstStart: boolean;
}

/** Open the store, serve the API and the report until a signal, then close everything. */
async function serve(options: ServeOptions & GlobalOptions, io: Io, run: ServeRun): Promise<ExitCode> {
  const http = await import('@taawun/adapter-http');
  const configPath = configPathOf(options, io);
  const created = run.firstStart ? wrapConfig(() => http.ensureAdminKey(configPath), http) : undefined;
  const { config, databaseSet } = loadConfig(http, configPath, io);
  const readModels = await loadReadModels(options.readModel ?? [], io.cwd);
  const url = serverStoreUrl(options, io, config, databaseSet);
  const runtime = await openRuntime(url, {
    cwd: io.cwd,
    ...(options.keys === undefined ? {} : { keys: options.keys }),
    readModels,
    // What a killed server committed after its last checkpoint is witnessed at the next start.
    ...witnessOption(options, io, url, true),
  });
  let server: ServingRuntime | undefined;
  try {
    if (run.firstStart && (await runtime.store.lastPosition()) === undefined) {
      io.stdout.write(seedSummary(await seedStore(runtime, options, io), runtime.description));
    }
    const host = options.host ?? config.host;
    const port = options.port ?? config.port;
    try {
      server = await serveRuntime(runtime, {
        keys: config.keys,
        host,
        port,
        limits: config.limits,
        corsOrigins: config.corsOrigins,
        ...(options.lease === undefined ? {} : { readModelLeaseMs: Math.round(options.lease * 1000) }),
        ...(config.institute || config.language ? { report: { ...(config.institute ? { institute: config.institute } : {}), ...(config.language ? { language: config.language } : {}) } } : {}),
        ...(options.readStore === undefined ? {} : { readStore: options.readStore, cwd: io.cwd }),
        ...(options.minPositionWait === undefined ? {} : { minPositionWaitMs: Math.round(options.minPositionWait * 1000) }),
        ...(options.whenBehind === undefined ? {} : { whenBehind: options.whenBehind }),
        log: (message) => io.stderr.write(`taawun: ${message.split('\n')[0]}\n`),
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new CliError(`port ${port} on ${host} is already in use: choose another with --port (0 picks a free one) or TAAWUN_PORT`);
      throw error;
    }
    const description = server.readSide ? `${runtime.description}, reading from ${server.readSide.description}` : runtime.description;
    io.stdout.write(banner(server.url, description, configPath, config.keys.length, created?.key));
    const signal = await stopped();
    io.stdout.write(`Stopping (${signal}).\n`);
    return exitCodes.ok;
  } finally {
    await server?.close().catch(() => undefined);
    await runtime.close();
  }
}

function wrapConfig<T>(work: () => T, http: Http): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof http.ConfigError) throw usageError(error.message);
    throw error;
  }
}

function banner(url: string, description: string, configPath: string, keyCount: number, newKey: string | undefined): string {
  const lines = [
    `taawun is serving ${description}`,
    `  report:  ${url}/report   (in a browser: any user name, an API key as the password)`,
    `  API:     ${url}/docs     (OpenAPI: ${url}/openapi.json)`,
  ];
  if (newKey) {
    lines.push(
      '',
      `An admin API key was created; it is shown this once (its hash is in ${configPath}):`,
      `  ${newKey}`,
      `  curl -H "Authorization: Bearer ${newKey}" "${url}/read-models/partner-history?partnerId=enm-france"`,
    );
  } else if (keyCount === 0) {
    // The file named, and whether it is there: a mistyped --config serves with no key, and says so.
    const where = existsSync(configPath) ? `in ${configPath}` : `(${configPath} does not exist)`;
    lines.push('', `No API key is configured ${where}: every protected route answers 401. Create one with: taawun keys add admin --role admin --config ${configPath}`);
  } else {
    lines.push('', `API keys: ${keyCount} configured in ${configPath}. Another one: taawun keys add <name> --role admin|clerk|auditor`);
  }
  lines.push('Press Ctrl+C to stop.', '');
  return lines.join('\n');
}

const SERVE_HELP = `
Keys, host, port, limits and CORS come from the configuration file and TAAWUN_* variables (see the
@taawun/adapter-http README); the store from --store / TAAWUN_STORE, else the file's "database".

Several servers on one PostgreSQL database: start the same command again on another port (or machine),
with the same store, the same key store and the same configuration file. Every server takes commands
and answers reads; each read model is built by one server at a time (a lease in the database), taken
over by another within --lease seconds when that server stops:
  taawun seed  --store postgres://taawun@db:5432/taawun --keys sqlite:keys.db
  taawun serve --store postgres://taawun@db:5432/taawun --keys sqlite:keys.db --port 8787
  taawun serve --store postgres://taawun@db:5432/taawun --keys sqlite:keys.db --port 8788

A node reading from a streaming-replication standby (commands and read-model building stay on the
primary; reads, the report and the feed come from the standby):
  taawun serve --store postgres://taawun@db:5432/taawun --read-store postgres://taawun@db-standby:5432/taawun \\
               --keys sqlite:keys.db --port 8789
Read-your-writes: a command's answer carries its log position (X-Taawun-Position, and each event's
"position"); a read sending it back as X-Taawun-Min-Position is answered once this server's reads hold
it, else after --min-position-wait seconds with 503 read-side-behind and Retry-After (or, with
--when-behind primary, from the primary).

Failover: name the primary and its standby in one --store, libpq's way; the server connects to the one
that accepts writes, and to the promoted standby after a failover:
  taawun serve --store 'postgres://taawun@db:5432,db-standby:5432/taawun?target_session_attrs=read-write' \\
               --keys sqlite:keys.db --port 8787
`;

function serverOptions(command: Command): Command {
  return command
    .option('--config <file>', `the server's configuration file (default TAAWUN_CONFIG, else ${DEFAULT_CONFIG_FILE})`)
    .option('--host <host>', 'interface to listen on (default 127.0.0.1, or the configuration\'s)')
    .addOption(new Option('--port <port>', 'port to listen on (default 8787, or the configuration\'s; 0 picks a free one)').argParser(parsePort))
    .addOption(
      new Option('--lease <seconds>', 'PostgreSQL, several servers: how long a read model may go unbuilt after its builder stopped before another server takes it over (default 10)').argParser(parseLease),
    )
    .option('--read-store <url>', 'answer reads (read models, history, report, feed) from this store, a streaming standby of --store (postgres://…); commands go to --store')
    .addOption(
      new Option('--min-position-wait <seconds>', 'how long a read with X-Taawun-Min-Position waits for this server to hold that position before answering 503 (default 2)').argParser(parseWait),
    )
    .addOption(new Option('--when-behind <answer>', 'with --read-store: a read whose position the standby did not reach in time gets a 503, or is answered from the primary').choices(['503', 'primary']));
}

export function registerServe(program: Command, context: CliContext): void {
  const { io } = context;
  serverOptions(
    program
      .command('serve')
      .description('serve the HTTP API, the audit feed and the HTML report over the store')
      .addHelpText('after', SERVE_HELP),
  ).action(runs(context, async (_options: unknown, command: Command) => serve(command.optsWithGlobals<ServeOptions & GlobalOptions>(), io, { firstStart: false })));

  serverOptions(
    program
      .command('start')
      .description("first run and every run after: seed the institute's record into an empty store, create an admin key if there is none, and serve")
      .addHelpText('after', '\nnpm start runs it at the root of the repository, on ./data/taawun.db.'),
  ).action(runs(context, async (_options: unknown, command: Command) => serve(command.optsWithGlobals<ServeOptions & GlobalOptions>(), io, { firstStart: true })));

  const keys = program.command('keys').description("the server's API keys (only their hashes are stored)");
  keys
    .command('add')
    .description('create a key, store its hash in the configuration file and print the key, once')
    .argument('<name>', 'its name, recorded as the actor of what it records (lower case, e.g. clerk-rabat)')
    .addOption(new Option('--role <role>', 'what it may do').choices(['admin', 'clerk', 'auditor']).makeOptionMandatory())
    .option('--config <file>', `the configuration file (default TAAWUN_CONFIG, else ${DEFAULT_CONFIG_FILE})`)
    .action(
      runs(context, async (name: string, options: ServeOptions & { role: 'admin' | 'clerk' | 'auditor' }): Promise<ExitCode> => {
        const http = await import('@taawun/adapter-http');
        const path = configPathOf(options, io);
        const { key } = wrapConfig(() => http.addApiKey(path, name, options.role), http);
        io.stdout.write(`${key}\n`);
        io.stderr.write(`taawun: key ${name} (${options.role}) added to ${path}; it is shown this once\n`);
        return exitCodes.ok;
      }),
    );
  keys
    .command('revoke')
    .description('remove a key from the configuration file (a running server reads keys when it starts)')
    .argument('<name>')
    .option('--config <file>', `the configuration file (default TAAWUN_CONFIG, else ${DEFAULT_CONFIG_FILE})`)
    .action(
      runs(context, async (name: string, options: ServeOptions): Promise<ExitCode> => {
        const http = await import('@taawun/adapter-http');
        const path = configPathOf(options, io);
        if (!existsSync(path)) throw new CliError(`${path} does not exist: there is no key to revoke`);
        if (!wrapConfig(() => http.revokeApiKey(path, name), http)) throw new CliError(`${path} has no key named ${name}`);
        io.stdout.write(`Revoked ${name}.\n`);
        return exitCodes.ok;
      }),
    );
  keys
    .command('list')
    .description('the names and roles of the configured keys')
    .option('--config <file>', `the configuration file (default TAAWUN_CONFIG, else ${DEFAULT_CONFIG_FILE})`)
    .action(
      runs(context, async (options: ServeOptions): Promise<ExitCode> => {
        const http = await import('@taawun/adapter-http');
        const path = configPathOf(options, io);
        const entries = existsSync(path) ? (wrapConfig(() => http.readConfigFile(path), http).keys ?? []) : [];
        for (const k of entries) io.stdout.write(`${k.name}\t${k.role}\n`);
        if (entries.length === 0) io.stderr.write(`taawun: no key in ${path}\n`);
        return exitCodes.ok;
      }),
    );
}
