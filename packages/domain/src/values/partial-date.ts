import { z } from 'zod';

/**
 * A date as precisely as the source knows it, written in a subset of EDTF
 * (ISO 8601-2, the Library of Congress's Extended Date/Time Format):
 *
 * | written            | means                                   | fact |
 * |--------------------|-----------------------------------------|------|
 * | `2018`             | some day in 2018                        | F3   |
 * | `2018-11`          | some day in November 2018               |      |
 * | `2022-12-15`       | that day                                | F1   |
 * | `2018-11-07/2018-11-08` | from one to the other (any precision) | F4 |
 * | `2016/2020`        | spread over 2016 to 2020                | F18  |
 * | `../2018`          | on or before 2018, start unknown        | F2   |
 * | `2002/..`          | from 2002, still open                   |      |
 * | `XXXX-11-15/XXXX-11-25` | 15 to 25 November, year unknown    | F10  |
 * | `XXXX`             | unknown                                 | F11  |
 *
 * Nothing is rounded: the string is kept as written, and every question
 * about it (ordering, "in year Y?", "before day D?") answers from its bounds,
 * with "maybe" where the bounds do not decide.
 */
export type PartialDate = string;

export interface DatePoint {
  /** Undefined when the year is not known (`XXXX`). */
  readonly year?: number;
  readonly month?: number;
  readonly day?: number;
}

export type ParsedPartialDate =
  | { readonly kind: 'point'; readonly point: DatePoint }
  | { readonly kind: 'interval'; readonly start?: DatePoint; readonly end?: DatePoint };

/** ISO day `YYYY-MM-DD`; lexicographic order is chronological for years 1000-9999. */
export type IsoDay = string;

export interface DateBounds {
  /** First possible day; `undefined` when the date has no known lower bound. */
  readonly earliest?: IsoDay;
  /** Last possible day; `undefined` when the date has no known upper bound. */
  readonly latest?: IsoDay;
  /** True when the year is unknown: the bounds say nothing. */
  readonly yearUnknown: boolean;
}

const pointPattern = /^(\d{4}|XXXX)(?:-(\d{2})(?:-(\d{2}))?)?$/;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

