import type { MultilingualText } from '@taawun/domain';
import type { Count } from '../model/counts.js';
import { periodOf, type DateView } from '../model/dates.js';
import type { NameAtTime } from '../model/names.js';
import { column, nullable, type Column, type RowOf } from './columns.js';

/*
 * The domain's compound values as groups of columns, each with the function that
 * fills them from a view: the group's columns give the type its row must have.
 * Naming: a multilingual text is x_ar, x_fr, x_en; a partial date is x_edtf (as
 * recorded), x_label (in English), x_earliest and x_latest (its bounds; null when
 * open); a count the record may know only in part is x (what is known) and
 * x_exact (false: a lower bound).
 */

type Language = 'ar' | 'fr' | 'en';

export type MultilingualColumns<P extends string> = { readonly [K in `${P}_${Language}`]: Column<'text', true> };

/** A multilingual text: three nullable text columns (the comment goes on the first). */
export const multilingualColumns = <P extends string>(prefix: P, comment?: string): MultilingualColumns<P> =>
  ({ [`${prefix}_ar`]: nullable(column.text(comment)), [`${prefix}_fr`]: nullable(column.text()), [`${prefix}_en`]: nullable(column.text()) }) as MultilingualColumns<P>;

export const multilingualRow = <P extends string>(prefix: P, value: MultilingualText | null | undefined): RowOf<MultilingualColumns<P>> =>
  ({ [`${prefix}_ar`]: value?.ar ?? null, [`${prefix}_fr`]: value?.fr ?? null, [`${prefix}_en`]: value?.en ?? null }) as RowOf<MultilingualColumns<P>>;

export type PartialDateColumns<P extends string> = { readonly [K in `${P}_edtf` | `${P}_label`]: Column<'text', false> } & {
  readonly [K in `${P}_earliest` | `${P}_latest`]: Column<'date', true>;
};

/** A partial date as recorded, its label and its bounds. */
export const partialDateColumns = <P extends string>(prefix: P): PartialDateColumns<P> =>
  ({
    [`${prefix}_edtf`]: column.text(),
    [`${prefix}_label`]: column.text(),
    [`${prefix}_earliest`]: nullable(column.date()),
    [`${prefix}_latest`]: nullable(column.date()),
  }) as PartialDateColumns<P>;

export const partialDateRow = <P extends string>(prefix: P, view: DateView): RowOf<PartialDateColumns<P>> =>
  ({ [`${prefix}_edtf`]: view.edtf, [`${prefix}_label`]: view.label, [`${prefix}_earliest`]: view.earliest, [`${prefix}_latest`]: view.latest }) as RowOf<PartialDateColumns<P>>;

/** The year, when a date lies within one; and the yearly report's period it falls in (never a guessed year). */
export const yearColumns = {
  known_year: nullable(column.integer('the year, when the date lies within one year')),
  period: column.text(),
};

export const yearRow = (view: DateView): RowOf<typeof yearColumns> => {
  const period = periodOf(view.edtf);
  return { known_year: period.kind === 'year' ? period.fromYear : null, period: period.key };
};

export type CountColumns<P extends string, N extends boolean> = { readonly [K in P]: Column<'bigint', N> } & { readonly [K in `${P}_exact`]: Column<'boolean', N> };

/** A figure the record may know only in part: what is known, and whether that is all. */
export function countColumns<P extends string>(prefix: P, options: { readonly nullable: false; readonly comment?: string }): CountColumns<P, false>;
export function countColumns<P extends string>(prefix: P, options?: { readonly nullable?: true; readonly comment?: string }): CountColumns<P, true>;
export function countColumns<P extends string>(prefix: P, options: { readonly nullable?: boolean; readonly comment?: string } = {}): CountColumns<P, boolean> {
  const known = column.bigint(options.comment);
  const exact = column.boolean();
  return (options.nullable === false ? { [prefix]: known, [`${prefix}_exact`]: exact } : { [prefix]: nullable(known), [`${prefix}_exact`]: nullable(exact) }) as CountColumns<P, boolean>;
}

export function countRow<P extends string>(prefix: P, value: Count): RowOf<CountColumns<P, false>>;
export function countRow<P extends string>(prefix: P, value: Count | null | undefined): RowOf<CountColumns<P, true>>;
export function countRow<P extends string>(prefix: P, value: Count | null | undefined): RowOf<CountColumns<P, true>> {
  return { [prefix]: value ? value.known : null, [`${prefix}_exact`]: value ? value.exact : null } as RowOf<CountColumns<P, true>>;
}

export type NameColumns<P extends string> = { readonly [K in `${P}_certainty`]: Column<'text', false> } & MultilingualColumns<P>;

/** A name at a time: how certain it is (stated, in-force, uncertain: name null, unknown), and the name. */
export const nameAtTimeColumns = <P extends string>(prefix: P, comment?: string, nameComment?: string): NameColumns<P> =>
  ({ [`${prefix}_certainty`]: column.text(comment), ...multilingualColumns(prefix, nameComment) }) as NameColumns<P>;

export const nameAtTimeRow = <P extends string>(prefix: P, value: NameAtTime): RowOf<NameColumns<P>> =>
  ({ [`${prefix}_certainty`]: value.certainty, ...multilingualRow(prefix, value.name) }) as RowOf<NameColumns<P>>;
