import { z } from 'zod';
import { comparePartialDates, dateBounds as parseBounds, describePartialDate, parsePartialDate, type DateBounds, type IsoDay, type PartialDate } from '@taawun/domain';

/*
 * Dates repeat (a year, a day recorded on hundreds of records): their bounds and
 * labels are remembered, a few thousand at a time, so that a rebuild or a page of
 * a history does not parse the same date over and over.
 */
const remembered = new Map<string, { bounds: DateBounds; label?: string }>();
function rememberedOf(date: PartialDate): { bounds: DateBounds; label?: string } {
  let found = remembered.get(date);
  if (!found) {
    if (remembered.size >= 10_000) remembered.clear();
    found = { bounds: parseBounds(date) };
    remembered.set(date, found);
  }
  return found;
}

/** `dateBounds` of the domain, remembered. */
export const dateBounds = (date: PartialDate): DateBounds => rememberedOf(date).bounds;
const labelOf = (date: PartialDate): string => {
  const found = rememberedOf(date);
  return (found.label ??= describePartialDate(date));
};

/** A date as the read models show it: the EDTF string as recorded, a reader's label, and its bounds. */
export const dateViewSchema = z
  .object({
    edtf: z.string().meta({ description: 'As recorded (EDTF): `2018`, `2018-11-07/2018-11-08`, `../2022`, `XXXX-11-15/XXXX-11-25`, `XXXX`' }),
    label: z.string().meta({ description: 'In English: "2018", "7–8 November 2018", "by 2022", "15–25 November (year unknown)", "date unknown"' }),
    earliest: z.string().nullable().meta({ description: 'First possible day (YYYY-MM-DD), or null when there is no lower bound' }),
    latest: z.string().nullable().meta({ description: 'Last possible day (YYYY-MM-DD), or null when there is no upper bound' }),
    yearUnknown: z.boolean(),
  })
  .meta({ id: 'DateView' });
export type DateView = z.infer<typeof dateViewSchema>;

export function dateView(date: PartialDate): DateView {
  const bounds = dateBounds(date);
  return { edtf: date, label: labelOf(date), earliest: bounds.earliest ?? null, latest: bounds.latest ?? null, yearUnknown: bounds.yearUnknown };
}

/**
 * Order by when things were certainly done: by the last possible day, then the
 * first; dates with no end ("since 2002") after those, and dates with an unknown
 * year last (by month and day where known). Every answer "as of D" is then a
 * prefix of the full list, and overlapping dates are flagged, not guessed.
 */
