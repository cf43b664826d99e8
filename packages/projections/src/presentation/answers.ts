import type { Language } from '@taawun/domain';
import type { ActivityEntry, EntryCounts } from '../model/activities.js';
import type { Answer } from '../read-models/answer.js';
import type { AgreementEntry, AgreementsRegister } from '../read-models/agreements-register.js';
import type { AuditEntry, AuditTrail } from '../read-models/audit-trail.js';
import type { PublicationOnDate } from '../read-models/publication-status.js';
import type { ParticipantRecordView } from '../read-models/participant-record.js';
import type { HistoryEntry, PartnerHistory, PartnerSummary } from '../read-models/partner-history.js';
import { DEFAULT_LINES, type ActivityFigures, type PeriodReport, type YearlyActivityReport } from '../read-models/yearly-report.js';
import { agreementFactLines, entryFactLines } from './facts.js';
import { emptyPageRecords, type PageRecords } from '../model/page-records.js';
import { linked, multilingualCell, type Column, type PresentOptions, type Table } from './table.js';
import { message, type MessageId } from './i18n/messages.js';
import { entryWhat, eventTypeText, recordTypeText, selectKey, vocabText } from './vocabulary.js';
import { partialDateText } from './i18n/dates.js';
import { countText, dateText, entryFigures, figuresSummary, figureWords, gapNotes, headerText, heldText, lensNotes, linesCutNotes, nameText, onlyCertainNotes, peopleText, periodText, sourcesText, textIn, correctionText } from './texts.js';

/*
 * Each read model's answer as a table: the one layout the CLI prints and the
 * report shows. A presentation computes nothing the answer does not hold; it
 * chooses columns and words.
 */

type Presenter = (answer: Answer<unknown>, params: Readonly<Record<string, unknown>>, options: PresentOptions) => Table<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const sources = (refs: readonly string[]): string => refs.join(' ');
const orderMark = (certain: boolean) => (certain ? '' : '~');
const uncertainOrderNote = (lang: Language) => message(lang, 'order.uncertain');

const uncertainExtremeNote = (lang: Language) => message(lang, 'order.uncertainExtreme');
const extremeText = (x: PartnerSummary['first'], lang: Language): string | null => (x ? `${orderMark(x.certain)}${dateText(x.date, lang)}` : null);
/** A column header in the table's language (English as always printed, upper case). */
const h = (lang: Language, id: MessageId, english: string) => headerText(lang, id, english);
/** A title in the table's language: English as it always read. */
const titled = (lang: Language, id: MessageId, english: string, values: Record<string, string | number> = {}) => (lang === 'en' ? english : message(lang, id, values));

function partners(answer: Answer<{ partners: PartnerSummary[] }>, _p: unknown, { lang }: PresentOptions): Table<PartnerSummary> {
  const list = answer.result.partners;
  return {
    title: [message(lang, 'title.partners', { n: String(answer.page?.total ?? list.length) })],
    rows: list,
    rowKey: { name: 'partner', of: (p) => p.partnerId },
    columns: [
      { header: h(lang, 'column.partner', 'PARTNER'), cell: (p) => linked(p.partnerId, 'partner-history', { partnerId: p.partnerId }) },
      { header: h(lang, 'column.acronym', 'ACRONYM'), cell: (p) => p.acronym },
      { header: h(lang, 'column.kind', 'KIND'), cell: (p) => vocabText(lang, 'vocab.partnerKind', 'kind', p.kind) },
      { header: h(lang, 'column.country', 'COUNTRY'), cell: (p) => p.country },
      { header: h(lang, 'column.entries', 'ENTRIES'), cell: (p) => p.entries, align: 'right' },
      { header: h(lang, 'column.first', 'FIRST'), cell: (p) => extremeText(p.first, lang) },
      { header: h(lang, 'column.last', 'LAST'), cell: (p) => extremeText(p.last, lang) },
      { header: h(lang, 'column.name', 'NAME'), cell: (p) => multilingualCell(p.name, p.partnerId) },
    ],
    notes: [...(list.some((p) => p.first?.certain === false || p.last?.certain === false) ? [uncertainExtremeNote(lang)] : []), ...lensNotes(answer.lens, lang)],
  };
}

