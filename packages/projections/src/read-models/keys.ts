import type { ModelReader } from '../engine/model-reader.js';
import { unknownKey } from '../engine/errors.js';
import { comparePeriods, type Period } from '../model/dates.js';
import { recordIds, recordKey, type RecordSet } from '../model/record-book.js';

/*
 * The keys a question names (a partner, a period) checked against the record:
 * an unknown one is an `unknown-key` error naming it and the valid ones, never
 * an empty answer that reads as "nothing recorded".
 */

/** A partner the model holds, else `unknown-key` listing those it holds. */
export async function checkPartner(model: ModelReader, records: RecordSet, partnerId: string | undefined): Promise<void> {
  if (partnerId === undefined) return;
  await records.load([recordKey('partners', partnerId)]);
  if (records.get('partners', partnerId)) return;
  throw unknownKey('partnerId', 'partner', partnerId, await recordIds(model, 'partners'));
}

/** A period among `valid` (the keys of the periods something falls in), else `unknown-key` listing them in the report's order. */
export function checkPeriod(period: string | undefined, valid: readonly string[]): void {
  if (period === undefined || valid.includes(period)) return;
  throw unknownKey('period', 'period', period, [...valid].sort((a, b) => comparePeriods(periodOfKey(a), periodOfKey(b))));
}

/** The periods counted under `name` (a projection's counters: period key → entries). */
export async function countedPeriods(model: ModelReader, name: string): Promise<string[]> {
  return Object.entries(await model.counters(name))
    .filter(([, n]) => n > 0)
    .map(([key]) => key);
}

/** The period a key names (`2018`, `2016-2020`, `by-2022`, `from-2002`, `year-unknown`). */
export function periodOfKey(key: string): Period {
  if (key === 'year-unknown') return { key, kind: 'unknown', label: 'year unknown', fromYear: null, toYear: null };
  const by = /^by-(\d+)$/.exec(key);
  if (by) return { key, kind: 'by', label: `by ${Number(by[1])}`, fromYear: null, toYear: Number(by[1]) };
  const from = /^from-(\d+)$/.exec(key);
  if (from) return { key, kind: 'from', label: `from ${Number(from[1])}`, fromYear: Number(from[1]), toYear: null };
  const span = /^(\d+)-(\d+)$/.exec(key);
  if (span) return { key, kind: 'span', label: `${Number(span[1])}–${Number(span[2])}`, fromYear: Number(span[1]), toYear: Number(span[2]) };
  return { key, kind: 'year', label: key, fromYear: Number(key), toYear: Number(key) };
}

