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
export function renderTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[], details?: (row: Row) => readonly string[]): string {
  const cells = rows.map((row) => columns.map((c) => cellText(c.value(row)).replace(/\r\n|\r|\n/g, ' ')));
  const widths = columns.map((c, i) => Math.max(displayWidth(c.header), ...cells.map((r) => displayWidth(r[i]!))));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (columns[i]!.align === 'right' ? padStart(v, widths[i]!) : i === values.length - 1 ? v : padEnd(v, widths[i]!)))
      .join('  ')
      .trimEnd();
  // With details, the full fact follows its row, indented.
  const body = cells.flatMap((r, i) => [line(r), ...(details ? details(rows[i]!).map((d) => `    ${d.replace(/\r\n|\r|\n/g, ' ')}`) : [])]);
  return [line(columns.map((c) => c.header)), line(widths.map((w) => '─'.repeat(w))), ...body].join('\n') + '\n';
}

const markdownCell = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r\n|\r|\n/g, '<br>');

export function renderMarkdown<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  // Details, when asked, come as the last column (see `printable`).
  const line = (values: readonly string[]) => `| ${values.join(' | ')} |`;
  return (
    [
      line(columns.map((c) => markdownCell(c.header))),
      line(columns.map((c) => (c.align === 'right' ? '---:' : '---'))),
      ...rows.map((row) => line(columns.map((c) => markdownCell(cellText(c.value(row)))))),
    ].join('\n') + '\n'
  );
}

/** RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled; CRLF line ends. */
const csvField = (text: string): string => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

export function renderCsv<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const line = (values: readonly string[]) => values.map(csvField).join(',');
  return [line(columns.map((c) => c.header)), ...rows.map((row) => line(columns.map((c) => cellText(c.value(row)))))].join('\r\n') + '\r\n';
}

/** JSON with bigints (log positions) as decimal strings, as the read models document them. */
export const renderJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n';

/** Rows in one of the text formats; `json` prints `model` (the read model itself), not the rows. */
export function render<Row>(format: Format, rows: readonly Row[], columns: readonly Column<Row>[], model: unknown, details?: (row: Row) => readonly string[]): string {
  switch (format) {
    case 'table':
      return renderTable(rows, columns, details);
    case 'markdown':
      return renderMarkdown(rows, columns);
    case 'csv':
      return renderCsv(rows, columns);
    case 'json':
      return renderJson(model);
  }
}