function partnerHistory(answer: Answer<PartnerHistory>, _p: unknown, { lang }: PresentOptions): Table<HistoryEntry> {
  const { partner, entries } = answer.result;
  const names = [partner.name?.ar, partner.name?.fr, partner.name?.en].filter(Boolean).join(' / ');
  const total = answer.page?.total ?? entries.length;
  return {
    title: [
      `${partner.acronym ? `${partner.acronym}: ` : ''}${names || partner.partnerId}`,
      `${partner.partnerId} · ${[vocabText(lang, 'vocab.partnerKind', 'kind', partner.kind), partner.country].filter(Boolean).join(' · ')} · ${lang === 'en' ? `${total} ${total === 1 ? 'entry' : 'entries'}` : message(lang, 'entry.count', { n: total })}`,
    ],
    rows: entries,
    rowKey: { name: 'record', of: (e) => `${e.record.type}:${e.record.id}` },
    columns: [
      ...activityColumns<HistoryEntry>(lang, answer.result.records).slice(0, 4),
      { header: h(lang, 'column.with', 'WITH'), cell: (e) => e.sharedWith.join(' ') },
      ...activityColumns<HistoryEntry>(lang, answer.result.records).slice(5),
    ],
    details: (e) => entryFactLines(e, answer.result.records, lang),
    notes: [...(entries.some((e) => !e.orderCertain) ? [uncertainOrderNote(lang)] : []), ...lensNotes(answer.lens, lang)],
  };
}

/** The columns of a dated activity entry: a partner's history, the registers of sessions, visits and publications. */
function activityColumns<E extends ActivityEntry>(lang: Language, records: PageRecords): Column<E>[] {
  return [
    { header: h(lang, 'column.date', 'DATE'), cell: (e) => `${orderMark(e.orderCertain)}${dateText(e.date, lang)}` },
    { header: h(lang, 'column.what', 'WHAT'), cell: (e) => (e.statusCandidates ? message(lang, 'status.uncertain', { what: entryWhat(e, lang), first: e.statusCandidates[0]!, second: e.statusCandidates.slice(1).join('/') }) : entryWhat(e, lang)) },
    { header: h(lang, 'column.record', 'RECORD'), cell: (e) => e.record.id },
    { header: h(lang, 'column.figures', 'FIGURES'), cell: (e) => entryFigures(e.counts, lang) },
    { header: h(lang, 'column.partners', 'PARTNERS'), cell: (e) => e.partners.map((p) => records.partners[p.partnerId]?.acronym ?? p.partnerId).join(' ') },
    { header: h(lang, 'column.source', 'SOURCE'), cell: (e) => sourcesText(e.sourceRefs, e.corrections, lang) },
    { header: h(lang, 'column.title', 'TITLE'), cell: (e) => multilingualCell(e.title) },
  ];
}

const register =
  (list: string, heading: string, titleId: MessageId): Presenter =>
  (answer, _p, { lang }) => {
    const entries = (answer.result as Record<string, ActivityEntry[]>)[list] ?? [];
    const records = (answer.result as { records?: PageRecords }).records ?? emptyPageRecords;
    const n = answer.page?.total ?? entries.length;
    return {
      title: [titled(lang, titleId, `${heading} (${n})`, { n: String(n) })],
      rows: entries,
      rowKey: { name: 'record', of: (e) => `${e.record.type}:${e.record.id}` },
      columns: activityColumns(lang, records),
      details: (e) => entryFactLines(e, records, lang),
      notes: [...(entries.some((e) => !e.orderCertain) ? [uncertainOrderNote(lang)] : []), ...lensNotes(answer.lens, lang)],
    };
  };

