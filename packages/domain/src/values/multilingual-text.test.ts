import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { multilingualTextSchema, pickText } from './multilingual-text.js';
import { textHygieneProblem } from './text.js';

describe('multilingual text', () => {
  it('needs at least one language and refuses others', () => {
    expect(multilingualTextSchema.safeParse({}).success).toBe(false);
    expect(multilingualTextSchema.safeParse({ de: 'Schule' }).success).toBe(false);
    expect(multilingualTextSchema.safeParse({ ar: '' }).success).toBe(false);
    expect(multilingualTextSchema.safeParse({ ar: 'المعهد العالي للقضاء' }).success).toBe(true);
  });

  it('round-trips any NFC text unchanged: no trimming, bidi marks kept; other forms come back in NFC', () => {
    const clean = (text: string) => text.normalize('NFC') === text && textHygieneProblem(text) === undefined && /\S/u.test(text);
    fc.assert(
      fc.property(fc.record({ ar: fc.string({ minLength: 1, unit: 'grapheme' }).filter(clean), fr: fc.string({ minLength: 1, unit: 'binary' }).filter(clean) }), (text) => {
        const parsed = multilingualTextSchema.parse(JSON.parse(JSON.stringify(text)));
        expect(parsed).toEqual(text);
      }),
    );
    const decomposed = { fr: ' E\u0301cole \u200F ' };
    expect(multilingualTextSchema.parse(decomposed).fr).toBe(' \u00C9cole \u200F ');
  });

  it('picks a language with fallbacks', () => {
    expect(pickText({ ar: 'م', fr: 'f' }, 'en')).toBe('f');
    expect(pickText({ ar: 'م' }, 'fr')).toBe('م');
    expect(pickText({ ar: 'م', en: 'e' }, 'ar')).toBe('م');
  });
});
