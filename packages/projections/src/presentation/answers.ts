import type { ActivityEntry } from '../model/activities.js';
import type { Answer } from '../read-models/answer.js';
import type { AgreementEntry, AgreementsRegister } from '../read-models/agreements-register.js';
import type { AuditEntry, AuditTrail } from '../read-models/audit-trail.js';
import type { PublicationOnDate } from '../read-models/publication-status.js';
import type { ParticipantRecordView } from '../read-models/participant-record.js';
import type { HistoryEntry, PartnerHistory, PartnerSummary } from '../read-models/partner-history.js';
import type { ActivityFigures, PeriodReport, YearlyActivityReport } from '../read-models/yearly-report.js';
import { agreementFactLines, entryFactLines } from './facts.js';
import { linked, multilingualCell, type Column, type PresentOptions, type Table } from './table.js';
import { countText, entryFigures, figuresSummary, figureWords, gapNotes, heldText, lensNotes, nameText, peopleText, textIn } from './texts.js';

/*
 * Each read model's answer as a table: the one layout the CLI prints and the
 * report shows. A presentation computes nothing the answer does not hold; it
 * chooses columns and words.
 */

type Presenter = (answer: Answer<unknown>, params: Readonly<Record<string, unknown>>, options: PresentOptions) => Table<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const sources = (refs: readonly string[]): string => refs.join(' ');
const orderMark = (certain: boolean) => (certain ? '' : '~');
const uncertainOrderNote = '~ marks entries whose dates overlap another one: the record cannot tell which came first.';

const uncertainExtremeNote = '~ marks a first or last activity the record cannot pin to one entry (their dates allow several orders): the days it lies between.';
const extremeText = (x: PartnerSummary['first']): string | null => (x ? `${orderMark(x.certain)}${x.date.label}` : null);

function partners(answer: Answer<{ partners: PartnerSummary[] }>): Table<PartnerSummary> {
  const list = answer.result.partners;
  return {
    title: [`Partners (${answer.page?.total ?? list.length})`],
    rows: list,
    rowKey: { name: 'partner', of: (p) => p.partnerId },
    columns: [
      { header: 'PARTNER', cell: (p) => linked(p.partnerId, 'partner-history', { partnerId: p.partnerId }) },
      { header: 'ACRONYM', cell: (p) => p.acronym },
      { header: 'KIND', cell: (p) => p.kind },
      { header: 'COUNTRY', cell: (p) => p.country },
      { header: 'ENTRIES', cell: (p) => p.entries, align: 'right' },
      { header: 'FIRST', cell: (p) => extremeText(p.first) },
      { header: 'LAST', cell: (p) => extremeText(p.last) },
      { header: 'NAME', cell: (p) => multilingualCell(p.name, p.partnerId) },
    ],
    notes: [...(list.some((p) => p.first?.certain === false || p.last?.certain === false) ? [uncertainExtremeNote] : []), ...lensNotes(answer.lens)],
  };
}

function partnerHistory(answer: Answer<PartnerHistory>, _p: unknown, { lang }: PresentOptions): Table<HistoryEntry> {
  const { partner, entries } = answer.result;
  const names = [partner.name?.ar, partner.name?.fr, partner.name?.en].filter(Boolean).join(' / ');
  const total = answer.page?.total ?? entries.length;
  return {
    title: [
      `${partner.acronym ? `${partner.acronym}: ` : ''}${names || partner.partnerId}`,
      `${partner.partnerId} · ${[partner.kind, partner.country].filter(Boolean).join(' · ')} · ${total} ${total === 1 ? 'entry' : 'entries'}`,
    ],
    rows: entries,
    rowKey: { name: 'record', of: (e) => `${e.record.type}:${e.record.id}` },
    columns: [
      ...activityColumns<HistoryEntry>().slice(0, 4),
      { header: 'WITH', cell: (e) => e.sharedWith.join(' ') },
      ...activityColumns<HistoryEntry>().slice(5),
    ],
    details: (e) => entryFactLines(e, lang),
    notes: [...(entries.some((e) => !e.orderCertain) ? [uncertainOrderNote] : []), ...lensNotes(answer.lens)],
  };
}

/** The columns of a dated activity entry: a partner's history, the registers of sessions, visits and publications. */
function activityColumns<E extends ActivityEntry>(): Column<E>[] {
  return [
    { header: 'DATE', cell: (e) => `${orderMark(e.orderCertain)}${e.date.label}` },
    { header: 'WHAT', cell: (e) => e.what },
    { header: 'RECORD', cell: (e) => e.record.id },
    { header: 'FIGURES', cell: (e) => entryFigures(e.counts) },
    { header: 'PARTNERS', cell: (e) => e.partners.map((p) => p.acronym ?? p.partnerId).join(' ') },
    { header: 'SOURCE', cell: (e) => sources(e.sourceRefs) },
    { header: 'TITLE', cell: (e) => multilingualCell(e.title) },
  ];
}

