import { attendanceSchema, multilingualTextSchema, type DomainEventType, type MultilingualText, type PartialDate } from '@taawun/domain';
import { z } from 'zod';
import type { ModelReader } from '../engine/model-reader.js';
import { COUNTERS_PREFIX, defineProjection, type CounterContribution, type IndexEntry } from '../engine/projection.js';
import { countSchema, exactly, sumCounts, type Count, type CountGap } from '../model/counts.js';
import { comparePeriods, completionSortKey, dateView, dateViewSchema, FOLLOWS_MARK, periodOf, periodSchema, SORT_SEPARATOR, type Period } from '../model/dates.js';
import { currentName, partnerDetails, partnerTimeline } from '../model/names.js';
import type { Page } from '../model/ordered.js';
import {
  evolveRecord,
  recordKey,
  recordKeyOf,
  recordOfStream,
  RecordSet,
  type PublicationRecord,
  type RecordDocument,
  type SessionRecord,
  type VisitRecord,
} from '../model/record-book.js';
import { summarisePublication, summariseSession, summariseVisit } from '../model/summaries.js';
import { identityOf } from './compare.js';
import { defineReadModel } from './define.js';
import { checkPeriod, periodOfKey } from './keys.js';

const handles = [
  'PartnerRegistered', 'PartnerRenamed', 'PartnerDetailsCorrected',
  'SessionScheduled', 'SessionRescheduled', 'SessionCancelled', 'SessionHeld', 'AttendanceRecorded', 'ParticipantEnrolled', 'EnrolmentWithdrawn',
  'StudyVisitPlanned', 'StudyVisitCompleted', 'StudyVisitCancelled',
  'PublicationPrepared', 'PublicationPlanned', 'PublicationPublished',
  'RecordCorrected',
] as const satisfies readonly DomainEventType[];

/*
 * One document per record. What each record adds to the report is kept up to
 * date as it changes: its lines (a session held, a visit completed, a
 * publication prepared, planned or published) as index entries under their
 * period and list, in date order; its figures as counters per period and
 * scope (total, partner, theme, format), its contribution before a change
 * subtracted and after it added, so corrections stay exact; and the gaps of
 * its counts as index entries, in the report's order. A report reads the
 * counters and lists of the periods it shows, never every record.
 */
export const yearlyActivityReportProjection = defineProjection({
  name: 'yearly-activity-report',
  // 3: figures by what they mean (figures.ts): meetings and attendance apart from sessions and training, visitors hosted apart from visit participants; "several" is at least 2.
  // 4: each record's share kept beside it (keepsShares): an earlier build, which does not keep them, must not write to a generation that does.
  version: 4,
  description: 'Per year: sessions held and people trained, meetings held and people attending, study visits, visitors hosted and publications, by partner, theme and format',
  handles,
  initialState: null as RecordDocument,
  keyOf: recordKeyOf,
  evolve: (record: RecordDocument, event) => evolveRecord(record, event, { personalData: false }),
  indexes: (key, record) => itemsOnce(key, record).flatMap(itemEntries),
  counters: (key, record) => itemsOnce(key, record).flatMap(itemCounters),
  // A lens on the report takes off the share of every stream it changes: a session's record holds its every enrolment.
  keepsShares: true,
});

export const activityFiguresSchema = z
  .object({
    sessionsHeld: countSchema.meta({ description: 'Training sessions held: a record standing for 6 sessions counts 6; "several" counts at least 2 and leaves a gap' }),
    peopleTrained: countSchema.meta({ description: 'People trained in training sessions: per session max(attendance total, named trainees); a session with neither leaves a gap' }),
    trainersTrained: countSchema.meta({ description: 'Of the people trained, trainers who benefited from a training of trainers' }),
    meetingsHeld: countSchema.meta({ description: 'Meetings held (introductory, preparatory): not training sessions' }),
    peopleAttended: countSchema.meta({ description: 'People present at meetings: not trained' }),
    studyVisits: countSchema.meta({ description: 'Study visits completed, outgoing and hosted' }),
    studyVisitParticipants: countSchema.meta({ description: "The institute's people on outgoing study visits" }),
    visitorsHosted: countSchema.meta({ description: 'Visitors received on hosted study visits' }),
    publications: z
      .object({ prepared: countSchema, plannedForPublication: countSchema, published: countSchema })
      .meta({ description: 'Prepared, planned for publication, and published texts are counted apart; as of a date, each a range like every count (a guide "by 2018" may or may not be prepared by 30 June 2018)' }),
  })
  .meta({ id: 'ActivityFigures' });
