import { pickText, type Language } from '@taawun/domain';
import { cellText, type Table } from '@taawun/projections/presentation';
import { render, renderJson, type Column, type Format } from './render.js';

/**
 * An answer of the query service as the CLI prints it: the presentation's
 * table (title, rows, notes) as text, markdown or CSV, or the answer itself as
 * JSON (`answer`, printed as it is). Table and markdown get the title and the notes around the rows; CSV is
 * the rows only (notes go to `warn`, so a spreadsheet import stays clean).
 */
export function printable<Row>(format: Format, answer: unknown, table: Table<Row>, lang: Language, warn: (line: string) => void, options: { details?: boolean } = {}): string {
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
      return render('csv', table.rows, columns, answer);
    case 'markdown': {
      const title = table.title.length > 0 ? `## ${table.title[0]}\n\n${table.title.slice(1).map((l) => `${l}\n`).join('')}${table.title.length > 1 ? '\n' : ''}` : '';
      const notes = table.notes.length > 0 ? `\n${table.notes.map((n) => `- ${n}`).join('\n')}\n` : '';
      return `${title}${render('markdown', table.rows, columns, answer)}${notes}`;
    }
    case 'table': {
      const title = table.title.length > 0 ? `${table.title.join('\n')}\n\n` : '';
      const body = table.rows.length > 0 ? render('table', table.rows, columns, answer, details) : `(${table.empty ?? 'nothing recorded'})\n`;
      const notes = table.notes.length > 0 ? `\n${table.notes.join('\n')}\n` : '';
      return `${title}${body}${notes}`;
    }
  }
}
