import { pickText, type Language } from '@taawun/domain';
import { cellText, type AnalysisRecords, type Table } from '@taawun/projections/presentation';
import { csvText, render, renderCsv, renderJson, type Column, type Format, type TerminalOptions } from './render.js';
import { visibleControls, wrap } from './width.js';

/**
 * An answer of the query service as the CLI prints it: the presentation's
 * table (title, rows, notes) as text, markdown or CSV, or the answer itself as
 * JSON (`answer`, printed as it is). Table and markdown get the title and the notes around the rows; CSV is
 * the rows only (notes go to `warn`, so a spreadsheet import stays clean): the
 * answer's records for analysis when given (`records`: typed figures, lower
 * bounds and dates apart), else the table's cells.
 */
export function printable<Row>(
  format: Format,
  answer: unknown,
  table: Table<Row>,
  lang: Language,
  warn: (line: string) => void,
  options: { records?: AnalysisRecords; bom?: boolean; terminal?: TerminalOptions; details?: boolean } = {},
): string {
  if (format === 'json') return renderJson(answer);
  const details = options.details ? table.details : undefined;
  const columns = textColumns(table, format, lang, options.details === true);
  switch (format) {
    case 'csv':
      for (const note of table.notes) warn(note);
      return options.records ? csvText(options.records.columns, options.records.rows, options) : renderCsv(table.rows, columns, options);
    case 'markdown': {
      const title = markdownTitle(table.title);
      const notes = table.notes.length > 0 ? `\n${table.notes.map((n) => `- ${n}`).join('\n')}\n` : '';
      return `${title}${render('markdown', table.rows, columns, answer)}${notes}`;
    }
    case 'table': {
      const terminal = options.terminal ?? {};
      // Title and notes wrap to the terminal's width (a note can name thousands of records).
      const lines = (texts: readonly string[]) => wrappedLines(texts, terminal);
      const title = table.title.length > 0 ? `${lines(table.title)}\n\n` : '';
      const body = table.rows.length > 0 ? render('table', table.rows, columns, answer, terminal, details) : emptyLine(table);
      const notes = table.notes.length > 0 ? `\n${lines(table.notes)}\n` : '';
      return `${title}${body}${notes}`;
    }
  }
}

/** The presentation's columns as text cells in one language; markdown and CSV carry the full fact (`details`) as a last column. */
export function textColumns<Row>(table: Table<Row>, format: Format, lang: Language, withDetails: boolean): Column<Row>[] {
  const columns: Column<Row>[] = table.columns.map((c) => ({
    header: c.header,
    value: (row) => cellText(c.cell(row), lang, pickText),
    ...(c.align ? { align: c.align } : {}),
  }));
  const details = withDetails ? table.details : undefined;
  if (details && format !== 'table') columns.push({ header: 'DETAILS', value: (row) => details(row).join('\n') });
  return columns;
}

/** Title lines and notes as the table format prints them: wrapped to the terminal's width when there is one. */
export const wrappedLines = (texts: readonly string[], terminal: TerminalOptions): string => {
  const shown = texts.map(visibleControls);
  return (terminal.width === undefined ? shown : shown.flatMap((t) => wrap(t, terminal.width!))).join('\n');
};

/** The markdown heading of a table: its title as a heading, the other title lines under it. */
/** The line a table without rows prints: its own text (in the answer's language), else that nothing is recorded. */
export const emptyLine = (table: { readonly empty?: string | undefined } | undefined): string => `(${table?.empty ?? 'nothing recorded'})\n`;

export const markdownTitle = (title: readonly string[]): string =>
  title.length > 0 ? `## ${title[0]}\n\n${title.slice(1).map((l) => `${l}\n`).join('')}${title.length > 1 ? '\n' : ''}` : '';
