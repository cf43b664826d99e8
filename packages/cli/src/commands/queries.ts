import type { Language } from '@taawun/domain';
import { answerPages, builtInReadModels, DEFAULT_LINES, DEFAULT_PARTNERS, isProjectionError, MAX_LINES, MAX_PARTNERS, type AnyReadModel, type Page, type TimeLens } from '@taawun/projections';
import { languages, message, pageRangeText, presentAnswer, queryErrorText } from '@taawun/projections/presentation';
import { Option, type Command } from 'commander';
import { CliError, exitCodes, usageError, type ExitCode } from '../errors.js';
import { catchUpWithProgress } from './catch-up.js';
import { runs, withStore, type CliContext, type GlobalOptions, type Io } from '../io.js';
import { formats, type Format, type TerminalOptions } from '../output/render.js';
import { reportPdf } from '../output/pdf.js';
import { fileSink, streamSink, writePaged } from '../output/paged.js';
import { progress } from '../output/progress.js';
import { heapBound } from '../heap.js';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadReadModels } from '@taawun/runtime';
import type { Runtime as OpenedStore } from '@taawun/runtime';

/**
 * The reading commands: each asks the query service one question and prints
 * its answer through the shared presentation (`--format json` prints the
 * answer itself, exactly as the HTTP API serves it). Nothing is computed,
 * filtered or paged here.
 */
export interface QueryOptions {
  readonly asOf?: string;
  readonly asKnownOn?: string;
  readonly format: Format | 'pdf';
  readonly lang: Language;
  readonly output?: string;
  readonly bom?: boolean;
  readonly width?: number;
  readonly details?: boolean;
  readonly limit?: number;
  readonly offset?: number;
  readonly pageRows?: number;
}

/**
 * Rows read from the stored model at a time when a list is printed: memory
 * holds one page of them, whatever the list's length. The table's columns are
 * measured on the first page.
 */
const PAGE_ROWS = 100;

/** The text formats, and `pdf`: the HTML report's page printed by headless Chromium. */
const queryFormats = [...formats, 'pdf'] as const;

/** The options every query shares: the time lens, the output format and the language of titles. */
function withQueryOptions(command: Command): Command {
  return command
    .option('--as-of <date>', 'the record as of a business date: YYYY-MM-DD, or YYYY-MM / YYYY for the end of that month or year')
    .option('--as-known-on <time>', 'the record as it was known at a time: an ISO 8601 instant, or YYYY-MM-DD for the end of that day (UTC)')
    .addOption(new Option('--format <format>', 'output format (pdf: the HTML report\'s page, printed)').choices(queryFormats).default('table'))
    .option('--output <file>', 'write to this file instead of stdout')
    .option('--bom', 'csv: begin with a UTF-8 byte-order mark, for spreadsheet programs reading Arabic')
    .option('--width <columns>', 'table: fit this many columns (default: the terminal\'s, or COLUMNS; on a pipe, lines are kept whole)', parseWidth)
    .addOption(new Option('--lang <lang>', 'language of headers, titles, notes, dates and figures; names and titles fall back to another language the record has').choices(languages).default('en'))
    .option('--details', 'the full fact under each row: cohorts, format, place, signatories, areas, the institute\'s name as signed, the audience')
    .option('--limit <rows>', 'a page of the list: at most this many rows (only they are read from the stored model)', countOption('--limit', 1))
    .option('--offset <rows>', 'a page of the list: skip this many rows first (the footer names the next offset)', countOption('--offset', 0))
    .option('--page-rows <rows>', `rows read and written at a time (default ${PAGE_ROWS}): memory holds one such page; a table's columns are measured on the first`, countOption('--page-rows', 1));
}

/** A whole number of rows, at least `least`. */
const countOption =
  (option: string, least: number) =>
  (value: string): number => {
    const rows = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(rows) || rows < least) throw usageError(`${option} ${value}: give a whole number${least > 0 ? ` of at least ${least}` : ''}`);
    return rows;
  };

/** The page asked for with `--limit` / `--offset`; none: the whole list. */
const pageOf = (options: QueryOptions): Page | undefined =>
  options.limit === undefined && options.offset === undefined ? undefined : { offset: options.offset ?? 0, ...(options.limit === undefined ? {} : { limit: options.limit }) };

