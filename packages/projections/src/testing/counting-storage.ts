import type { ReadModelStorage } from '../engine/storage.js';

/**
 * A read-model storage that counts the documents (values) read through it, and
 * apart the keys listed (a key listed is not a document held) and the index
 * entries read. What the paging
 * tests (here and in the CLI) check a page against: a page reads about a page
 * of documents and of keys, never the list.
 */
export class CountingStorage {
  documentsRead = 0;
  keysListed = 0;
  indexEntriesRead = 0;
  readonly storage: ReadModelStorage;

  constructor(inner: ReadModelStorage) {
    this.storage = new Proxy(inner, {
      get: (target, property) => {
        const value = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        if (property === 'documents') {
          return async (...args: Parameters<ReadModelStorage['documents']>) => {
            const found = await target.documents(...args);
            this.documentsRead += found.size;
            return found;
          };
        }
        if (property === 'listDocuments') {
          return async (...args: Parameters<ReadModelStorage['listDocuments']>) => {
            const found = await target.listDocuments(...args);
            this.documentsRead += found.length;
            return found;
          };
        }
        if (property === 'readIndex') {
          return async (...args: Parameters<ReadModelStorage['readIndex']>) => {
            const found = await target.readIndex(...args);
            this.indexEntriesRead += found.length;
            return found;
          };
        }
        if (property === 'listKeys') {
          return async (...args: Parameters<ReadModelStorage['listKeys']>) => {
            const found = await target.listKeys(...args);
            this.keysListed += found.length;
            return found;
          };
        }
        return value.bind(target);
      },
    });
  }
}
