import { DEFAULT_STORE_URL } from '@taawun/runtime';
import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { registerErase } from './commands/erase.js';
import { registerQueries } from './commands/queries.js';
import { registerDiff } from './commands/diff.js';
import { registerReplay } from './commands/replay.js';
import { registerSeed } from './commands/seed.js';
import { registerServe } from './commands/serve.js';
import { registerTransfer } from './commands/transfer.js';
import { registerVerify } from './commands/verify.js';
import { registerProve } from './commands/prove.js';
import { describeFailure, exitCodes } from './errors.js';
import { processIo, type CliContext, type Io } from './io.js';

const version = (): string => {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
};

/** The `taawun` program: every command, writing to `context.io`. */
export function buildProgram(context: CliContext): Command {
  const { io } = context;
  const program = new Command('taawun');
  program
    .description("the event-sourced record of a judicial training institute's international cooperation")
    .version(version(), '-V, --version')
    .addOption(
      new Option('--store <url>', `where the log is: sqlite:PATH, memory:, postgres://…, eventstoredb:esdb://…, esdb://… (default ${DEFAULT_STORE_URL})`).env('TAAWUN_STORE'),
    )
    .addOption(
      new Option('--keys <url>', "where participants' encryption keys are: sqlite:PATH or memory: (default: in the SQLite store's own file; required for PostgreSQL and EventStoreDB)").env(
        'TAAWUN_KEYS',
      ),
    )
    .addOption(new Option('--witness <file|url>', "where this log's signed checkpoints are kept: a file (its history beside it; default: beside the configuration, data/witness/), or a PostgreSQL database other than the log's (postgres://…)").env('TAAWUN_WITNESS'))
    .addOption(new Option('--signing-key <file>', "the institute's checkpoint signing key, made at the first write (default: data/taawun-signing.key)").env('TAAWUN_SIGNING_KEY'))
    .addOption(new Option('--actor <name>', 'who records, kept in each event\'s metadata (default cli:<login name>)').env('TAAWUN_ACTOR'))
    .addOption(
      new Option('--read-model <module>', 'a module exporting a read model or a projection (a report written later), answered by taawun query and served by taawun serve; repeatable')
        .env('TAAWUN_READ_MODELS')
        .argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), ...value.split(',').filter(Boolean)]),
    )
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // One line: commander's own message, and where to look.
      outputError: (text, write) => write(`taawun: ${text.trim().replace(/^error: /, '').replace(/\s*\n\s*/g, ' ')} (see taawun --help)\n`),
    })
    .showSuggestionAfterError(true)
    .helpCommand(true);

  registerSeed(program, context);
  registerVerify(program, context);
  registerProve(program, context);
  registerTransfer(program, context);
  registerQueries(program, context);
  registerDiff(program, context);
  registerReplay(program, context);
  registerErase(program, context);
  registerServe(program, context);
  return program;
}

/** Run the command line on `argv` (without `node` and the script) and return the exit code. */
export async function run(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const context: CliContext = { io, exitCode: exitCodes.ok };
  const program = buildProgram(context);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return exitCodes.ok;
      return exitCodes.usage;
    }
    const { line, exitCode } = describeFailure(error);
    io.stderr.write(`taawun: ${line}\n`);
    if (io.env['TAAWUN_DEBUG'] && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return exitCode;
  }
}