const lensOf = (options: QueryOptions): TimeLens => ({
  ...(options.asOf === undefined ? {} : { asOf: options.asOf }),
  ...(options.asKnownOn === undefined ? {} : { asKnownOn: options.asKnownOn }),
});

/** The option a lens field came from, for a usage error that names it. */
const optionName = (message: string) => message.replace(/^asOf/, '--as-of').replace(/^asKnownOn/, '--as-known-on');

/**
 * Ask the service (the stored models beside the log, caught up first) and print.
 * A bad parameter or date is bad usage (exit 2); an unknown record a failure (exit 1).
 */
async function ask(opened: OpenedStore, io: Io, options: QueryOptions & GlobalOptions, name: string, params: Record<string, unknown>): Promise<ExitCode> {
  await catchUpWithProgress(opened, io, name, lensOf(options));
  const { queries: service, close } = await opened.openQueries({ catchUp: true });
  // The pages after the first read the generation the first was read from, without catching up again.
  const { queries: rest, close: closeRest } = await opened.openQueries();
  try {
    const model = service.get(name);
    if (!model) {
      const unknown = await service.query(name, params);
      throw new CliError(unknown.ok ? `no read model ${name}` : queryErrorText(unknown.error, options.lang), exitCodes.usage);
    }
    const page = pageOf(options);
    const paged = await answerPages(service, name, params, { lens: lensOf(options), ...(page ? { page } : {}), pageRows: options.pageRows ?? PAGE_ROWS, rest });
    if (!paged.ok) {
      const { code } = paged.error;
      const message = queryErrorText(paged.error, options.lang, lensOf(options));
      // An unknown record, partner or period is a failure naming the valid keys (exit 1), not bad usage.
      throw code === 'not-found' || code === 'unknown-key' ? new CliError(`${message} (${code})`) : usageError(`${optionName(message)} (${code})`);
    }
    if (options.format === 'pdf') {
      if (!options.output && io.stdout.isTTY) throw usageError('--format pdf: give --output FILE, or redirect stdout to a file');
      const given = Object.fromEntries(Object.entries(params).filter((e): e is [string, string] => typeof e[1] === 'string'));
      return emit(io, options, await reportPdf(opened, io, name, given, { ...(lensOf(options) as Record<string, string>), lang: options.lang }));
    }
    const parsedParams = model.params.parse(params) as Record<string, unknown>;
    const { range } = paged.value;
    const sink = options.output ? fileSink(resolve(io.cwd, options.output)) : streamSink(io.stdout);
    const shown = progress(io, `${name}: writing`, 'rows');
    try {
      await writePaged(
        paged.value,
        {
          format: options.format,
          lang: options.lang,
          list: model.list,
          present: (answer) => presentAnswer(answer, parsedParams, { lang: options.lang, list: model.list }),
          // A page says which rows it holds and where the next one starts (as a note: CSV keeps only rows on stdout).
          footer: (items) => (range ? [`${pageRangeText(range, items, options.lang)}${range.nextOffset === null ? '' : ` · ${message(options.lang, 'report.next')}: --offset ${range.nextOffset}`}`] : []),
          warn: (line) => io.stderr.write(`taawun: ${line}\n`),
          bom: options.bom === true,
          terminal: terminalOf(io, options),
          details: options.details === true,
          onPage: (items) => shown.update(items, range?.limit ?? paged.value.frame.page?.total),
          betweenPages: heapBound(),
        },
        sink,
      );
    } catch (error) {
      // The stored model moved between two pages (a runner committed): what was written is not one answer.
      if (isProjectionError(error) && error.code === 'model-changed') throw new CliError(`${error.message}; the output above is incomplete`);
      throw error;
    } finally {
      shown.stop();
      await sink.close();
    }
    return exitCodes.ok;
  } finally {
    await closeRest();
    await close();
  }
}

const parseWidth = (value: string): number => {
  const width = Number(value);
  if (!Number.isInteger(width) || width < 20) throw usageError(`--width ${value}: give a number of columns, at least 20`);
  return width;
};

/**
 * The terminal a table is printed for: `--width`, else `COLUMNS`, else the
 * terminal's own width (none on a pipe or a file: lines are kept whole);
 * colour only on a terminal, and never with `NO_COLOR` or `--output`.
 */
