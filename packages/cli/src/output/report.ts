import { pickText, type Language } from '@taawun/domain';
import { cellText, type AnalysisRecords, type Table } from '@taawun/projections/presentation';
import { csvText, render, renderCsv, renderJson, type Column, type Format, type TerminalOptions } from './render.js';
import { wrap } from './width.js';

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
  const columns: Column<Row>[] = table.columns.map((c) => ({
    header: c.header,
    value: (row) => cellText(c.cell(row), lang, pickText),
    ...(c.align ? { align: c.align } : {}),
  }));
  // Markdown and CSV carry the full fact as a last column.
  if (details && format !== 'table') columns.push({ header: 'DETAILS', value: (row) => details(row).join('\n') });
  switch (format) {
    case 'csv':
      for (const note of table.notes) warn(note);
      return options.records ? csvText(options.records.columns, options.records.rows, options) : renderCsv(table.rows, columns, options);
    case 'markdown': {
      const title = table.title.length > 0 ? `## ${table.title[0]}\n\n${table.title.slice(1).map((l) => `${l}\n`).join('')}${table.title.length > 1 ? '\n' : ''}` : '';
      const notes = table.notes.length > 0 ? `\n${table.notes.map((n) => `- ${n}`).join('\n')}\n` : '';
      return `${title}${render('markdown', table.rows, columns, answer)}${notes}`;
    }
    case 'table': {
      const terminal = options.terminal ?? {};
      // Title and notes wrap to the terminal's width (a note can name thousands of records).
      const lines = (texts: readonly string[]) => (terminal.width === undefined ? texts : texts.flatMap((t) => wrap(t, terminal.width!))).join('\n');
      const title = table.title.length > 0 ? `${lines(table.title)}\n\n` : '';
      const body = table.rows.length > 0 ? render('table', table.rows, columns, answer, terminal, details) : `(${table.empty ?? 'nothing recorded'})\n`;
      const notes = table.notes.length > 0 ? `\n${lines(table.notes)}\n` : '';
      return `${title}${body}${notes}`;
    }
  }
}
