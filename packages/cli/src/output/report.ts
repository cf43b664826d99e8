import { pickText, type Language, type MultilingualText } from '@taawun/domain';
import type { Count, LensReport } from '@taawun/projections';
import { render, renderJson, type Column, type Format } from './render.js';

/** What a query command prints: a title, rows, notes on what is not counted, and the JSON answer. */
export interface Printable<Row> {
  readonly title: readonly string[];
  readonly rows: readonly Row[];
  readonly columns: readonly Column<Row>[];
  readonly notes: readonly string[];
  /** Printed as is with `--format json`. */
  readonly json: unknown;
}

/**
 * Table and markdown get the title and the notes around the rows; CSV is the
 * rows only (notes go to `warn`, so a spreadsheet import stays clean); JSON is the answer.
 */
export function printable<Row>(format: Format, report: Printable<Row>, warn: (line: string) => void): string {
  switch (format) {
    case 'json':
      return renderJson(report.json);
    case 'csv':
      for (const note of report.notes) warn(note);
      return render('csv', report.rows, report.columns, report.json);
    case 'markdown': {
      const title = report.title.length > 0 ? `## ${report.title[0]}\n\n${report.title.slice(1).map((l) => `${l}\n`).join('')}${report.title.length > 1 ? '\n' : ''}` : '';
      const notes = report.notes.length > 0 ? `\n${report.notes.map((n) => `- ${n}`).join('\n')}\n` : '';
      return `${title}${render('markdown', report.rows, report.columns, report.json)}${notes}`;
    }
    case 'table': {
      const title = report.title.length > 0 ? `${report.title.join('\n')}\n\n` : '';
      const body = report.rows.length > 0 ? render('table', report.rows, report.columns, report.json) : '(nothing recorded)\n';
      const notes = report.notes.length > 0 ? `\n${report.notes.join('\n')}\n` : '';
      return `${title}${body}${notes}`;
    }
  }
}

export const languages = ['en', 'fr', 'ar'] as const;

/** Text in the chosen language, else another one the record has; never translated, never reshaped. */
export const textIn = (text: MultilingualText | null | undefined, lang: Language): string => (text ? pickText(text, lang) : '');

/** A figure the record may know only in part: `6`, or `≥ 8` when some records give no number. */
export const countText = (count: Count | undefined | null): string => (count ? (count.exact ? String(count.known) : `≥ ${count.known}`) : '');

/** What a time lens left out, in a few lines. */
export function lensNotes(lens: LensReport | null): string[] {
  if (!lens) return [];
  const notes: string[] = [];
  const view = [lens.asOf ? `as of ${lens.asOf}` : '', lens.asKnownOn ? `as known on ${lens.asKnownOn}` : ''].filter(Boolean).join(', ');
  notes.push(`Seen ${view}: ${lens.eventsCounted} events counted.`);
  const { yearUnknown, mayBeLater, later, recordedLater } = lens.notCounted;
  const cite = (list: readonly { sourceRef: string | null }[]) => {
    const refs = [...new Set(list.map((e) => e.sourceRef).filter((r): r is string => r !== null))];
    return `${list.length} event${list.length === 1 ? '' : 's'}${refs.length > 0 ? ` (${refs.join(', ')})` : ''}`;
  };
  const left = [
    yearUnknown.length > 0 ? `${cite(yearUnknown)} with the year unknown` : '',
    mayBeLater.length > 0 ? `${cite(mayBeLater)} that may be later` : '',
    later > 0 ? `${later} later` : '',
    recordedLater > 0 ? `${recordedLater} recorded later` : '',
  ].filter(Boolean);
  if (left.length > 0) notes.push(`Not counted: ${left.join('; ')}.`);
  return notes;
}
