import type { ActivityFigures, ReportedPublication, ReportedSession, ReportedVisit } from '../read-models/yearly-report.js';
import { PERIODS_DOCUMENT, reportOfPeriod, reportPeriods, yearlyActivityReportProjection } from '../read-models/yearly-report.js';
import { column, nullable, table, type RowOf } from './columns.js';
import { defineReadModelTables, type RowsOf } from './read-model-tables.js';
import { countColumns, countRow, multilingualColumns, multilingualRow, partialDateColumns, partialDateRow } from './values.js';

/* Figures (people trained, sessions held, ...) are bigint: the domain allows a
 * million people for each of ten thousand occurrences of one record. */

const figureColumns = {
  ...countColumns('sessions_held', { nullable: false }),
  ...countColumns('people_trained', { nullable: false }),
  ...countColumns('trainers_trained', { comment: 'of the people trained, trainers (training of trainers)' }),
  ...countColumns('meetings_held', { comment: 'meetings are not training sessions' }),
  ...countColumns('people_attended', { comment: 'present at meetings, not trained' }),
  ...countColumns('study_visits', { comment: 'null for the format breakdown (sessions only)' }),
  ...countColumns('study_visit_participants', { comment: 'outgoing visits' }),
  ...countColumns('visitors_hosted', { comment: 'hosted visits' }),
  publications_prepared: nullable(column.bigint()),
  publications_planned: nullable(column.bigint('planned for publication, not yet published')),
  publications_published: nullable(column.bigint()),
};

const activity = table({
  name: 'rm_yearly_activity',
  columns: {
    period: column.text('2018, 2016-2020, by-2022, from-2002, year-unknown'),
    period_order: column.integer("the report's order of periods"),
    period_kind: column.text('year, span, by, from, unknown'),
    period_label: column.text(),
    from_year: nullable(column.integer()),
    to_year: nullable(column.integer()),
    breakdown: column.oneOf(['total', 'partner', 'theme', 'format']),
    breakdown_order: column.integer('0 for the total'),
    partner_id: nullable(column.text('breakdown = partner')),
    partner_acronym: nullable(column.text()),
    ...multilingualColumns('partner_name'),
    theme: nullable(column.text('breakdown = theme (null: no theme stated)')),
    format: nullable(column.text('breakdown = format: in-person, remote, not-stated')),
    ...figureColumns,
  },
  primaryKey: ['period', 'breakdown', 'breakdown_order'],
});

const gaps = table({
  name: 'rm_yearly_gaps',
  columns: {
    period: column.text(),
    figure: column.text('sessions_held, people_trained, trainers_trained, meetings_held, people_attended, study_visits, study_visit_participants, visitors_hosted'),
    gap_order: column.integer(),
    record_id: column.text('the session or visit that gives no number'),
    reason: column.text('sessions-not-numbered, no-attendance-figure, ...'),
  },
  primaryKey: ['period', 'figure', 'gap_order'],
});

const lines = table({
  name: 'rm_activities',
  columns: {
    period: column.text(),
    line: column.text('session, study-visit, publication-prepared, publication-planned, publication-published'),
    line_order: column.integer(),
    record_id: column.text(),
    kind: nullable(column.text("the session's or publication's kind")),
    format: nullable(column.text('sessions: in-person, remote, not-stated')),
    direction: nullable(column.text('study visits: hosted, outgoing')),
    ...multilingualColumns('title'),
    ...partialDateColumns('date'),
    partners: column.textArray(),
    themes: column.textArray(),
    ...countColumns('sessions_held', { comment: 'training sessions' }),
    ...countColumns('people_trained'),
    ...countColumns('meetings_held', { comment: 'meetings (introductory, preparatory)' }),
    ...countColumns('people_attended'),
    cohorts: column.textArray('cohort numbers of the judicial attachés concerned'),
    attendance: nullable(column.bigint()),
    attendance_basis: nullable(column.text()),
    named_trainees: nullable(column.bigint()),
    ...countColumns('participants', { comment: 'outgoing visits: participants; hosted visits: visitors hosted (see direction)' }),
    ...multilingualColumns('note', 'publication plans'),
    corrected: column.boolean(),
    source_refs: column.textArray(),
  },
  primaryKey: ['period', 'line', 'line_order'],
  indexes: [{ name: 'rm_activities_record', columns: ['record_id'] }],
});

const tables = [activity, gaps, lines] as const;

type Line = RowOf<typeof lines.columns>;

const figures = (f: ActivityFigures): RowOf<typeof figureColumns> => ({
  ...countRow('sessions_held', f.sessionsHeld),
  ...countRow('people_trained', f.peopleTrained),
  ...countRow('trainers_trained', f.trainersTrained),
  ...countRow('meetings_held', f.meetingsHeld),
  ...countRow('people_attended', f.peopleAttended),
  ...countRow('study_visits', f.studyVisits),
  ...countRow('study_visit_participants', f.studyVisitParticipants),
  ...countRow('visitors_hosted', f.visitorsHosted),
  // The tables hold the whole log's figures, where publications are always exact: their counts, as before.
  publications_prepared: f.publications.prepared.known,
  publications_planned: f.publications.plannedForPublication.known,
  publications_published: f.publications.published.known,
});

const gapFigures = [
  ['sessions_held', 'sessionsHeld'],
  ['people_trained', 'peopleTrained'],
  ['trainers_trained', 'trainersTrained'],
  ['meetings_held', 'meetingsHeld'],
  ['people_attended', 'peopleAttended'],
  ['study_visits', 'studyVisits'],
  ['study_visit_participants', 'studyVisitParticipants'],
  ['visitors_hosted', 'visitorsHosted'],
] as const;

