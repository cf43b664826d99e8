import { readModelTables, type AnyReadModelTables, type Column, type ColumnType, type TableDescription } from '@taawun/projections';

/*
 * The DDL of read models' tables, generated from their descriptions (in
 * @taawun/projections): nothing here knows any read model. A table is laid out
 * as described, with each comment as a `--` comment in the DDL and as the
 * column's or table's COMMENT in the catalog, where report tools show it.
 */

const SQL_TYPES: Readonly<Record<ColumnType, string>> = {
  text: 'text',
  integer: 'integer',
  bigint: 'bigint',
  boolean: 'boolean',
  date: 'date',
  'text[]': 'text[]',
  json: 'jsonb',
};

export const sqlTypeOf = (type: ColumnType): string => SQL_TYPES[type];

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** Tables of this schema that no read model may describe. */
const RESERVED = new Set(['rm_read_models', 'rm_layouts']);

/** The names a read model's tables may not take here, as a problem to report (undefined: none). */
export const reservedNameIn = (description: AnyReadModelTables): string | undefined => description.tables.map((t) => t.name).find((name) => RESERVED.has(name));

function constraintsOf(name: string, c: Column, primaryKey: readonly string[]): string {
  const parts: string[] = [];
  if (primaryKey.length === 1 && primaryKey[0] === name) parts.push('PRIMARY KEY');
  else if (!c.nullable) parts.push('NOT NULL');
  if (c.unique) parts.push('UNIQUE');
  if (c.oneOf) parts.push(`CHECK (${name} IN (${c.oneOf.map(literal).join(', ')}))`);
  return parts.join(' ');
}

/** `CREATE TABLE` and its indexes; `qualifier` is `schema.` or empty; with `comments`, each comment after its column. */
function tableSql(qualifier: string, t: TableDescription, comments: boolean): string {
  const entries = Object.entries(t.columns);
  const nameWidth = Math.max(...entries.map(([name]) => name.length));
  const typeWidth = Math.max(...entries.map(([, c]) => sqlTypeOf(c.type).length));
  const lines = entries.map(([name, c]) => {
    const constraints = constraintsOf(name, c, t.primaryKey);
    const type = sqlTypeOf(c.type);
    return { text: `  ${name.padEnd(nameWidth)} ${constraints ? `${type.padEnd(typeWidth)} ${constraints}` : type}`, comment: c.comment };
  });
  if (t.primaryKey.length > 1) lines.push({ text: `  PRIMARY KEY (${t.primaryKey.join(', ')})`, comment: undefined });
  const width = Math.max(...lines.map((l, i) => l.text.length + (i < lines.length - 1 ? 1 : 0)));
  const body = lines.map((l, i) => {
    const text = i < lines.length - 1 ? `${l.text},` : l.text;
    return comments && l.comment ? `${text.padEnd(width)}  -- ${l.comment}` : text;
  });
  const indexes = (t.indexes ?? []).map((index) => `CREATE INDEX ${index.name} ON ${qualifier}${t.name} (${index.columns.join(', ')});`);
  const heading = comments && t.comment ? [`-- ${t.comment}`] : [];
  return [...heading, `CREATE TABLE ${qualifier}${t.name} (`, ...body, ');', ...indexes].join('\n');
}

/** A read model's tables as DDL; `qualifier` is `schema.` (already quoted) or empty. */
export function tablesSql(qualifier: string, description: AnyReadModelTables, comments = true): string {
  const heading = comments && description.comment ? `-- ${description.projection.name}: ${description.comment}\n` : '';
  return heading + description.tables.map((t) => tableSql(qualifier, t, comments)).join('\n\n');
}

/** The catalog comments of a read model's tables and columns (`COMMENT ON`), as statements. */
export function commentsSql(qualifier: string, description: AnyReadModelTables): string {
  const statements: string[] = [];
  for (const t of description.tables) {
    const about = t.comment ?? description.comment;
    statements.push(`COMMENT ON TABLE ${qualifier}${t.name} IS ${literal(`read model ${description.projection.name}${about ? `: ${about}` : ''}`)};`);
    for (const [name, c] of Object.entries(t.columns)) if (c.comment) statements.push(`COMMENT ON COLUMN ${qualifier}${t.name}.${name} IS ${literal(c.comment)};`);
  }
  return statements.join('\n');
}

/**
 * The DDL of read models' tables in `schema` (already quoted), with comments:
 * by default every built-in read model's, as the README shows it.
 */
export const readModelTablesSql = (schema: string, descriptions: readonly AnyReadModelTables[] = Object.values(readModelTables)): string =>
  descriptions.map((d) => tablesSql(`${schema}.`, d)).join('\n\n');
