import { instituteNameOfRef, nameOfRef } from '../model/page-records.js';
import { partnerHistoryProjection, partnerHistoryView } from '../read-models/partner-history.js';
import { column, commented, nullable, table, type RowOf } from './columns.js';
import { defineReadModelTables, unitPerRecord } from './read-model-tables.js';
import { countColumns, countRow, multilingualColumns, multilingualRow, nameAtTimeColumns, nameAtTimeRow, partialDateColumns, partialDateRow, yearColumns, yearRow } from './values.js';

const partners = table({
  name: 'rm_partners',
  columns: {
    partner_id: column.text(),
    ...multilingualColumns('name', 'the latest name'),
    acronym: nullable(column.text()),
    kind: nullable(column.text('school, ministry, agency, ...')),
    country: nullable(column.text()),
    entries: column.integer('rows in rm_partner_history'),
    corrections: column.integer(),
    source_refs: column.textArray('facts of the source text: {F12}'),
  },
  primaryKey: ['partner_id'],
});

const partnerNames = table({
  name: 'rm_partner_names',
  columns: {
    partner_id: column.text(),
    name_order: column.integer('1: the registered name, then each rename in date order'),
    ...multilingualColumns('name'),
    effective_edtf: nullable(column.text('null for the registered name')),
    effective_earliest: nullable(column.date()),
    effective_latest: nullable(column.date()),
  },
  primaryKey: ['partner_id', 'name_order'],
});

const partnerHistory = table({
  name: 'rm_partner_history',
  columns: {
    partner_id: column.text(),
    entry_order: column.integer('1, 2, 3, ... the order of the history'),
    kind: column.text(
      'agreement-signed, agreement-amended, agreement-terminated, programme-launched, programme-closed, session, study-visit, publication-prepared|planned|published',
    ),
    record_type: column.text('agreement, programme, session, study-visit, publication'),
    record_id: column.text(),
    status: nullable(column.text('sessions: held|planned|cancelled; visits: completed|planned|cancelled; agreements: signed|terminated')),
    ...commented(partialDateColumns('date'), {
      date_edtf: '1998-11-16, 2018, ../2002, 2016/2020, XXXX-11-15/XXXX-11-25, XXXX',
      date_label: '16 November 1998, by 2002, 2016 – 2020, date unknown',
    }),
    known_year: yearColumns.known_year,
    year_unknown: column.boolean(),
    period: yearColumns.period,
    order_certain: column.boolean("false: the dates overlap a neighbour's, so the order is not certain"),
    what: column.text('Agreement signed, Course held, Hosted study visit completed, ...'),
    ...multilingualColumns('title'),
    ...nameAtTimeColumns('partner_name', 'stated, in-force, uncertain (name null), unknown'),
    ...nameAtTimeColumns('institute_name'),
    institute_name_candidates: column.json('the names it may have been: [{"ar": ..., "fr": ...}, ...]'),
    shared_with: column.textArray('the other partners of the record'),
    ...countColumns('sessions', { comment: 'sessions the record stands for ("6 regional sessions")' }),
    attendance: nullable(column.bigint()),
    attendance_basis: nullable(column.text('total, each-occurrence')),
    named_trainees: nullable(column.bigint()),
    ...countColumns('people_trained', { comment: 'training sessions' }),
    ...countColumns('trainers_trained', { comment: 'training of trainers: trainers who benefited' }),
    ...countColumns('meetings', { comment: 'meetings held (introductory, preparatory): not training sessions' }),
    ...countColumns('people_attended', { comment: 'meetings: present, not trained' }),
    ...countColumns('participants', { comment: 'outgoing study visits' }),
    ...countColumns('hosted', { comment: 'hosted study visits: visitors received' }),
    details: column.json("the rest of the entry, as the read model's JSON gives it"),
    corrections: column.integer(),
    source_refs: column.textArray(),
  },
  primaryKey: ['partner_id', 'entry_order'],
  indexes: [{ name: 'rm_partner_history_record', columns: ['record_type', 'record_id'] }],
});

/** partner-history: a unit per partner. */
export const partnerHistoryTables = defineReadModelTables({
  projection: partnerHistoryProjection,
  comment: 'every partner, its names through time, and its history.',
  tables: [partners, partnerNames, partnerHistory],
  unitColumn: 'partner_id',
  ...unitPerRecord('partners'),
  async rows(model, partner_id) {
    const view = await partnerHistoryView(model, partner_id);
    if (!view) return { rm_partners: [], rm_partner_names: [], rm_partner_history: [] };
    const { partner, entries, records } = view;
    const partnerNames = records.partners[partner_id]?.names ?? [];
    const profile: RowOf<typeof partners.columns> = {
      partner_id,
      ...multilingualRow('name', partner.name),
      acronym: partner.acronym,
      kind: partner.kind,
      country: partner.country,
      entries: entries.length,
      corrections: partner.corrections.length,
      source_refs: partner.sourceRefs,
    };
    return {
      rm_partners: [profile],
      rm_partner_names: partner.names.map((n, i) => ({
        partner_id,
        name_order: i + 1,
        ...multilingualRow('name', n.name),
        effective_edtf: n.effectiveOn?.edtf ?? null,
        effective_earliest: n.effectiveOn?.earliest ?? null,
        effective_latest: n.effectiveOn?.latest ?? null,
      })),
      rm_partner_history: entries.map((e, i) => ({
        partner_id,
        entry_order: i + 1,
        kind: e.kind,
        record_type: e.record.type,
        record_id: e.record.id,
        status: e.status,
        ...partialDateRow('date', e.date),
        ...yearRow(e.date),
        year_unknown: e.date.yearUnknown,
        order_certain: e.orderCertain,
        what: e.what,
        ...multilingualRow('title', e.title),
        ...nameAtTimeRow('partner_name', nameOfRef(e.partnerName, partnerNames)),
        ...nameAtTimeRow('institute_name', instituteNameOfRef(e.instituteName, records)),
        institute_name_candidates: instituteNameOfRef(e.instituteName, records).candidates,
        shared_with: e.sharedWith,
        ...countRow('sessions', e.counts?.sessions),
        attendance: e.counts?.attendance?.count ?? null,
        attendance_basis: e.counts?.attendance?.basis ?? null,
        named_trainees: e.counts?.namedTrainees ?? null,
        ...countRow('people_trained', e.counts?.peopleTrained),
        ...countRow('trainers_trained', e.counts?.trainers),
        ...countRow('meetings', e.counts?.meetings),
        ...countRow('people_attended', e.counts?.peopleAttended),
        ...countRow('participants', e.counts?.participants),
        ...countRow('hosted', e.counts?.hosted),
        details: e.details,
        corrections: e.corrections.length,
        source_refs: e.sourceRefs,
      })),
    };
  },
});
