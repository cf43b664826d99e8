import type { ActivityFigures, Answer, Count, CountGap, PeriodReport, YearlyActivityReport } from '@taawun/projections';
import { countText, lensNotes, textIn, type Printable } from '../output/report.js';
import type { QueryOptions } from './queries.js';

type PeriodRow = { readonly label: string; readonly figures: ActivityFigures };

const figureColumns = [
  { header: 'SESSIONS', value: (r: PeriodRow) => countText(r.figures.sessionsHeld), align: 'right' as const },
  { header: 'TRAINED', value: (r: PeriodRow) => countText(r.figures.peopleTrained), align: 'right' as const },
  { header: 'VISITS', value: (r: PeriodRow) => countText(r.figures.studyVisits), align: 'right' as const },
  { header: 'VISITORS', value: (r: PeriodRow) => countText(r.figures.studyVisitParticipants), align: 'right' as const },
  { header: 'PREPARED', value: (r: PeriodRow) => r.figures.publications.prepared, align: 'right' as const },
  { header: 'PLANNED', value: (r: PeriodRow) => r.figures.publications.plannedForPublication, align: 'right' as const },
  { header: 'PUBLISHED', value: (r: PeriodRow) => r.figures.publications.published, align: 'right' as const },
];

const gapReasons: Record<CountGap['reason'], string> = {
  'sessions-not-numbered': '"several" sessions, counted as 1',
  'no-attendance-figure': 'no attendance figure',
  'per-session-figure-of-unnumbered-sessions': 'a figure per session of unnumbered sessions, counted once',
  'no-participant-figure': 'no participant figure',
};

/** Why some figures are lower bounds: each record that gives no number, once. */
function gapNotes(figures: ActivityFigures): string[] {
  const all: Count[] = [figures.sessionsHeld, figures.peopleTrained, figures.studyVisits, figures.studyVisitParticipants];
  const gaps = new Map<string, CountGap>();
  for (const gap of all.flatMap((c) => c.gaps)) gaps.set(`${gap.recordId}/${gap.reason}`, gap);
  if (gaps.size === 0) return [];
  return [`≥ marks a lower bound: the record gives no number for ${[...gaps.values()].map((g) => `${g.recordId} (${gapReasons[g.reason]})`).join(', ')}.`];
}

/** One row per period, then the total. */
export function periodRows(answer: Answer<YearlyActivityReport>, _options: QueryOptions): Printable<PeriodRow> {
  const rows: PeriodRow[] = [...answer.result.periods.map((p) => ({ label: p.period.label, figures: p.totals })), { label: 'TOTAL', figures: answer.result.totals }];
  return {
    title: ['Yearly activity report', 'Periods as precise as the record: a date known only as "by 2022" or "2016–2020" is never put in a single year.'],
    rows,
    columns: [{ header: 'PERIOD', value: (r: PeriodRow) => r.label }, ...figureColumns],
    notes: [...gapNotes(answer.result.totals), ...lensNotes(answer.lens)],
    json: answer,
  };
}

interface ItemRow {
  readonly date: string;
  readonly what: string;
  readonly record: string;
  readonly partners: readonly string[];
  readonly figures: string;
  readonly sourceRefs: readonly string[];
  readonly title: string;
}

function itemsOf(period: PeriodReport, options: QueryOptions): ItemRow[] {
  const rows: ItemRow[] = [];
  for (const s of period.sessions) {
    const figures = [s.sessionsHeld.exact && s.sessionsHeld.known === 1 ? '' : `${countText(s.sessionsHeld)} sessions`, `${countText(s.peopleTrained)} trained`].filter(Boolean).join(', ');
    rows.push({ date: s.date.label, what: s.format === 'not-stated' ? s.kind : `${s.kind}, ${s.format}`, record: s.sessionId, partners: s.partners, figures, sourceRefs: s.sourceRefs, title: textIn(s.title, options.lang) });
  }
  for (const v of period.studyVisits) {
    rows.push({ date: v.date.label, what: `study visit${v.direction ? ` (${v.direction})` : ''}`, record: v.visitId, partners: v.partners, figures: `${countText(v.participants)} participants`, sourceRefs: v.sourceRefs, title: textIn(v.title, options.lang) });
  }
  const publications = [
    ...period.publications.prepared.map((p) => ({ p, what: `${p.kind} prepared` })),
    ...period.publications.plannedForPublication.map((p) => ({ p, what: `${p.kind} planned for publication` })),
    ...period.publications.published.map((p) => ({ p, what: `${p.kind} published` })),
  ];
  for (const { p, what } of publications) {
    rows.push({ date: p.date.label, what, record: p.publicationId, partners: p.partners, figures: '', sourceRefs: p.sourceRefs, title: textIn(p.title, options.lang) });
  }
  return rows;
}

const summary = (f: ActivityFigures): string =>
  `${countText(f.sessionsHeld)} sessions held, ${countText(f.peopleTrained)} people trained, ${countText(f.studyVisits)} study visits (${countText(f.studyVisitParticipants)} participants), publications: ${f.publications.prepared} prepared, ${f.publications.plannedForPublication} planned, ${f.publications.published} published`;

/** One period: its totals, then each session, visit and publication in it. */
export function yearlyPrintable(answer: Answer<YearlyActivityReport>, key: string, options: QueryOptions): Printable<ItemRow> {
  const period = answer.result.periods.find((p) => p.period.key === key);
  const rows = period ? itemsOf(period, options) : [];
  return {
    title: [`Yearly activity report: ${period?.period.label ?? key}`, period ? summary(period.totals) : 'Nothing is recorded in this period.'],
    rows,
    columns: [
      { header: 'DATE', value: (r) => r.date },
      { header: 'WHAT', value: (r) => r.what },
      { header: 'RECORD', value: (r) => r.record },
      { header: 'PARTNERS', value: (r) => r.partners.join(' ') },
      { header: 'FIGURES', value: (r) => r.figures },
      { header: 'SOURCE', value: (r) => r.sourceRefs.join(' ') },
      { header: 'TITLE', value: (r) => r.title },
    ],
    notes: [
      ...(period ? gapNotes(period.totals) : []),
      ...(/^\d{4}$/.test(key) ? [`Only what certainly lies in ${key}; spans such as "2016–2020" and "by ${key}" are their own periods (taawun report yearly lists them).`] : []),
      ...lensNotes(answer.lens),
    ],
    json: answer,
  };
}