const daysInMonth = (year: number | undefined, month: number): number => {
  if (month === 2) {
    if (year === undefined) return 29;
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
};

function parsePoint(text: string): DatePoint | string {
  const m = pointPattern.exec(text);
  if (!m) return `"${text}" is not a date: write YYYY, YYYY-MM, YYYY-MM-DD (XXXX for an unknown year)`;
  const year = m[1] === 'XXXX' ? undefined : Number(m[1]);
  if (year === 0) return `"${text}": year 0000 does not exist`;
  const month = m[2] === undefined ? undefined : Number(m[2]);
  const day = m[3] === undefined ? undefined : Number(m[3]);
  if (month !== undefined && (month < 1 || month > 12)) return `"${text}": month ${m[2]} is not 01-12`;
  if (month !== undefined && day !== undefined && (day < 1 || day > daysInMonth(year, month))) {
    return `"${text}": day ${m[3]} does not exist in that month`;
  }
  return { ...(year === undefined ? {} : { year }), ...(month === undefined ? {} : { month }), ...(day === undefined ? {} : { day }) };
}

const firstDay = (p: DatePoint): IsoDay | undefined =>
  p.year === undefined ? undefined : `${pad(p.year, 4)}-${pad(p.month ?? 1)}-${pad(p.day ?? 1)}`;

const lastDay = (p: DatePoint): IsoDay | undefined => {
  if (p.year === undefined) return undefined;
  const month = p.month ?? 12;
  return `${pad(p.year, 4)}-${pad(month)}-${pad(p.day ?? daysInMonth(p.year, month))}`;
};

/** Month-day key for ordering yearless dates among themselves. */
const monthDayKey = (p: DatePoint): string => `${pad(p.month ?? 0)}-${pad(p.day ?? 0)}`;

export type PartialDateParse = { ok: true; value: ParsedPartialDate } | { ok: false; message: string };

/**
 * Parsed dates, memoised: a log repeats the same few thousand dates millions of
 * times, and every decode validates them. Results are immutable; the cache is
 * emptied when it grows past its bound.
 */
const parsedDates = new Map<string, PartialDateParse>();
const PARSED_DATES_MAX = 20_000;

export function parsePartialDate(text: string): PartialDateParse {
  if (typeof text !== 'string') return { ok: false, message: 'a date is required (XXXX when unknown)' };
  const cached = parsedDates.get(text);
  if (cached) return cached;
  const result = parseUncached(text);
  if (parsedDates.size >= PARSED_DATES_MAX) parsedDates.clear();
  parsedDates.set(text, result);
  return result;
}

function parseUncached(text: string): PartialDateParse {
  if (text.length === 0) return { ok: false, message: 'a date is required (XXXX when unknown)' };
  if (!text.includes('/')) {
    const point = parsePoint(text);
    return typeof point === 'string' ? { ok: false, message: point } : { ok: true, value: { kind: 'point', point } };
  }
  const parts = text.split('/');
  if (parts.length !== 2) return { ok: false, message: `"${text}": an interval has exactly one "/"` };
  const [from, to] = parts as [string, string];
  if (from === '..' && to === '..') return { ok: false, message: `"${text}": an interval needs at least one known end` };
  const start = from === '..' ? undefined : parsePoint(from);
  const end = to === '..' ? undefined : parsePoint(to);
  if (typeof start === 'string') return { ok: false, message: start };
  if (typeof end === 'string') return { ok: false, message: end };
  const startYearless = start !== undefined && start.year === undefined;
  const endYearless = end !== undefined && end.year === undefined;
  if (startYearless || endYearless) {
    if (!(startYearless && endYearless)) {
      return { ok: false, message: `"${text}": both ends of an interval with an unknown year must be XXXX-MM(-DD)` };
    }
    if (monthDayKey(start!) > monthDayKey(end!)) return { ok: false, message: `"${text}": the interval ends before it starts` };
  } else if (start && end && firstDay(start)! > lastDay(end)!) {
    return { ok: false, message: `"${text}": the interval ends before it starts` };
  }
  return { ok: true, value: { kind: 'interval', ...(start ? { start } : {}), ...(end ? { end } : {}) } };
}

const parseOrThrow = (date: PartialDate): ParsedPartialDate => {
  const parsed = parsePartialDate(date);
  // Callers hold values validated by the zod schema; reaching this is a programming error.
  if (!parsed.ok) throw new TypeError(`invalid partial date: ${parsed.message}`);
  return parsed.value;
};

export function dateBounds(date: PartialDate): DateBounds {
  const parsed = parseOrThrow(date);
  if (parsed.kind === 'point') {
    const earliest = firstDay(parsed.point);
    if (earliest === undefined) return { yearUnknown: true };
    return { earliest, latest: lastDay(parsed.point)!, yearUnknown: false };
  }
  const { start, end } = parsed;
  if ((start && start.year === undefined) || (end && end.year === undefined)) return { yearUnknown: true };
  return {
    ...(start ? { earliest: firstDay(start)! } : {}),
    ...(end ? { latest: lastDay(end)! } : {}),
    yearUnknown: false,
  };
}

/** The single calendar year the date lies in, or undefined when that is not certain. */
export function knownYear(date: PartialDate): number | undefined {
  const { earliest, latest } = dateBounds(date);
  if (earliest === undefined || latest === undefined) return undefined;
  return earliest.slice(0, 4) === latest.slice(0, 4) ? Number(earliest.slice(0, 4)) : undefined;
}

export type Certainty = 'yes' | 'no' | 'maybe';

/** Does the date lie wholly within year Y? "maybe" when its bounds straddle Y or are unknown. */
export function fallsWithinYear(date: PartialDate, year: number): Certainty {
  const { earliest, latest } = dateBounds(date);
  const first = `${pad(year, 4)}-01-01`;
  const last = `${pad(year, 4)}-12-31`;
  if ((latest !== undefined && latest < first) || (earliest !== undefined && earliest > last)) return 'no';
  if (earliest !== undefined && latest !== undefined && earliest >= first && latest <= last) return 'yes';
  return 'maybe';
}

/** Had it certainly happened by the end of `day`? An event dated only "2018" had not, by 2018-06-01. */
export function certainlyOnOrBefore(date: PartialDate, day: IsoDay): boolean {
  const { latest } = dateBounds(date);
  return latest !== undefined && latest <= day;
}

/** Is it certainly later than `day` (every possible day is after it)? */
export function certainlyAfter(date: PartialDate, day: IsoDay): boolean {
  const { earliest } = dateBounds(date);
  return earliest !== undefined && earliest > day;
}

/**
 * Does the date name a day after `day`? True when all of it is later, and also
 * when an interval's stated end begins later ("2024-05/2031" reaches into 2031).
 * An open end (`2002/..`) names no day, and a year that contains `day` does not
 * name a later one.
 */
export function namesDayAfter(date: PartialDate, day: IsoDay): boolean {
  if (certainlyAfter(date, day)) return true;
  const parsed = parseOrThrow(date);
  if (parsed.kind !== 'interval' || !parsed.end) return false;
  const endStarts = firstDay(parsed.end);
  return endStarts !== undefined && endStarts > day;
}

/** The first and last calendar years the date may fall in, when both are known. */
export function yearSpan(date: PartialDate): { from: number; to: number } | undefined {
  const { earliest, latest } = dateBounds(date);
  if (earliest === undefined || latest === undefined) return undefined;
  return { from: Number(earliest.slice(0, 4)), to: Number(latest.slice(0, 4)) };
}

/**
 * Chronological order, honestly: by the earliest possible day (or the latest,
 * for "on or before" dates), then by the latest; dates with an unknown year
 * come after every dated one, ordered by month and day where known.
 */
export function comparePartialDates(a: PartialDate, b: PartialDate): number {
  const ka = sortKey(a);
  const kb = sortKey(b);
  for (let i = 0; i < ka.length; i++) {
    if (ka[i]! < kb[i]!) return -1;
    if (ka[i]! > kb[i]!) return 1;
  }
  return 0;
}

function sortKey(date: PartialDate): string[] {
  const bounds = dateBounds(date);
  if (bounds.yearUnknown) {
    const parsed = parseOrThrow(date);
    const anchor = parsed.kind === 'point' ? parsed.point : parsed.start;
    return ['1', anchor?.month !== undefined ? monthDayKey(anchor) : '99-99', date];
  }
  const anchor = bounds.earliest ?? bounds.latest!;
  return ['0', anchor, bounds.latest ?? '9999-99-99', date];
}

const monthNames = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];

