import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tableEntries, tableGet, tableSet, type Table } from './table.js';

describe('table', () => {
  it('behaves like a map, never changes a table it was given, and lists entries by id', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.stringMatching(/^[a-z0-9-]{1,12}$/), fc.integer())), (writes) => {
        const model = new Map<string, number>();
        let table: Table<number> = {};
        for (const [id, value] of writes) {
          const before = JSON.stringify(table);
          const next = tableSet(table, id, value);
          expect(JSON.stringify(table)).toBe(before);
          table = next;
          model.set(id, value);
        }
        for (const [id, value] of model) expect(tableGet(table, id)).toBe(value);
        expect(tableGet(table, 'absent-id-0')).toBe(model.get('absent-id-0'));
        expect(tableEntries(table)).toEqual([...model.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
        expect(JSON.parse(JSON.stringify(table))).toEqual(table);
      }),
    );
  });

  it('spreads records over at most 128 buckets, so an update copies a small part', () => {
    let table: Table<number> = {};
    for (let i = 0; i < 5000; i++) table = tableSet(table, `session-${i}`, i);
    const sizes = Object.values(table).map((bucket) => Object.keys(bucket).length);
    expect(sizes.length).toBe(128);
    expect(Math.max(...sizes)).toBeLessThan(80);
  });
});
