import { stringify } from 'csv-stringify/sync';
import picocolors from 'picocolors';
import { displayWidth, isolate, padEnd, padStart, visibleControls, wrap } from './width.js';

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
  const widths = tableWidths(measureColumns(rows, columns), columns, terminal);
  return tableHead(columns, widths, terminal) + tableRows(rows, columns, widths, terminal, details);
}

const rowCells = <Row>(row: Row, columns: readonly Column<Row>[]): string[] => columns.map((c) => visibleControls(cellText(c.value(row)).replace(/\r\n|\r|\n/g, ' ')));

/** What the cells of some rows need: each column's widest cell and longest word (the header's included). */
export interface ColumnMeasure {
  readonly natural: readonly number[];
  readonly words: readonly number[];
}

const longestWord = (text: string) => Math.max(0, ...text.split(' ').map(displayWidth));

export function measureColumns<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): ColumnMeasure {
  const cells = rows.map((row) => rowCells(row, columns));
  return {
    natural: columns.map((c, i) => Math.max(displayWidth(c.header), ...cells.map((r) => displayWidth(r[i]!)))),
    words: columns.map((c, i) => Math.max(longestWord(c.header), ...cells.map((r) => longestWord(r[i]!)))),
  };
}

/** The measure of two sets of rows together. */
export const widerMeasure = (a: ColumnMeasure, b: ColumnMeasure): ColumnMeasure => ({
  natural: a.natural.map((n, i) => Math.max(n, b.natural[i]!)),
  words: a.words.map((n, i) => Math.max(n, b.words[i]!)),
});

/** The columns' widths for a measure: each column's widest cell, fitted to the terminal's width when there is one. */
export const tableWidths = <Row>(measure: ColumnMeasure, columns: readonly Column<Row>[], terminal: TerminalOptions = {}): number[] =>
  fit(measure.natural, measure.words, columns.map((c) => displayWidth(c.header)), terminal.width);

/**
 * Lines of cells in these widths: a cell wider than its column (when the
 * terminal is narrower than the table) wraps onto more lines within it, at
 * spaces, else after hyphens, else by grapheme; the last column is not padded.
 */
function cellLines(values: readonly string[], columns: readonly Column<unknown>[], widths: readonly number[], terminal: TerminalOptions): string[] {
  const wrapped = values.map((v, i) => wrap(v, i === values.length - 1 && terminal.width === undefined ? Infinity : widths[i]!).map(isolate));
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
}

/** The header of a table in these widths, and its rule. */
export function tableHead<Row>(columns: readonly Column<Row>[], widths: readonly number[], terminal: TerminalOptions = {}): string {
  const color = picocolors.createColors(terminal.color === true);
  const head = cellLines(columns.map((c) => c.header), columns as readonly Column<unknown>[], widths, terminal).map((l) => color.bold(l));
  return [...head, color.dim(widths.map((w) => '─'.repeat(w)).join('  '))].join('\n') + '\n';
}

/** Rows of a table in these widths (see `tableWidths`), each followed by its details when given. */
export function tableRows<Row>(rows: readonly Row[], columns: readonly Column<Row>[], widths: readonly number[], terminal: TerminalOptions = {}, details?: (row: Row) => readonly string[]): string {
  const shown = columns as readonly Column<unknown>[];
  return rows.map((row) => [...cellLines(rowCells(row, columns), shown, widths, terminal), ...(details ? details(row).flatMap((d) => indented(d, terminal.width)) : [])].join('\n') + '\n').join('');
}

/** A detail line under its row: indented, and wrapped to the width when there is one. */
const indented = (detail: string, width: number | undefined): string[] => {
  const line = visibleControls(detail.replace(/\r\n|\r|\n/g, ' '));
  return (width === undefined ? [line] : wrap(line, Math.max(20, width - 4))).map((l) => `    ${l}`);
};

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
  return markdownHead(columns) + markdownRows(rows, columns);
}

const markdownLine = (values: readonly string[]) => `| ${values.join(' | ')} |\n`;

/** The header of a markdown table and its alignment line. Details, when asked, come as the last column (see `printable`). */
export const markdownHead = <Row>(columns: readonly Column<Row>[]): string =>
  markdownLine(columns.map((c) => markdownCell(c.header))) + markdownLine(columns.map((c) => (c.align === 'right' ? '---:' : '---')));

/** Rows of a markdown table: each row stands alone, so a list is written a page at a time as it is read. */
export const markdownRows = <Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string =>
  rows.map((row) => markdownLine(columns.map((c) => markdownCell(cellText(c.value(row)))))).join('');

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
export function csvText(columns: readonly string[], rows: readonly (readonly (string | number | boolean | null | undefined)[])[], options: { bom?: boolean; header?: boolean } = {}): string {
  return stringify(
    rows.map((r) => [...r]),
    {
      // Without the header: rows that follow others already written (a list written a page at a time).
      header: options.header !== false,
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
