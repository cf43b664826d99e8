import type { Language, Result } from '@taawun/domain';
import {
  participantRecordProjection,
  participantRecordView,
  partnerHistoryProjection,
  partnerHistoryView,
  queryAgreementsRegister,
  queryAuditTrail,
  queryPartnerHistory,
  queryYearlyActivityReport,
  replay,
  replayThroughLens,
  recordIds,
  resolveLens,
  type AgreementEntry,
  type AnyProjection,
  type Answer,
  type AuditEntry,
  type HistoryEntry,
  type LensReport,
  type ParticipantRecordView,
  type PartnerProfile,
  type QueryError,
  type ReadModelSource,
  type ModelReader,
  type PartnerHistory,
  type TimeLens,
} from '@taawun/projections';
import { Option, type Command } from 'commander';
import { CliError, exitCodes, usageError, type ExitCode } from '../errors.js';
import { runs, withStore, type CliContext, type GlobalOptions, type Io } from '../io.js';
import { formats, type Format } from '../output/render.js';
import { countText, languages, lensNotes, printable, textIn, type Printable } from '../output/report.js';
import { currentSource } from '../read-models.js';
import type { Runtime as OpenedStore } from '@taawun/runtime';
import { periodRows, yearlyPrintable } from './yearly.js';

export interface QueryOptions {
  readonly asOf?: string;
  readonly asKnownOn?: string;
  readonly format: Format;
  readonly lang: Language;
}

/** The options every query shares: the time lens, the output format and the language of titles. */
function withQueryOptions(command: Command): Command {
  return command
    .option('--as-of <date>', 'the record as of a business date: YYYY-MM-DD, or YYYY-MM / YYYY for the end of that month or year')
    .option('--as-known-on <time>', 'the record as it was known at a time: an ISO 8601 instant, or YYYY-MM-DD for the end of that day (UTC)')
    .addOption(new Option('--format <format>', 'output format').choices(formats).default('table'))
    .addOption(new Option('--lang <lang>', 'language of names and titles (falls back to another the record has)').choices(languages).default('en'));
}

export const lensOf = (options: QueryOptions): TimeLens => ({
  ...(options.asOf === undefined ? {} : { asOf: options.asOf }),
  ...(options.asKnownOn === undefined ? {} : { asKnownOn: options.asKnownOn }),
});

/** A query's answer, or the CLI error its failure means: bad parameters are bad usage, an unknown record a failure. */
export function answerOf<R>(result: Result<Answer<R>, QueryError>): Answer<R> {
  if (result.ok) return result.value;
  const { code, message } = result.error;
  throw code === 'not-found' ? new CliError(`${message} (not-found)`) : usageError(`${message} (${code})`);
}

/** Run a query on the stored model beside the log, caught up first (see `currentSource`). */
async function fromStored<T>(opened: OpenedStore, projection: string, run: (source: ReadModelSource) => Promise<T>): Promise<T> {
  const { source, close } = await currentSource(opened, projection);
  try {
    return await run(source);
  } finally {
    await close();
  }
}

/** Check a lens before replaying: a bad date is bad usage, named like the option. */
function checkedLens(options: QueryOptions): TimeLens {
  const lens = lensOf(options);
  try {
    resolveLens(lens);
  } catch (error) {
    throw usageError(`--${(error as Error).message.replace(/^asOf/, 'as-of').replace(/^asKnownOn/, 'as-known-on')}`);
  }
  return lens;
}

/** The replayed model through the lens, for the lists the registry has no query for. */
async function replayedModel(opened: OpenedStore, options: QueryOptions, projection: AnyProjection) {
  const lens = checkedLens(options);
  const resolved = resolveLens(lens);
  const lensed = resolved.asOf !== undefined || resolved.asKnownOn !== undefined;
  const { model, report } = lensed ? await replayThroughLens(opened.store, projection, lens) : { model: await replay(opened.store, projection), report: null };
  const position = (await opened.store.lastPosition())?.toString() ?? null;
  return {
    model: model as ModelReader,
    frame: { asOf: resolved.asOf ?? null, asKnownOn: resolved.asKnownOn ?? null, lens: report as LensReport | null, source: { kind: 'replayed' as const, reason: 'listed from a replay of the log', position } },
  };
}

