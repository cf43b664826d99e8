import type { Row } from '../read-model-tables.js';

/** Rows without their null columns (a row built in memory leaves out what the table fills with null). */
export const withoutNulls = (row: Row): Row => Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null));

export const primaryKeys: Record<string, readonly string[]> = {
  rm_partners: ['partner_id'],
  rm_partner_names: ['partner_id', 'name_order'],
  rm_partner_history: ['partner_id', 'entry_order'],
  rm_agreements: ['agreement_id'],
  rm_agreement_parties: ['agreement_id', 'party_order'],
  rm_agreement_signatories: ['agreement_id', 'signatory_order'],
  rm_agreement_areas: ['agreement_id', 'area_order'],
  rm_yearly_activity: ['period', 'breakdown', 'breakdown_order'],
  rm_yearly_gaps: ['period', 'figure', 'gap_order'],
  rm_activities: ['period', 'line', 'line_order'],
  rm_participants: ['participant_id'],
  rm_participant_activities: ['participant_id', 'activity_order'],
};

/** Rows in primary-key order, compared in JS (the database's collation may order text differently). */
export const byKey = (table: string, rows: Row[]): Row[] => {
  const keys = primaryKeys[table]!;
  const compare = (a: unknown, b: unknown) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0);
  return [...rows].sort((a, b) => keys.reduce((found, k) => found || compare(a[k], b[k]), 0));
};

/** Every row of an rm_ table as JSON (dates as text, arrays and jsonb as JSON), in key order. */
export const tableAsJson = async (sql: (text: string) => Promise<{ row: Row }[]>, table: string): Promise<Row[]> =>
  byKey(table, (await sql(`SELECT row_to_json(t) AS row FROM ${table} t`)).map((r) => withoutNulls(r.row)));

/** What the rm_ tables of a read model must hold for a state: its rows, as JSON, in key order. */
export const expectedTables = (rows: Record<string, Row[]>, table: string): Row[] =>
  byKey(table, (JSON.parse(JSON.stringify(rows[table] ?? [])) as Row[]).map(withoutNulls));
