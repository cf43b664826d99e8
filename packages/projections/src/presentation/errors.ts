import type { Language } from '@taawun/domain';
import type { QueryError } from '../read-models/query-service.js';
import { message } from './i18n/messages.js';

/**
 * A query's error for people, in their language: the service's message is
 * English (and stays the English text); an unknown key is said again from
 * what was looked for, the value given and the valid keys. Other errors keep
 * the service's words, which name fields and values.
 */
export function queryErrorText(error: Pick<QueryError, 'message' | 'valid' | 'key' | 'fields'> & { readonly code: string }, lang: Language, lens: { readonly asOf?: string } = {}): string {
  if (lang === 'en') return error.message;
  // A business date typed wrongly: said again with the value typed and what to type.
  if (error.code === 'invalid-query' && error.fields?.[0] === 'asOf' && lens.asOf !== undefined) return `asOf: ${message(lang, 'report.badDate', { value: lens.asOf })}`;
  if (error.code !== 'unknown-key' || !error.key) return error.message;
  const valid = error.valid ?? [];
  const shown = valid.length > 40 ? [...valid.slice(0, 40), message(lang, 'error.more', { n: valid.length - 40 })] : valid;
  return message(lang, 'report.unknownKey', {
    what: message(lang, 'error.keyKind', { what: error.key.what }),
    value: error.key.value,
    known: shown.length > 0 ? shown.join(lang === 'ar' ? '، ' : ', ') : message(lang, 'error.noneRecorded'),
  });
}
