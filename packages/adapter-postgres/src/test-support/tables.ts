import { readModelTables, type TableDescription, type TableRow } from '@taawun/projections';

/** Rows without their null columns (a row built in memory leaves out what the table fills with null). */
export const withoutNulls = (row: TableRow): TableRow => Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null));

/** Rows in primary-key order, compared in JS (the database's collation may order text differently). */
export const byKey = (table: TableDescription, rows: readonly TableRow[]): TableRow[] => {
  const compare = (a: unknown, b: unknown) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0);
  return [...rows].sort((a, b) => table.primaryKey.reduce((found, k) => found || compare(a[k], b[k]), 0));
};

/** A built-in read model's table, by name. */
export const builtInTable = (name: string): TableDescription => {
  const found = Object.values(readModelTables).flatMap((d) => d.tables).find((t) => t.name === name);
  if (!found) throw new Error(`no built-in read model has a table ${name}`);
  return found;
};

/** Every row of an rm_ table as JSON (dates as text, arrays and jsonb as JSON), in key order. */
export const tableAsJson = async (sql: (text: string) => Promise<{ row: TableRow }[]>, table: TableDescription | string): Promise<TableRow[]> => {
  const described = typeof table === 'string' ? builtInTable(table) : table;
  return byKey(described, (await sql(`SELECT row_to_json(t) AS row FROM ${described.name} t`)).map((r) => withoutNulls(r.row)));
};

/** What an rm_ table must hold for a model: its rows, as JSON, in key order. */
export const expectedTable = (rows: Readonly<Record<string, readonly TableRow[]>>, table: TableDescription): TableRow[] =>
  byKey(table, (JSON.parse(JSON.stringify(rows[table.name] ?? [])) as TableRow[]).map(withoutNulls));
