import type { PartialDate } from '@taawun/domain';
import type { IndexEntry } from '../engine/projection.js';
import type { ModelReader, ModelIndexEntry } from '../engine/model-reader.js';
import { SORT_SEPARATOR, completionSortKey, earliestOf, latestOf, noBound, orderBounds, orderCertaintyWithin, type OrderBounds, type SideBound } from './dates.js';

/*
 * Chronological lists kept as index entries (a partner's history, the
 * agreements register): each item is an entry sorted by its date in
 * `compareByCompletion` order, its date's bounds as its value, and a twin entry
 * in `<index>:earliest` sorted by its earliest possible day, so that a page's
 * `orderCertain` flags need only the entry before the page and the first entry
 * after it by earliest day: a page costs about its offset plus its length, not
 * the length of the list.
 */

/** A page of a list: `offset` items skipped, at most `limit` given (all when absent). */
export interface Page {
  readonly offset?: number;
  readonly limit?: number;
}

type Bounds = [string | null, string | null];

const earliestIndex = (index: string) => `${index}:earliest`;

/** The two index entries of one item of a chronological list. `tail` orders items of the same date (unique within the list). */
export function chronologicalEntries(index: string, key: string, date: PartialDate, tail: string): [IndexEntry, IndexEntry] {
  const sort = completionSortKey(date) + SORT_SEPARATOR + tail;
  const { earliest, latest } = orderBounds(date);
  const value: Bounds = [earliest ?? null, latest ?? null];
  return [
    { index, key, sort, value },
    { index: earliestIndex(index), key, sort: (earliest ?? '') + SORT_SEPARATOR + sort },
  ];
}

/** The sort an item of a chronological list has (to find it among its record's items). */
export const chronologicalSort = (date: PartialDate, tail: string): string => completionSortKey(date) + SORT_SEPARATOR + tail;

/** The bounds an entry of a chronological list keeps as its value. */
export const toBounds = (value: Bounds | null): OrderBounds => (value ? { earliest: value[0] ?? undefined, latest: value[1] ?? undefined } : {});

export interface ChronologicalPage {
  readonly total: number;
  readonly offset: number;
  readonly entries: readonly ModelIndexEntry<Bounds>[];
  /** `orderCertain` of each entry of the page, as over the whole list. */
  readonly certain: readonly boolean[];
}

/** A page of a chronological list, with the order certainty of its items as over the whole list. */
export async function chronologicalPage(model: ModelReader, index: string, key: string, page: Page = {}): Promise<ChronologicalPage> {
  const total = await model.indexSize(index, key);
  const offset = Math.min(Math.max(0, page.offset ?? 0), total);
  const limit = page.limit === undefined ? total - offset : Math.max(0, page.limit);
  const entries = limit > 0 ? await model.index<Bounds>(index, key, { offset, limit }) : [];
  if (entries.length === 0) return { total, offset, entries, certain: [] };
  const end = offset + entries.length;
  // Sorted by completion: the latest day of everything before is that of the item just before (or open).
  const before: SideBound = offset === 0 ? noBound : latestOf([toBounds((await model.index<Bounds>(index, key, { offset: offset - 1, limit: 1 }))[0]?.value ?? null)]);
  const after = end >= total ? noBound : await earliestAfter(model, index, key, entries.at(-1)!.sort, offset, total - end);
  return { total, offset, entries, certain: orderCertaintyWithin(entries.map((e) => toBounds(e.value)), before, after) };
}

