import { decodeEvent, type DecodeResult, type EventStore } from '@taawun/domain';

/** What a run reads: the handled events after its checkpoint, up to the head of the log it started at. */
export interface DecodedLogRequest {
  /** Read after this position (from the first event when undefined). */
  readonly after: bigint | undefined;
  /** The last position to read: the head of the log when the run started. */
  readonly to: bigint;
  /** The event types to read (the projection's `handles`). */
  readonly types: readonly string[];
  /** Events per page given to the runner. */
  readonly pageSize: number;
}

/**
 * Reads the log for a run and decodes every event (`decodeEvent`: upcast, then
 * the schema). A reader gives exactly what `store.readAll` and `decodeEvent`
 * give on the runner's thread, in log order, a page at a time; one may do the
 * reading and decoding elsewhere (the SQLite adapter's reads and decodes in a
 * worker thread while the runner folds and writes). Stopping the iteration
 * (`break`, `return`) releases it.
 */
export interface DecodingLogReader {
  read(request: DecodedLogRequest): AsyncIterable<readonly DecodeResult[]>;
}

/** On the runner's own thread: `store.readAll` (pages of `storePageSize`, default the store's) and `decodeEvent`. */
export function decodingInProcess(store: EventStore, storePageSize?: number): DecodingLogReader {
  return {
    async *read({ after, to, types, pageSize }) {
      const size = Math.max(1, pageSize);
      let page: DecodeResult[] = [];
      for await (const stored of store.readAll({ ...(after === undefined ? {} : { after }), filter: { types }, ...(storePageSize ? { pageSize: storePageSize } : {}) })) {
        if (stored.position > to) break;
        page.push(decodeEvent(stored));
        if (page.length >= size) {
          yield page;
          page = [];
        }
      }
      if (page.length > 0) yield page;
    },
  };
}