function agreements(answer: Answer<AgreementsRegister>, _p: unknown, { lang }: PresentOptions): Table<AgreementEntry> {
  return {
    title: [message(lang, 'title.agreements', { n: String(answer.page?.total ?? answer.result.agreements.length) })],
    rows: answer.result.agreements,
    rowKey: { name: 'agreement', of: (a) => a.agreementId },
    columns: [
      { header: h(lang, 'column.signed', 'SIGNED'), cell: (a) => `${orderMark(a.orderCertain)}${dateText(a.signedOn, lang)}` },
      { header: h(lang, 'column.kind', 'KIND'), cell: (a) => vocabText(lang, 'vocab.agreementKind', 'kind', a.kind) },
      { header: h(lang, 'column.agreement', 'AGREEMENT'), cell: (a) => a.agreementId },
      { header: h(lang, 'column.partners', 'PARTNERS'), cell: (a) => a.parties.partners.map((p) => p.acronym ?? p.partnerId).join(' ') },
      { header: h(lang, 'column.status', 'STATUS'), cell: (a) => {
        const agreementStatus = (code: string) => vocabText(lang, 'vocab.agreementStatus', 'status', code);
        const status = a.statusCandidates
          ? message(lang, 'status.uncertainOnly', { first: agreementStatus(a.statusCandidates[0]!), second: a.statusCandidates.slice(1).map(agreementStatus).join('/') })
          : agreementStatus(a.status);
        return a.amendments.length > 0 ? message(lang, 'cell.amended', { status, n: String(a.amendments.length) }) : status;
      } },
      { header: h(lang, 'column.source', 'SOURCE'), cell: (a) => sourcesText(a.sourceRefs, a.corrections, lang) },
      { header: h(lang, 'column.instituteAs', 'INSTITUTE AS'), cell: (a) => nameText(a.parties.institute, lang) },
      { header: h(lang, 'column.place', 'PLACE'), cell: (a) => multilingualCell(a.place) },
      { header: h(lang, 'column.title', 'TITLE'), cell: (a) => multilingualCell(a.title, a.agreementId) },
    ],
    details: (a) => agreementFactLines(a, lang),
    notes: lensNotes(answer.lens, lang),
  };
}

function publicationStatus(answer: Answer<{ on: string | null; publications: PublicationOnDate[] }>, params: Readonly<Record<string, unknown>>, { lang }: PresentOptions): Table<PublicationOnDate> {
  const { on, publications: rows } = answer.result;
  const asked = [params.kind ?? 'publication', params.status ? `with the status ${String(params.status)}` : null, on ? `on ${on}` : null].filter(Boolean).join(' ');
  const n = answer.page?.total ?? rows.length;
  const status = (code: string) => vocabText(lang, 'vocab.publicationStatus', 'status', code);
  return {
    ...(lang === 'en' ? { empty: `no ${asked}` } : {}),
    title:
      lang === 'en'
        ? [`Publications${on ? ` on ${on}` : ''} (${n})`, 'A plan is not a publication: "planned for" says what was planned, not done.']
        : [message(lang, 'title.publicationsOn', { on: on ? partialDateText(on, lang) : 'none', n: String(n) }), message(lang, 'title.planNote')],
    rows,
    rowKey: { name: 'publication', of: (p) => p.publicationId },
    columns: [
      { header: h(lang, 'column.publication', 'PUBLICATION'), cell: (p) => p.publicationId },
      { header: h(lang, 'column.kind', 'KIND'), cell: (p) => vocabText(lang, 'vocab.publicationKind', 'kind', p.kind) },
      {
        header: h(lang, 'column.status', 'STATUS'),
        cell: (p) => {
          if (p.certain) return status(p.status);
          const others = p.candidates.filter((c) => c !== p.status);
          return lang === 'en' ? `${p.status}, may be ${others.join(' or ')}` : message(lang, 'cell.mayBe', { status: status(p.status), others: others.map(status).join(message(lang, 'cell.or')) });
        },
      },
      { header: h(lang, 'column.prepared', 'PREPARED'), cell: (p) => dateText(p.preparedOn, lang) },
      { header: h(lang, 'column.plannedFor', 'PLANNED FOR'), cell: (p) => p.plannedFor.map((d) => dateText(d, lang)).join('; ') },
      { header: h(lang, 'column.published', 'PUBLISHED'), cell: (p) => (p.publishedOn ? dateText(p.publishedOn, lang) : lang === 'en' ? 'not recorded' : message(lang, 'cell.notRecorded')) },
      { header: h(lang, 'column.partners', 'PARTNERS'), cell: (p) => p.partners.join(' ') },
      { header: h(lang, 'column.source', 'SOURCE'), cell: (p) => sources(p.sourceRefs) },
      { header: h(lang, 'column.title', 'TITLE'), cell: (p) => multilingualCell(p.title) },
    ],
    notes: lensNotes(answer.lens, lang),
  };
}