/** The earliest bound of the items after the one sorted at `last`: from whichever side is shorter to read. */
async function earliestAfter(model: ModelReader, index: string, key: string, last: string, offset: number, remaining: number): Promise<SideBound> {
  if (remaining <= offset + 64) {
    const rest = await model.index<Bounds>(index, key, { after: last });
    return earliestOf(rest.map((e) => toBounds(e.value)));
  }
  // In order of earliest day ("" first: no lower bound), the first item after the page gives the bound.
  for (let after: string | undefined; ; ) {
    const batch = await model.index(earliestIndex(index), key, { ...(after === undefined ? {} : { after }), limit: 256 });
    for (const entry of batch) {
      const at = entry.sort.indexOf(SORT_SEPARATOR);
      if (entry.sort.slice(at + 1) > last) {
        const earliest = entry.sort.slice(0, at);
        return earliest === '' ? { kind: 'open' } : { kind: 'day', day: earliest };
      }
    }
    if (batch.length < 256) return noBound;
    after = batch.at(-1)!.sort;
  }
}

/**
 * Which items of a list may be its first, and which its last, over every
 * ordering the partial dates (and the stated orders) allow: item i may be
 * first when no stated order puts another item before it and its earliest day
 * is not after every other item's latest day; likewise for the last. `certain`
 * when one item only may be; `bounds` then holds the days the first (or last)
 * certainly lies between, whichever item it is.
 */
export interface Extreme {
  readonly certain: boolean;
  /** Indexes of the items that may be it, in the given order. */
  readonly candidates: readonly number[];
  /** The first (last) activity lies on or after `earliest` and on or before `latest` (undefined: unbounded). */
  readonly earliest: string | undefined;
  readonly latest: string | undefined;
}

export function extremes(
  items: readonly OrderBounds[],
  stated: { readonly hasPredecessor: (i: number) => boolean; readonly hasSuccessor: (i: number) => boolean } = { hasPredecessor: () => false, hasSuccessor: () => false },
): { first: Extreme; last: Extreme } | undefined {
  if (items.length === 0) return undefined;
  const minOr = (a: string | undefined, b: string | undefined) => (a === undefined ? b : b === undefined ? a : a < b ? a : b);
  const maxOr = (a: string | undefined, b: string | undefined) => (a === undefined ? b : b === undefined ? a : a > b ? a : b);
  // The smallest latest day of the others (undefined: unbounded), and the largest earliest day of the others.
  const othersMinLatest = (i: number) => items.reduce<string | undefined>((m, x, k) => (k === i || x.latest === undefined ? m : minOr(m, x.latest)), undefined);
  const othersMaxEarliest = (i: number) => items.reduce<string | undefined>((m, x, k) => (k === i || x.earliest === undefined ? m : maxOr(m, x.earliest)), undefined);
  const firsts: number[] = [];
  const lasts: number[] = [];
  items.forEach((x, i) => {
    const bound = othersMinLatest(i);
    if (!stated.hasPredecessor(i) && (x.earliest === undefined || bound === undefined || x.earliest <= bound)) firsts.push(i);
    const floor = othersMaxEarliest(i);
    if (!stated.hasSuccessor(i) && (x.latest === undefined || floor === undefined || x.latest >= floor)) lasts.push(i);
  });
  const allLatest = items.map((x) => x.latest);
  const allEarliest = items.map((x) => x.earliest);
  const first: Extreme =
    firsts.length === 1
      ? { certain: true, candidates: firsts, earliest: items[firsts[0]!]!.earliest, latest: items[firsts[0]!]!.latest }
      : {
          certain: false,
          candidates: firsts,
          earliest: firsts.some((i) => items[i]!.earliest === undefined) ? undefined : firsts.map((i) => items[i]!.earliest).reduce(minOr),
          latest: allLatest.includes(undefined) && allLatest.every((l) => l === undefined) ? undefined : allLatest.reduce(minOr),
        };
  const last: Extreme =
    lasts.length === 1
      ? { certain: true, candidates: lasts, earliest: items[lasts[0]!]!.earliest, latest: items[lasts[0]!]!.latest }
      : {
          certain: false,
          candidates: lasts,
          earliest: allEarliest.every((e) => e === undefined) ? undefined : allEarliest.reduce(maxOr),
          latest: lasts.some((i) => items[i]!.latest === undefined) ? undefined : lasts.map((i) => items[i]!.latest).reduce(maxOr),
        };
  return { first, last };
}
