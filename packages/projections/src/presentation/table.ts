import type { Language, MultilingualText } from '@taawun/domain';

/**
 * An answer laid out as a table, whatever prints it: the CLI as text,
 * markdown or CSV, the report as HTML. A cell is plain text, a number, text
 * in several languages (each presentation picks or shows the languages), or
 * any of these referring to another answer (`ref`: the report links it).
 */
export type CellValue = string | number | null | { readonly text: MultilingualText | null; readonly fallback?: string };

export interface Ref {
  readonly readModel: string;
  readonly params: Readonly<Record<string, string>>;
}

export interface RefCell {
  readonly value: CellValue;
  readonly ref: Ref;
}

export type Cell = CellValue | RefCell;

export interface Column<Row> {
  readonly header: string;
  readonly cell: (row: Row) => Cell;
  readonly align?: 'left' | 'right';
}

export interface Table<Row = unknown> {
  /** The heading: its first line is the title. */
  readonly title: readonly string[];
  readonly rows: readonly Row[];
  readonly columns: readonly Column<Row>[];
  /** What the figures mean and what a lens left out. */
  readonly notes: readonly string[];
  /** What to say when there is no row (default: nothing recorded). */
  readonly empty?: string;
  /** The full fact under a row (cohorts, place, signatories, ...): the CLI prints it with `--details`, the report under each row. */
  readonly details?: (row: Row) => readonly string[];
  /** What identifies a row, by name (`partner`): the report marks each row with it. */
  readonly rowKey?: { readonly name: string; readonly of: (row: Row) => string };
}

/** Options every presentation takes. */
export interface PresentOptions {
  /** The language of names and titles (falls back to another the record has). */
  readonly lang: Language;
}

const isRef = (cell: Cell): cell is RefCell => typeof cell === 'object' && cell !== null && 'ref' in cell;

/** The value of a cell, without its reference. */
export const valueOf = (cell: Cell): CellValue => (isRef(cell) ? cell.value : cell);
/** The answer a cell refers to, if any. */
export const refOf = (cell: Cell): Ref | undefined => (isRef(cell) ? cell.ref : undefined);

/** A cell as plain text in one language. */
export function cellText(cell: Cell, lang: Language, pick: (text: MultilingualText, lang: Language) => string): string {
  const value = valueOf(cell);
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return value.text ? pick(value.text, lang) : (value.fallback ?? '');
}

export const multilingualCell = (text: MultilingualText | null, fallback?: string): CellValue => ({ text, ...(fallback === undefined ? {} : { fallback }) });
export const linked = (value: CellValue, readModel: string, params: Record<string, string>): Cell => ({ value, ref: { readModel, params } });