export type ActivityFigures = z.infer<typeof activityFiguresSchema>;

export const reportedFormatSchema = z.enum(['in-person', 'remote', 'not-stated']);
export type Format = z.infer<typeof reportedFormatSchema>;

const reportedLine = { partners: z.array(z.string()), themes: z.array(z.string()), corrected: z.boolean(), sourceRefs: z.array(z.string()) };

export const reportedSessionSchema = z
  .object({
    sessionId: z.string(),
    title: multilingualTextSchema,
    date: dateViewSchema,
    kind: z.string(),
    format: reportedFormatSchema,
    held: z.enum(['sessions', 'meetings']).meta({ description: 'A training session, or a meeting (figures.ts)' }),
    occurrences: countSchema.meta({ description: 'Sessions or meetings this record stands for ("several": at least 2)' }),
    people: countSchema.meta({ description: 'People trained (sessions) or attending (meetings), by `figure`' }),
    figure: z.enum(['trained', 'attended']),
    cohorts: z.array(z.number().int()).meta({ description: 'Cohort numbers of the judicial attachés concerned' }),
    attendance: attendanceSchema.nullable(),
    namedTrainees: z.number().int(),
    ...reportedLine,
  })
  .meta({ id: 'ReportedSession' });
export type ReportedSession = z.infer<typeof reportedSessionSchema>;

export const reportedVisitSchema = z
  .object({
    visitId: z.string(),
    title: multilingualTextSchema.nullable(),
    date: dateViewSchema,
    direction: z.string().nullable(),
    participants: countSchema,
    figure: z.enum(['visit-participants', 'hosted']).nullable().meta({ description: 'Outgoing: participants; hosted: visitors received' }),
    ...reportedLine,
  })
  .meta({ id: 'ReportedVisit' });
export type ReportedVisit = z.infer<typeof reportedVisitSchema>;

export const reportedPublicationSchema = z
  .object({
    publicationId: z.string(),
    title: multilingualTextSchema,
    kind: z.string(),
    date: dateViewSchema.meta({ description: 'The date of what this line reports: prepared on, planned for, or published on' }),
    note: multilingualTextSchema.nullable(),
    ...reportedLine,
  })
  .meta({ id: 'ReportedPublication' });
export type ReportedPublication = z.infer<typeof reportedPublicationSchema>;

/**
 * Partners per period on a page of the read model: at 1M events a year has
 * 161, each with every figure and its gaps, and they weighed more than the
 * lines (bench/README.md, issue 19).
 */
export const DEFAULT_PARTNERS = 10;
export const MAX_PARTNERS = 1000;
/**
 * Gaps the report's totals name per figure on a page of the read model: they
 * gather every period's (1,924 at 1M events, a third of the page's bytes once
 * the partners were bounded); each period's totals name their own, whole.
 */
export const TOTAL_GAPS = 25;

/** A query of this read model that gives what a page left out (its next lines, its next partners). */
const restQuerySchema = z.object({ readModel: z.string(), params: z.record(z.string(), z.string()) });

export const lineCountsSchema = z
  .object({
    sessions: z.number().int().min(0),
    studyVisits: z.number().int().min(0),
    prepared: z.number().int().min(0),
    plannedForPublication: z.number().int().min(0),
    published: z.number().int().min(0),
  })
  .meta({
    id: 'LineCounts',
    description:
      'How many lines each list of the period has in all. A list holds at most `lines` of them (parameter, default 10), from the `linesFrom`-th, in report order: a page holds what it shows. The rest: `restOfLines`, or the registers `sessions`, `study-visits` and `publications` with `period` (these also list what was planned or cancelled)',
  });
export type LineCounts = z.infer<typeof lineCountsSchema>;

