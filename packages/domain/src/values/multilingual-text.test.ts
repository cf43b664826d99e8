import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { multilingualTextSchema, pickText } from './multilingual-text.js';

describe('multilingual text', () => {
  it('needs at least one language and refuses others', () => {
    expect(multilingualTextSchema.safeParse({}).success).toBe(false);
    expect(multilingualTextSchema.safeParse({ de: 'Schule' }).success).toBe(false);
    expect(multilingualTextSchema.safeParse({ ar: '' }).success).toBe(false);
    expect(multilingualTextSchema.safeParse({ ar: 'المعهد العالي للقضاء' }).success).toBe(true);
  });

  it('round-trips any text unchanged: no trimming, no normalisation, bidi marks kept', () => {
    fc.assert(
      fc.property(fc.record({ ar: fc.string({ minLength: 1, unit: 'grapheme' }), fr: fc.string({ minLength: 1, unit: 'binary' }) }), (text) => {
        const parsed = multilingualTextSchema.parse(JSON.parse(JSON.stringify(text)));
        expect(parsed).toEqual(text);
      }),
    );
    const decomposed = { fr: ' E\u0301cole \u200F ' };
    expect(multilingualTextSchema.parse(decomposed).fr).toBe(' E\u0301cole \u200F ');
  });

  it('picks a language with fallbacks', () => {
    expect(pickText({ ar: 'م', fr: 'f' }, 'en')).toBe('f');
    expect(pickText({ ar: 'م' }, 'fr')).toBe('م');
    expect(pickText({ ar: 'م', en: 'e' }, 'ar')).toBe('م');
  });
});
