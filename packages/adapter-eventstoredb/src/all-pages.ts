import { END, FORWARDS, START, type Direction, type ReadAllOptions } from '@eventstore/db-client';
import { decodePosition } from './position.js';

/**
 * $all is read page by page through the client's public `readAll`, which
 * sends no filter (6.2.1 always asks the server for `noFilter`): every event of
 * the log comes back, the server's own and other programs' included, and the
 * store keeps its own. Each page resumes at the last position seen; a read from
 * a position includes the event there, so a page after the first asks for one
 * more and the event at the cursor is dropped (`isPastCursor`).
 */
export function pageRequest(direction: Direction, cursor: bigint | undefined, pageSize: number): ReadAllOptions {
  return {
    fromPosition: cursor === undefined ? (direction === FORWARDS ? START : END) : decodePosition(cursor),
    direction,
    maxCount: pageSize + (cursor === undefined ? 0 : 1),
    resolveLinkTos: false,
  };
}

/** Whether an event read in a page lies beyond the cursor in the reading direction (the first page has none). */
export const isPastCursor = (position: bigint, cursor: bigint | undefined, direction: Direction): boolean =>
  cursor === undefined || (direction === FORWARDS ? position > cursor : position < cursor);

/** Fewer new events than asked for: the read reached the end of $all (or its start, backwards). */
export const isLastPage = (fresh: number, pageSize: number): boolean => fresh < pageSize;