function emit<Row>(io: Io, options: QueryOptions, report: Printable<Row>): ExitCode {
  io.stdout.write(printable(options.format, report, (line) => io.stderr.write(`taawun: ${line}\n`)));
  return exitCodes.ok;
}

const sources = (refs: readonly string[]): string => refs.join(' ');

export function registerQueries(program: Command, context: CliContext): void {
  const { io } = context;
  const query = (name: string, run: (opened: OpenedStore, options: QueryOptions, args: string[]) => Promise<ExitCode>) =>
    runs(context, async (...args: unknown[]): Promise<ExitCode> => {
      const command = args.at(-1) as Command;
      const options = command.optsWithGlobals<QueryOptions & GlobalOptions>();
      const positional = args.slice(0, -2).filter((a): a is string => typeof a === 'string');
      return withStore(options, io, (opened) => run(opened, options, positional));
    });

  withQueryOptions(
    program
      .command('partners')
      .description('every partner in the record, with how many entries its history has')
      .addHelpText('after', '\nExamples:\n  taawun partners\n  taawun partners --lang ar --format markdown'),
  ).action(
    query('partners', async (opened, options) => {
      const { model, frame } = await replayedModel(opened, options, partnerHistoryProjection);
      const histories: PartnerHistory[] = [];
      for (const id of await recordIds(model, 'partners')) {
        const history = await partnerHistoryView(model, id);
        if (history) histories.push(history);
      }
      const partners = histories.map((h): PartnerProfile & { entries: number; firstDate: string | null; lastDate: string | null } => ({
          ...h.partner,
          entries: h.entries.length,
          firstDate: h.entries[0]?.date.label ?? null,
          lastDate: h.entries.at(-1)?.date.label ?? null,
        }));
      return emit(io, options, {
        title: [`Partners (${partners.length})`],
        rows: partners,
        columns: [
          { header: 'PARTNER', value: (p) => p.partnerId },
          { header: 'ACRONYM', value: (p) => p.acronym ?? '' },
          { header: 'KIND', value: (p) => p.kind ?? '' },
          { header: 'COUNTRY', value: (p) => p.country ?? '' },
          { header: 'ENTRIES', value: (p) => p.entries, align: 'right' },
          { header: 'FIRST', value: (p) => p.firstDate ?? '' },
          { header: 'LAST', value: (p) => p.lastDate ?? '' },
          { header: 'NAME', value: (p) => textIn(p.name, options.lang) },
        ],
        notes: lensNotes(frame.lens),
        json: { readModel: 'partners', version: partnerHistoryProjection.version, ...frame, result: { partners } },
      });
    }),
  );

  withQueryOptions(
    program
      .command('history')
      .description("a partner's history: every agreement, programme, session, visit and publication, in date order, names as they were then")
      .argument('<partner>', 'the partner id, e.g. enm-france (see taawun partners)')
      .addHelpText('after', '\nExamples:\n  taawun history enm-france\n  taawun history enm-france --as-of 2016-12-31 --lang fr\n  taawun history giz --format json'),
  ).action(
    query('history', async (opened, options, [partnerId]) => {
      const answer = answerOf(await fromStored(opened, 'partner-history', (source) => queryPartnerHistory(source, { partnerId: partnerId! }, checkedLens(options))));
      const { partner, entries } = answer.result;
      const names = [partner.name?.ar, partner.name?.fr, partner.name?.en].filter(Boolean).join(' / ');
      return emit(io, options, {
        title: [`${partner.acronym ? `${partner.acronym}: ` : ''}${names || partner.partnerId}`, `${partner.partnerId} · ${[partner.kind, partner.country].filter(Boolean).join(' · ')} · ${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}`],
        rows: entries,
        columns: historyColumns(options.lang),
        notes: [
          ...(entries.some((e) => !e.orderCertain) ? ['~ marks entries whose dates overlap another one: the record cannot tell which came first.'] : []),
          ...lensNotes(answer.lens),
        ],
        json: answer,
      });
    }),
  );

  const report = program.command('report').description('the institute-wide reports: agreements, yearly, participants');
  withQueryOptions(
    report
      .command('agreements')
      .description('the register of agreements, protocols and conventions, with the institute\'s name as signed')
      .option('--partner <partner>', 'only the agreements of this partner'),
  ).action(
    query('agreements', async (opened, options) => {
      const partner = (options as QueryOptions & { partner?: string }).partner;
      const answer = answerOf(await fromStored(opened, 'agreements-register', (source) => queryAgreementsRegister(source, partner ? { partnerId: partner } : {}, checkedLens(options))));
      return emit(io, options, {
        title: [`Agreements register (${answer.result.agreements.length})`],
        rows: answer.result.agreements,
        columns: agreementColumns(options.lang),
        notes: lensNotes(answer.lens),
        json: answer,
      });
    }),
  );

  withQueryOptions(
    report
      .command('yearly')
      .description('activity per period: sessions held, people trained, study visits, publications; partial dates stay in their own periods ("2016–2020", "by 2022", "year unknown")')
      .option('--year <year>', 'one year: its sessions, visits and publications', (value) => {
        if (!/^\d{4}$/.test(value)) throw usageError(`--year ${value}: give a year such as 2018`);
        return value;
      })
      .option('--period <key>', 'one period by its key: 2018, 2016-2020, by-2022, from-2002, year-unknown'),
  ).action(
    query('yearly', async (opened, options) => {
      const { year, period } = options as QueryOptions & { year?: string; period?: string };
      if (year && period) throw usageError('give --year or --period, not both');
      const key = year ?? period;
      const answer = answerOf(await fromStored(opened, 'yearly-activity-report', (source) => queryYearlyActivityReport(source, key ? { period: key } : {}, checkedLens(options))));
      if (key === undefined) return emit(io, options, periodRows(answer, options));
      return emit(io, options, yearlyPrintable(answer, key, options));
    }),
  );

  withQueryOptions(
    report
      .command('participants')
      .description('participants: kind, cohort, sessions and visits, and their name when recorded and not erased')
      .option('--participant <id>', 'one participant\'s record'),
  ).action(
    query('participants', async (opened, options) => {
      const only = (options as QueryOptions & { participant?: string }).participant;
      const { model, frame } = await replayedModel(opened, options, participantRecordProjection);
      const participants: ParticipantRecordView[] = [];
      for (const id of only ? [only] : await recordIds(model, 'participants')) {
        const record = await participantRecordView(model, id);
        if (record) participants.push(record);
      }
      if (only && participants.length === 0) throw new CliError(`participant ${only} is not registered (not-found)`);
      return emit(io, options, {
        title: [`Participants (${participants.length})`],
        rows: participants,
        columns: [
          { header: 'PARTICIPANT', value: (p) => p.participantId },
          { header: 'KIND', value: (p) => p.kind },
          { header: 'COHORT', value: (p) => p.cohort ?? '', align: 'right' },
          { header: 'SESSIONS', value: (p) => p.sessions.map((s) => s.sessionId).join(' ') },
          { header: 'VISITS', value: (p) => p.studyVisits.map((v) => v.visitId).join(' ') },
          { header: 'NAME', value: (p) => (p.erased ? '(erased)' : textIn(p.personal?.fullName, options.lang)) },
        ],
        notes: lensNotes(frame.lens),
        json: { readModel: 'participant-record', version: participantRecordProjection.version, ...frame, result: { participants } },
      });
    }),
  );

  withQueryOptions(
    program
      .command('audit')
      .description('the full history of one record (stream): every event, who recorded it and when, its business date, source, reason and corrections')
      .argument('<stream>', 'a stream, e.g. partner-enm-france, agreement-enm-1998, session-giz-attaches-2018-11, participant-<id>')
      .option('--show-personal-data', 'show participants\' personal data (redacted by default; never shown once erased)'),
  ).action(
    query('audit', async (opened, options, [stream]) => {
      const show = (options as QueryOptions & { showPersonalData?: boolean }).showPersonalData === true;
      const answer = answerOf(await queryAuditTrail({ store: opened.store }, { stream: stream!, personalData: show ? 'show' : 'redact' }, checkedLens(options)));
      if (answer.result.events.length === 0) throw new CliError(`stream ${stream} has no events (not-found)`);
      return emit(io, options, {
        title: [`Audit trail of ${answer.result.stream}${answer.result.record ? ` (${answer.result.record.type} ${answer.result.record.id})` : ''}`, `personal data: ${answer.result.personalData}`],
        rows: answer.result.events,
        columns: auditColumns(),
        notes: lensNotes(answer.lens),
        json: answer,
      });
    }),
  );
}