function describePoint(p: DatePoint): string {
  const parts: string[] = [];
  if (p.day !== undefined) parts.push(String(p.day));
  if (p.month !== undefined) parts.push(monthNames[p.month - 1]!);
  if (p.year !== undefined) parts.push(String(p.year));
  return parts.join(' ');
}

/** A reader's label in English: "7–8 November 2018", "by 2018", "15–25 November (year unknown)". */
export function describePartialDate(date: PartialDate): string {
  const parsed = parseOrThrow(date);
  if (parsed.kind === 'point') {
    return parsed.point.year === undefined
      ? parsed.point.month === undefined
        ? 'date unknown'
        : `${describePoint(parsed.point)} (year unknown)`
      : describePoint(parsed.point);
  }
  const { start, end } = parsed;
  if (!start) return `by ${describePoint(end!)}`;
  if (!end) return `since ${describePoint(start)}`;
  const yearless = start.year === undefined;
  const suffix = yearless ? ' (year unknown)' : '';
  if (start.day !== undefined && end.day !== undefined && start.month === end.month && start.year === end.year) {
    return `${start.day}–${describePoint(end)}${suffix}`;
  }
  if (start.month !== undefined && end.month !== undefined && start.day === undefined && end.day === undefined && start.year === end.year) {
    return `${monthNames[start.month - 1]}–${describePoint(end)}${suffix}`;
  }
  return `${describePoint(start)} – ${describePoint(end)}${suffix}`;
}

/** The ISO day of an instant, in UTC. */
export const isoDayOf = (instant: Date): IsoDay => instant.toISOString().slice(0, 10);

/**
 * The latest calendar day anywhere on Earth at that instant (UTC+14): what "today"
 * means when a fact's date is checked, so a fact dated today in the recorder's
 * own time zone (Rabat is UTC+1) is never refused as future.
 */
export const latestDayAt = (instant: Date): IsoDay => isoDayOf(new Date(instant.getTime() + 14 * 3_600_000));

export const partialDateSchema = z
  .string()
  .max(40)
  .superRefine((value, ctx) => {
    const parsed = parsePartialDate(value);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
  })
  .meta({
    description:
      'A date as precisely as known, in EDTF: YYYY, YYYY-MM, YYYY-MM-DD, an interval A/B, open ../B or A/.., XXXX-MM-DD for an unknown year, XXXX when unknown.',
    examples: ['2018', '2018-11-07/2018-11-08', '../2022', 'XXXX-11-15/XXXX-11-25', 'XXXX'],
  });
