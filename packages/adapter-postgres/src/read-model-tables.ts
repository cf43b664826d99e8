import type { MultilingualText } from '@taawun/domain';
import {
  agreementsRegisterView,
  participantRecordView,
  partnerHistoryView,
  agreementsRegisterProjection,
  participantRecordProjection,
  partnerHistoryProjection,
  periodOf,
  recordIds,
  recordOfStream,
  yearlyActivityReportProjection,
  yearlyActivityReportView,
  type ActivityFigures,
  type Count,
  type DateView,
  type ModelReader,
  type NameAtTime,
} from '@taawun/projections';

/*
 * The built-in read models as rows of the rm_ tables. Every row is derived from
 * the projection's documents with the read model's own view function (the same one
 * the library, the CLI and the HTTP API answer with), so the tables say exactly
 * what the JSON read models say. Keys are the tables' column names.
 */

export type Row = Readonly<Record<string, unknown>>;

/**
 * How one read model becomes tables. Its rows come in **units**: one per partner
 * (or participant), whose rows can be written again alone when what they were
 * derived from changes; or one unit (`''`) for a read model laid out as a whole.
 */
export interface ReadModelTables {
  /** The projection's name, as in `read_model_generations.name`. */
  readonly readModel: string;
  /** The projection version whose documents `rows` understands. */
  readonly version: number;
  /** The tables it fills. */
  readonly tables: readonly string[];
  /** Each table's primary key. */
  readonly keys: Readonly<Record<string, readonly string[]>>;
  /** The column of every table that names the unit of a row; absent: one unit, the whole model. */
  readonly unitColumn?: string;
  /** Every unit of the model (`['']` for a whole). */
  units(model: ModelReader): Promise<string[]>;
  /** The unit a document is the record of, if any (a partner's own document): a new one appears with it. */
  unitOf(documentKey: string): string | undefined;
  /** The rows of one unit, per table (a generation, read inside the transaction that writes the tables). */
  rows(model: ModelReader, unit: string): Promise<Record<string, Row[]>>;
}

/** Every row of every table of a read model, unit after unit. */
export async function allRows(definition: ReadModelTables, model: ModelReader): Promise<Record<string, Row[]>> {
  const all: Record<string, Row[]> = Object.fromEntries(definition.tables.map((t) => [t, []]));
  for (const unit of await definition.units(model)) {
    for (const [table, rows] of Object.entries(await definition.rows(model, unit))) all[table]!.push(...rows);
  }
  return all;
}

const whole = { units: async () => [''], unitOf: () => undefined } as const;

/** Units that are the records of one section: partners, participants. */
const recordsOf = (section: 'partners' | 'participants') => ({
  units: (model: ModelReader) => recordIds(model, section),
  unitOf: (documentKey: string) => {
    const record = recordOfStream(documentKey);
    return record?.section === section ? record.id : undefined;
  },
});

const text = (prefix: string, value: MultilingualText | null | undefined): Row => ({
  [`${prefix}_ar`]: value?.ar ?? null,
  [`${prefix}_fr`]: value?.fr ?? null,
  [`${prefix}_en`]: value?.en ?? null,
});

const date = (prefix: string, view: DateView): Row => ({
  [`${prefix}_edtf`]: view.edtf,
  [`${prefix}_label`]: view.label,
  [`${prefix}_earliest`]: view.earliest,
  [`${prefix}_latest`]: view.latest,
});

/** The year, when the date lies within one; and the yearly report's period. */
const year = (view: DateView): Row => {
  const period = periodOf(view.edtf);
  return { known_year: period.kind === 'year' ? period.fromYear : null, period: period.key };
};

const count = (prefix: string, value: Count | undefined | null): Row => ({
  [prefix]: value ? value.known : null,
  [`${prefix}_exact`]: value ? value.exact : null,
});

const name = (prefix: string, value: NameAtTime): Row => ({ [`${prefix}_certainty`]: value.certainty, ...text(prefix, value.name) });