export const periodReportSchema = z
  .object({
    period: periodSchema,
    totals: activityFiguresSchema,
    byPartner: z
      .array(z.object({ partnerId: z.string(), acronym: z.string().nullable(), name: multilingualTextSchema.nullable(), figures: activityFiguresSchema }))
      .meta({
        description: `The period's partners, the most active first: by sessions held + meetings held + study visits + publication steps (prepared, planned, published) known under the partner, ties by partner id. At most \`partners\` of them (parameter, default ${DEFAULT_PARTNERS}), from the \`partnersFrom\`-th; each partner's figures are whole`,
      }),
    partnerCount: z.number().int().min(0).meta({ description: 'How many partners the period has in all (`byPartner` holds at most `partners` of them)' }),
    restOfPartners: restQuerySchema
      .nullable()
      .meta({ description: 'The query that gives the next partners of this period (this read model, `period`, `partners` and `partnersFrom`); null when `byPartner` goes to the last partner' }),
    byTheme: z
      .array(z.object({ theme: z.string().nullable(), figures: activityFiguresSchema }))
      .meta({ description: '`theme: null` gathers what states no theme. A record with two themes counts under each' }),
    byFormat: z
      .array(z.object({ format: reportedFormatSchema, sessionsHeld: countSchema, peopleTrained: countSchema }))
      .meta({ description: 'Sessions only: study visits and publications have no format' }),
    sessions: z.array(reportedSessionSchema),
    studyVisits: z.array(reportedVisitSchema),
    publications: z.object({
      prepared: z.array(reportedPublicationSchema),
      plannedForPublication: z.array(reportedPublicationSchema),
      published: z.array(reportedPublicationSchema),
    }),
    lineCounts: lineCountsSchema,
    restOfLines: restQuerySchema
      .nullable()
      .meta({ description: 'The query that gives the next lines of this period (this read model, `period` and `linesFrom`); null when every list is shown to its end' }),
  })
  .meta({ id: 'PeriodReport' });
export type PeriodReport = z.infer<typeof periodReportSchema>;

export const yearlyActivityReportSchema = z
  .object({
    periods: z
      .array(periodReportSchema)
      .meta({ description: 'Single years, spans ("2016–2020"), "by 2022", "from 2002", then "year unknown": never guessed into a year' }),
    totals: activityFiguresSchema.meta({
      description: `Over every period, shown or not. Each count names at most ${TOTAL_GAPS} of its gaps (the first, in the periods' order); \`gapCount\` then says how many it has, and each period's totals name their own. \`exact: false\` still marks every lower bound`,
    }),
  })
  .meta({ id: 'YearlyActivityReport' });
export type YearlyActivityReport = z.infer<typeof yearlyActivityReportSchema>;

type ListName = 'sessions' | 'studyVisits' | 'prepared' | 'plannedForPublication' | 'published';

interface Item {
  readonly date: PartialDate;
  /** Orders the lines and gaps of a period: by date, then sessions, visits, publications, by id, then as the record gives them. */
  readonly sort: string;
  readonly partners: readonly string[];
  readonly themes: readonly string[];
  readonly figures: ActivityFigures;
  readonly list: ListName;
  readonly value: ReportedSession | ReportedVisit | ReportedPublication;
  readonly format?: Format;
}

const none = { known: 0, exact: true, gaps: [] } satisfies Count;
const noFigures: ActivityFigures = {
  sessionsHeld: none,
  peopleTrained: none,
  trainersTrained: none,
  meetingsHeld: none,
  peopleAttended: none,
  studyVisits: none,
  studyVisitParticipants: none,
  visitorsHosted: none,
  publications: { prepared: none, plannedForPublication: none, published: none },
};

const addFigures = (figures: readonly ActivityFigures[]): ActivityFigures => ({
  ...(Object.fromEntries(countFigures.map((name) => [name, sumCounts(figures.map((f) => f[name]))])) as Record<CountFigure, Count>),
  publications: {
    prepared: sumCounts(figures.map((f) => f.publications.prepared)),
    plannedForPublication: sumCounts(figures.map((f) => f.publications.plannedForPublication)),
    published: sumCounts(figures.map((f) => f.publications.published)),
  },
});

const itemSort = (date: PartialDate, rank: number, id: string, ordinal: number) =>
  [completionSortKey(date), rank, id, String(ordinal).padStart(6, '0')].join(SORT_SEPARATOR);

/**
 * Each record's items, derived once: the engine derives a changed record's index
 * entries and then its counters, before and after the change, and a lens its
 * stored share likewise. Records are never changed in place (`evolve` returns
 * a new one), so a record object keeps the items it gave.
 */
const itemsOfRecord = new WeakMap<object, { readonly key: string; readonly items: Item[] }>();
function itemsOnce(key: string, record: RecordDocument): Item[] {
  if (record === null) return [];
  const kept = itemsOfRecord.get(record);
  if (kept?.key === key) return kept.items;
  const items = itemsOf(key, record);
  itemsOfRecord.set(record, { key, items });
  return items;
}