type PeriodRow = { readonly label: string; readonly key: string | null; readonly figures: ActivityFigures };

const figureColumns = (lang: Language): Column<PeriodRow>[] => [
  { header: h(lang, 'column.sessions', 'SESSIONS'), cell: (r) => countText(r.figures.sessionsHeld, lang), align: 'right' },
  { header: h(lang, 'column.trained', 'TRAINED'), cell: (r) => countText(r.figures.peopleTrained, lang), align: 'right' },
  { header: h(lang, 'column.ofWhomTrainers', 'OF WHOM TRAINERS'), cell: (r) => countText(r.figures.trainersTrained, lang), align: 'right' },
  { header: h(lang, 'column.meetings', 'MEETINGS'), cell: (r) => countText(r.figures.meetingsHeld, lang), align: 'right' },
  { header: h(lang, 'column.attended', 'ATTENDED'), cell: (r) => countText(r.figures.peopleAttended, lang), align: 'right' },
  { header: h(lang, 'column.visits', 'VISITS'), cell: (r) => countText(r.figures.studyVisits, lang), align: 'right' },
  { header: h(lang, 'column.participantsCount', 'PARTICIPANTS'), cell: (r) => countText(r.figures.studyVisitParticipants, lang), align: 'right' },
  { header: h(lang, 'column.hosted', 'HOSTED'), cell: (r) => countText(r.figures.visitorsHosted, lang), align: 'right' },
  { header: h(lang, 'column.prepared', 'PREPARED'), cell: (r) => countText(r.figures.publications.prepared, lang), align: 'right' },
  { header: h(lang, 'column.planned', 'PLANNED'), cell: (r) => countText(r.figures.publications.plannedForPublication, lang), align: 'right' },
  { header: h(lang, 'column.published', 'PUBLISHED'), cell: (r) => countText(r.figures.publications.published, lang), align: 'right' },
];

/** A line of one period: a session, a visit or a publication step. */
interface PeriodLine {
  readonly date: string;
  readonly what: string;
  readonly record: string;
  readonly partners: readonly string[];
  readonly figures: string;
  readonly sourceRefs: readonly string[];
  readonly title: Parameters<typeof multilingualCell>[0];
}

/** A session's line in a period: its kind, and its format when stated (English: the codes as always printed). */
function sessionLineWhat(kind: string, format: string, lang: Language): string {
  if (lang === 'en') return format === 'not-stated' ? kind : `${kind}, ${format}`;
  const label = vocabText(lang, 'vocab.sessionKind', 'kind', kind);
  return format === 'not-stated' ? label : message(lang, 'what.periodSession', { label, format: vocabText(lang, 'vocab.format', 'format', format) });
}

/** A period's session as entry counts, for its figures in French and Arabic (`entryFigures`). */
const sessionLineCounts = (s: PeriodReport['sessions'][number]): EntryCounts =>
  s.held === 'sessions' ? { sessions: s.occurrences, peopleTrained: s.people } : { meetings: s.occurrences, peopleAttended: s.people };

