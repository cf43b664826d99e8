import type { IsoDay } from '@taawun/domain';
import { upperBound, type Count, type CountGap } from '../model/counts.js';
import type { RecordsReads } from '../engine/lens-from-streams.js';
import type { ModelReader } from '../engine/model-reader.js';
import type { Page } from '../model/ordered.js';
import { identityOf } from './compare.js';
import type { AnyReadModel } from './define.js';

/*
 * Counts through a time lens are ranges. The answer counts what certainly
 * happened by `asOf`; the same read model over the widest completion (every
 * event that may be by then let in, the year unknown included) gives what may
 * have. Each count of the answer becomes the range between the two: certain
 * (exact) only when both agree, e.g. sessions held as of 30 June 2018, when
 * GIZ's "2018" sessions may or may not have taken place yet. Statuses
 * likewise (`withStatusRange`).
 */

const isCount = (value: unknown): value is Count =>
  typeof value === 'object' && value !== null && typeof (value as Count).known === 'number' && typeof (value as Count).exact === 'boolean' && Array.isArray((value as Count).gaps);

/** The hull of two counts: from the smaller lower bound to the larger upper bound. */
function hull(certain: Count, widest: Count | undefined): Count {
  if (!widest) return certain;
  const [a, b] = [upperBound(certain), upperBound(widest)];
  const known = Math.min(certain.known, widest.known);
  const atMost = a === null || b === null ? null : Math.max(a, b);
  if (certain.exact && widest.exact && atMost === known) return certain;
  const seen = new Set(certain.gaps.map((g) => `${g.recordId}/${g.reason}`));
  const gaps: CountGap[] = [...certain.gaps, ...widest.gaps.filter((g) => !seen.has(`${g.recordId}/${g.reason}`))];
  return { known, exact: false, gaps, atMost };
}

/** The identity of a list item, for matching it in the widest answer; undefined when it has none (then it is left as it is). */
function keyOf(item: unknown, position: number): string | undefined {
  const key = identityOf(item, position);
  if (!key.startsWith('#')) return key;
  if (typeof item !== 'object' || item === null) return undefined;
  const fields = item as Record<string, unknown>;
  for (const name of ['format', 'theme'] as const) if (name in fields) return `${name}:${String(fields[name])}`;
  return undefined;
}

/**
 * `certain` with each of its counts widened to the range up to the matching
 * count of `widest` (matched by path, list items by identity). Items only in
 * `widest` are not added: they are the events the lens report lists as "may
 * be later"; their figures reach the totals' upper bounds.
 */
export function widenCounts<T>(certain: T, widest: unknown): T {
  if (isCount(certain)) return hull(certain, isCount(widest) ? widest : undefined) as T;
  if (Array.isArray(certain)) {
    const others = new Map<string, unknown>();
    if (Array.isArray(widest)) widest.forEach((item, i) => { const k = keyOf(item, i); if (k !== undefined) others.set(k, item); });
    return certain.map((item, i) => {
      const k = keyOf(item, i);
      return k !== undefined && others.has(k) ? widenCounts(item, others.get(k)) : item;
    }) as T;
  }
  if (typeof certain === 'object' && certain !== null) {
    const other = (typeof widest === 'object' && widest !== null ? widest : {}) as Record<string, unknown>;
    const widened = Object.fromEntries(Object.entries(certain).map(([k, v]) => [k, widenCounts(v, other[k])]));
    return withStatusRange(widened, other) as T;
  }
  return certain;
}

/**
 * `widenCounts(certain, certain)`: the answer widened by itself, what a lens
 * gives when the widest completion is the page's own answer (no record read
 * may or may not count, `anyUncertain`). Equal to it, without matching each
 * list's items through a map: a value is kept as it is (the same object)
 * unless a count in it is not already its own hull.
 */
export function widenedByItself<T>(certain: T): T {
  if (isCount(certain)) return hull(certain, certain) as T;
  if (Array.isArray(certain)) {
    const keys = certain.map((item, i) => keyOf(item, i));
    const identities = keys.filter((k) => k !== undefined);
    // An identity held twice is matched with the last item holding it: as `widenCounts` does.
    if (new Set(identities).size !== identities.length) return widenCounts(certain, certain);
    // An item without an identity is left as it is.
    const widened = certain.map((item, i) => (keys[i] === undefined ? item : widenedByItself(item)));
    return (widened.some((item, i) => item !== certain[i]) ? widened : certain) as T;
  }
  if (typeof certain === 'object' && certain !== null) {
    const entries = Object.entries(certain);
    const widened = entries.map(([k, v]) => [k, widenedByItself(v)] as const);
    // A status widened by itself is the same status: certain.
    return (widened.some(([, v], i) => v !== entries[i]![1]) ? Object.fromEntries(widened) : certain) as T;
  }
  return certain;
}

/**
 * A status is three-valued like a count: certain when the widest completion
 * gives the same one, else uncertain with both (a session planned for May 2018
 * and held in "2018", seen as of 30 June 2018: planned or held).
 */
function withStatusRange(certain: Record<string, unknown>, widest: Record<string, unknown>): Record<string, unknown> {
  const [now, may] = [certain['status'], widest['status']];
  if (typeof now !== 'string' || typeof may !== 'string' || now === may) return certain;
  return { ...certain, statusCertain: false, statusCandidates: [now, may] };
}

/**
 * `certain` widened by the same view over the widest completion
 * (`widestModel`), read for the items of `certain`'s list alone (`Page.only`):
 * the other items of the widest answer are never matched, and a view that
 * pages by identity (the yearly report's periods) reads only those.
 */
export async function widenedByWidest<T>(
  model: Extract<AnyReadModel, { kind: 'projected' }>,
  params: unknown,
  certain: T,
  models: {
    readonly widest: ModelReader;
    /** The lens's own model, and its last day (for `lensWiden`). */
    readonly certain: ModelReader;
    readonly asOf: IsoDay;
    /** What differs between the widest model and the lens's own (`WidestCompletion.differsIn`), when known. */
    readonly differsIn?: RecordsReads;
  },
): Promise<T> {
  const { widest: widestModel, differsIn } = models;
  if (model.lensWiden) return (await model.lensWiden(certain as never, models)) as T;
  const page = pageOfItems(certain, model.list);
  const differing = differsIn && model.lensItemsReading && page.only && model.list !== null ? model.lensItemsReading(differsIn) : undefined;
  if (differing === undefined) return widenCounts(certain, (await model.view(widestModel, params, page))?.result);
  // Only the items those records may change are viewed again; each other item is its own widest counterpart.
  const widest = (await model.view(widestModel, params, { only: new Set([...page.only!].filter((key) => differing.has(key))) }))?.result;
  if (typeof widest !== 'object' || widest === null) return widenCounts(certain, widest);
  const items = (certain as Record<string, unknown>)[model.list!] as unknown[];
  const unchanged = items.filter((item, i) => { const key = keyOf(item, i); return key === undefined || !differing.has(key); });
  const viewed = (widest as Record<string, unknown>)[model.list!];
  return widenCounts(certain, { ...widest, [model.list!]: [...(Array.isArray(viewed) ? viewed : []), ...unchanged] });
}

/** The page asking for the items of `answer`'s list by identity; the whole answer when it has no list. */
function pageOfItems(answer: unknown, list: string | null): Page {
  const items = list === null || typeof answer !== 'object' || answer === null ? undefined : (answer as Record<string, unknown>)[list];
  if (!Array.isArray(items)) return {};
  return { only: new Set(items.map((item, i) => keyOf(item, i)).filter((key): key is string => key !== undefined)) };
}
