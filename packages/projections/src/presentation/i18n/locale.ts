import type { Language } from '@taawun/domain';

/**
 * The locale each language is read in, by default: British English, and the
 * Moroccan usage of French and Arabic (`ar-MA` writes "16 نونبر 1998" with the
 * Maghreb's month names and Western digits). An institute elsewhere passes its
 * own (`ar-TN`, `fr-FR`) through its configuration.
 */
export const defaultLocales: Readonly<Record<Language, string>> = { en: 'en-GB', fr: 'fr-MA', ar: 'ar-MA' };

/** The locales a presentation uses: the defaults, with an institute's own where it gives one. */
export type Locales = Readonly<Record<Language, string>>;

export const localesWith = (overrides: Partial<Record<Language, string>> = {}): Locales => ({ ...defaultLocales, ...overrides });

/** Text direction of a language, for `dir` on a page. */
export const directionOf = (lang: Language): 'rtl' | 'ltr' => (lang === 'ar' ? 'rtl' : 'ltr');

const supported: readonly Language[] = ['en', 'fr', 'ar'];

/**
 * The language to answer in from an `Accept-Language` header (RFC 9110 §12.5.4):
 * the supported language with the highest weight, by primary subtag (`ar-MA` → `ar`);
 * `fallback` when none is acceptable.
 */
export function languageFromAcceptLanguage(header: string | null | undefined, fallback: Language): Language {
  if (!header) return fallback;
  let best: { lang: Language; q: number; order: number } | null = null;
  header.split(',').forEach((part, order) => {
    const [range, ...params] = part.trim().split(';').map((s) => s.trim());
    if (!range) return;
    const qParam = params.find((p) => /^q=/i.test(p));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0 || q > 1) return;
    const primary = range.toLowerCase().split('-')[0]!;
    const lang = primary === '*' ? fallback : supported.find((l) => l === primary);
    if (!lang) return;
    if (!best || q > best.q || (q === best.q && order < best.order)) best = { lang, q, order };
  });
  return (best as { lang: Language } | null)?.lang ?? fallback;
}

/** A language code from outside (a query string, a flag, a config file), or null when it is not one taawun speaks. */
export const parseLanguage = (value: unknown): Language | null => (typeof value === 'string' && (supported as readonly string[]).includes(value) ? (value as Language) : null);