export function terminalOf(io: Io, options: { width?: number; output?: string }): TerminalOptions {
  const columns = Number(io.env['COLUMNS']);
  const tty = io.stdout.isTTY === true && options.output === undefined;
  // A pseudo-terminal without a size reports 0 columns: that is no width, not a width of 0.
  const own = tty ? (io.stdout as { columns?: number }).columns : undefined;
  const width = options.width ?? (Number.isInteger(columns) && columns >= 20 ? columns : own !== undefined && own >= 20 ? own : undefined);
  const color = tty && !('NO_COLOR' in io.env && io.env['NO_COLOR'] !== '') && io.env['TERM'] !== 'dumb';
  return { ...(width === undefined ? {} : { width }), color };
}

/** To `--output` when given, else stdout. */
function emit(io: Io, options: QueryOptions, content: string | Uint8Array): ExitCode {
  if (options.output) writeFileSync(resolve(io.cwd, options.output), content);
  else io.stdout.write(content);
  return exitCodes.ok;
}

/** `key=value` pairs of `--param`, repeatable. */
const collectParam = (value: string, previous: Record<string, string> = {}): Record<string, string> => {
  const at = value.indexOf('=');
  if (at <= 0) throw usageError(`--param ${value}: give key=value, e.g. --param partnerId=giz`);
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
};

/** Options of a query command: its own, the shared ones, and the global ones. */
type Options = QueryOptions & GlobalOptions & Record<string, unknown>;