function periodLines(period: PeriodReport, lang: Language): PeriodLine[] {
  const lines: PeriodLine[] = [];
  for (const s of period.sessions) {
    const figures =
      lang === 'en'
        ? [heldText(s.held, s.occurrences, s.people, s.figure), s.cohorts.length > 0 ? `cohort${s.cohorts.length === 1 ? '' : 's'} ${s.cohorts.join(', ')}` : ''].filter(Boolean).join(', ')
        : [entryFigures(sessionLineCounts(s), lang), s.cohorts.length > 0 ? `${message(lang, 'fact.cohorts')} ${s.cohorts.join(', ')}` : ''].filter(Boolean).join(lang === 'ar' ? '، ' : ', ');
    lines.push({ date: dateText(s.date, lang), what: sessionLineWhat(s.kind, s.format, lang), record: s.sessionId, partners: s.partners, figures, sourceRefs: s.sourceRefs, title: s.title });
  }
  for (const v of period.studyVisits) {
    lines.push({ date: dateText(v.date, lang), what: lang === 'en' ? `study visit${v.direction ? ` (${v.direction})` : ''}` : message(lang, 'what.periodVisit', { direction: selectKey(v.direction) }), record: v.visitId, partners: v.partners, figures: lang === 'en' ? peopleText(v.participants, figureWords[v.figure ?? 'visit-participants']) : entryFigures(v.figure === 'hosted' ? { hosted: v.participants } : { participants: v.participants }, lang), sourceRefs: v.sourceRefs, title: v.title });
  }
  const steps = [
    ...period.publications.prepared.map((p) => ({ p, what: lang === 'en' ? `${p.kind} prepared` : message(lang, 'what.publicationPrepared', { kind: selectKey(p.kind) }) })),
    ...period.publications.plannedForPublication.map((p) => ({ p, what: lang === 'en' ? `${p.kind} planned for publication` : message(lang, 'what.publicationPlanned', { kind: selectKey(p.kind) }) })),
    ...period.publications.published.map((p) => ({ p, what: lang === 'en' ? `${p.kind} published` : message(lang, 'what.publicationPublished', { kind: selectKey(p.kind) }) })),
  ];
  for (const { p, what } of steps) lines.push({ date: dateText(p.date, lang), what, record: p.publicationId, partners: p.partners, figures: '', sourceRefs: p.sourceRefs, title: p.title });
  return lines;
}

const yearly: Presenter = (answer, params, { lang }) =>
  typeof params.period === 'string' ? periodTable(answer as Answer<YearlyActivityReport>, params.period, lang, params) : periodsTable(answer as Answer<YearlyActivityReport>, lang);

function periodsTable(answer: Answer<YearlyActivityReport>, lang: Language): Table<PeriodRow> {
    // The TOTAL row closes the list: it comes under its last page only, so a list read a page at a time shows it once.
    const endsTheList = answer.page === null || answer.page.nextOffset === null;
    const rows: PeriodRow[] = [
      ...answer.result.periods.map((p) => ({ label: periodText(p.period, lang), key: p.period.key, figures: p.totals })),
      ...(endsTheList ? [{ label: titled(lang, 'title.total', 'TOTAL'), key: null, figures: answer.result.totals }] : []),
    ];
    return {
      title: [message(lang, 'title.yearly'), message(lang, 'title.yearlyHint')],
      rows,
      rowKey: { name: 'period', of: (r) => r.key ?? 'total' },
      columns: [{ header: h(lang, 'column.period', 'PERIOD'), cell: (r) => (r.key === null ? r.label : linked(r.label, 'yearly-activity-report', { period: r.key })) }, ...figureColumns(lang)],
      notes: [...gapNotes(answer.result.totals, lang), ...lensNotes(answer.lens, lang)],
    };
}

function periodTable(answer: Answer<YearlyActivityReport>, key: string, lang: Language, params: Readonly<Record<string, unknown>>): Table<PeriodLine> {
  const period = answer.result.periods.find((p) => p.period.key === key);
  const label = period ? periodText(period.period, lang) : key;
  return {
    title: [
      titled(lang, 'title.yearlyPeriod', `Yearly activity report: ${label}`, { period: label }),
      period ? figuresSummary(period.totals, lang) : message(lang, 'title.nothingInPeriod'),
    ],
    rows: period ? periodLines(period, lang) : [],
    columns: [
      { header: h(lang, 'column.date', 'DATE'), cell: (r) => r.date },
      { header: h(lang, 'column.what', 'WHAT'), cell: (r) => r.what },
      { header: h(lang, 'column.record', 'RECORD'), cell: (r) => r.record },
      { header: h(lang, 'column.partners', 'PARTNERS'), cell: (r) => r.partners.join(' ') },
      { header: h(lang, 'column.figures', 'FIGURES'), cell: (r) => r.figures },
      { header: h(lang, 'column.source', 'SOURCE'), cell: (r) => sources(r.sourceRefs) },
      { header: h(lang, 'column.title', 'TITLE'), cell: (r) => multilingualCell(r.title) },
    ],
    notes: [
      ...(period ? gapNotes(period.totals, lang) : []),
      ...onlyCertainNotes(key, lang),
      ...(period ? linesCutNotes(period, linesWindow(params), lang) : []),
      ...lensNotes(answer.lens, lang),
    ],
  };
}