const partnerHistory: ReadModelTables = {
  readModel: partnerHistoryProjection.name,
  version: partnerHistoryProjection.version,
  tables: ['rm_partners', 'rm_partner_names', 'rm_partner_history'],
  keys: { rm_partners: ['partner_id'], rm_partner_names: ['partner_id', 'name_order'], rm_partner_history: ['partner_id', 'entry_order'] },
  unitColumn: 'partner_id',
  ...recordsOf('partners'),
  async rows(model, partnerId) {
    const partners: Row[] = [];
    const names: Row[] = [];
    const history: Row[] = [];
    const view = await partnerHistoryView(model, partnerId);
    if (view) {
      const { partner, entries } = view;
      partners.push({
        partner_id: partnerId,
        ...text('name', partner.name),
        acronym: partner.acronym,
        kind: partner.kind,
        country: partner.country,
        entries: entries.length,
        corrections: partner.corrections.length,
        source_refs: partner.sourceRefs,
      });
      partner.names.forEach((n, i) =>
        names.push({
          partner_id: partnerId,
          name_order: i + 1,
          ...text('name', n.name),
          effective_edtf: n.effectiveOn?.edtf ?? null,
          effective_earliest: n.effectiveOn?.earliest ?? null,
          effective_latest: n.effectiveOn?.latest ?? null,
        }),
      );
      entries.forEach((e, i) =>
        history.push({
          partner_id: partnerId,
          entry_order: i + 1,
          kind: e.kind,
          record_type: e.record.type,
          record_id: e.record.id,
          status: e.status,
          ...date('date', e.date),
          ...year(e.date),
          year_unknown: e.date.yearUnknown,
          order_certain: e.orderCertain,
          what: e.what,
          ...text('title', e.title),
          ...name('partner_name', e.partnerName),
          ...name('institute_name', e.instituteName),
          institute_name_candidates: e.instituteName.candidates,
          shared_with: e.sharedWith,
          ...count('sessions', e.counts?.sessions),
          attendance: e.counts?.attendance?.count ?? null,
          attendance_basis: e.counts?.attendance?.basis ?? null,
          named_trainees: e.counts?.namedTrainees ?? null,
          ...count('people_trained', e.counts?.peopleTrained),
          ...count('participants', e.counts?.participants),
          details: e.details,
          corrections: e.corrections.length,
          source_refs: e.sourceRefs,
        }),
      );
    }
    return { rm_partners: partners, rm_partner_names: names, rm_partner_history: history };
  },
};

const agreementsRegister: ReadModelTables = {
  readModel: agreementsRegisterProjection.name,
  version: agreementsRegisterProjection.version,
  tables: ['rm_agreements', 'rm_agreement_parties', 'rm_agreement_signatories', 'rm_agreement_areas'],
  keys: {
    rm_agreements: ['agreement_id'],
    rm_agreement_parties: ['agreement_id', 'party_order'],
    rm_agreement_signatories: ['agreement_id', 'signatory_order'],
    rm_agreement_areas: ['agreement_id', 'area_order'],
  },
  ...whole,
  async rows(model) {
    const agreements: Row[] = [];
    const parties: Row[] = [];
    const signatories: Row[] = [];
    const areas: Row[] = [];
    (await agreementsRegisterView(model)).agreements.forEach((a, i) => {
      const agreement_id = a.agreementId;
      agreements.push({
        agreement_id,
        register_order: i + 1,
        kind: a.kind,
        ...text('title', a.title),
        status: a.status,
        ...date('signed', a.signedOn),
        ...year(a.signedOn),
        order_certain: a.orderCertain,
        ...text('place', a.place),
        amendments: a.amendments.length,
        terminated_edtf: a.termination?.terminatedOn.edtf ?? null,
        termination_reason: a.termination?.reason ?? null,
        programmes: a.programmes.map((p) => p.programmeId),
        corrections: a.corrections.length,
        source_refs: a.sourceRefs,
      });
      parties.push({ agreement_id, party_order: 0, party: 'institute', ...name('name', a.parties.institute), acronym: null, kind: null, country: null });
      a.parties.partners.forEach((p, j) =>
        parties.push({ agreement_id, party_order: j + 1, party: p.partnerId, ...name('name', p.name), acronym: p.acronym, kind: p.kind, country: p.country }),
      );
      a.signatories.forEach((s, j) => signatories.push({ agreement_id, signatory_order: j + 1, party: s.party, ...text('role', s.role), ...text('name', s.name) }));
      a.areas.forEach((area, j) => areas.push({ agreement_id, area_order: j + 1, ...text('area', area) }));
    });
    return { rm_agreements: agreements, rm_agreement_parties: parties, rm_agreement_signatories: signatories, rm_agreement_areas: areas };
  },
};