/** What one record adds to the report. */
function itemsOf(key: string, record: RecordDocument): Item[] {
  const where = recordOfStream(key);
  if (!where || record === null) return [];
  const { section, id } = where;
  if (section === 'sessions') {
    const s = summariseSession(id, record as SessionRecord);
    if (!s || s.status !== 'held' || !s.sessions || !s.people) return [];
    const themes = s.details.themes ?? [];
    const value: ReportedSession = {
      sessionId: id,
      title: s.details.title,
      date: dateView(s.date),
      kind: s.details.kind,
      format: s.format,
      partners: s.details.partners,
      themes,
      held: s.figures.held,
      occurrences: s.sessions,
      people: s.people,
      figure: s.figures.people,
      cohorts: s.details.cohorts ?? [],
      attendance: s.attendance,
      namedTrainees: s.enrolled.filter((e) => e.role === 'trainee').length,
      corrected: s.corrections.length > 0,
      sourceRefs: s.sourceRefs,
    };
    // Like with like: a meeting's people attended, a training's were trained (figures.ts).
    const figures: ActivityFigures =
      s.figures.held === 'meetings'
        ? { ...noFigures, meetingsHeld: s.sessions, peopleAttended: s.people }
        : { ...noFigures, sessionsHeld: s.sessions, peopleTrained: s.people, ...(s.figures.trainers ? { trainersTrained: s.people } : {}) };
    // A stated order (F3): right after the session it followed, when their dates sort alike.
    const sortId = s.details.follows === undefined ? id : `${s.details.follows}${FOLLOWS_MARK}${id}`;
    return [{ date: s.date, sort: itemSort(s.date, 0, sortId, 0), partners: s.details.partners, themes, figures, list: 'sessions', value, format: s.format }];
  }
  if (section === 'visits') {
    const v = summariseVisit(id, record as VisitRecord);
    if (!v || v.status !== 'completed') return [];
    const partners = v.plan?.partners ?? [];
    const themes = v.plan?.themes ?? [];
    const value: ReportedVisit = {
      visitId: id,
      title: v.plan?.title ?? null,
      date: dateView(v.date),
      direction: v.plan?.direction ?? null,
      partners,
      themes,
      participants: v.participants,
      figure: v.figure,
      corrected: v.corrections.length > 0,
      sourceRefs: v.sourceRefs,
    };
    const figures = { ...noFigures, studyVisits: exactly(1), ...(v.figure === 'hosted' ? { visitorsHosted: v.participants } : { studyVisitParticipants: v.participants }) };
    return [{ date: v.date, sort: itemSort(v.date, 1, id, 0), partners, themes, figures, list: 'studyVisits', value }];
  }
  if (section === 'publications') {
    const p = summarisePublication(id, record as PublicationRecord);
    if (!p) return [];
    const themes = p.prepared.themes ?? [];
    const item = (date: PartialDate, list: 'prepared' | 'plannedForPublication' | 'published', note: MultilingualText | null, ordinal: number): Item => ({
      date,
      sort: itemSort(date, 2, id, ordinal),
      partners: p.prepared.partners,
      themes,
      figures: {
        ...noFigures,
        publications: { prepared: exactly(list === 'prepared' ? 1 : 0), plannedForPublication: exactly(list === 'plannedForPublication' ? 1 : 0), published: exactly(list === 'published' ? 1 : 0) },
      },
      list,
      value: {
        publicationId: id,
        title: p.prepared.title,
        kind: p.prepared.kind,
        date: dateView(date),
        partners: p.prepared.partners,
        themes,
        note,
        corrected: p.corrections.length > 0,
        sourceRefs: p.sourceRefs,
      },
    });
    return [
      item(p.prepared.preparedOn, 'prepared', null, 0),
      ...p.plans.map((plan, i) => item(plan.plannedFor, 'plannedForPublication', plan.note ?? null, 1 + i)),
      ...(p.published ? [item(p.published.publishedOn, 'published', null, 1 + p.plans.length)] : []),
    ];
  }
  return [];
}

/** The scopes an item counts under: the total, each of its partners and themes (none: the "no theme" line), and a session's format. */
function scopesOf(item: Item): string[] {
  const themes = item.themes.length === 0 ? [''] : [...new Set(item.themes)];
  return ['total', ...[...new Set(item.partners)].map((p) => `partner:${p}`), ...themes.map((t) => `theme:${t}`), ...(item.format ? [`format:${item.format}`] : [])];
}

/** Counted figures: each has a known sum and gaps (index entries). */
export const countFigures = [
  'sessionsHeld',
  'peopleTrained',
  'trainersTrained',
  'meetingsHeld',
  'peopleAttended',
  'studyVisits',
  'studyVisitParticipants',
  'visitorsHosted',
] as const satisfies readonly (keyof ActivityFigures)[];
export type CountFigure = (typeof countFigures)[number];
/** Formats count sessions held and people trained only. */
const figuresOfScope = (scope: string): readonly CountFigure[] => (scope.startsWith('format:') ? ['sessionsHeld', 'peopleTrained'] : countFigures);

