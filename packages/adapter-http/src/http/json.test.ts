import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { duplicateKeyOf } from './json.js';

describe('duplicate JSON keys', () => {
  it('finds a key named twice in one object, with the path of that object', () => {
    expect(duplicateKeyOf('{"a":1,"a":2}')).toEqual({ key: 'a', path: '' });
    expect(duplicateKeyOf('{"partners":[{"id":"x"},{"id":"y","id":"z"}]}')).toEqual({ key: 'id', path: 'partners.1' });
    expect(duplicateKeyOf('{"name":{"en":"A","\\u0065n":"B"}}')).toEqual({ key: 'en', path: 'name' });
    expect(duplicateKeyOf('{ "a" : 1 , "b" : { "a" : 2 } }')).toBeUndefined();
    expect(duplicateKeyOf('{"a":"\\"a\\":","b":["a","a"]}')).toBeUndefined();
  });

  it('finds none in what JSON.stringify writes', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(duplicateKeyOf(JSON.stringify(value))).toBeUndefined();
      }),
    );
  });
});