const figures = (f: ActivityFigures): Row => ({
  ...count('sessions_held', f.sessionsHeld),
  ...count('people_trained', f.peopleTrained),
  ...count('study_visits', f.studyVisits),
  ...count('study_visit_participants', f.studyVisitParticipants),
  publications_prepared: f.publications.prepared,
  publications_planned: f.publications.plannedForPublication,
  publications_published: f.publications.published,
});

const gapFigures = [
  ['sessions_held', 'sessionsHeld'],
  ['people_trained', 'peopleTrained'],
  ['study_visits', 'studyVisits'],
  ['study_visit_participants', 'studyVisitParticipants'],
] as const;

const yearlyActivityReport: ReadModelTables = {
  readModel: yearlyActivityReportProjection.name,
  version: yearlyActivityReportProjection.version,
  tables: ['rm_yearly_activity', 'rm_yearly_gaps', 'rm_activities'],
  keys: { rm_yearly_activity: ['period', 'breakdown', 'breakdown_order'], rm_yearly_gaps: ['period', 'figure', 'gap_order'], rm_activities: ['period', 'line', 'line_order'] },
  ...whole,
  async rows(model) {
    const activity: Row[] = [];
    const gaps: Row[] = [];
    const lines: Row[] = [];
    (await yearlyActivityReportView(model)).periods.forEach((p, i) => {
      const period = p.period.key;
      const base = { period, period_order: i + 1, period_kind: p.period.kind, period_label: p.period.label, from_year: p.period.fromYear, to_year: p.period.toYear };
      const blank = { partner_id: null, partner_acronym: null, ...text('partner_name', null), theme: null, format: null };
      activity.push({ ...base, breakdown: 'total', breakdown_order: 0, ...blank, ...figures(p.totals) });
      p.byPartner.forEach((b, j) =>
        activity.push({ ...base, breakdown: 'partner', breakdown_order: j + 1, ...blank, partner_id: b.partnerId, partner_acronym: b.acronym, ...text('partner_name', b.name), ...figures(b.figures) }),
      );
      p.byTheme.forEach((b, j) => activity.push({ ...base, breakdown: 'theme', breakdown_order: j + 1, ...blank, theme: b.theme, ...figures(b.figures) }));
      p.byFormat.forEach((b, j) =>
        activity.push({
          ...base,
          breakdown: 'format',
          breakdown_order: j + 1,
          ...blank,
          format: b.format,
          ...count('sessions_held', b.sessionsHeld),
          ...count('people_trained', b.peopleTrained),
          ...count('study_visits', null),
          ...count('study_visit_participants', null),
          publications_prepared: null,
          publications_planned: null,
          publications_published: null,
        }),
      );
      for (const [figure, key] of gapFigures) {
        p.totals[key].gaps.forEach((g, j) => gaps.push({ period, figure, gap_order: j + 1, record_id: g.recordId, reason: g.reason }));
      }
      const line = (kind: string, order: number, row: Row): Row => ({
        period,
        line: kind,
        line_order: order,
        kind: null,
        format: null,
        direction: null,
        ...count('sessions_held', null),
        ...count('people_trained', null),
        attendance: null,
        attendance_basis: null,
        named_trainees: null,
        ...count('participants', null),
        ...text('note', null),
        ...row,
      });
      p.sessions.forEach((s, j) =>
        lines.push(
          line('session', j + 1, {
            record_id: s.sessionId,
            kind: s.kind,
            format: s.format,
            ...text('title', s.title),
            ...date('date', s.date),
            partners: s.partners,
            themes: s.themes,
            ...count('sessions_held', s.sessionsHeld),
            ...count('people_trained', s.peopleTrained),
            attendance: s.attendance?.count ?? null,
            attendance_basis: s.attendance?.basis ?? null,
            named_trainees: s.namedTrainees,
            corrected: s.corrected,
            source_refs: s.sourceRefs,
          }),
        ),
      );
      p.studyVisits.forEach((v, j) =>
        lines.push(
          line('study-visit', j + 1, {
            record_id: v.visitId,
            direction: v.direction,
            ...text('title', v.title),
            ...date('date', v.date),
            partners: v.partners,
            themes: v.themes,
            ...count('participants', v.participants),
            corrected: v.corrected,
            source_refs: v.sourceRefs,
          }),
        ),
      );
      const publications = [
        ['publication-prepared', p.publications.prepared],
        ['publication-planned', p.publications.plannedForPublication],
        ['publication-published', p.publications.published],
      ] as const;
      for (const [kind, list] of publications) {
        list.forEach((pub, j) =>
          lines.push(
            line(kind, j + 1, {
              record_id: pub.publicationId,
              kind: pub.kind,
              ...text('title', pub.title),
              ...date('date', pub.date),
              partners: pub.partners,
              themes: pub.themes,
              ...text('note', pub.note),
              corrected: pub.corrected,
              source_refs: pub.sourceRefs,
            }),
          ),
        );
      }
    });
    return { rm_yearly_activity: activity, rm_yearly_gaps: gaps, rm_activities: lines };
  },
};