const periodCounters = (period: string) => `period:${period}`;
const PERIODS = 'periods';
const LINES_INDEX = 'lines';
const GAPS_INDEX = 'gaps';
/** Counter names by scope and figure, each made once: they are property keys summed and read by the hundred thousand, and a name made again is hashed again at each use. */
const counterNames = new Map<string, Map<string, string>>();
const MAX_SCOPES_NAMED = 10_000;
function counterName(scope: string, figure: string): string {
  let names = counterNames.get(scope);
  if (names === undefined) {
    if (counterNames.size >= MAX_SCOPES_NAMED) counterNames.clear();
    counterNames.set(scope, (names = new Map()));
  }
  let name = names.get(figure);
  if (name === undefined) names.set(figure, (name = `${scope}|${figure}`));
  return name;
}
const gapsFigure = Object.fromEntries(countFigures.map((figure) => [figure, `${figure}.gaps`])) as Record<CountFigure, string>;
const linesKey = (period: string, list: ListName) => [period, list].join(SORT_SEPARATOR);
const gapsKey = (period: string, scope: string, figure: CountFigure) => [period, scope, figure].join(SORT_SEPARATOR);

function itemCounters(item: Item): CounterContribution[] {
  const period = periodOf(item.date).key;
  const values: Record<string, number> = {};
  const add = (name: string, by: number) => {
    if (by !== 0) values[name] = (values[name] ?? 0) + by;
  };
  // A figure at zero adds no counter: its name is not even made (an item has about a hundred figures, most of them zero).
  for (const scope of scopesOf(item)) {
    add(counterName(scope, 'items'), 1);
    if (scope.startsWith('format:')) add(counterName(scope, 'sessions'), 1);
    for (const figure of figuresOfScope(scope)) {
      const { known, gaps } = item.figures[figure];
      if (known !== 0) add(counterName(scope, figure), known);
      if (gaps.length !== 0) add(counterName(scope, gapsFigure[figure]), gaps.length);
    }
    if (!scope.startsWith('format:')) for (const [kind, n] of Object.entries(item.figures.publications)) if (n.known !== 0) add(counterName(scope, kind), n.known);
  }
  return [
    { counters: PERIODS, values: { [period]: 1 } },
    { counters: periodCounters(period), values },
  ];
}

function itemEntries(item: Item): IndexEntry[] {
  const period = periodOf(item.date).key;
  const entries: IndexEntry[] = [{ index: LINES_INDEX, key: linesKey(period, item.list), sort: item.sort, value: item.value }];
  for (const scope of scopesOf(item)) {
    for (const figure of figuresOfScope(scope)) {
      item.figures[figure].gaps.forEach((gap, i) =>
        entries.push({ index: GAPS_INDEX, key: gapsKey(period, scope, figure), sort: `${item.sort}${SORT_SEPARATOR}${i}`, value: gap }),
      );
    }
  }
  return entries;
}

/** Every counted figure, each read by `count`. */
async function countsOf(count: (figure: CountFigure) => Promise<Count>): Promise<Record<CountFigure, Count>> {
  const counts = {} as Record<CountFigure, Count>;
  for (const figure of countFigures) counts[figure] = await count(figure);
  return counts;
}

/** A window on a list of each period: at most `limit` items (every one when none), from the `from`-th, in the list's order. */
export interface ListWindow {
  readonly limit?: number;
  readonly from?: number;
}
/** Lines of each list a period shows, in report order. */
export type LineWindow = ListWindow;
/**
 * Lines per list per period on a page of the read model: a busy year holds
 * thousands, a page holds what it shows, a sample of each list with its count
 * and the query of the rest. At 1M events (partners bounded) a default page of
 * 5 periods is 22.9 kB gzipped with 25, 16.8 kB with 10 (bench/README.md, issue 19).
 */
export const DEFAULT_LINES = 10;
export const MAX_LINES = 1000;

/** Partners of each period a page shows, the most active first. */
export type PartnerWindow = ListWindow;
/** What makes a partner active in a period: what was done with it, each session, meeting, visit and publication step once (known, from the counters). */
const activityFigures = ['sessionsHeld', 'meetingsHeld', 'studyVisits', 'prepared', 'plannedForPublication', 'published'] as const;
const activityOf = (counters: Readonly<Record<string, number>>, scope: string) => activityFigures.reduce((n, figure) => n + (counters[counterName(scope, figure)] ?? 0), 0);

