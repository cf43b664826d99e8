import type { ModelIndexEntry, ModelReader } from './model-reader.js';
import type { KeyRange } from './storage.js';

/**
 * A reader that reads each document, each list of an index, each list of keys
 * and each counters document once: for one answer that views the same records twice (a lens's page
 * and its widest completion, `lens-answers.ts`), or for the answers read at
 * one commit of the catalogue of streams (`CatalogueReads`). What it gives is
 * shared between its callers, which only read it. It must not outlive the
 * commit it was read at: the stored model moves on.
 *
 * `limit`: how many documents and lists it may hold; past it, it forgets them
 * all and reads again (a bound, not a cache policy: an answer reads a few
 * hundred at most).
 */
export function rememberedReads<S>(reader: ModelReader<S>, limit = Number.POSITIVE_INFINITY): ModelReader<S> {
  const documents = new Map<string, S | undefined>();
  const lists = new Map<string, Promise<ModelIndexEntry[]>>();
  const keyLists = new Map<string, Promise<string[]>>();
  // A yearly report's totals read every period's counters (thousands of sums each at 1M events); its widest completion, again.
  const counterSums = new Map<string, Promise<Readonly<Record<string, number>>>>();
  const bound = (adding: number) => {
    if (documents.size + lists.size + keyLists.size + counterSums.size + adding <= limit) return;
    documents.clear();
    lists.clear();
    keyLists.clear();
    counterSums.clear();
  };
  /** A list read once: forgotten when its read fails, so a failure is not given again. */
  const once = <T>(kept: Map<string, Promise<T>>, at: string, read: () => Promise<T>): Promise<T> => {
    let found = kept.get(at);
    if (!found) {
      bound(1);
      found = read();
      kept.set(at, found);
      found.catch(() => kept.delete(at));
    }
    return found;
  };
  const getMany = async (keys: readonly string[]) => {
    const unread = [...new Set(keys)].filter((key) => !documents.has(key));
    // Those remembered now: the bound may forget them while the others are read.
    const remembered = new Map(keys.filter((key) => documents.has(key)).map((key) => [key, documents.get(key)]));
    const read = unread.length > 0 ? await reader.getMany(unread) : new Map<string, S>();
    if (unread.length > 0) {
      bound(unread.length);
      for (const key of unread) documents.set(key, read.get(key));
    }
    const found = new Map<string, S>();
    for (const key of keys) {
      const document = remembered.has(key) ? remembered.get(key) : read.get(key);
      if (document !== undefined) found.set(key, document);
    }
    return found;
  };
  return {
    ...reader,
    getMany,
    get: async (key) => (await getMany([key])).get(key),
    async index<V>(index: string, key: string, range = {}) {
      return (await once(lists, JSON.stringify([index, key, range]), () => reader.index(index, key, range))) as ModelIndexEntry<V>[];
    },
    keys: (range: KeyRange = {}) => once(keyLists, JSON.stringify(range), () => reader.keys(range)),
    counters: (name: string) => once(counterSums, name, () => reader.counters(name)),
  };
}
