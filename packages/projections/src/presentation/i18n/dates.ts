import { parsePartialDate, type DatePoint, type Language, type PartialDate } from '@taawun/domain';
import { defaultLocales, type Locales } from './locale.js';
import { message } from './messages.js';

/*
 * A partial date in a reader's language: the parts the record knows, written by
 * Intl.DateTimeFormat in the institute's locale ("16 نونبر 1998", "7–8 novembre
 * 2018"), and what it does not know said in words ("by 2022", "year unknown").
 * Nothing is filled in: a month without a day prints as a month.
 */

type Precision = 'year' | 'month' | 'day' | 'month-day' | 'month-only';

const precisionOf = (p: DatePoint): Precision =>
  p.year === undefined ? (p.day !== undefined ? 'month-day' : 'month-only') : p.day !== undefined ? 'day' : p.month !== undefined ? 'month' : 'year';

const options: Readonly<Record<Precision, Intl.DateTimeFormatOptions>> = {
  year: { year: 'numeric' },
  month: { month: 'long', year: 'numeric' },
  day: { day: 'numeric', month: 'long', year: 'numeric' },
  'month-day': { day: 'numeric', month: 'long' },
  'month-only': { month: 'long' },
};

const formats = new Map<string, Intl.DateTimeFormat>();
function formatFor(locale: string, precision: Precision): Intl.DateTimeFormat {
  const key = `${locale}/${precision}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { ...options[precision], timeZone: 'UTC' });
    formats.set(key, format);
  }
  return format;
}

// A yearless day is written through a leap year, so 29 February exists; the year is never printed.
const instantOf = (p: DatePoint): Date => new Date(Date.UTC(p.year ?? 2000, (p.month ?? 1) - 1, p.day ?? 1));

const pointText = (p: DatePoint, locale: string): string => formatFor(locale, precisionOf(p)).format(instantOf(p));

/** A partial date (EDTF as recorded) in a language. */
export function partialDateText(date: PartialDate, lang: Language, locales: Locales = defaultLocales): string {
  const parsed = parsePartialDate(date);
  if (!parsed.ok) return date;
  const locale = locales[lang];
  const value = parsed.value;
  if (value.kind === 'point') {
    const { point } = value;
    if (point.year === undefined && point.month === undefined) return message(lang, 'date.unknown', {}, locales);
    const text = pointText(point, locale);
    return point.year === undefined ? message(lang, 'date.yearUnknown', { date: text }, locales) : text;
  }
  const { start, end } = value;
  if (!start && !end) return message(lang, 'date.unknown', {}, locales);
  if (!start) return message(lang, 'date.by', { date: pointText(end!, locale) }, locales);
  if (!end) return message(lang, 'date.since', { date: pointText(start, locale) }, locales);
  const precision = precisionOf(start);
  // Same precision on both ends: the locale writes the range itself ("7–8 November 2018", "15–25 نونبر").
  const text =
    precision === precisionOf(end)
      ? formatFor(locale, precision).formatRange(instantOf(start), instantOf(end))
      : message(lang, 'date.span', { start: pointText(start, locale), end: pointText(end, locale) }, locales);
  return start.year === undefined ? message(lang, 'date.yearUnknown', { date: text }, locales) : text;
}

/** Today (or any instant) as a full date in a language, for "printed on". */
export const dayText = (instant: Date, lang: Language, locales: Locales = defaultLocales): string => formatFor(locales[lang], 'day').format(instant);
