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
  /**
   * Only the list's items with these identities (`identityOf`) are asked for,
   * wherever they stand, and no `offset` or `limit`: what a lens's widest
   * completion needs of a page (`widenCounts` matches the page's items alone).
   * A view may give just them (its other fields whole) or ignore it.
   */
  readonly only?: ReadonlySet<string>;
}

/** An entry's days, and `not-done` when it stands for what did not take place (a plan, or what was cancelled). */
type Bounds = [string | null, string | null] | [string | null, string | null, 'not-done'];

const earliestIndex = (index: string) => `${index}:earliest`;

/** Whether `name` is one of the two indexes a chronological list `index` is kept in. */
export const isChronologicalIndex = (name: string, index: string): boolean => name === index || name === earliestIndex(index);

/**
 * The two index entries of one item of a chronological list. `tail` orders items of the same date (unique within the list);
 * `notDone` marks an item that did not take place (a plan, what was cancelled), which a list shows but a first or last activity is not.
 */
export function chronologicalEntries(index: string, key: string, date: PartialDate, tail: string, notDone = false): [IndexEntry, IndexEntry] {
  const sort = completionSortKey(date) + SORT_SEPARATOR + tail;
  const { earliest, latest } = orderBounds(date);
  const value: Bounds = notDone ? [earliest ?? null, latest ?? null, 'not-done'] : [earliest ?? null, latest ?? null];
  return [
    { index, key, sort, value },
    { index: earliestIndex(index), key, sort: (earliest ?? '') + SORT_SEPARATOR + sort },
  ];
}

/** The sort an item of a chronological list has (to find it among its record's items). */
export const chronologicalSort = (date: PartialDate, tail: string): string => completionSortKey(date) + SORT_SEPARATOR + tail;

/**
 * A list's first and last item over partial worlds: `sure` items are in every
 * world, `maybe` items in some and not in others (a time lens: what certainly
 * lies by `asOf`, and what may). `stated` orders are over both, indexed sure
 * items first, then the may-be ones: what follows an item that is not there is
 * not there either (it came after it), so a may-be item that follows another is
 * never first, and one a sure item follows is never last. Otherwise an item may
 * be first when it may be first among the sure items alone, or, for a may-be
 * item, among the sure items and itself; likewise the last; the days are those
 * of every world's first (last). Never certain while a may-be item may be it,
 * or while no item is sure (a world may hold none).
 */
export function extremesOverWorlds(sure: readonly OrderBounds[], maybe: readonly OrderBounds[], stated: { readonly before: (i: number) => readonly number[] } = { before: () => [] }): { first: Extreme; last: Extreme } | undefined {
  if (sure.length === 0 && maybe.length === 0) return undefined;
  const n = sure.length;
  const among = extremes(sure, { before: (i) => stated.before(i).filter((a) => a < n) });
  const minOr = (a: string | undefined, b: string | undefined) => (a === undefined || b === undefined ? undefined : a < b ? a : b);
  const maxOr = (a: string | undefined, b: string | undefined) => (a === undefined || b === undefined ? undefined : a > b ? a : b);
  // The day by which some sure item certainly took place, and the day after which one certainly did (undefined: none bounds it).
  const sureLatests = sure.map((x) => x.latest).filter((d): d is string => d !== undefined);
  const sureEarliests = sure.map((x) => x.earliest).filter((d): d is string => d !== undefined);
  const firstBound = sureLatests.length === 0 ? undefined : sureLatests.reduce((a, b) => (a < b ? a : b));
  const lastBound = sureEarliests.length === 0 ? undefined : sureEarliests.reduce((a, b) => (a > b ? a : b));
  const followsSomething = (i: number) => stated.before(i).some((a) => a !== i && a >= 0 && a < n + maybe.length);
  const followedBySure = new Set(Array.from({ length: n }, (_, i) => stated.before(i)).flat());
  const mayFirst = maybe.flatMap((m, j) => (!followsSomething(n + j) && (firstBound === undefined || m.earliest === undefined || m.earliest <= firstBound) ? [n + j] : []));
  const mayLast = maybe.flatMap((m, j) => (!followedBySure.has(n + j) && (lastBound === undefined || m.latest === undefined || m.latest >= lastBound) ? [n + j] : []));
  const of = (i: number) => (i < n ? sure[i]! : maybe[i - n]!);
  // With no sure item, a world holds only may-be items, and those no order rules out may be alone.
  const orAll = (candidates: number[]) => (candidates.length > 0 ? candidates : maybe.map((_, j) => n + j));
  const firsts = among ? mayFirst : orAll(mayFirst);
  const lasts = among ? mayLast : orAll(mayLast);
  const first: Extreme = {
    certain: among !== undefined && among.first.certain && firsts.length === 0,
    candidates: [...(among?.first.candidates ?? []), ...firsts],
    // Earlier when a may-be item is there; never later than among the sure items alone.
    earliest: [...(among ? [among.first.earliest] : []), ...firsts.map((i) => of(i).earliest)].reduce(minOr),
    latest: among ? among.first.latest : firsts.map((i) => of(i).latest).reduce(maxOr),
  };
  const last: Extreme = {
    certain: among !== undefined && among.last.certain && lasts.length === 0,
    candidates: [...(among?.last.candidates ?? []), ...lasts],
    earliest: among ? among.last.earliest : lasts.map((i) => of(i).earliest).reduce(minOr),
    latest: [...(among ? [among.last.latest] : []), ...lasts.map((i) => of(i).latest)].reduce(maxOr),
  };
  return { first, last };
}