/** The lines asked of each list, as the read model reads its parameters (given as numbers or as text). */
const linesWindow = (params: Readonly<Record<string, unknown>>) => ({
  from: Number(params['linesFrom'] ?? 0),
  limit: Number(params['lines'] ?? DEFAULT_LINES),
});

function participantColumns({ lang }: PresentOptions): Column<ParticipantRecordView>[] {
  return [
    { header: h(lang, 'column.participant', 'PARTICIPANT'), cell: (p) => linked(p.participantId, 'participant-record', { participantId: p.participantId }) },
    { header: h(lang, 'column.kind', 'KIND'), cell: (p) => vocabText(lang, 'vocab.participantKind', 'kind', p.kind) },
    { header: h(lang, 'column.cohort', 'COHORT'), cell: (p) => p.cohort, align: 'right' },
    { header: h(lang, 'column.sessions', 'SESSIONS'), cell: (p) => p.sessions.map((s) => s.sessionId).join(' ') },
    { header: h(lang, 'column.visits', 'VISITS'), cell: (p) => p.studyVisits.map((v) => v.visitId).join(' ') },
    { header: h(lang, 'column.name', 'NAME'), cell: (p) => (p.erased ? message(lang, 'cell.erased') : textIn(p.personal?.fullName, lang)) },
  ];
}

function participants(answer: Answer<{ participants: ParticipantRecordView[] }>, _p: unknown, options: PresentOptions): Table<ParticipantRecordView> {
  return {
    title: [message(options.lang, 'title.participants', { n: String(answer.page?.total ?? answer.result.participants.length) })],
    rows: answer.result.participants,
    rowKey: { name: 'participant', of: (p) => p.participantId },
    columns: participantColumns(options),
    notes: lensNotes(answer.lens, options.lang),
  };
}

function participantRecord(answer: Answer<ParticipantRecordView>, _p: unknown, options: PresentOptions): Table<ParticipantRecordView> {
  return { title: [message(options.lang, 'title.participant', { id: answer.result.participantId })], rows: [answer.result], columns: participantColumns(options), notes: lensNotes(answer.lens, options.lang) };
}

function auditTrail(answer: Answer<AuditTrail>, _p: unknown, { lang }: PresentOptions): Table<AuditEntry> {
  const { stream, record, personalData, events } = answer.result;
  return {
    title:
      lang === 'en'
        ? [`Audit trail of ${stream}${record ? ` (${record.type} ${record.id})` : ''}`, `personal data: ${personalData}`]
        : [message(lang, 'title.auditTrail', { stream: `${stream}${record ? ` (${recordTypeText(record.type, lang)} ${record.id})` : ''}` }), message(lang, 'audit.personalData', { data: personalData })],
    rows: events,
    rowKey: { name: 'event', of: (e) => e.eventId },
    columns: [
      { header: h(lang, 'column.pos', 'POS'), cell: (e) => e.position, align: 'right' },
      { header: h(lang, 'column.rev', 'REV'), cell: (e) => e.revision, align: 'right' },
      { header: h(lang, 'column.recordedAt', 'RECORDED AT'), cell: (e) => e.recordedAt },
      { header: h(lang, 'column.recordedBy', 'BY'), cell: (e) => e.recordedBy },
      { header: h(lang, 'column.type', 'TYPE'), cell: (e) => `${eventTypeText(e.type, lang)} v${e.schemaVersion}` },
      {
        header: h(lang, 'column.businessDate', 'BUSINESS DATE'),
        cell: (e) =>
          e.correctedBusinessDate
            ? message(lang, 'cell.correctedFrom', { date: dateText(e.correctedBusinessDate, lang), previous: e.businessDate ? dateText(e.businessDate, lang) : message(lang, 'cell.none') })
            : e.businessDate ? dateText(e.businessDate, lang) : '',
      },
      { header: h(lang, 'column.source', 'SOURCE'), cell: (e) => e.sourceRef ?? '' },
      {
        header: h(lang, 'column.note', 'NOTE'),
        cell: (e) =>
          (lang === 'en'
            ? [e.reason, e.corrects ? `corrects ${e.corrects.type} ${e.corrects.eventId}` : null, ...e.corrections.map((c) => correctionText(c, lang)), e.problem]
            : [
                e.reason,
                e.corrects ? message(lang, 'audit.correctsEvent', { type: eventTypeText(e.corrects.type, lang), event: e.corrects.eventId }) : null,
                ...e.corrections.map((c) => correctionText(c, lang)),
                e.problem,
              ]
          )
            .filter(Boolean)
            .join('; '),
      },
    ],
    notes: lensNotes(answer.lens, lang),
  };
}

