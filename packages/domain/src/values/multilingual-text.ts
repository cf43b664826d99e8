import { z } from 'zod';

/**
 * Text in Arabic, French and/or English, as written: no trimming, no Unicode
 * normalisation, no bidi control stripped, so every string round-trips unchanged.
 */
const language = z.string().min(1).max(10_000);

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