/** Whether an entry of a chronological list stands for what did not take place (`chronologicalEntries`' `notDone`). */
export const isNotDone = (value: Bounds | null): boolean => value?.[2] === 'not-done';

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

/**
 * For each item, the best of the other items' values (`better` says which of two
 * is; undefined values take no part): the best of all, or for the item holding
 * it, the second best.
 */
export function othersBest(values: readonly (string | undefined)[], better: (a: string, b: string) => boolean): (i: number) => string | undefined {
  let best: number | undefined;
  let second: number | undefined;
  values.forEach((value, i) => {
    if (value === undefined) return;
    if (best === undefined || better(value, values[best]!)) {
      second = best;
      best = i;
    } else if (second === undefined || better(value, values[second]!)) {
      second = i;
    }
  });
  return (i) => {
    const holder = i === best ? second : best;
    return holder === undefined ? undefined : values[holder];
  };
}

export function extremes(items: readonly OrderBounds[], stated: { readonly before: (i: number) => readonly number[] } = { before: () => [] }): { first: Extreme; last: Extreme } | undefined {
  if (items.length === 0) return undefined;
  const minOr = (a: string | undefined, b: string | undefined) => (a === undefined ? b : b === undefined ? a : a < b ? a : b);
  const maxOr = (a: string | undefined, b: string | undefined) => (a === undefined ? b : b === undefined ? a : a > b ? a : b);
  // A stated order narrows the dates: what follows is not earlier than what it follows, which is not later than its follower.
  const earliest = items.map((x) => x.earliest);
  const latest = items.map((x) => x.latest);
  const predecessors = items.map((_, i) => stated.before(i).filter((a) => a !== i && a >= 0 && a < items.length));
  for (let round = 0; round < items.length; round++) {
    let changed = false;
    predecessors.forEach((before, i) => {
      for (const a of before) {
        const e = maxOr(earliest[i], earliest[a]);
        const l = minOr(latest[a], latest[i]);
        if (e !== earliest[i] || l !== latest[a]) changed = true;
        earliest[i] = e;
        latest[a] = l;
      }
    });
    if (!changed) break;
  }
  const followed = new Set(predecessors.flat());
  // In one pass each, not one per item: a partner with thousands of entries made this quadratic (0.6 s a summary).
  const othersMinLatest = othersBest(latest, (a, b) => a < b);
  const othersMaxEarliest = othersBest(earliest, (a, b) => a > b);
  let firsts: number[] = [];
  let lasts: number[] = [];
  items.forEach((_, i) => {
    const bound = othersMinLatest(i);
    if (predecessors[i]!.length === 0 && (earliest[i] === undefined || bound === undefined || earliest[i]! <= bound)) firsts.push(i);
    const floor = othersMaxEarliest(i);
    if (!followed.has(i) && (latest[i] === undefined || floor === undefined || latest[i]! >= floor)) lasts.push(i);
  });
  // Stated orders the dates contradict allow no ordering: then every item may be it.
  if (firsts.length === 0) firsts = items.map((_, i) => i);
  if (lasts.length === 0) lasts = items.map((_, i) => i);
  // The candidates' own days together: where the stated orders contradict the dates (a correction moved one), the narrowed days may cross.
  const hull = (candidates: number[]): [string | undefined, string | undefined] => [
    candidates.some((i) => items[i]!.earliest === undefined) ? undefined : candidates.map((i) => items[i]!.earliest).reduce(minOr),
    candidates.some((i) => items[i]!.latest === undefined) ? undefined : candidates.map((i) => items[i]!.latest).reduce(maxOr),
  ];
  const extreme = (candidates: number[], certainBounds: (i: number) => [string | undefined, string | undefined], range: () => [string | undefined, string | undefined]): Extreme => {
    const [e, l] = candidates.length === 1 ? certainBounds(candidates[0]!) : range();
    const crossed = e !== undefined && l !== undefined && e > l;
    const [earliest, latest] = crossed ? hull(candidates) : [e, l];
    return { certain: candidates.length === 1, candidates, earliest, latest };
  };
  const first = extreme(
    firsts,
    (i) => [items[i]!.earliest, items[i]!.latest],
    () => [firsts.some((i) => earliest[i] === undefined) ? undefined : firsts.map((i) => earliest[i]).reduce(minOr), latest.reduce(minOr)],
  );
  const last = extreme(
    lasts,
    (i) => [items[i]!.earliest, items[i]!.latest],
    () => [earliest.reduce(maxOr), lasts.some((i) => latest[i] === undefined) ? undefined : lasts.map((i) => latest[i]).reduce(maxOr)],
  );
  return { first, last };
}
