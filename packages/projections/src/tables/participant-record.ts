import { participantRecordProjection, participantRecordView } from '../read-models/participant-record.js';
import { column, nullable, table, type RowOf } from './columns.js';
import { defineReadModelTables, unitPerRecord } from './read-model-tables.js';
import { multilingualColumns, multilingualRow, partialDateColumns, partialDateRow } from './values.js';

const participants = table({
  name: 'rm_participants',
  columns: {
    participant_id: column.text(),
    kind: column.text('judge, prosecutor, trainer, ...'),
    cohort: nullable(column.integer()),
    nationality: nullable(column.text()),
    erased: column.boolean('personal data erased'),
    erased_at: nullable(column.text('when the erasure was recorded')),
    sessions: column.integer(),
    study_visits: column.integer(),
    corrections: column.integer(),
    source_refs: column.textArray(),
  },
  primaryKey: ['participant_id'],
});

const activities = table({
  name: 'rm_participant_activities',
  columns: {
    participant_id: column.text(),
    activity_order: column.integer('sessions by date, then study visits by date'),
    activity: column.text('session, study-visit'),
    record_id: column.text(),
    ...multilingualColumns('title'),
    ...partialDateColumns('date'),
    status: column.text('held|planned|cancelled, completed|planned|cancelled'),
    kind: nullable(column.text('sessions')),
    format: nullable(column.text()),
    role: nullable(column.text('trainee, trainer')),
    enrolment: nullable(column.text('enrolled, withdrawn')),
    direction: nullable(column.text('study visits')),
    partners: column.textArray(),
  },
  primaryKey: ['participant_id', 'activity_order'],
  indexes: [{ name: 'rm_participant_activities_record', columns: ['record_id'] }],
});

/** participant-record: a unit per participant. No personal data: `personal` (names, contacts) is left out on purpose. */
export const participantRecordTables = defineReadModelTables({
  projection: participantRecordProjection,
  comment: 'without personal data (names stay in the log, sealed, and in the API).',
  tables: [participants, activities],
  unitColumn: 'participant_id',
  ...unitPerRecord('participants'),
  async rows(model, participant_id) {
    const view = await participantRecordView(model, participant_id);
    if (!view) return { rm_participants: [], rm_participant_activities: [] };
    const sessions = view.sessions.map(
      (s): Omit<RowOf<typeof activities.columns>, 'activity_order'> => ({
        participant_id,
        activity: 'session',
        record_id: s.sessionId,
        ...multilingualRow('title', s.title),
        ...partialDateRow('date', s.date),
        status: s.status,
        kind: s.kind,
        format: s.format,
        role: s.role,
        enrolment: s.enrolment,
        direction: null,
        partners: s.partners.map((p) => p.partnerId),
      }),
    );
    const visits = view.studyVisits.map(
      (v): Omit<RowOf<typeof activities.columns>, 'activity_order'> => ({
        participant_id,
        activity: 'study-visit',
        record_id: v.visitId,
        ...multilingualRow('title', v.title),
        ...partialDateRow('date', v.date),
        status: v.status,
        kind: null,
        format: null,
        role: null,
        enrolment: null,
        direction: v.direction,
        partners: v.partners.map((p) => p.partnerId),
      }),
    );
    return {
      rm_participants: [
        {
          participant_id,
          kind: view.kind,
          cohort: view.cohort,
          nationality: view.nationality,
          erased: view.erased,
          erased_at: view.erasure?.recordedAt ?? null,
          sessions: view.sessions.length,
          study_visits: view.studyVisits.length,
          corrections: view.corrections.length,
          source_refs: view.sourceRefs,
        },
      ],
      rm_participant_activities: [...sessions, ...visits].map((a, i) => ({ ...a, activity_order: i + 1 })),
    };
  },
});
