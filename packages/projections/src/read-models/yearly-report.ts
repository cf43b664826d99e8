import type { Attendance, DomainEventType, MultilingualText, PartialDate } from '@taawun/domain';
import { defineProjection } from '../engine/projection.js';
import { exactly, sumCounts, type Count } from '../model/counts.js';
import { compareByCompletion, comparePeriods, dateView, periodOf, type DateView, type Period } from '../model/dates.js';
import { currentName, partnerDetails, partnerTimeline } from '../model/names.js';
import { emptyRecordBook, evolveRecordBook, type RecordBook } from '../model/record-book.js';
import { summarisePublication, summariseSession, summariseVisit } from '../model/summaries.js';
import { tableEntries, tableGet } from '../model/table.js';

const handles = [
  'PartnerRegistered', 'PartnerRenamed', 'PartnerDetailsCorrected',
  'SessionScheduled', 'SessionRescheduled', 'SessionCancelled', 'SessionHeld', 'AttendanceRecorded', 'ParticipantEnrolled', 'EnrolmentWithdrawn',
  'StudyVisitPlanned', 'StudyVisitCompleted', 'StudyVisitCancelled',
  'PublicationPrepared', 'PublicationPlanned', 'PublicationPublished',
  'RecordCorrected',
] as const satisfies readonly DomainEventType[];

export const yearlyActivityReportProjection = defineProjection({
  name: 'yearly-activity-report',
  version: 1,
  description: 'Per year: sessions held, people trained, study visits and publications, by partner, theme and format',
  handles,
  initialState: emptyRecordBook,
  evolve: (book: RecordBook, event) => evolveRecordBook(book, event, { personalData: false }),
});

export interface ActivityFigures {
  /** Sessions held: a record standing for 6 sessions counts 6; "several" counts 1 and leaves a gap. */
  readonly sessionsHeld: Count;
  /** Per session max(attendance total, named trainees); a session with neither leaves a gap. */
  readonly peopleTrained: Count;
  readonly studyVisits: Count;
  readonly studyVisitParticipants: Count;
  /** Prepared, planned for publication, and published texts are counted apart. */
  readonly publications: { readonly prepared: number; readonly plannedForPublication: number; readonly published: number };
}

export type Format = 'in-person' | 'remote' | 'not-stated';

export interface ReportedSession {
  readonly sessionId: string;
  readonly title: MultilingualText;
  readonly date: DateView;
  readonly kind: string;
  readonly format: Format;
  readonly partners: readonly string[];
  readonly themes: readonly string[];
  readonly sessionsHeld: Count;
  readonly peopleTrained: Count;
  readonly attendance: Attendance | null;
  readonly namedTrainees: number;
  readonly corrected: boolean;
  readonly sourceRefs: readonly string[];
}

export interface ReportedVisit {
  readonly visitId: string;
  readonly title: MultilingualText | null;
  readonly date: DateView;
  readonly direction: string | null;
  readonly partners: readonly string[];
  readonly themes: readonly string[];
  readonly participants: Count;
  readonly corrected: boolean;
  readonly sourceRefs: readonly string[];
}

export interface ReportedPublication {
  readonly publicationId: string;
  readonly title: MultilingualText;
  readonly kind: string;
  /** The date of what this line reports: prepared on, planned for, or published on. */
  readonly date: DateView;
  readonly partners: readonly string[];
  readonly themes: readonly string[];
  readonly note: MultilingualText | null;
  readonly corrected: boolean;
  readonly sourceRefs: readonly string[];
}

export interface PeriodReport {
  readonly period: Period;
  readonly totals: ActivityFigures;
  readonly byPartner: readonly { readonly partnerId: string; readonly acronym: string | null; readonly name: MultilingualText | null; readonly figures: ActivityFigures }[];
  /** `theme: null` gathers what states no theme. A record with two themes counts under each. */
  readonly byTheme: readonly { readonly theme: string | null; readonly figures: ActivityFigures }[];
  /** Sessions only: study visits and publications have no format. */
  readonly byFormat: readonly { readonly format: Format; readonly sessionsHeld: Count; readonly peopleTrained: Count }[];
  readonly sessions: readonly ReportedSession[];
  readonly studyVisits: readonly ReportedVisit[];
  readonly publications: {
    readonly prepared: readonly ReportedPublication[];
    readonly plannedForPublication: readonly ReportedPublication[];
    readonly published: readonly ReportedPublication[];
  };
}

