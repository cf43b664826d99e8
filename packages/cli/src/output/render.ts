import { stringify } from 'csv-stringify/sync';
import picocolors from 'picocolors';
import { displayWidth, isolate, padEnd, padStart, wrap } from './width.js';

export const formats = ['table', 'markdown', 'csv', 'json'] as const;
export type Format = (typeof formats)[number];

export interface Column<Row> {
  readonly header: string;
  readonly value: (row: Row) => string | number | undefined;
  readonly align?: 'left' | 'right';
}

const cellText = (value: string | number | undefined): string => (value === undefined ? '' : String(value));

/** How a table meets the terminal: its width in columns (none: lines kept whole) and whether to colour. */
export interface TerminalOptions {
  readonly width?: number;
  readonly color?: boolean;
}

/**
 * A table for a terminal: columns padded by display width; when a width is
 * given and the table is wider, the widest columns give way first and their
 * cells wrap onto more lines. Right-to-left text is isolated in its cell.
 * Colour (a bold header, a dim rule) only when asked. With details, the full
 * fact follows its row, indented and wrapped.
 */
export function renderTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[], terminal: TerminalOptions = {}, details?: (row: Row) => readonly string[]): string {
  const cells = rows.map((row) => columns.map((c) => cellText(c.value(row)).replace(/\r\n|\r|\n/g, ' ')));
  const natural = columns.map((c, i) => Math.max(displayWidth(c.header), ...cells.map((r) => displayWidth(r[i]!))));
  const longestWord = (text: string) => Math.max(0, ...text.split(' ').map(displayWidth));
  const words = columns.map((c, i) => Math.max(longestWord(c.header), ...cells.map((r) => longestWord(r[i]!))));
  const widths = fit(natural, words, columns.map((c) => displayWidth(c.header)), terminal.width);
  const color = picocolors.createColors(terminal.color === true);
  const lines = (values: readonly string[]): string[] => {
    const wrapped = values.map((v, i) => wrap(v, widths[i]!).map(isolate));
    const height = Math.max(...wrapped.map((w) => w.length));
    return Array.from({ length: height }, (_, n) =>
      wrapped
        .map((w, i) => {
          const v = w[n] ?? '';
          return columns[i]!.align === 'right' ? padStart(v, widths[i]!) : i === wrapped.length - 1 ? v : padEnd(v, widths[i]!);
        })
        .join('  ')
        .trimEnd(),
    );
  };
  return (
    [...lines(columns.map((c) => c.header)).map((l) => color.bold(l)), color.dim(widths.map((w) => '─'.repeat(w)).join('  ')), ...cells.flatMap((r, i) => [...lines(r), ...(details ? details(rows[i]!).flatMap((d) => indented(d, terminal.width)) : [])])].join('\n') + '\n'
  );
}

/** A detail line under its row: indented, and wrapped to the width when there is one. */
const indented = (detail: string, width: number | undefined): string[] =>
  (width === undefined ? [detail.replace(/\r\n|\r|\n/g, ' ')] : wrap(detail.replace(/\r\n|\r|\n/g, ' '), Math.max(20, width - 4))).map((l) => `    ${l}`);

/**
 * Column widths within `total` (two spaces between columns): the widest give
 * way first, first down to their longest word (so words are not cut), then, if
 * still too wide, down to their header (at most 8), then to five characters.
 */
function fit(natural: readonly number[], words: readonly number[], headers: readonly number[], total: number | undefined): number[] {
  const widths = [...natural];
  if (total === undefined) return widths;
  const available = total - 2 * (widths.length - 1);
  let sum = widths.reduce((a, b) => a + b, 0);
  const hard = natural.map((n, i) => Math.min(n, Math.max(3, Math.min(headers[i]!, 8))));
  const soft = natural.map((n, i) => Math.min(n, Math.max(hard[i]!, Math.min(words[i]!, 20))));
  // Last resort for many columns (the yearly report has twelve): five characters each, the width of "≥ 128".
  const tight = natural.map((n) => Math.min(n, 5));
  for (const floors of [soft, hard, tight]) {
    while (sum > available) {
      let widest = -1;
      for (let i = 0; i < widths.length; i++) if (widths[i]! > floors[i]! && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
      if (widest < 0) break;
      widths[widest]!--;
      sum--;
    }
  }
  return widths;
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
export function render<Row>(format: Format, rows: readonly Row[], columns: readonly Column<Row>[], model: unknown, terminal: TerminalOptions = {}, details?: (row: Row) => readonly string[]): string {
  switch (format) {
    case 'table':
      return renderTable(rows, columns, terminal, details);
    case 'markdown':
      return renderMarkdown(rows, columns);
    case 'csv':
      return renderCsv(rows, columns);
    case 'json':
      return renderJson(model);
  }
}
