/*
 * The vocabulary of read models' relational tables: a small set of portable
 * column types, columns, tables, and the row type each table's columns give.
 * A storage turns these into its own DDL (PostgreSQL: `@taawun/adapter-postgres`);
 * a read model describes its tables with them and derives its rows from its
 * views. The row type is computed from the columns, so a table's shape is
 * written once.
 */

/** Portable column types. `bigint` is a figure that may pass 2^31 (still a JS number); `date` an ISO day `YYYY-MM-DD`; `json` any JSON value. */
export type ColumnType = 'text' | 'integer' | 'bigint' | 'boolean' | 'date' | 'text[]' | 'json';

/** The value a row holds in a non-null column of a type. */
export type ValueOfType<T extends ColumnType> = T extends 'text' | 'date'
  ? string
  : T extends 'integer' | 'bigint'
    ? number
    : T extends 'boolean'
      ? boolean
      : T extends 'text[]'
        ? readonly string[]
        : unknown;

export interface Column<T extends ColumnType = ColumnType, N extends boolean = boolean> {
  readonly type: T;
  /** May a row hold `null` here? */
  readonly nullable: N;
  /** One line for a person reading the table (kept as the column's comment by the storage). */
  readonly comment?: string;
  /** No two rows hold the same value. */
  readonly unique?: boolean;
  /** The only values a text column holds (a check constraint where the storage has one). */
  readonly oneOf?: readonly string[];
}

export type Columns = Readonly<Record<string, Column>>;

/** The value of one column in a row: its type's (or one of `oneOf`), or null when nullable. */
export type ColumnValue<C extends Column> =
  | (C extends { readonly oneOf: readonly (infer V)[] } ? V : ValueOfType<C['type']>)
  | (C['nullable'] extends true ? null : never);

/** The row of a table with these columns: every column, keyed by its name. */
export type RowOf<C extends Columns> = { -readonly [K in keyof C]: ColumnValue<C[K]> };

/** A row as a storage writes it, keyed by column name. */
export type TableRow = Readonly<Record<string, unknown>>;

export interface TableDescription<C extends Columns = Columns> {
  /** `rm_` and a lowercase SQL identifier (`rm_partner_history`). */
  readonly name: string;
  /** One line above the table (kept as the table's comment by the storage). */
  readonly comment?: string;
  /** In the order the table lays them out. */
  readonly columns: C;
  readonly primaryKey: readonly (keyof C & string)[];
  /** Secondary indexes for report tools' usual joins. */
  readonly indexes?: readonly { readonly name: string; readonly columns: readonly (keyof C & string)[] }[];
}

/** A table, its name kept as a literal type (rows are typed by table name). */
export const table = <const N extends string, C extends Columns>(description: TableDescription<C> & { readonly name: N }): TableDescription<C> & { readonly name: N } =>
  description;

const of =
  <T extends ColumnType>(type: T) =>
  (comment?: string): Column<T, false> => ({ type, nullable: false, ...(comment === undefined ? {} : { comment }) });

/** Column builders: not null unless wrapped in `nullable`. */
export const column = {
  text: of('text'),
  integer: of('integer'),
  bigint: of('bigint'),
  boolean: of('boolean'),
  date: of('date'),
  textArray: of('text[]'),
  json: of('json'),
  /** A text column that holds one of `values`. */
  oneOf: <const V extends readonly string[]>(values: V, comment?: string): Column<'text', false> & { readonly oneOf: V } => ({ ...of('text')(comment), oneOf: values }),
};

export const nullable = <C extends Column>(c: C): Omit<C, 'nullable'> & { readonly nullable: true } => ({ ...c, nullable: true });

export const unique = <C extends Column>(c: C): C & { readonly unique: true } => ({ ...c, unique: true });

/** The same columns with comments on some of them (for a group of columns made by a helper). */
export const commented = <C extends Columns>(columns: C, comments: { readonly [K in keyof C]?: string }): C =>
  Object.fromEntries(Object.entries(columns).map(([name, c]) => [name, comments[name] === undefined ? c : { ...c, comment: comments[name] }])) as C;