export interface YearlyActivityReport {
  /** Single years, spans ("2016–2020"), "by 2022", "from 2002", then "year unknown": never guessed into a year. */
  readonly periods: readonly PeriodReport[];
  readonly totals: ActivityFigures;
}

interface Item {
  readonly date: PartialDate;
  readonly partners: readonly string[];
  readonly themes: readonly string[];
  readonly figures: ActivityFigures;
  readonly line:
    | { readonly list: 'sessions'; readonly value: ReportedSession; readonly format: Format }
    | { readonly list: 'studyVisits'; readonly value: ReportedVisit }
    | { readonly list: 'prepared' | 'plannedForPublication' | 'published'; readonly value: ReportedPublication };
}

const none = { known: 0, exact: true, gaps: [] } satisfies Count;
const noFigures: ActivityFigures = {
  sessionsHeld: none,
  peopleTrained: none,
  studyVisits: none,
  studyVisitParticipants: none,
  publications: { prepared: 0, plannedForPublication: 0, published: 0 },
};

const addFigures = (figures: readonly ActivityFigures[]): ActivityFigures => ({
  sessionsHeld: sumCounts(figures.map((f) => f.sessionsHeld)),
  peopleTrained: sumCounts(figures.map((f) => f.peopleTrained)),
  studyVisits: sumCounts(figures.map((f) => f.studyVisits)),
  studyVisitParticipants: sumCounts(figures.map((f) => f.studyVisitParticipants)),
  publications: {
    prepared: figures.reduce((n, f) => n + f.publications.prepared, 0),
    plannedForPublication: figures.reduce((n, f) => n + f.publications.plannedForPublication, 0),
    published: figures.reduce((n, f) => n + f.publications.published, 0),
  },
});

function itemsOf(book: RecordBook): Item[] {
  const items: Item[] = [];
  for (const [id, record] of tableEntries(book.sessions)) {
    const s = summariseSession(id, record);
    if (!s || s.status !== 'held') continue;
    const themes = s.details.themes ?? [];
    const value: ReportedSession = {
      sessionId: id,
      title: s.details.title,
      date: dateView(s.date),
      kind: s.details.kind,
      format: s.format,
      partners: s.details.partners,
      themes,
      sessionsHeld: s.sessions,
      peopleTrained: s.trained,
      attendance: s.attendance,
      namedTrainees: s.enrolled.filter((e) => e.role === 'trainee').length,
      corrected: s.corrections.length > 0,
      sourceRefs: s.sourceRefs,
    };
    items.push({
      date: s.date,
      partners: s.details.partners,
      themes,
      figures: { ...noFigures, sessionsHeld: s.sessions, peopleTrained: s.trained },
      line: { list: 'sessions', value, format: s.format },
    });
  }
  for (const [id, record] of tableEntries(book.visits)) {
    const v = summariseVisit(id, record);
    if (!v || v.status !== 'completed') continue;
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
      corrected: v.corrections.length > 0,
      sourceRefs: v.sourceRefs,
    };
    items.push({ date: v.date, partners, themes, figures: { ...noFigures, studyVisits: exactly(1), studyVisitParticipants: v.participants }, line: { list: 'studyVisits', value } });
  }
  for (const [id, record] of tableEntries(book.publications)) {
    const p = summarisePublication(id, record);
    if (!p) continue;
    const themes = p.prepared.themes ?? [];
    const line = (date: PartialDate, note: MultilingualText | null): ReportedPublication => ({
      publicationId: id,
      title: p.prepared.title,
      kind: p.prepared.kind,
      date: dateView(date),
      partners: p.prepared.partners,
      themes,
      note,
      corrected: p.corrections.length > 0,
      sourceRefs: p.sourceRefs,
    });
    const publicationItem = (date: PartialDate, list: 'prepared' | 'plannedForPublication' | 'published', note: MultilingualText | null): Item => ({
      date,
      partners: p.prepared.partners,
      themes,
      figures: { ...noFigures, publications: { prepared: list === 'prepared' ? 1 : 0, plannedForPublication: list === 'plannedForPublication' ? 1 : 0, published: list === 'published' ? 1 : 0 } },
      line: { list, value: line(date, note) },
    });
    items.push(publicationItem(p.prepared.preparedOn, 'prepared', null));
    for (const plan of p.plans) items.push(publicationItem(plan.plannedFor, 'plannedForPublication', plan.note ?? null));
    if (p.published) items.push(publicationItem(p.published.publishedOn, 'published', null));
  }
  return items.sort((a, b) => compareByCompletion(a.date, b.date));
}

