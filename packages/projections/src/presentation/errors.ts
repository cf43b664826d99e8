import type { Language } from '@taawun/domain';
import type { QueryError } from '../read-models/query-service.js';
import { message } from './i18n/messages.js';
import { readModelTitle } from './vocabulary.js';

type PeopleError = Pick<QueryError, 'message' | 'valid' | 'key' | 'fields' | 'parameters' | 'asked'> & { readonly code: string };

/**
 * A query's error for people, in their language: the service's message is
 * English (and stays the English text); in French and Arabic each error is
 * said again from what it carries: an unknown key or report from what was
 * looked for, the value given and the valid keys; a date typed wrongly from
 * the value typed; a record not found from the report and what was asked;
 * parameters that cannot be read from their names and those the report takes.
 */
export function queryErrorText(error: PeopleError, lang: Language, lens: { readonly asOf?: string; readonly asKnownOn?: string } = {}): string {
  if (lang === 'en') return error.message;
  const list = (items: readonly string[]) => items.join(lang === 'ar' ? '، ' : ', ');
  if (error.code === 'invalid-query') {
    // A business date typed wrongly: said again with the value typed and what to type.
    if (error.fields?.[0] === 'asOf' && lens.asOf !== undefined) return `asOf: ${message(lang, 'report.badDate', { value: lens.asOf })}`;
    if (error.fields?.[0] === 'asKnownOn' && lens.asKnownOn !== undefined) return message(lang, 'error.badDateOf', { field: 'asKnownOn', value: lens.asKnownOn });
    const fields = (error.fields ?? []).filter(Boolean);
    return message(lang, 'error.invalidParameters', { fields: fields.length > 0 ? list(fields) : '—', expected: error.parameters && error.parameters.length > 0 ? list(error.parameters) : '—' });
  }
  if (error.code === 'not-found') {
    const values = Object.values(error.asked?.params ?? {}).filter((v): v is string => typeof v === 'string' && v !== '' && v !== 'redact' && v !== 'show');
    if (!error.asked || values.length === 0) return message(lang, 'error.nothingFound');
    return message(lang, 'error.notFound', { what: readModelTitle({ name: error.asked.readModel, title: error.asked.readModel }, lang), value: values.join(' ') });
  }
  if ((error.code !== 'unknown-key' && error.code !== 'unknown-read-model') || !error.key) return error.message;
  const valid = error.valid ?? [];
  // Among many keys (record ids), the few closest to the one typed.
  const near = error.key.near ?? valid.slice(0, 40);
  const shown = valid.length > near.length ? [...near, message(lang, 'error.more', { n: valid.length - near.length })] : valid;
  return message(lang, 'report.unknownKey', {
    what: message(lang, 'error.keyKind', { what: error.key.what }),
    value: error.key.value,
    known: shown.length > 0 ? list(shown) : message(lang, 'error.noneRecorded'),
  });
}