const participantRecord: ReadModelTables = {
  readModel: participantRecordProjection.name,
  version: participantRecordProjection.version,
  tables: ['rm_participants', 'rm_participant_activities'],
  keys: { rm_participants: ['participant_id'], rm_participant_activities: ['participant_id', 'activity_order'] },
  unitColumn: 'participant_id',
  ...recordsOf('participants'),
  async rows(model, participantId) {
    const participants: Row[] = [];
    const activities: Row[] = [];
    const view = await participantRecordView(model, participantId);
    if (view) {
      // No personal data here: `personal` (names, contacts) is left out on purpose.
      participants.push({
        participant_id: participantId,
        kind: view.kind,
        cohort: view.cohort,
        nationality: view.nationality,
        erased: view.erased,
        erased_at: view.erasure?.recordedAt ?? null,
        sessions: view.sessions.length,
        study_visits: view.studyVisits.length,
        corrections: view.corrections.length,
        source_refs: view.sourceRefs,
      });
      let order = 0;
      for (const s of view.sessions) {
        activities.push({
          participant_id: participantId,
          activity_order: ++order,
          activity: 'session',
          record_id: s.sessionId,
          ...text('title', s.title),
          ...date('date', s.date),
          status: s.status,
          kind: s.kind,
          format: s.format,
          role: s.role,
          enrolment: s.enrolment,
          direction: null,
          partners: s.partners.map((p) => p.partnerId),
        });
      }
      for (const v of view.studyVisits) {
        activities.push({
          participant_id: participantId,
          activity_order: ++order,
          activity: 'study-visit',
          record_id: v.visitId,
          ...text('title', v.title),
          ...date('date', v.date),
          status: v.status,
          kind: null,
          format: null,
          role: null,
          enrolment: null,
          direction: v.direction,
          partners: v.partners.map((p) => p.partnerId),
        });
      }
    }
    return { rm_participants: participants, rm_participant_activities: activities };
  },
};

/** The built-in read models that have tables, by projection name. */
export const builtInReadModelTables: ReadonlyMap<string, ReadModelTables> = new Map(
  [partnerHistory, agreementsRegister, yearlyActivityReport, participantRecord].map((t) => [t.readModel, t]),
);

/** Every rm_ table, for tests and tools. */
export const readModelTableNames: readonly string[] = [...builtInReadModelTables.values()].flatMap((t) => t.tables);