function periodReport(book: RecordBook, period: Period, items: readonly Item[]): PeriodReport {
  const partnerIds = [...new Set(items.flatMap((i) => i.partners))].sort();
  const themes: (string | null)[] = [...new Set(items.flatMap((i): (string | null)[] => (i.themes.length === 0 ? [null] : [...i.themes])))].sort((a, b) =>
    a === null ? 1 : b === null ? -1 : a.localeCompare(b),
  );
  const sessions = items.flatMap((i) => (i.line.list === 'sessions' ? [i.line] : []));
  const formats: Format[] = ['in-person', 'remote', 'not-stated'];
  const of = (list: Item['line']['list']) => items.flatMap((i) => (i.line.list === list ? [i.line.value] : [])) as ReportedPublication[];
  return {
    period,
    totals: addFigures(items.map((i) => i.figures)),
    byPartner: partnerIds.map((partnerId) => {
      const record = tableGet(book.partners, partnerId);
      return {
        partnerId,
        acronym: partnerDetails(record)?.acronym ?? null,
        name: currentName(partnerTimeline(record)),
        figures: addFigures(items.filter((i) => i.partners.includes(partnerId)).map((i) => i.figures)),
      };
    }),
    byTheme: themes.map((theme) => ({
      theme,
      figures: addFigures(items.filter((i) => (theme === null ? i.themes.length === 0 : i.themes.includes(theme))).map((i) => i.figures)),
    })),
    byFormat: formats
      .map((format) => {
        const matching = sessions.filter((s) => s.format === format);
        return { format, count: matching.length, sessionsHeld: sumCounts(matching.map((s) => s.value.sessionsHeld)), peopleTrained: sumCounts(matching.map((s) => s.value.peopleTrained)) };
      })
      .filter((f) => f.count > 0)
      .map(({ count: _, ...f }) => f),
    sessions: sessions.map((s) => s.value),
    studyVisits: items.flatMap((i) => (i.line.list === 'studyVisits' ? [i.line.value] : [])),
    publications: { prepared: of('prepared'), plannedForPublication: of('plannedForPublication'), published: of('published') },
  };
}

/** The report over every period, or one (`period`: `2018`, `2016-2020`, `by-2022`, `year-unknown`). */
export function yearlyActivityReportView(book: RecordBook, filter: { period?: string | undefined } = {}): YearlyActivityReport {
  const items = itemsOf(book);
  const byPeriod = new Map<string, { period: Period; items: Item[] }>();
  for (const item of items) {
    const period = periodOf(item.date);
    const bucket = byPeriod.get(period.key) ?? { period, items: [] };
    bucket.items.push(item);
    byPeriod.set(period.key, bucket);
  }
  const periods = [...byPeriod.values()]
    .sort((a, b) => comparePeriods(a.period, b.period))
    .filter((p) => filter.period === undefined || p.period.key === filter.period)
    .map((p) => periodReport(book, p.period, p.items));
  return { periods, totals: addFigures(periods.map((p) => p.totals)) };
}
