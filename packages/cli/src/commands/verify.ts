import type { ChainCheckpoint } from '@taawun/domain';
import { describeLocation, parseStoreUrl } from '@taawun/runtime';
import { InvalidArgumentError, type Command } from 'commander';
import { CliError, exitCodes, type ExitCode } from '../errors.js';
import { withProgress } from '../output/progress.js';
import { runs, storeUrlOf, withStore, type CliContext, type GlobalOptions } from '../io.js';

/** `POSITION:HASH`, as `taawun verify` prints it. */
export function parseCheckpoint(text: string): ChainCheckpoint {
  const match = /^(\d+):([0-9a-f]{64})$/i.exec(text.trim());
  if (!match) throw new InvalidArgumentError('expected POSITION:HASH, as printed by "taawun verify" (e.g. 52:9f2c…, 64 hex digits)');
  return { position: BigInt(match[1]!), headHash: match[2]!.toLowerCase() };
}

const noChain = (description: string): CliError =>
  new CliError(`${description} keeps no hash chain: there is nothing to verify (only SQLite and PostgreSQL stores do)`, exitCodes.usage);

export function registerVerify(program: Command, context: CliContext): void {
  const { io } = context;
  program
    .command('verify')
    .description('recompute the hash chain of the log (the tamper check): exit 0 intact, 1 broken, 2 when the store keeps no hash chain')
    .option('--against <position:hash>', 'also prove the log still holds the history up to a checkpoint printed by an earlier verify', parseCheckpoint)
    .addHelpText(
      'after',
      '\nSQLite and PostgreSQL stores keep a SHA-256 chain over every event; EventStoreDB and memory: do not,\nso verify refuses them with exit code 2 (the check could not be made; it did not fail).',
    )
    .action(
      runs(context, async (options: { against?: ChainCheckpoint }, command: Command): Promise<ExitCode> => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        const location = parseStoreUrl(storeUrlOf(globals, io), io.cwd);
        if (location.kind === 'memory' || location.kind === 'eventstoredb') throw noChain(describeLocation(location));
        // The chain is over the log as stored (personal data sealed): no keys needed.
        return withStore(globals, io, async ({ chain, description }) => {
          if (!chain) throw noChain(description);
          const total = Number((await chain.checkpoint()).position);
          const report = await withProgress(io, 'verify', (shown) =>
            chain.verify({ ...(options.against ? { against: options.against } : {}), onProgress: (done) => shown.update(done, total) }),
          );
          if (report.intact) {
            const head = report.headPosition === undefined ? 'the log is empty' : `checkpoint ${report.headPosition}:${report.headHash}`;
            io.stdout.write(`intact: ${report.events} events in ${description}; ${head}\n`);
            return exitCodes.ok;
          }
          io.stdout.write(`BROKEN at position ${report.position} (${report.problem}): ${report.message}; ${report.events} events before it are intact\n`);
          return exitCodes.failed;
        }, { personalData: false });
      }),
    );
}
