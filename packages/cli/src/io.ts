import type { CommandContext } from '@taawun/domain';
import { newEventId } from '@taawun/domain';
import { DEFAULT_STORE_URL, describeLocation, loadReadModels, openRuntime, parseStoreUrl, privateCopyForReading, type Runtime, type WitnessLocation } from '@taawun/runtime';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';

/** The process's outside world, passed in so that commands write where they are told. */
export interface Io {
  readonly stdout: Writable & { isTTY?: boolean };
  readonly stderr: Writable & { isTTY?: boolean; columns?: number };
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export const processIo = (): Io => ({ stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() });

/** Options every command accepts (declared on the program, read with `optsWithGlobals`). */
export interface GlobalOptions {
  readonly store?: string;
  readonly keys?: string;
  readonly actor?: string;
  /** Modules of reports written later (`--read-model`, repeatable; `TAAWUN_READ_MODELS`, comma-separated). */
  readonly readModel?: readonly string[];
  /** The file keeping this log's latest signed checkpoint, or a PostgreSQL database keeping them (`--witness`, `TAAWUN_WITNESS`). */
  readonly witness?: string;
  /** The institute's signing key (`--signing-key`, `TAAWUN_SIGNING_KEY`). */
  readonly signingKey?: string;
}

/** The configuration file (`TAAWUN_CONFIG`, default ./data/taawun.json); its folder is where the key and the witnesses are kept by default. */
const configFileOf = (io: Io): string => resolve(io.cwd, io.env['TAAWUN_CONFIG'] || './data/taawun.json');
const configFolderOf = (io: Io): string => dirname(configFileOf(io));

/**
 * The configuration's `witness` (a file relative to the configuration, or a
 * PostgreSQL URL), when it has one. A configuration that cannot be read names
 * no witness here: `serve` reports it as broken.
 */
function configuredWitness(io: Io): string | undefined {
  const file = configFileOf(io);
  if (!existsSync(file)) return undefined;
  let witness: unknown;
  try {
    witness = (JSON.parse(readFileSync(file, 'utf8')) as { witness?: unknown } | null)?.witness;
  } catch {
    return undefined;
  }
  if (typeof witness !== 'string' || witness.trim() === '') return undefined;
  return isWitnessDatabase(witness) ? witness.trim() : resolve(dirname(file), witness);
}

const isWitnessDatabase = (witness: string): boolean => /^postgres(ql)?:\/\//.test(witness.trim());

/**
 * Where the signing key and this log's witness are: the options, else beside the
 * configuration (`<config folder>/taawun-signing.key`, `<config folder>/witness/<log>.checkpoint`,
 * named after the log and a hash of where it is; its history beside it, `….checkpoints`),
 * or `--witness postgres://…`: a table in that database; without `--witness`, the
 * configuration's `witness`. Undefined for logs not
 * worth witnessing (memory; EventStoreDB is, its tree computed by the client).
 */
export function witnessLocationOf(options: GlobalOptions, io: Io, url = storeUrlOf(options, io)): WitnessLocation | undefined {
  const location = parseStoreUrl(url, io.cwd);
  if (location.kind === 'memory' || (location.kind === 'sqlite' && location.file === ':memory:')) return undefined;
  const folder = configFolderOf(io);
  const name = location.kind === 'sqlite' ? basename(location.file, extname(location.file)) : location.kind;
  const where = createHash('sha256').update(describeLocation(location)).digest('hex').slice(0, 12);
  const given = options.witness ?? configuredWitness(io);
  // A database witness keeps the checkpoints in its table; the default file's name still names the log in them.
  const database = given !== undefined && isWitnessDatabase(given) ? given.trim() : undefined;
  return {
    signingKeyFile: resolve(io.cwd, options.signingKey ?? join(folder, 'taawun-signing.key')),
    witnessFile: resolve(io.cwd, (database === undefined ? given : undefined) ?? join(folder, 'witness', `${name}-${where}.checkpoint`)),
    ...(database === undefined ? {} : { witnessDatabase: database }),
  };
}

/** `--store`, else `TAAWUN_STORE`, else the embedded SQLite file. */
export const storeUrlOf = (options: GlobalOptions, io: Io): string => options.store ?? io.env['TAAWUN_STORE'] ?? DEFAULT_STORE_URL;

/** The runtime's `witness` option for a store URL: refusals are said on standard error. */
export function witnessOption(options: GlobalOptions, io: Io, url = storeUrlOf(options, io), atOpen = false) {
  const witness = witnessLocationOf(options, io, url);
  const say = (line: string) => io.stderr.write(`taawun: witness: ${line}\n`);
  return witness ? { witness: { ...witness, atOpen, onRefused: say, onNotice: say } } : {};
}

/**
 * Open the store through the runtime, run `work`, and close the store whatever
 * happens. The store must exist (a missing SQLite file is an error, not a new
 * empty store) unless `create` is set: only commands that write a log from
 * nothing (`seed`, `import`) set it. `onlyReads`: the command writes nothing
 * but read models, so a SQLite log it may not write in place (a read-only file,
 * or folder) is read from a private copy (`privateCopyForReading`).
 */
export async function withStore<T>(
  options: GlobalOptions,
  io: Io,
  work: (opened: Runtime) => Promise<T>,
  open: { personalData?: boolean; create?: boolean; onlyReads?: boolean; appends?: boolean } = {},
): Promise<T> {
  const { create = false, onlyReads = false, appends = false, ...rest } = open;
  const readModels = await loadReadModels(options.readModel ?? [], io.cwd);
  // A command that only reads a log it may not write in place (an auditor's read-only copy) reads a private copy.
  const copy = onlyReads ? privateCopyForReading(storeUrlOf(options, io), options.keys, io.cwd) : undefined;
  const keys = copy?.keys ?? options.keys;
  try {
    const opened = await openRuntime(copy?.store ?? storeUrlOf(options, io), {
      cwd: io.cwd,
      ...(keys === undefined ? {} : { keys }),
      ...rest,
      mustExist: !create,
      readModels,
      // Nothing is appended by a command that only reads: no witness to keep.
      // A command that appends witnesses the head it finds too: what a killed writer left unwitnessed.
      ...(onlyReads ? {} : witnessOption(options, io, storeUrlOf(options, io), appends)),
    });
    try {
      return await work(opened);
    } finally {
      await opened.close();
    }
  } finally {
    copy?.remove();
  }
}

function accountName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** Who records from the command line: `--actor`, `TAAWUN_ACTOR`, or `cli:<login name>`. */
export function commandContext(options: GlobalOptions, io: Io): Omit<CommandContext, 'idempotencyKey' | 'sourceRef'> {
  return {
    actor: options.actor ?? io.env['TAAWUN_ACTOR'] ?? `cli:${accountName()}`,
    now: () => new Date(),
    newId: newEventId,
  };
}

/** What commands share: the outside world, and where an action leaves its exit code. */
export interface CliContext {
  readonly io: Io;
  exitCode: number;
}

/** Wrap a command's action so that its returned exit code becomes the process's. */
export const runs =
  <Args extends unknown[]>(context: CliContext, action: (...args: Args) => Promise<number>) =>
  async (...args: Args): Promise<void> => {
    context.exitCode = await action(...args);
  };