/** A report nobody wrote a presentation for: its list (or its result) as rows of JSON. */
function generic(answer: Answer<unknown>, list: string | null, lang: Language): Table<{ item: unknown; index: number }> {
  const result = answer.result as Record<string, unknown>;
  const items = list !== null && Array.isArray(result[list]) ? (result[list] as unknown[]) : [result];
  const keyed = items.every((i) => typeof i === 'object' && i !== null && 'key' in i && 'document' in i);
  return {
    title: [`${answer.readModel}${list !== null ? ` (${answer.page?.total ?? items.length})` : ''}`],
    rows: items.map((item, index) => ({ item, index })),
    columns: keyed
      ? [
          { header: h(lang, 'column.key', 'KEY'), cell: (r) => String((r.item as { key: unknown }).key) },
          { header: h(lang, 'column.document', 'DOCUMENT'), cell: (r) => JSON.stringify((r.item as { document: unknown }).document) },
        ]
      : [{ header: list === null ? h(lang, 'column.result', 'RESULT') : list.toUpperCase(), cell: (r) => JSON.stringify(r.item) }],
    notes: lensNotes(answer.lens, lang),
  };
}

const presenters: Readonly<Record<string, Presenter>> = {
  partners: partners as Presenter,
  'partner-history': partnerHistory as Presenter,
  'agreements-register': agreements as Presenter,
  'yearly-activity-report': yearly,
  sessions: register('sessions', 'Sessions', 'title.sessions'),
  meetings: register('meetings', 'Meetings', 'title.meetings'),
  'study-visits': register('studyVisits', 'Study visits', 'title.studyVisits'),
  publications: register('publications', 'Publications', 'title.publications'),
  'publication-status': publicationStatus as Presenter,
  participants: participants as Presenter,
  'participant-record': participantRecord as Presenter,
  'audit-trail': auditTrail as Presenter,
};

/**
 * An answer as a table: the built-in read models each have their layout;
 * a report written later (or one without a presentation) is shown as JSON rows
 * of its list.
 */
export function presentAnswer(answer: Answer<unknown>, params: Readonly<Record<string, unknown>>, options: PresentOptions & { readonly list?: string | null }): Table<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const presenter = presenters[answer.readModel];
  const table = presenter ? presenter(answer, params, options) : generic(answer, options.list ?? answer.page?.list ?? null, options.lang);
  return table.empty === undefined ? { ...table, empty: emptyText(answer, options.lang) } : table;
}

/** What a table without rows says: through a lens, that nothing was counted by then (the notes say what was left out), not that nothing was recorded. */
function emptyText(answer: Answer<unknown>, lang: Language): string {
  const lens = answer.lens as { readonly asOf?: unknown; readonly asKnownOn?: unknown } | null | undefined;
  return message(lang, lens && (lens.asOf || lens.asKnownOn) ? 'table.nothingCountedThen' : 'table.nothingRecorded');
}