function historyColumns(lang: Language) {
  return [
    { header: 'DATE', value: (e: HistoryEntry) => `${e.orderCertain ? '' : '~'}${e.date.label}` },
    { header: 'WHAT', value: (e: HistoryEntry) => e.what },
    { header: 'RECORD', value: (e: HistoryEntry) => e.record.id },
    { header: 'FIGURES', value: (e: HistoryEntry) => entryFigures(e) },
    { header: 'WITH', value: (e: HistoryEntry) => e.sharedWith.join(' ') },
    { header: 'SOURCE', value: (e: HistoryEntry) => sources(e.sourceRefs) },
    { header: 'TITLE', value: (e: HistoryEntry) => textIn(e.title, lang) },
  ];
}

function entryFigures(entry: HistoryEntry): string {
  const c = entry.counts;
  if (!c) return '';
  const parts: string[] = [];
  if (c.sessions && !(c.sessions.exact && c.sessions.known === 1)) parts.push(`${countText(c.sessions)} sessions`);
  if (c.peopleTrained && (c.peopleTrained.known > 0 || !c.peopleTrained.exact)) parts.push(`${countText(c.peopleTrained)} trained`);
  if (c.participants) parts.push(`${countText(c.participants)} participants`);
  return parts.join(', ');
}

function agreementColumns(lang: Language) {
  return [
    { header: 'SIGNED', value: (a: AgreementEntry) => a.signedOn.label },
    { header: 'KIND', value: (a: AgreementEntry) => a.kind },
    { header: 'AGREEMENT', value: (a: AgreementEntry) => a.agreementId },
    { header: 'PARTNERS', value: (a: AgreementEntry) => a.parties.partners.map((p) => p.acronym ?? p.partnerId).join(' ') },
    { header: 'STATUS', value: (a: AgreementEntry) => a.status },
    { header: 'SOURCE', value: (a: AgreementEntry) => sources(a.sourceRefs) },
    { header: 'INSTITUTE AS', value: (a: AgreementEntry) => textIn(a.parties.institute.name, lang) },
  ];
}

function auditColumns() {
  return [
    { header: 'POS', value: (e: AuditEntry) => e.position, align: 'right' as const },
    { header: 'REV', value: (e: AuditEntry) => e.revision, align: 'right' as const },
    { header: 'RECORDED AT', value: (e: AuditEntry) => e.recordedAt },
    { header: 'BY', value: (e: AuditEntry) => e.recordedBy },
    { header: 'TYPE', value: (e: AuditEntry) => `${e.type} v${e.schemaVersion}` },
    { header: 'BUSINESS DATE', value: (e: AuditEntry) => (e.correctedBusinessDate ? `${e.correctedBusinessDate.label} (corrected from ${e.businessDate?.label ?? 'none'})` : (e.businessDate?.label ?? '')) },
    { header: 'SOURCE', value: (e: AuditEntry) => e.sourceRef ?? '' },
    { header: 'NOTE', value: (e: AuditEntry) => [e.reason, e.corrects ? `corrects ${e.corrects.type} ${e.corrects.eventId}` : null, e.corrections.length > 0 ? `${e.corrections.length} correction(s)` : null, e.problem].filter(Boolean).join('; ') },
  ];
}
