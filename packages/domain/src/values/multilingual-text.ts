import { z } from 'zod';
import { safeText } from './text.js';

/**
 * Text in Arabic, French and/or English, as written (no trimming), in NFC, and
 * free of what corrupts or disguises text (NUL, lone surrogates, noncharacters,
 * bidi overrides: see `safeText`); the bidi marks U+200E/U+200F stay.
 */
const language = safeText(10_000);

export const multilingualTextSchema = z
  .object({ ar: language.optional(), fr: language.optional(), en: language.optional() })
  .strict()
  .refine((t) => t.ar !== undefined || t.fr !== undefined || t.en !== undefined, {
    message: 'give the text in at least one of ar, fr, en',
  })
  .meta({ description: 'Text in Arabic (ar), French (fr) and/or English (en); at least one.' });

export type MultilingualText = z.infer<typeof multilingualTextSchema>;
export type Language = keyof MultilingualText;

/** The text in the preferred language, falling back in the order given. */
export function pickText(text: MultilingualText, ...preference: Language[]): string {
  for (const lang of [...preference, 'en', 'fr', 'ar'] as const) {
    const value = text[lang];
    if (value !== undefined) return value;
  }
  return '';
}
