import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isEventStoreError } from '@taawun/domain';
import { decodePosition, encodePosition, isRealPosition } from '../src/index.js';

const TOP = (1n << 64n) - 1n;
const part = fc.bigInt({ min: 0n, max: TOP });
const compare = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);

describe('positions: (commit << 64) | prepare', () => {
  it('round-trips every commit / prepare pair exactly', () => {
    fc.assert(
      fc.property(part, part, (commit, prepare) => {
        expect(decodePosition(encodePosition({ commit, prepare }))).toEqual({ commit, prepare });
      }),
      { numRuns: 2_000 },
    );
  });

  it('round-trips the edges: zero, one, 2^63-1, 2^64-1 in either half', () => {
    const edges = [0n, 1n, (1n << 63n) - 1n, 1n << 63n, TOP];
    for (const commit of edges) for (const prepare of edges) expect(decodePosition(encodePosition({ commit, prepare }))).toEqual({ commit, prepare });
  });

  it('every encoded position decodes to a pair that encodes back to it', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (p) => {
        expect(encodePosition(decodePosition(p))).toBe(p);
      }),
    );
  });

  it("orders positions as $all does: by commit, then by prepare", () => {
    fc.assert(
      fc.property(part, part, part, part, (c1, p1, c2, p2) => {
        const byServer = c1 !== c2 ? compare(c1, c2) : compare(p1, p2);
        expect(compare(encodePosition({ commit: c1, prepare: p1 }), encodePosition({ commit: c2, prepare: p2 }))).toBe(byServer);
      }),
      { numRuns: 2_000 },
    );
  });

  it('keeps events of one commit apart (same commit, prepares 1 apart)', () => {
    const a = encodePosition({ commit: 5_000n, prepare: 5_000n });
    const b = encodePosition({ commit: 5_000n, prepare: 5_001n });
    expect(b - a).toBe(1n);
  });

  it('refuses halves outside 0 .. 2^64-1, and positions that are not (commit << 64) | prepare', () => {
    for (const bad of [{ commit: -1n, prepare: 0n }, { commit: 0n, prepare: TOP + 1n }, { commit: TOP + 1n, prepare: 0n }]) {
      const error = (() => { try { encodePosition(bad); } catch (e) { return e; } })();
      expect(isEventStoreError(error) && error.code).toBe('corrupt');
    }
    for (const bad of [-1n, 1n << 128n]) {
      const error = (() => { try { decodePosition(bad); } catch (e) { return e; } })();
      expect(isEventStoreError(error) && error.message).toMatch(/not an EventStoreDB position/);
    }
  });

  it('tells real positions from "no position" (-1 as 2^64-1, or 0/0 from servers before 22.6)', () => {
    expect(isRealPosition({ commit: 1_234n, prepare: 1_234n })).toBe(true);
    expect(isRealPosition({ commit: 0n, prepare: 17n })).toBe(true);
    expect(isRealPosition({ commit: 0n, prepare: 0n })).toBe(false);
    expect(isRealPosition({ commit: TOP, prepare: TOP })).toBe(false);
    expect(isRealPosition(undefined)).toBe(false);
  });
});
