import { EventStoreError } from '@taawun/domain';
import type { Position } from '@eventstore/db-client';

/**
 * The port uses one bigint per event; EventStoreDB places an event in `$all` by
 * two 64-bit numbers, `commit` then `prepare`, ordered first by commit. Packing
 * them as `(commit << 64) | prepare` keeps that order (a bigger commit always
 * wins, equal commits compare by prepare) and unpacks to exactly the same pair,
 * so a checkpoint saved as a bigint resumes at the very event it names.
 */
const BITS = 64n;
const MAX_PART = (1n << BITS) - 1n;

export function encodePosition(position: Position): bigint {
  const { commit, prepare } = position;
  if (commit < 0n || commit > MAX_PART || prepare < 0n || prepare > MAX_PART) {
    throw new EventStoreError('corrupt', `EventStoreDB returned the position commit ${commit} / prepare ${prepare}, outside 0 .. 2^64-1`);
  }
  return (commit << BITS) | prepare;
}

export function decodePosition(position: bigint): Position {
  if (position < 0n || position >> (2n * BITS) !== 0n) {
    throw new EventStoreError('failure', `${position} is not an EventStoreDB position (it must be (commit << 64) | prepare, both 0 .. 2^64-1)`);
  }
  return { commit: position >> BITS, prepare: position & MAX_PART };
}

/**
 * The server keeps positions as signed 64-bit numbers; -1 ("no position") reaches
 * the client as 2^64-1, and a server that does not report positions on stream
 * reads (before 22.6) leaves them at 0. Neither names a real event.
 */
const LARGEST_REAL = (1n << 63n) - 1n;
export const isRealPosition = (position: Position | undefined): position is Position =>
  position !== undefined &&
  position.commit <= LARGEST_REAL &&
  position.prepare <= LARGEST_REAL &&
  (position.commit > 0n || position.prepare > 0n);
