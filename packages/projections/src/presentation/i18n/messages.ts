import { IntlMessageFormat } from 'intl-messageformat';
import type { Language } from '@taawun/domain';
import { ar } from './messages-ar.js';
import { en, type MessageId } from './messages-en.js';
import { fr } from './messages-fr.js';
import { defaultLocales, type Locales } from './locale.js';

export type { MessageId } from './messages-en.js';

/** The three catalogues, by language: every id in each (the types say so). */
export const catalogues: Readonly<Record<Language, Readonly<Record<MessageId, string>>>> = { en, fr, ar };

export type MessageValues = Readonly<Record<string, string | number>>;

// Compiled once per locale and id: a report formats the same few messages thousands of times.
const compiled = new Map<string, IntlMessageFormat>();

/** A message in a language, its plurals chosen by the language's own rules (Arabic has six forms). */
export function message(lang: Language, id: MessageId, values: MessageValues = {}, locales: Locales = defaultLocales): string {
  const locale = locales[lang];
  const key = `${locale}\u0000${id}`;
  let format = compiled.get(key);
  if (!format) {
    format = new IntlMessageFormat(catalogues[lang][id], locale);
    compiled.set(key, format);
  }
  return String(format.format(values));
}

/** A translator bound to one language: `t('column.partner')`. */
export type Translate = (id: MessageId, values?: MessageValues) => string;
export const translator = (lang: Language, locales: Locales = defaultLocales): Translate => (id, values) => message(lang, id, values, locales);
