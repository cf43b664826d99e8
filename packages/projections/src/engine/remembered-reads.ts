import type { ModelIndexEntry, ModelReader } from './model-reader.js';

/**
 * A reader that reads each document, and each list of an index, once: for one
 * answer that views the same records twice (a lens's page and its widest
 * completion, `lens-answers.ts`). The documents read are shared between the
 * two views, which only read them. Kept for one answer, not longer: the stored
 * model moves on.
 */
export function rememberedReads<S>(reader: ModelReader<S>): ModelReader<S> {
  const documents = new Map<string, S | undefined>();
  const lists = new Map<string, Promise<ModelIndexEntry[]>>();
  const getMany = async (keys: readonly string[]) => {
    const unread = [...new Set(keys)].filter((key) => !documents.has(key));
    if (unread.length > 0) {
      const found = await reader.getMany(unread);
      for (const key of unread) documents.set(key, found.get(key));
    }
    const found = new Map<string, S>();
    for (const key of keys) {
      const document = documents.get(key);
      if (document !== undefined) found.set(key, document);
    }
    return found;
  };
  return {
    ...reader,
    getMany,
    get: async (key) => (await getMany([key])).get(key),
    async index<V>(index: string, key: string, range = {}) {
      const at = JSON.stringify([index, key, range]);
      let read = lists.get(at);
      if (!read) lists.set(at, (read = reader.index(index, key, range)));
      return (await read) as ModelIndexEntry<V>[];
    },
  };
}