/** A period's partners, the most active first, ties by id (in code-unit order, as every id sorts). */
function partnersByActivity(counters: Readonly<Record<string, number>>, partnerIds: readonly string[]): string[] {
  const activity = new Map(partnerIds.map((id) => [id, activityOf(counters, `partner:${id}`)]));
  return [...partnerIds].sort((a, b) => activity.get(b)! - activity.get(a)! || (a < b ? -1 : a > b ? 1 : 0));
}

/** The report's totals as a page gives them: each count names at most `limit` gaps and says how many it has (`gapCount`); known and exact unchanged. */
function withGapsBounded(figures: ActivityFigures, limit: number): ActivityFigures {
  const bounded = (count: Count): Count => (count.gaps.length <= limit ? count : { ...count, gaps: count.gaps.slice(0, limit), gapCount: count.gaps.length });
  return { ...figures, ...(Object.fromEntries(countFigures.map((name) => [name, bounded(figures[name])])) as Record<CountFigure, Count>) };
}

/** The query giving a period's next partners, when there are more than the window holds. */
function restOfPartners(period: Period, partnerCount: number, window: PartnerWindow): PeriodReport['restOfPartners'] {
  if (window.limit === undefined) return null;
  const next = (window.from ?? 0) + window.limit;
  if (partnerCount <= next) return null;
  // Asked for none (`partners=0`), the rest is a page of the default size: a query that gives nothing again leads nowhere.
  const size = window.limit === 0 ? DEFAULT_PARTNERS : window.limit;
  return { readModel: 'yearly-activity-report', params: { period: period.key, partners: String(size), partnersFrom: String(next) } };
}

/**
 * How many lines each list of a period has, from the counters read anyway: a
 * visit, a publication step each count 1 under their figure; every line counts
 * 1 under `items`, so the sessions' lines are what the other lists leave.
 */
function lineCountsOf(counters: Readonly<Record<string, number>>): LineCounts {
  const total = (name: string) => counters[counterName('total', name)] ?? 0;
  const others = { studyVisits: total('studyVisits'), prepared: total('prepared'), plannedForPublication: total('plannedForPublication'), published: total('published') };
  const sessions = total('items') - Object.values(others).reduce((a, b) => a + b, 0);
  return { sessions, ...others };
}

/** The query giving a period's next lines, when a list goes on past the window. */
function restOfLines(period: Period, counts: LineCounts, window: LineWindow): PeriodReport['restOfLines'] {
  if (window.limit === undefined) return null;
  const next = (window.from ?? 0) + window.limit;
  if (Object.values(counts).every((n) => n <= next)) return null;
  return { readModel: 'yearly-activity-report', params: { period: period.key, lines: String(window.limit), linesFrom: String(next) } };
}

