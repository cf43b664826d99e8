import { agreementsRegisterProjection, agreementsRegisterView } from '../read-models/agreements-register.js';
import { column, nullable, table, unique } from './columns.js';
import { defineReadModelTables, wholeModel, type RowsOf } from './read-model-tables.js';
import { multilingualColumns, multilingualRow, nameAtTimeColumns, nameAtTimeRow, partialDateColumns, partialDateRow, yearColumns, yearRow } from './values.js';

const agreements = table({
  name: 'rm_agreements',
  columns: {
    agreement_id: column.text(),
    register_order: unique(column.integer('by date of signature')),
    kind: column.text('convention, protocol, memorandum, agreement'),
    ...multilingualColumns('title'),
    status: column.text('signed, terminated'),
    ...partialDateColumns('signed'),
    known_year: yearColumns.known_year,
    period: yearColumns.period,
    order_certain: column.boolean(),
    ...multilingualColumns('place'),
    amendments: column.integer(),
    terminated_edtf: nullable(column.text()),
    termination_reason: nullable(column.text()),
    programmes: column.textArray('programmes launched under it'),
    corrections: column.integer(),
    source_refs: column.textArray(),
  },
  primaryKey: ['agreement_id'],
});

const parties = table({
  name: 'rm_agreement_parties',
  columns: {
    agreement_id: column.text(),
    party_order: column.integer('0: the institute, then the partners'),
    party: column.text("'institute' or the partner's id"),
    ...nameAtTimeColumns('name', 'stated (on the document), in-force, uncertain, unknown', 'the name at signature'),
    acronym: nullable(column.text()),
    kind: nullable(column.text()),
    country: nullable(column.text()),
  },
  primaryKey: ['agreement_id', 'party_order'],
});

const signatories = table({
  name: 'rm_agreement_signatories',
  columns: {
    agreement_id: column.text(),
    signatory_order: column.integer(),
    party: column.text("'institute' or the partner's id"),
    ...multilingualColumns('role'),
    ...multilingualColumns('name', 'null when the record does not name them'),
  },
  primaryKey: ['agreement_id', 'signatory_order'],
});

const areas = table({
  name: 'rm_agreement_areas',
  columns: {
    agreement_id: column.text(),
    area_order: column.integer('the areas in force, after the amendments'),
    ...multilingualColumns('area'),
  },
  primaryKey: ['agreement_id', 'area_order'],
});

const tables = [agreements, parties, signatories, areas] as const;

/** agreements-register: one unit, the whole register (its order is the register's). */
export const agreementsRegisterTables = defineReadModelTables({
  projection: agreementsRegisterProjection,
  comment: 'every agreement, its parties, signatories and areas of cooperation.',
  tables,
  ...wholeModel,
  async rows(model) {
    const rows: RowsOf<typeof tables> = { rm_agreements: [], rm_agreement_parties: [], rm_agreement_signatories: [], rm_agreement_areas: [] };
    (await agreementsRegisterView(model)).agreements.forEach((a, i) => {
      const agreement_id = a.agreementId;
      rows.rm_agreements.push({
        agreement_id,
        register_order: i + 1,
        kind: a.kind,
        ...multilingualRow('title', a.title),
        status: a.status,
        ...partialDateRow('signed', a.signedOn),
        ...yearRow(a.signedOn),
        order_certain: a.orderCertain,
        ...multilingualRow('place', a.place),
        amendments: a.amendments.length,
        terminated_edtf: a.termination?.terminatedOn.edtf ?? null,
        termination_reason: a.termination?.reason ?? null,
        programmes: a.programmes.map((p) => p.programmeId),
        corrections: a.corrections.length,
        source_refs: a.sourceRefs,
      });
      const party = { agreement_id, acronym: null, kind: null, country: null };
      rows.rm_agreement_parties.push({ ...party, party_order: 0, party: 'institute', ...nameAtTimeRow('name', a.parties.institute) });
      a.parties.partners.forEach((p, j) =>
        rows.rm_agreement_parties.push({ ...party, party_order: j + 1, party: p.partnerId, ...nameAtTimeRow('name', p.name), acronym: p.acronym, kind: p.kind, country: p.country }),
      );
      a.signatories.forEach((s, j) =>
        rows.rm_agreement_signatories.push({ agreement_id, signatory_order: j + 1, party: s.party, ...multilingualRow('role', s.role), ...multilingualRow('name', s.name) }),
      );
      a.areas.forEach((area, j) => rows.rm_agreement_areas.push({ agreement_id, area_order: j + 1, ...multilingualRow('area', area) }));
    });
    return rows;
  },
});
