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

const toBounds = (value: Bounds | null): OrderBounds => (value ? { earliest: value[0] ?? undefined, latest: value[1] ?? undefined } : {});

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
