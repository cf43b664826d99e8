import { describe, expect, it } from 'vitest';
import { DocumentTextCache } from './document-cache.js';
import { PostgresReads, type Queryable } from './read-model-reads.js';

/** A connection holding some documents of generation 1 of `m`, answering the reads' statement and counting the keys it was asked for. */
function fakeConnection(documents: Record<string, string>) {
  const asked: string[][] = [];
  const db: Queryable = {
    query: (async (_text: string, values: unknown[]) => {
      const keys = values[2] as string[];
      asked.push(keys);
      const rows = keys.filter((k) => k in documents).map((key) => ({ key, value: documents[key] }));
      // The generation exists: at least one row, all null when no document is found.
      return { rows: rows.length > 0 ? rows : [{ key: null, value: null }] };
    }) as unknown as Queryable['query'],
  };
  return { db, asked };
}

describe('the documents a rewrite of the rm_ tables reads', () => {
  it('are read from the server once: a document asked for again, or known absent, is answered from memory', async () => {
    const { db, asked } = fakeConnection({ a: '{"n":1}', b: '{"n":2}' });
    const reads = new PostgresReads(db, 's', () => 'here', new DocumentTextCache());
    expect(await reads.documents('m', 1, ['a', 'x'])).toEqual(new Map([['a', '{"n":1}']]));
    expect(await reads.documents('m', 1, ['a', 'b', 'x', 'b'])).toEqual(new Map([['a', '{"n":1}'], ['b', '{"n":2}']]));
    expect(await reads.documents('m', 1, ['x', 'a'])).toEqual(new Map([['a', '{"n":1}']]));
    expect(asked).toEqual([['a', 'x'], ['b']]);
  });

  it('are kept per read model and generation', async () => {
    const { db, asked } = fakeConnection({ a: '{"n":1}' });
    const reads = new PostgresReads(db, 's', () => 'here', new DocumentTextCache());
    await reads.documents('m', 1, ['a']);
    await reads.documents('m', 2, ['a']);
    await reads.documents('n', 1, ['a']);
    expect(asked).toEqual([['a'], ['a'], ['a']]);
  });

  it('a listing of keys asked for again (every partner names the institutes) is answered from memory too', async () => {
    const statements: string[] = [];
    const db: Queryable = {
      query: (async (text: string) => {
        statements.push(text);
        return { rows: text.includes('unnest') ? [{ key: 'institute-ism', value: '{}' }] : [{ key: 'institute-ism' }, { key: 'institute-old' }] };
      }) as unknown as Queryable['query'],
    };
    const reads = new PostgresReads(db, 's', () => 'here', new DocumentTextCache());
    expect(await reads.listKeys('m', 1, { prefix: 'institute-' })).toEqual(['institute-ism', 'institute-old']);
    expect(await reads.listKeys('m', 1, { prefix: 'institute-' })).toEqual(['institute-ism', 'institute-old']);
    expect(await reads.listKeys('m', 1, { prefix: 'institute-', limit: 1 })).toEqual(['institute-ism', 'institute-old']); // another listing: read (the fake ignores the limit)
    expect(await reads.documents('m', 1, ['institute-ism'])).toEqual(new Map([['institute-ism', '{}']]));
    expect(statements).toHaveLength(3);
  });

  it('without a cache (reads outside a rewrite), every read goes to the server', async () => {
    const { db, asked } = fakeConnection({ a: '{"n":1}' });
    const reads = new PostgresReads(db, 's', () => 'here');
    await reads.documents('m', 1, ['a']);
    await reads.documents('m', 1, ['a']);
    expect(asked).toEqual([['a'], ['a']]);
  });
});

describe('DocumentTextCache', () => {
  it('holds at most its size in characters, letting the least recently used go first', () => {
    const cache = new DocumentTextCache(30);
    cache.set('a', '0123456789'); // 11 characters with its key
    cache.set('b', '0123456789');
    expect(cache.get('a')).toBe('0123456789'); // a is now the most recently used
    cache.set('c', '0123456789');
    expect(cache.size).toBe(33 - 11);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('0123456789');
    expect(cache.get('c')).toBe('0123456789');
  });

  it('remembers absent keys, keeps nothing larger than itself, and counts a replaced text once', () => {
    const cache = new DocumentTextCache(20);
    cache.set('gone', null);
    expect(cache.get('gone')).toBeNull();
    expect(cache.get('never')).toBeUndefined();
    cache.set('big', 'x'.repeat(40));
    expect(cache.get('big')).toBeUndefined();
    cache.set('k', 'abc');
    cache.set('k', 'abcdef');
    expect(cache.size).toBe('gone'.length + 'k'.length + 6);
  });

  it('keeps no document longer than its longest: the long ones are read again rarely, the short ones often', () => {
    const cache = new DocumentTextCache(1_000, 10);
    cache.set('session', 'x'.repeat(11));
    cache.set('person', 'x'.repeat(10));
    expect(cache.get('session')).toBeUndefined();
    expect(cache.get('person')).toBe('x'.repeat(10));
  });
});