/** One period's figures, lines and gaps, read from its counters and index entries: of its lines, only those of the window. */
async function periodReport(model: ModelReader, records: RecordSet, period: Period, window: LineWindow, partnerWindow: PartnerWindow): Promise<PeriodReport> {
  const counters = await model.counters(periodCounters(period.key));
  const scopes = [...new Set(Object.keys(counters).map((name) => name.slice(0, name.lastIndexOf('|'))))];
  const gapsOf = async (scope: string, figure: CountFigure): Promise<CountGap[]> =>
    (counters[counterName(scope, gapsFigure[figure])] ?? 0) > 0 ? (await model.index<CountGap>(GAPS_INDEX, gapsKey(period.key, scope, figure))).map((e) => e.value!) : [];
  const count = async (scope: string, figure: CountFigure): Promise<Count> => {
    const gaps = await gapsOf(scope, figure);
    return { known: counters[counterName(scope, figure)] ?? 0, exact: gaps.length === 0, gaps };
  };
  const figures = async (scope: string): Promise<ActivityFigures> => ({
    ...(await countsOf((figure) => count(scope, figure))),
    publications: {
      prepared: exactly(counters[counterName(scope, 'prepared')] ?? 0),
      plannedForPublication: exactly(counters[counterName(scope, 'plannedForPublication')] ?? 0),
      published: exactly(counters[counterName(scope, 'published')] ?? 0),
    },
  });
  const partnerIds = partnersByActivity(counters, scopes.filter((s) => s.startsWith('partner:')).map((s) => s.slice('partner:'.length)));
  // Only the partners shown are read: their records and the gaps of their figures.
  const partnersFrom = partnerWindow.from ?? 0;
  const shownPartners = partnerIds.slice(partnersFrom, partnerWindow.limit === undefined ? undefined : partnersFrom + partnerWindow.limit);
  const themes = scopes
    .filter((s) => s.startsWith('theme:'))
    .map((s) => s.slice('theme:'.length) || null)
    .sort((a, b) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)));
  const formats = (['in-person', 'remote', 'not-stated'] as const).filter((f) => (counters[counterName(`format:${f}`, 'sessions')] ?? 0) > 0);
  const range = { offset: window.from ?? 0, ...(window.limit === undefined ? {} : { limit: window.limit }) };
  const lines = async <V>(list: ListName) =>
    window.limit === 0 ? [] : (await model.index<V>(LINES_INDEX, linesKey(period.key, list), range)).map((e) => e.value!);
  const lineCounts = lineCountsOf(counters);
  await records.load(shownPartners.map((id) => recordKey('partners', id)));
  return {
    period,
    totals: await figures('total'),
    byPartner: await Promise.all(
      shownPartners.map(async (partnerId) => {
        const record = records.get('partners', partnerId);
        return { partnerId, acronym: partnerDetails(record)?.acronym ?? null, name: currentName(partnerTimeline(record)), figures: await figures(`partner:${partnerId}`) };
      }),
    ),
    partnerCount: partnerIds.length,
    restOfPartners: restOfPartners(period, partnerIds.length, partnerWindow),
    byTheme: await Promise.all(themes.map(async (theme) => ({ theme, figures: await figures(`theme:${theme ?? ''}`) }))),
    byFormat: await Promise.all(
      formats.map(async (format) => ({ format, sessionsHeld: await count(`format:${format}`, 'sessionsHeld'), peopleTrained: await count(`format:${format}`, 'peopleTrained') })),
    ),
    sessions: await lines<ReportedSession>('sessions'),
    studyVisits: await lines<ReportedVisit>('studyVisits'),
    publications: {
      prepared: await lines<ReportedPublication>('prepared'),
      plannedForPublication: await lines<ReportedPublication>('plannedForPublication'),
      published: await lines<ReportedPublication>('published'),
    },
    lineCounts,
    restOfLines: restOfLines(period, lineCounts, window),
  };
}

/**
 * The report over every period, or one (`period`: `2018`, `2016-2020`, `by-2022`, `year-unknown`); a page of its periods when asked (the totals stay whole).
 * Every line and partner of each period unless `lines` and `partners` bound them (the read model does; the tables export does not).
 */
export async function yearlyActivityReportView(...asked: Parameters<typeof yearlyActivityReportPage>): Promise<YearlyActivityReport> {
  return (await yearlyActivityReportPage(...asked)).report;
}

export async function yearlyActivityReportPage(
  model: ModelReader,
  filter: { period?: string | undefined } = {},
  page: Page = {},
  lines: LineWindow = {},
  partners: PartnerWindow = {},
): Promise<{ report: YearlyActivityReport; total: number; offset: number }> {
  const records = new RecordSet(model as ModelReader<RecordDocument>);
  const every = await reportPeriods(model);
  checkPeriod(filter.period, every.map((p) => p.key));
  const periods = every.filter((p) => filter.period === undefined || p.key === filter.period);
  const offset = page.only ? 0 : Math.min(Math.max(0, page.offset ?? 0), periods.length);
  const end = page.limit === undefined || page.only ? periods.length : Math.min(periods.length, offset + Math.max(0, page.limit));
  // Asked for some periods by identity (a lens's widest completion), only those are shown.
  const isShown = (period: Period, i: number) => (page.only ? page.only.has(identityOf({ period }, i)) : i >= offset && i < end);
  const shown = new Map<number, PeriodReport>();
  for (const [i, period] of periods.entries()) if (isShown(period, i)) shown.set(i, await periodReport(model, records, period, lines, partners));
  // The totals are over every period, shown or not: their figures come from the counters alone.
  const totals: ActivityFigures[] = [];
  for (const [i, period] of periods.entries()) totals.push(shown.get(i)?.totals ?? (await periodTotals(model, period)));
  return { report: { periods: [...shown.values()], totals: addFigures(totals) }, total: periods.length, offset };
}

/** The report's periods, in its order. */
export async function reportPeriods(model: ModelReader): Promise<Period[]> {
  return Object.keys(await model.counters(PERIODS)).map(periodOfKey).sort(comparePeriods);
}

/**
 * One period's report with every line and partner, and its place in the
 * report's order (1, 2, ...); `undefined` when the report has no such period.
 * What the relational tables write a period at a time, without the totals over
 * every period (`yearlyActivityReportPage` reads them).
 */
