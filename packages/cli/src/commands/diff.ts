import type { Language } from '@taawun/domain';
import { languages, presentComparison } from '@taawun/projections/presentation';
import { Option, type Command } from 'commander';
import { CliError, exitCodes, usageError, type ExitCode } from '../errors.js';
import { runs, withStore, type CliContext, type GlobalOptions } from '../io.js';
import { formats, type Format } from '../output/render.js';
import { printable } from '../output/report.js';

/** The report names the `report` commands use, as read model names. */
const reportNames: Readonly<Record<string, string>> = {
  yearly: 'yearly-activity-report',
  agreements: 'agreements-register',
  history: 'partner-history',
  participants: 'participants',
  sessions: 'sessions',
  'study-visits': 'study-visits',
  publications: 'publications',
};

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
const collectParam = (value: string, previous: Record<string, string> = {}): Record<string, string> => {
  const at = value.indexOf('=');
  if (at <= 0) throw usageError(`--param ${value}: give key=value, e.g. --param partnerId=giz`);
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
};

interface DiffOptions extends GlobalOptions {
  readonly knownOn?: string[];
  readonly asOf?: string;
  readonly param?: Record<string, string>;
  readonly partner?: string;
  readonly format: Format;
  readonly lang: Language;
}

/**
 * `taawun diff <report> --known-on D1 --known-on D2`: what a report said on two
 * dates, and what was recorded in between (corrections with their reasons).
 * The comparison is the query service's; this prints it.
 */
export function registerDiff(program: Command, context: CliContext): void {
  const { io } = context;
  program
    .command('diff')
    .description('one report as known on two dates: what was added, corrected or withdrawn in between, and the corrections recorded')
    .argument('<report>', `a read model (${Object.keys(reportNames).join(', ')}, or any name taawun query lists)`)
    .option('--known-on <time>', 'a recording date: an ISO 8601 instant, or YYYY-MM-DD for the end of that day (UTC); give it twice', collect)
    .option('--as-of <date>', 'both answers as of this business date')
    .option('--partner <partner>', 'the partner (history) or only its items (lists)')
    .option('--param <key=value>', 'a parameter of the read model (repeatable)', collectParam)
    .addOption(new Option('--format <format>', 'output format').choices(formats).default('table'))
    .addOption(new Option('--lang <lang>', 'language of headers, titles and notes').choices(languages).default('en'))
    .addHelpText('after', '\nExamples:\n  taawun diff yearly --known-on 2024-01-01 --known-on 2025-01-01\n  taawun diff history --partner enm-france --known-on 2024-01-01 --known-on 2025-01-01 --format json')
    .action(
      runs(context, async (report: string, _options: unknown, command: Command): Promise<ExitCode> => {
        const options = command.optsWithGlobals<DiffOptions>();
        const knownOn = options.knownOn ?? [];
        if (knownOn.length !== 2) throw usageError(`give --known-on twice (two recording dates to compare); got ${knownOn.length}`);
        const name = reportNames[report] ?? report;
        const params = { ...options.param, ...(options.partner ? { partnerId: options.partner } : {}) };
        return withStore(options, io, async (opened) => {
          const { queries, close } = await opened.openQueries();
          try {
            const result = await queries.compare(name, params, { knownOn: [knownOn[0]!, knownOn[1]!], ...(options.asOf ? { asOf: options.asOf } : {}) });
            if (!result.ok) {
              const { code, message } = result.error;
              // As the other queries: a record or answer that does not exist is exit 1, a bad question exit 2.
              throw code === 'not-found' || code === 'unknown-key' ? new CliError(`${message} (${code})`) : usageError(`${message.replace(/^asKnownOn/, '--known-on').replace(/^asOf/, '--as-of')} (${code})`);
            }
            io.stdout.write(printable(options.format, result.value, presentComparison(result.value, options.lang), options.lang, (line) => io.stderr.write(`taawun: ${line}\n`)));
            return exitCodes.ok;
          } finally {
            await close();
          }
        });
      }),
    );
}