/** What a line of one kind leaves empty. */
const blankLine = {
  kind: null,
  format: null,
  direction: null,
  ...countRow('sessions_held', null),
  ...countRow('people_trained', null),
  ...countRow('meetings_held', null),
  ...countRow('people_attended', null),
  cohorts: [],
  attendance: null,
  attendance_basis: null,
  named_trainees: null,
  ...countRow('participants', null),
  ...multilingualRow('note', null),
} satisfies Partial<Line>;

/** What every line of `rm_activities` holds, whatever its kind (the `j`th of its list); the rest blank until its kind fills it. */
const lineOf = (
  period: string,
  line: Line['line'],
  j: number,
  recordId: string,
  item: Pick<ReportedSession | ReportedVisit | ReportedPublication, 'title' | 'date' | 'partners' | 'themes' | 'corrected' | 'sourceRefs'>,
) => ({
  ...blankLine,
  period,
  line,
  line_order: j + 1,
  record_id: recordId,
  ...multilingualRow('title', item.title),
  ...partialDateRow('date', item.date),
  partners: item.partners,
  themes: item.themes,
  corrected: item.corrected,
  source_refs: item.sourceRefs,
});

/**
 * yearly-activity-report: one unit a period (its rows are the report's for that
 * period, every line and partner), so a rewrite holds a few periods at a time,
 * not the whole report. Every period reads the list of periods (its place in
 * the report's order), so a commit that changes the list writes them all again.
 */
export const yearlyActivityReportTables = defineReadModelTables({
  projection: yearlyActivityReportProjection,
  comment: 'per period, the totals and each breakdown; the lines counted; the gaps.',
  tables,
  unitColumn: 'period',
  units: async (model) => (await reportPeriods(model)).map((p) => p.key),
  // No record is a period: a new period is found in the list of periods.
  unitOf: () => undefined,
  unitsListedIn: [PERIODS_DOCUMENT],
  async rows(model, unit) {
    const rows: RowsOf<typeof tables> = { rm_yearly_activity: [], rm_yearly_gaps: [], rm_activities: [] };
    const found = await reportOfPeriod(model, unit);
    // A period no longer in the report (its records corrected into others): no rows.
    if (found === undefined) return rows;
    const { report: p, order } = found;
    const period = p.period.key;
    const base = { period, period_order: order, period_kind: p.period.kind, period_label: p.period.label, from_year: p.period.fromYear, to_year: p.period.toYear };
    const blank = { partner_id: null, partner_acronym: null, ...multilingualRow('partner_name', null), theme: null, format: null };
    rows.rm_yearly_activity.push({ ...base, breakdown: 'total', breakdown_order: 0, ...blank, ...figures(p.totals) });
    p.byPartner.forEach((b, j) =>
      rows.rm_yearly_activity.push({
        ...base,
        breakdown: 'partner',
        breakdown_order: j + 1,
        ...blank,
        partner_id: b.partnerId,
        partner_acronym: b.acronym,
        ...multilingualRow('partner_name', b.name),
        ...figures(b.figures),
      }),
    );
    p.byTheme.forEach((b, j) => rows.rm_yearly_activity.push({ ...base, breakdown: 'theme', breakdown_order: j + 1, ...blank, theme: b.theme, ...figures(b.figures) }));
    p.byFormat.forEach((b, j) =>
      rows.rm_yearly_activity.push({
        ...base,
        breakdown: 'format',
        breakdown_order: j + 1,
        ...blank,
        format: b.format,
        ...countRow('sessions_held', b.sessionsHeld),
        ...countRow('people_trained', b.peopleTrained),
        ...countRow('trainers_trained', null),
        ...countRow('meetings_held', null),
        ...countRow('people_attended', null),
        ...countRow('study_visits', null),
        ...countRow('study_visit_participants', null),
        ...countRow('visitors_hosted', null),
        publications_prepared: null,
        publications_planned: null,
        publications_published: null,
      }),
    );
    for (const [figure, key] of gapFigures) {
      p.totals[key].gaps.forEach((g, j) => rows.rm_yearly_gaps.push({ period, figure, gap_order: j + 1, record_id: g.recordId, reason: g.reason }));
    }
    p.sessions.forEach((s, j) =>
      rows.rm_activities.push({
        ...lineOf(period, 'session', j, s.sessionId, s),
        kind: s.kind,
        format: s.format,
        ...(s.held === 'sessions'
          ? { ...countRow('sessions_held', s.occurrences), ...countRow('people_trained', s.people) }
          : { ...countRow('meetings_held', s.occurrences), ...countRow('people_attended', s.people) }),
        cohorts: s.cohorts.map(String),
        attendance: s.attendance?.count ?? null,
        attendance_basis: s.attendance?.basis ?? null,
        named_trainees: s.namedTrainees,
      }),
    );
    p.studyVisits.forEach((v, j) =>
      rows.rm_activities.push({
        ...lineOf(period, 'study-visit', j, v.visitId, v),
        direction: v.direction,
        ...countRow('participants', v.participants),
      }),
    );
    const publications = [
      ['publication-prepared', p.publications.prepared],
      ['publication-planned', p.publications.plannedForPublication],
      ['publication-published', p.publications.published],
    ] as const;
    for (const [line, list] of publications) {
      list.forEach((pub, j) =>
        rows.rm_activities.push({
          ...lineOf(period, line, j, pub.publicationId, pub),
          kind: pub.kind,
          ...multilingualRow('note', pub.note),
        }),
      );
    }
    return rows;
  },
});
