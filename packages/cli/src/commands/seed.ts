import { loadInstituteRecord, type LoadReport, type Runtime } from '@taawun/runtime';
import type { Command } from 'commander';
import { CliError, exitCodes, type ExitCode } from '../errors.js';
import { commandContext, runs, withStore, type CliContext, type GlobalOptions, type Io } from '../io.js';

/** Load the institute's record (facts F1-F18) and say what was new. */
export async function seedStore(opened: Runtime, options: GlobalOptions, io: Io): Promise<LoadReport> {
  const report = await loadInstituteRecord(opened.store, commandContext(options, io));
  if (report.failures.length > 0) {
    const first = report.failures[0]!;
    throw new CliError(
      `${report.failures.length} command(s) of the institute's record failed, first ${first.entry.key} (${first.entry.fact}): ${first.error.message} (${first.error.code})`,
    );
  }
  return report;
}

export const seedSummary = (report: LoadReport, description: string): string =>
  `The institute's record (facts F1-F18) in ${description}: ${report.recorded} commands recorded, ${report.alreadyPresent} already present.\n`;

export function registerSeed(program: Command, context: CliContext): void {
  const { io } = context;
  program
    .command('seed')
    .description("load the institute's record (facts F1 to F18 of the source text); running it again adds nothing")
    .action(runs(context, async (_options: unknown, command: Command): Promise<ExitCode> => {
      const options = command.optsWithGlobals<GlobalOptions>();
      return withStore(options, io, async (opened) => {
        const report = await seedStore(opened, options, io);
        io.stdout.write(seedSummary(report, opened.description));
        return exitCodes.ok;
      }, { create: true, appends: true });
    }));
}
