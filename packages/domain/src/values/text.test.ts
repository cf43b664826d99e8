import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../command-handling/parse.js';
import { multilingualTextSchema } from './multilingual-text.js';
import { safeText, textHygieneProblem } from './text.js';

const registerPartner = (name: Record<string, string>, extra: Record<string, unknown> = {}) =>
  parseCommand({ type: 'RegisterPartner', partnerId: 'enm-france', name, kind: 'school', country: 'FR', ...extra });

describe('text hygiene', () => {
  it('normalises to NFC: a name typed with a combining accent is the precomposed one', () => {
    const parsed = registerPartner({ fr: 'E\u0301cole nationale de la magistrature' });
    expect(parsed.ok && parsed.value.type === 'RegisterPartner' && parsed.value.name.fr).toBe('\u00C9cole nationale de la magistrature');
  });

  it('refuses NUL, lone surrogates, noncharacters and bidi embeddings, overrides and isolates, naming the field', () => {
    const cases: [string, RegExp][] = [
      ['ENM\u0000', /NUL/],
      ['ENM \ud800', /lone surrogate/],
      ['ENM \udc00', /lone surrogate/],
      ['ENM \ufffe', /U\+FFFE, a noncharacter/],
      ['ENM \uffff', /noncharacter/],
      ['ENM \ufdd0', /noncharacter/],
      ['ENM \u{1FFFF}', /U\+1FFFF, a noncharacter/],
      ['gpj.\u202Eexe', /U\+202E \(RIGHT-TO-LEFT OVERRIDE\)/],
      ['a\u202Ab', /EMBEDDING/],
      ['a\u2066b\u2069', /ISOLATE/],
    ];
    for (const [text, why] of cases) {
      const parsed = registerPartner({ en: 'National School', ar: text });
      expect(parsed.ok, JSON.stringify(text)).toBe(false);
      if (!parsed.ok) {
        expect(parsed.error.code).toBe('invalid-command');
        expect(parsed.error.fields).toEqual(['name.ar']);
        expect(parsed.error.message).toMatch(why);
      }
    }
  });

  it('keeps the marks U+200E and U+200F that Arabic beside Latin text needs', () => {
    const text = 'المعهد العالي للقضاء \u200E(ISM)\u200F';
    expect(multilingualTextSchema.parse({ ar: text }).ar).toBe(text);
  });

  it('refuses empty and whitespace-only names and reasons', () => {
    for (const blank of ['', ' ', '\t\n', '\u00A0\u3000']) {
      const parsed = registerPartner({ fr: blank });
      expect(parsed.ok, JSON.stringify(blank)).toBe(false);
      if (!parsed.ok) expect(parsed.error.fields).toEqual(['name.fr']);
    }
    const cancelled = parseCommand({ type: 'TerminateAgreement', agreementId: 'enm-1998', terminatedOn: '2020', reason: '   ' });
    expect(cancelled.ok).toBe(false);
    if (!cancelled.ok) expect(cancelled.error.fields).toEqual(['reason']);
  });

  it('says once why an empty or blank text is refused', () => {
    for (const blank of ['', '   ']) {
      const issues = safeText(100, { empty: 'say why' }).safeParse(blank).error?.issues ?? [];
      expect(issues.map((issue) => issue.message), JSON.stringify(blank)).toEqual(['say why']);
    }
  });

  it('accepts every well-formed text without those characters, and finds them wherever they are', () => {
    const forbidden = fc.constantFrom('\u0000', '\ud800', '\udfff', '\ufffe', '\uffff', '\ufdd5', '\u202A', '\u202E', '\u2066', '\u2069');
    const schema = safeText(10_000);
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1 }), fc.string({ unit: 'grapheme' }), forbidden, (before, after, bad) => {
        fc.pre(/\S/u.test(before) && textHygieneProblem(before + after) === undefined);
        expect(schema.safeParse(before + after).success).toBe(true);
        expect(schema.safeParse(before + bad + after).success).toBe(false);
      }),
    );
  });
});