export function registerQueries(program: Command, context: CliContext): void {
  const { io } = context;
  /** A command answering read model `name` with the parameters `params` takes from its arguments and options. */
  const answering = (name: string, params: (options: Options, args: string[]) => Record<string, unknown> = () => ({})) =>
    runs(context, async (...args: unknown[]): Promise<ExitCode> => {
      const command = args.at(-1) as Command;
      const options = command.optsWithGlobals<Options>();
      const positional = args.slice(0, -2).filter((a): a is string => typeof a === 'string');
      return withStore(options, io, (opened) => ask(opened, io, options, name, params(options, positional)), { onlyReads: true });
    });
  const given = (entries: Record<string, unknown>) => Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined));

  withQueryOptions(
    program
      .command('partners')
      .description('every partner in the record, with how many entries its history has')
      .addHelpText('after', '\nExamples:\n  taawun partners\n  taawun partners --lang ar --format markdown'),
  ).action(answering('partners'));

  withQueryOptions(
    program
      .command('history')
      .description("a partner's history: every agreement, programme, session, visit and publication, in date order, names as they were then")
      .argument('<partner>', 'the partner id, e.g. enm-france (see taawun partners)')
      .addHelpText('after', '\nExamples:\n  taawun history enm-france\n  taawun history enm-france --as-of 2016-12-31 --lang fr\n  taawun history giz --format json'),
  ).action(answering('partner-history', (_o, [partnerId]) => ({ partnerId })));

  const report = program.command('report').description('the institute-wide reports: agreements, yearly, sessions, study visits, publications, participants');
  withQueryOptions(
    report
      .command('agreements')
      .description("the register of agreements, protocols and conventions, with the institute's name as signed")
      .option('--partner <partner>', 'only the agreements of this partner'),
  ).action(answering('agreements-register', (o) => given({ partnerId: o.partner })));

  withQueryOptions(
    report
      .command('yearly')
      .description('activity per period: sessions held, people trained, study visits, publications; partial dates stay in their own periods ("2016–2020", "by 2022", "year unknown")')
      .option('--year <year>', 'one year: its sessions, visits and publications', (value) => {
        if (!/^\d{4}$/.test(value)) throw usageError(`--year ${value}: give a year such as 2018`);
        return value;
      })
      .option('--period <key>', 'one period by its key: 2018, 2016-2020, by-2022, from-2002, year-unknown')
      .option('--lines <n>', `at most this many lines of each list of each period (default ${DEFAULT_LINES}, at most ${MAX_LINES}); a note says when a list has more`)
      .option('--lines-from <n>', 'skip this many lines of each list: the next lines of a period, as its note names them')
      .option('--partners <n>', `at most this many partners in each period's figures by partner, the most active first (default ${DEFAULT_PARTNERS}, at most ${MAX_PARTNERS}; seen with --format json); partnerCount says how many a period has`)
      .option('--partners-from <n>', 'skip this many partners of each period: the next partners, as restOfPartners names them')
      .addHelpText('after', '\nExamples:\n  taawun report yearly --year 2018\n  taawun report yearly --year 2018 --lines 1000 --lines-from 100'),
  ).action(
    answering('yearly-activity-report', (o) => {
      if (o.year && o.period) throw usageError('give --year or --period, not both');
      // The read model checks them (whole numbers, at most 1000 lines).
      return given({ period: o.year ?? o.period, lines: o.lines, linesFrom: o.linesFrom, partners: o.partners, partnersFrom: o.partnersFrom });
    }),
  );

  for (const [command, name, what] of [
    ['sessions', 'sessions', 'every session and meeting, held, planned or cancelled, in date order'],
    ['meetings', 'meetings', 'every meeting (introductory, preparatory): its people attended, they were not trained'],
    ['study-visits', 'study-visits', 'every study visit, outgoing or hosted, in date order'],
    ['publications', 'publications', 'every guide, curriculum and module: prepared, planned for publication, published'],
  ] as const) {
    withQueryOptions(
      report
        .command(command)
        .description(what)
        .option('--partner <partner>', 'only those of this partner')
        .option('--period <key>', 'only those of one period: 2018, 2016-2020, by-2022, from-2002, year-unknown'),
    ).action(answering(name, (o) => given({ partnerId: o.partner, period: o.period })));
  }

  withQueryOptions(
    report
      .command('publication-status')
      .description('each guide, curriculum and module with its status on a date; a plan is not a publication')
      .option('--on <day>', 'the day asked, YYYY-MM-DD (default: everything recorded)')
      .option('--partner <partner>', 'only those of this partner')
      .addOption(new Option('--kind <kind>', 'only this kind').choices(['guide', 'curriculum', 'module']))
      .addOption(new Option('--status <status>', 'only those that have, or may have, this status').choices(['not-yet-prepared', 'prepared', 'published']))
      .addHelpText('after', '\nExamples:\n  taawun report publication-status --on 2022-12-31 --kind guide --status published\n  taawun report publication-status --on 2018-12-31 --partner giz'),
  ).action(answering('publication-status', (o) => given({ on: o.on, partnerId: o.partner, kind: o.kind, status: o.status })));

  withQueryOptions(
    report
      .command('participants')
      .description('participants: kind, cohort, sessions and visits, and their name when recorded and not erased')
      .option('--participant <id>', "one participant's record"),
  ).action(
    runs(context, async (...args: unknown[]): Promise<ExitCode> => {
      const options = (args.at(-1) as Command).optsWithGlobals<Options>();
      const one = typeof options.participant === 'string' ? options.participant : undefined;
      return withStore(options, io, (opened) => ask(opened, io, options, one ? 'participant-record' : 'participants', one ? { participantId: one } : {}), { onlyReads: true });
    }),
  );

  withQueryOptions(
    program
      .command('audit')
      .description('the full history of one record: every event, who recorded it and when, its business date, source, reason and corrections')
      .argument('<stream-or-record-id>', 'a record id as the reports show it (ssm-italy-2022, enm-france) or its stream (partner-enm-france, session-giz-attaches-2018-11)')
      .option('--show-personal-data', "show participants' personal data (redacted by default; never shown once erased)")
      .addHelpText('after', '\nExamples:\n  taawun audit ssm-italy-2022\n  taawun audit partner-enm-france --format json'),
  ).action(answering('audit-trail', (o, [record]) => ({ record, personalData: o.showPersonalData === true ? 'show' : 'redact' })));

  withQueryOptions(
    program
      .command('query')
      .description('any read model by name, the built-in ones and those of --read-model modules (reports written later); without a name, the list')
      .argument('[name]', 'the read model, e.g. partner-history, cohort-placements')
      .option('--param <key=value>', "a parameter of the read model (repeatable), e.g. --param partnerId=giz", collectParam),
  ).action(
    runs(context, async (name: string | undefined, _options: unknown, command: Command): Promise<ExitCode> => {
      const options = command.optsWithGlobals<Options & { param?: Record<string, string> }>();
      if (name !== undefined) return withStore(options, io, (opened) => ask(opened, io, options, name, options.param ?? {}), { onlyReads: true });
      const all: readonly AnyReadModel[] = [...builtInReadModels, ...(await loadReadModels(options.readModel ?? [], io.cwd))];
      io.stdout.write(all.map((m) => `${m.name}\t${m.title}: ${m.description}\n`).join(''));
      return exitCodes.ok;
    }),
  );
}