const register =
  (list: string, heading: string): Presenter =>
  (answer, _p, { lang }) => {
    const entries = (answer.result as Record<string, ActivityEntry[]>)[list] ?? [];
    return {
      title: [`${heading} (${answer.page?.total ?? entries.length})`],
      rows: entries,
      rowKey: { name: 'record', of: (e) => `${e.record.type}:${e.record.id}` },
      columns: activityColumns(),
      details: (e) => entryFactLines(e, lang),
      notes: [...(entries.some((e) => !e.orderCertain) ? [uncertainOrderNote] : []), ...lensNotes(answer.lens)],
    };
  };

function agreements(answer: Answer<AgreementsRegister>, _p: unknown, { lang }: PresentOptions): Table<AgreementEntry> {
  return {
    title: [`Agreements register (${answer.page?.total ?? answer.result.agreements.length})`],
    rows: answer.result.agreements,
    rowKey: { name: 'agreement', of: (a) => a.agreementId },
    columns: [
      { header: 'SIGNED', cell: (a) => `${orderMark(a.orderCertain)}${a.signedOn.label}` },
      { header: 'KIND', cell: (a) => a.kind },
      { header: 'AGREEMENT', cell: (a) => a.agreementId },
      { header: 'PARTNERS', cell: (a) => a.parties.partners.map((p) => p.acronym ?? p.partnerId).join(' ') },
      { header: 'STATUS', cell: (a) => (a.amendments.length > 0 ? `${a.status}, amended ${a.amendments.length}×` : a.status) },
      { header: 'SOURCE', cell: (a) => sources(a.sourceRefs) },
      { header: 'INSTITUTE AS', cell: (a) => nameText(a.parties.institute, lang) },
      { header: 'PLACE', cell: (a) => multilingualCell(a.place) },
      { header: 'TITLE', cell: (a) => multilingualCell(a.title, a.agreementId) },
    ],
    details: (a) => agreementFactLines(a, lang),
    notes: lensNotes(answer.lens),
  };
}

function publicationStatus(answer: Answer<{ on: string | null; publications: PublicationOnDate[] }>, params: Readonly<Record<string, unknown>>): Table<PublicationOnDate> {
  const { on, publications: rows } = answer.result;
  const asked = [params.kind ?? 'publication', params.status ? `with the status ${String(params.status)}` : null, on ? `on ${on}` : null].filter(Boolean).join(' ');
  return {
    empty: `no ${asked}`,
    title: [`Publications${on ? ` on ${on}` : ''} (${answer.page?.total ?? rows.length})`, 'A plan is not a publication: "planned for" says what was planned, not done.'],
    rows,
    rowKey: { name: 'publication', of: (p) => p.publicationId },
    columns: [
      { header: 'PUBLICATION', cell: (p) => p.publicationId },
      { header: 'KIND', cell: (p) => p.kind },
      { header: 'STATUS', cell: (p) => (p.certain ? p.status : `${p.status}, may be ${p.candidates.filter((c) => c !== p.status).join(' or ')}`) },
      { header: 'PREPARED', cell: (p) => p.preparedOn.label },
      { header: 'PLANNED FOR', cell: (p) => p.plannedFor.map((d) => d.label).join('; ') },
      { header: 'PUBLISHED', cell: (p) => p.publishedOn?.label ?? 'not recorded' },
      { header: 'PARTNERS', cell: (p) => p.partners.join(' ') },
      { header: 'SOURCE', cell: (p) => sources(p.sourceRefs) },
      { header: 'TITLE', cell: (p) => multilingualCell(p.title) },
    ],
    notes: lensNotes(answer.lens),
  };
}

type PeriodRow = { readonly label: string; readonly key: string | null; readonly figures: ActivityFigures };

