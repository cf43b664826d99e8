import fc from 'fast-check';
import { escapeLiteral } from 'pg';
import { describe, expect, it } from 'vitest';
import { quoteLiteral } from './rows.js';

describe('literals written into the append\'s query text', () => {
  it('property: quoteLiteral writes exactly what the driver\'s escapeLiteral writes, for any text', () => {
    const awkward = fc.constantFrom("'", '\\', "\\'", "''", '"', '$$', '\u0000', 'E', ' ', '\n', 'ع', '😀');
    const text = fc.oneof(fc.string({ unit: 'binary' }), fc.array(fc.oneof(awkward, fc.string({ unit: 'grapheme' }))).map((parts) => parts.join('')));
    fc.assert(fc.property(text, (value) => {
      expect(quoteLiteral(value)).toBe(escapeLiteral(value));
    }), { numRuns: 2_000 });
  });
});