export async function reportOfPeriod(model: ModelReader, key: string): Promise<{ report: PeriodReport; order: number } | undefined> {
  const periods = await reportPeriods(model);
  const at = periods.findIndex((p) => p.key === key);
  if (at < 0) return undefined;
  return { report: await periodReport(model, new RecordSet(model as ModelReader<RecordDocument>), periods[at]!, {}, {}), order: at + 1 };
}

/** The key of the document listing the periods (the counters `reportPeriods` reads): a commit writing it may bring a new period. */
export const PERIODS_DOCUMENT = COUNTERS_PREFIX + PERIODS;

async function periodTotals(model: ModelReader, period: Period): Promise<ActivityFigures> {
  const counters = await model.counters(periodCounters(period.key));
  const count = async (figure: CountFigure): Promise<Count> => {
    const gaps = (counters[counterName('total', gapsFigure[figure])] ?? 0) > 0 ? (await model.index<CountGap>(GAPS_INDEX, gapsKey(period.key, 'total', figure))).map((e) => e.value!) : [];
    return { known: counters[counterName('total', figure)] ?? 0, exact: gaps.length === 0, gaps };
  };
  return {
    ...(await countsOf(count)),
    publications: {
      prepared: exactly(counters[counterName('total', 'prepared')] ?? 0),
      plannedForPublication: exactly(counters[counterName('total', 'plannedForPublication')] ?? 0),
      published: exactly(counters[counterName('total', 'published')] ?? 0),
    },
  };
}

export const yearlyActivityReportReadModel = defineReadModel({
  name: 'yearly-activity-report',
  title: 'Yearly activity report',
  description: yearlyActivityReportProjection.description!,
  projection: yearlyActivityReportProjection,
  // One document per record: a lens reads the stored report with the records it changes folded through it.
  documentsByStream: true,
  // A record adds to the report once held, completed, prepared, planned or published: each a dated event.
  undatedGiveNoEntries: true,
  params: z
    .object({
      period: z.string().min(1).max(20).optional().meta({ description: 'Only one period: "2018", "2016-2020", "by-2022", "from-2002", "year-unknown"' }),
      lines: z.coerce
        .number()
        .pipe(z.number().int().min(0).max(MAX_LINES))
        .optional()
        .meta({ description: `At most this many lines in each list of each period (sessions, studyVisits, each list of publications), the first in report order (default ${DEFAULT_LINES}); \`lineCounts\` says how many each list has` }),
      linesFrom: z.coerce
        .number()
        .pipe(z.number().int().min(0))
        .optional()
        .meta({ description: 'Skip this many lines of each list (default 0): with `period`, the next lines of one period (`restOfLines` names them)' }),
      partners: z.coerce
        .number()
        .pipe(z.number().int().min(0).max(MAX_PARTNERS))
        .optional()
        .meta({ description: `At most this many partners in each period's \`byPartner\`, the most active first (default ${DEFAULT_PARTNERS}); \`partnerCount\` says how many the period has` }),
      partnersFrom: z.coerce
        .number()
        .pipe(z.number().int().min(0))
        .optional()
        .meta({ description: 'Skip this many partners of each period (default 0): with `period`, the next partners of one period (`restOfPartners` names them)' }),
    })
    .strict(),
  result: yearlyActivityReportSchema,
  list: 'periods',
  // A page of periods: each holds its figures by theme, at most `partners` partners, and at most `lines` of each list of its sessions, visits and publications.
  defaultPageSize: 5,
  lensRanges: true,
  // A period's counts and lines come from its counters and its lists' entries alone.
  lensItemsReading: ({ counters, lists }) => {
    const periods = [
      ...[...counters].filter((name) => name.startsWith(periodCounters(''))).map((name) => name.slice(periodCounters('').length)),
      ...lists.filter((l) => l.index === LINES_INDEX || l.index === GAPS_INDEX).map((l) => l.key.split(SORT_SEPARATOR)[0]!),
    ];
    return new Set(periods.map((key) => identityOf({ period: { key } }, 0)));
  },
  view: async (model, p, page) => {
    const { report, total } = await yearlyActivityReportPage(model, { period: p.period }, page,
      { limit: p.lines ?? DEFAULT_LINES, from: p.linesFrom ?? 0 },
      { limit: p.partners ?? DEFAULT_PARTNERS, from: p.partnersFrom ?? 0 },
    );
    return { result: { ...report, totals: withGapsBounded(report.totals, TOTAL_GAPS) }, total };
  },
  notFound: () => 'no activity',
});
