import type { AnyProjection } from '../engine/projection.js';
import { ProjectionError } from '../engine/errors.js';
import type { ModelReader } from '../engine/model-reader.js';
import { recordIds, recordOfStream, type Section } from '../model/record-book.js';
import type { Columns, RowOf, TableDescription, TableRow } from './columns.js';

/** The rows of each table, keyed by table name, typed by its columns. */
export type RowsOf<T extends readonly TableDescription[]> = { -readonly [D in T[number] as D['name']]: RowOf<D['columns'] extends Columns ? D['columns'] : never>[] };

/**
 * How one read model becomes relational tables, for report tools: the tables
 * (their columns give the rows' type) and the rows, derived from the read model's
 * own views, so the tables say what its JSON says. Rows come in **units**: one per
 * record (a partner, a participant), written again alone when what they were
 * derived from changes; or one unit (`''`) for a read model laid out as a whole.
 * A storage that keeps tables (PostgreSQL) takes these as data: it lays out the
 * tables and writes the rows it is given.
 */
export interface ReadModelTables<T extends readonly TableDescription[] = readonly TableDescription[]> {
  /** The projection whose stored model `rows` reads (its name and version say which generations the tables can show). */
  readonly projection: AnyProjection;
  /** One line above its tables. */
  readonly comment?: string;
  readonly tables: T;
  /** The column of every table that names the unit of a row; absent: one unit, the whole model. */
  readonly unitColumn?: string;
  /** Every unit of the model (`['']` for a whole). */
  units(model: ModelReader): Promise<string[]>;
  /** The unit a document is the record of, if any (a partner's own document): a new unit appears with it. */
  unitOf(documentKey: string): string | undefined;
  /**
   * Documents (counters by their key, `#name`) that list the units, when no
   * record is one (the yearly report's periods): a commit writing one lists the
   * units again, and writes those it did not have.
   */
  readonly unitsListedIn?: readonly string[];
  /** The rows of one unit, per table. */
  rows(model: ModelReader, unit: string): Promise<RowsOf<T>>;
}

/** A read model's tables with their row types erased: what storages hold. */
export type AnyReadModelTables = ReadModelTables<readonly TableDescription[]>;

/** One unit: the whole model. */
export const wholeModel = { units: async (): Promise<string[]> => [''], unitOf: (): string | undefined => undefined } as const;

/** One unit per record of a section (partners, participants): its rows are written again when what they read changes. */
export const unitPerRecord = (section: Section) => ({
  units: (model: ModelReader): Promise<string[]> => recordIds(model, section),
  unitOf: (documentKey: string): string | undefined => {
    const record = recordOfStream(documentKey);
    return record?.section === section ? record.id : undefined;
  },
});

const IDENTIFIER = /^[a-z][a-z0-9_]*$/;
/** Read models' tables share a schema with others: theirs start with `rm_`. */
const TABLE_NAME = /^rm_[a-z0-9_]+$/;

/** Check a description (names are identifiers, keys and the unit column exist) and keep its types. */
export function defineReadModelTables<const T extends readonly TableDescription[]>(description: ReadModelTables<T>): ReadModelTables<T> {
  const fail = (problem: string) => {
    throw new ProjectionError('invalid-projection', `tables of read model ${description.projection.name}: ${problem}`);
  };
  if (description.tables.length === 0) fail('no table');
  const names = new Set<string>();
  for (const t of description.tables) {
    if (!TABLE_NAME.test(t.name) || t.name.length > 63) fail(`table name "${t.name}" is not rm_ and a lowercase identifier, at most 63 characters`);
    if (names.has(t.name)) fail(`table ${t.name} is described twice`);
    names.add(t.name);
    const columns = Object.keys(t.columns);
    for (const c of columns) if (!IDENTIFIER.test(c) || c.length > 63) fail(`${t.name}: column name "${c}" is not a lowercase identifier of at most 63 characters`);
    if (t.primaryKey.length === 0) fail(`${t.name} has no primary key`);
    for (const key of [...t.primaryKey, ...(t.indexes ?? []).flatMap((i) => i.columns)]) if (!columns.includes(key)) fail(`${t.name} has no column ${key}`);
    for (const index of t.indexes ?? []) if (!IDENTIFIER.test(index.name)) fail(`${t.name}: index name "${index.name}" is not a lowercase identifier`);
    if (description.unitColumn !== undefined && !columns.includes(description.unitColumn)) fail(`${t.name} has no unit column ${description.unitColumn}`);
  }
  return description;
}

/** Every row of every table of a read model, unit after unit (e.g. from a model replayed in memory). */
export async function allRows(tables: AnyReadModelTables, model: ModelReader): Promise<Record<string, TableRow[]>> {
  const all: Record<string, TableRow[]> = Object.fromEntries(tables.tables.map((t) => [t.name, []]));
  for (const unit of await tables.units(model)) {
    for (const [table, rows] of Object.entries(await tables.rows(model, unit))) all[table]!.push(...rows);
  }
  return all;
}
