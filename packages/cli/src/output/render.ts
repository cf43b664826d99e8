import { stringify } from 'csv-stringify/sync';
import { displayWidth, padEnd, padStart } from './width.js';

export const formats = ['table', 'markdown', 'csv', 'json'] as const;
export type Format = (typeof formats)[number];

export interface Column<Row> {
  readonly header: string;
  readonly value: (row: Row) => string | number | undefined;
  readonly align?: 'left' | 'right';
}

const cellText = (value: string | number | undefined): string => (value === undefined ? '' : String(value));

/** A table for a terminal: columns padded by display width, strings kept whole (a line break shows as a space). */
export function renderTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const cells = rows.map((row) => columns.map((c) => cellText(c.value(row)).replace(/\r\n|\r|\n/g, ' ')));
  const widths = columns.map((c, i) => Math.max(displayWidth(c.header), ...cells.map((r) => displayWidth(r[i]!))));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (columns[i]!.align === 'right' ? padStart(v, widths[i]!) : i === values.length - 1 ? v : padEnd(v, widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), line(widths.map((w) => '─'.repeat(w))), ...cells.map(line)].join('\n') + '\n';
}

const markdownCell = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r\n|\r|\n/g, '<br>');

export function renderMarkdown<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const line = (values: readonly string[]) => `| ${values.join(' | ')} |`;
  return (
    [
      line(columns.map((c) => markdownCell(c.header))),
      line(columns.map((c) => (c.align === 'right' ? '---:' : '---'))),
      ...rows.map((row) => line(columns.map((c) => markdownCell(cellText(c.value(row)))))),
    ].join('\n') + '\n'
  );
}

/**
 * A cell a spreadsheet would run as a formula (it starts with = + - @, a tab
 * or a carriage return: a partner named `=HYPERLINK("x")`) is neutralised with
 * a leading apostrophe, which spreadsheets show as text (OWASP's advice).
 * Numbers stay numbers: only text is guarded.
 */
export const neutraliseFormula = (text: string): string => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

/**
 * CSV (RFC 4180, through csv-stringify): a header line, quotes doubled, CRLF;
 * numbers as numbers, booleans as true/false, null as an empty cell, text
 * guarded against formulas. `bom`: a UTF-8 byte-order mark first, so that
 * spreadsheet programs read Arabic right.
 */
export function csvText(columns: readonly string[], rows: readonly (readonly (string | number | boolean | null | undefined)[])[], options: { bom?: boolean } = {}): string {
  return stringify(
    rows.map((r) => [...r]),
    {
      header: true,
      columns: [...columns],
      record_delimiter: 'windows',
      // A line break inside a cell is quoted whatever the record delimiter (RFC 4180 readers expect it).
      quoted_match: /[\r\n]/,
      bom: options.bom === true,
      cast: { string: neutraliseFormula, boolean: (value) => (value ? 'true' : 'false') },
    },
  );
}

/** Rows of a table as CSV: the columns' headers and cell values. */
export function renderCsv<Row>(rows: readonly Row[], columns: readonly Column<Row>[], options: { bom?: boolean } = {}): string {
  return csvText(columns.map((c) => c.header), rows.map((row) => columns.map((c) => c.value(row))), options);
}

/** JSON with bigints (log positions) as decimal strings, as the read models document them. */
export const renderJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n';

/** Rows in one of the text formats; `json` prints `model` (the read model itself), not the rows. */
export function render<Row>(format: Format, rows: readonly Row[], columns: readonly Column<Row>[], model: unknown): string {
  switch (format) {
    case 'table':
      return renderTable(rows, columns);
    case 'markdown':
      return renderMarkdown(rows, columns);
    case 'csv':
      return renderCsv(rows, columns);
    case 'json':
      return renderJson(model);
  }
}