export function compareByCompletion(a: PartialDate, b: PartialDate): number {
  const ka = completionKey(a);
  const kb = completionKey(b);
  if (ka.group !== kb.group) return ka.group - kb.group;
  if (ka.group === 2) return comparePartialDates(a, b);
  for (const [x, y] of [[ka.first, kb.first], [ka.second, kb.second], [a, b]] as const) {
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
}

/** Separates the fields of a sort key: below every character a field holds, so keys compare field by field. */
export const SORT_SEPARATOR = '\u0001';
/** Between a followed record's id and its follower's in a sort key (a stated order): above the field separator, below every character of an id. */
export const FOLLOWS_MARK = '\u0002';

/**
 * A string whose binary order (UTF-16 code units, as JavaScript's `<` and
 * SQLite's BINARY collation of ASCII compare) is `compareByCompletion`'s: index
 * entries sorted by it are in a history's chronological order.
 */
export function completionSortKey(date: PartialDate): string {
  const key = completionKey(date);
  if (key.group !== 2) return [key.group, key.first, key.second, date].join(SORT_SEPARATOR);
  // Unknown years: comparePartialDates orders them by month and day where known, then as written.
  const parsed = parsePartialDate(date);
  const anchor = parsed.ok ? (parsed.value.kind === 'point' ? parsed.value.point : parsed.value.start) : undefined;
  const pad = (n: number | undefined) => String(n ?? 0).padStart(2, '0');
  const monthDay = anchor?.month !== undefined ? `${pad(anchor.month)}-${pad(anchor.day)}` : '99-99';
  return ['2', monthDay, date].join(SORT_SEPARATOR);
}

function completionKey(date: PartialDate): { group: 0 | 1 | 2; first: string; second: string } {
  const { earliest, latest, yearUnknown } = dateBounds(date);
  if (yearUnknown) return { group: 2, first: '', second: '' };
  if (latest === undefined) return { group: 1, first: earliest ?? '', second: '' };
  return { group: 0, first: latest, second: earliest ?? '' };
}

/** The bounds a date contributes to `orderCertainty`: none at all when its year is unknown. */
export interface OrderBounds {
  readonly earliest?: string | undefined;
  readonly latest?: string | undefined;
}

export const orderBounds = (date: PartialDate): OrderBounds => {
  const b = dateBounds(date);
  return b.yearUnknown ? {} : b;
};

/**
 * A bound over the items on one side of a list: a day, `open` when some item
 * has no such bound, `none` when there is no item on that side.
 */
export type SideBound = { readonly kind: 'none' } | { readonly kind: 'open' } | { readonly kind: 'day'; readonly day: string };
export const noBound: SideBound = { kind: 'none' };

const mergeBound = (bound: SideBound, day: string | undefined, pick: (a: string, b: string) => string): SideBound =>
  day === undefined || bound.kind === 'open' ? { kind: 'open' } : { kind: 'day', day: bound.kind === 'none' ? day : pick(bound.day, day) };

/** The latest possible day of the items before a page (for `orderCertaintyWithin`). */
export const latestOf = (bounds: readonly OrderBounds[]): SideBound => bounds.reduce<SideBound>((b, x) => mergeBound(b, x.latest, (p, q) => (p > q ? p : q)), noBound);
/** The earliest possible day of the items after a page. */
export const earliestOf = (bounds: readonly OrderBounds[]): SideBound => bounds.reduce<SideBound>((b, x) => mergeBound(b, x.earliest, (p, q) => (p < q ? p : q)), noBound);

/**
 * Whether each item's place in a list sorted by `compareByCompletion` is certain:
 * it certainly happened after everything before it and before everything after it.
 */
export function orderCertainty(dates: readonly PartialDate[]): boolean[] {
  return orderCertaintyWithin(dates.map(orderBounds), noBound, noBound);
}

/**
 * `orderCertainty` of a page of a longer sorted list, given the latest bound of
 * the items before the page and the earliest bound of the items after it.
 */
export function orderCertaintyWithin(bounds: readonly OrderBounds[], before: SideBound, after: SideBound): boolean[] {
  const latestBefore: SideBound[] = [];
  let running = before;
  for (const b of bounds) {
    latestBefore.push(running);
    running = mergeBound(running, b.latest, (x, y) => (x > y ? x : y));
  }
  const result: boolean[] = new Array(bounds.length);
  let earliestAfter = after;
  for (let i = bounds.length - 1; i >= 0; i--) {
    const { earliest, latest } = bounds[i]!;
    const prior = latestBefore[i]!;
    const afterAll = prior.kind === 'none' || (prior.kind === 'day' && earliest !== undefined && earliest > prior.day);
    const beforeAll = earliestAfter.kind === 'none' || (earliestAfter.kind === 'day' && latest !== undefined && latest < earliestAfter.day);
    result[i] = afterAll && beforeAll;
    earliestAfter = mergeBound(earliestAfter, earliest, (x, y) => (x < y ? x : y));
  }
  return result;
}

/** Where a date goes in a per-year report: one year, a span of years, "by YYYY", "from YYYY", or "year unknown". */
export const periodSchema = z
  .object({
    key: z.string().meta({ description: '`2018`, `2016-2020`, `by-2022`, `from-2002`, `year-unknown`' }),
    kind: z.enum(['year', 'span', 'by', 'from', 'unknown']),
    label: z.string().meta({ description: '"2018", "2016–2020", "by 2022", "from 2002", "year unknown"' }),
    fromYear: z.number().int().nullable(),
    toYear: z.number().int().nullable(),
  })
  .meta({ id: 'Period' });
export type Period = z.infer<typeof periodSchema>;

export function periodOf(date: PartialDate): Period {
  const { earliest, latest, yearUnknown } = dateBounds(date);
  const from = earliest === undefined ? null : Number(earliest.slice(0, 4));
  const to = latest === undefined ? null : Number(latest.slice(0, 4));
  if (yearUnknown || (from === null && to === null)) return { key: 'year-unknown', kind: 'unknown', label: 'year unknown', fromYear: null, toYear: null };
  if (from === null) return { key: `by-${to}`, kind: 'by', label: `by ${to}`, fromYear: null, toYear: to };
  if (to === null) return { key: `from-${from}`, kind: 'from', label: `from ${from}`, fromYear: from, toYear: null };
  if (from === to) return { key: String(from), kind: 'year', label: String(from), fromYear: from, toYear: to };
  return { key: `${from}-${to}`, kind: 'span', label: `${from}–${to}`, fromYear: from, toYear: to };
}

/** Periods in the order of `compareByCompletion`: by their last year, "by" before the year itself; "from" and unknown last. */
export function comparePeriods(a: Period, b: Period): number {
  const rank = (p: Period): [number, number, number] =>
    p.kind === 'unknown' ? [3, 0, 0] : p.kind === 'from' ? [2, p.fromYear!, 0] : [1, p.toYear!, p.fromYear ?? Number.NEGATIVE_INFINITY];
  const [x, y] = [rank(a), rank(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
}