const figureColumns: Column<PeriodRow>[] = [
  { header: 'SESSIONS', cell: (r) => countText(r.figures.sessionsHeld), align: 'right' },
  { header: 'TRAINED', cell: (r) => countText(r.figures.peopleTrained), align: 'right' },
  { header: 'OF WHOM TRAINERS', cell: (r) => countText(r.figures.trainersTrained), align: 'right' },
  { header: 'MEETINGS', cell: (r) => countText(r.figures.meetingsHeld), align: 'right' },
  { header: 'ATTENDED', cell: (r) => countText(r.figures.peopleAttended), align: 'right' },
  { header: 'VISITS', cell: (r) => countText(r.figures.studyVisits), align: 'right' },
  { header: 'PARTICIPANTS', cell: (r) => countText(r.figures.studyVisitParticipants), align: 'right' },
  { header: 'HOSTED', cell: (r) => countText(r.figures.visitorsHosted), align: 'right' },
  { header: 'PREPARED', cell: (r) => r.figures.publications.prepared, align: 'right' },
  { header: 'PLANNED', cell: (r) => r.figures.publications.plannedForPublication, align: 'right' },
  { header: 'PUBLISHED', cell: (r) => r.figures.publications.published, align: 'right' },
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

function periodLines(period: PeriodReport): PeriodLine[] {
  const lines: PeriodLine[] = [];
  for (const s of period.sessions) {
    const figures = [heldText(s.held, s.occurrences, s.people, s.figure), s.cohorts.length > 0 ? `cohort${s.cohorts.length === 1 ? '' : 's'} ${s.cohorts.join(', ')}` : ''].filter(Boolean).join(', ');
    lines.push({ date: s.date.label, what: s.format === 'not-stated' ? s.kind : `${s.kind}, ${s.format}`, record: s.sessionId, partners: s.partners, figures, sourceRefs: s.sourceRefs, title: s.title });
  }
  for (const v of period.studyVisits) {
    lines.push({ date: v.date.label, what: `study visit${v.direction ? ` (${v.direction})` : ''}`, record: v.visitId, partners: v.partners, figures: peopleText(v.participants, figureWords[v.figure ?? 'visit-participants']), sourceRefs: v.sourceRefs, title: v.title });
  }
  const steps = [
    ...period.publications.prepared.map((p) => ({ p, what: `${p.kind} prepared` })),
    ...period.publications.plannedForPublication.map((p) => ({ p, what: `${p.kind} planned for publication` })),
    ...period.publications.published.map((p) => ({ p, what: `${p.kind} published` })),
  ];
  for (const { p, what } of steps) lines.push({ date: p.date.label, what, record: p.publicationId, partners: p.partners, figures: '', sourceRefs: p.sourceRefs, title: p.title });
  return lines;
}

const yearly: Presenter = (answer, params) =>
  typeof params.period === 'string' ? periodTable(answer as Answer<YearlyActivityReport>, params.period) : periodsTable(answer as Answer<YearlyActivityReport>);

function periodsTable(answer: Answer<YearlyActivityReport>): Table<PeriodRow> {
    const rows: PeriodRow[] = [...answer.result.periods.map((p) => ({ label: p.period.label, key: p.period.key, figures: p.totals })), { label: 'TOTAL', key: null, figures: answer.result.totals }];
    return {
      title: ['Yearly activity report', 'Periods as precise as the record: a date known only as "by 2022" or "2016–2020" is never put in a single year.'],
      rows,
      rowKey: { name: 'period', of: (r) => r.key ?? 'total' },
      columns: [{ header: 'PERIOD', cell: (r) => (r.key === null ? r.label : linked(r.label, 'yearly-activity-report', { period: r.key })) }, ...figureColumns],
      notes: [...gapNotes(answer.result.totals), ...lensNotes(answer.lens)],
    };
}

function periodTable(answer: Answer<YearlyActivityReport>, key: string): Table<PeriodLine> {
  const period = answer.result.periods.find((p) => p.period.key === key);
  return {
    title: [`Yearly activity report: ${period?.period.label ?? key}`, period ? figuresSummary(period.totals) : 'Nothing is recorded in this period.'],
    rows: period ? periodLines(period) : [],
    columns: [
      { header: 'DATE', cell: (r) => r.date },
      { header: 'WHAT', cell: (r) => r.what },
      { header: 'RECORD', cell: (r) => r.record },
      { header: 'PARTNERS', cell: (r) => r.partners.join(' ') },
      { header: 'FIGURES', cell: (r) => r.figures },
      { header: 'SOURCE', cell: (r) => sources(r.sourceRefs) },
      { header: 'TITLE', cell: (r) => multilingualCell(r.title) },
    ],
    notes: [
      ...(period ? gapNotes(period.totals) : []),
      ...(/^\d{4}$/.test(key) ? [`Only what certainly lies in ${key}; spans such as "2016–2020" and "by ${key}" are their own periods (the whole report lists them).`] : []),
      ...lensNotes(answer.lens),
    ],
  };
}

function participantColumns({ lang }: PresentOptions): Column<ParticipantRecordView>[] {
  return [
    { header: 'PARTICIPANT', cell: (p) => linked(p.participantId, 'participant-record', { participantId: p.participantId }) },
    { header: 'KIND', cell: (p) => p.kind },
    { header: 'COHORT', cell: (p) => p.cohort, align: 'right' },
    { header: 'SESSIONS', cell: (p) => p.sessions.map((s) => s.sessionId).join(' ') },
    { header: 'VISITS', cell: (p) => p.studyVisits.map((v) => v.visitId).join(' ') },
    { header: 'NAME', cell: (p) => (p.erased ? '(erased)' : textIn(p.personal?.fullName, lang)) },
  ];
}

function participants(answer: Answer<{ participants: ParticipantRecordView[] }>, _p: unknown, options: PresentOptions): Table<ParticipantRecordView> {
  return {
    title: [`Participants (${answer.page?.total ?? answer.result.participants.length})`],
    rows: answer.result.participants,
    rowKey: { name: 'participant', of: (p) => p.participantId },
    columns: participantColumns(options),
    notes: lensNotes(answer.lens),
  };
}

function participantRecord(answer: Answer<ParticipantRecordView>, _p: unknown, options: PresentOptions): Table<ParticipantRecordView> {
  return { title: [`Participant ${answer.result.participantId}`], rows: [answer.result], columns: participantColumns(options), notes: lensNotes(answer.lens) };
}

function auditTrail(answer: Answer<AuditTrail>): Table<AuditEntry> {
  const { stream, record, personalData, events } = answer.result;
  return {
    title: [`Audit trail of ${stream}${record ? ` (${record.type} ${record.id})` : ''}`, `personal data: ${personalData}`],
    rows: events,
    rowKey: { name: 'event', of: (e) => e.eventId },
    columns: [
      { header: 'POS', cell: (e) => e.position, align: 'right' },
      { header: 'REV', cell: (e) => e.revision, align: 'right' },
      { header: 'RECORDED AT', cell: (e) => e.recordedAt },
      { header: 'BY', cell: (e) => e.recordedBy },
      { header: 'TYPE', cell: (e) => `${e.type} v${e.schemaVersion}` },
      { header: 'BUSINESS DATE', cell: (e) => (e.correctedBusinessDate ? `${e.correctedBusinessDate.label} (corrected from ${e.businessDate?.label ?? 'none'})` : (e.businessDate?.label ?? '')) },
      { header: 'SOURCE', cell: (e) => e.sourceRef ?? '' },
      {
        header: 'NOTE',
        cell: (e) =>
          [e.reason, e.corrects ? `corrects ${e.corrects.type} ${e.corrects.eventId}` : null, e.corrections.length > 0 ? `${e.corrections.length} correction(s)` : null, e.problem]
            .filter(Boolean)
            .join('; '),
      },
    ],
    notes: lensNotes(answer.lens),
  };
}

/** A report nobody wrote a presentation for: its list (or its result) as rows of JSON. */
function generic(answer: Answer<unknown>, list: string | null): Table<{ item: unknown; index: number }> {
  const result = answer.result as Record<string, unknown>;
  const items = list !== null && Array.isArray(result[list]) ? (result[list] as unknown[]) : [result];
  const keyed = items.every((i) => typeof i === 'object' && i !== null && 'key' in i && 'document' in i);
  return {
    title: [`${answer.readModel}${list !== null ? ` (${answer.page?.total ?? items.length})` : ''}`],
    rows: items.map((item, index) => ({ item, index })),
    columns: keyed
      ? [
          { header: 'KEY', cell: (r) => String((r.item as { key: unknown }).key) },
          { header: 'DOCUMENT', cell: (r) => JSON.stringify((r.item as { document: unknown }).document) },
        ]
      : [{ header: list === null ? 'RESULT' : list.toUpperCase(), cell: (r) => JSON.stringify(r.item) }],
    notes: lensNotes(answer.lens),
  };
}

const presenters: Readonly<Record<string, Presenter>> = {
  partners: partners as Presenter,
  'partner-history': partnerHistory as Presenter,
  'agreements-register': agreements as Presenter,
  'yearly-activity-report': yearly,
  sessions: register('sessions', 'Sessions'),
  meetings: register('meetings', 'Meetings'),
  'study-visits': register('studyVisits', 'Study visits'),
  publications: register('publications', 'Publications'),
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
  return presenter ? presenter(answer, params, options) : generic(answer, options.list ?? answer.page?.list ?? null);
}
