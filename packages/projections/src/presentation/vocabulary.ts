import type { Language } from '@taawun/domain';
import type { ActivityEntry } from '../model/activities.js';
import { isReadModelName } from '../read-models/built-in.js';
import { message, type MessageId } from './i18n/messages.js';

/*
 * The record's own words (kinds, statuses, formats, directions) in the reader's
 * language. The read model keeps codes (and its English `what`); English output
 * stays exactly as the read model wrote it, the other languages are said from
 * the codes here.
 */

/** A code as an ICU select key: keys cannot hold '-' ("in-person" is `in_person` in the catalogues). */
export const selectKey = (value: unknown): string => (typeof value === 'string' && value !== '' ? value.replaceAll('-', '_') : 'other');
const code = selectKey;

/** One of the record's coded words (`vocab.*`) in a language; English keeps the code as printed. */
export const vocabText = (lang: Language, id: MessageId, arg: string, value: string | null | undefined): string =>
  value == null ? '' : lang === 'en' ? value : message(lang, id, { [arg]: code(value) });

/** What happened, as the entry's kind, status and coded details say it. */
export function entryWhat(e: ActivityEntry, lang: Language): string {
  if (lang === 'en') return e.what;
  const d = e.details;
  switch (e.kind) {
    case 'agreement-signed':
      return message(lang, 'what.agreementSigned', { kind: code(d['agreementKind']) });
    case 'agreement-amended':
    case 'agreement-terminated':
      // The amendment's and termination's details do not repeat the agreement's kind.
      return message(lang, e.kind === 'agreement-amended' ? 'what.agreementAmended' : 'what.agreementTerminated', { kind: code(d['agreementKind'] ?? kindFromWhat(e.what)) });
    case 'programme-launched':
      return message(lang, 'what.programmeStarted', { recurrence: code(d['recurrence']) });
    case 'programme-closed':
      return message(lang, 'what.programmeClosed');
    case 'session':
      return message(lang, 'what.session', { kind: code(d['sessionKind']), status: code(e.status) });
    case 'study-visit':
      return message(lang, 'what.studyVisit', { direction: code(d['direction']), status: code(e.status) });
    case 'publication-prepared':
      return message(lang, 'what.publicationPrepared', { kind: code(d['publicationKind']) });
    case 'publication-planned':
      return message(lang, 'what.publicationPlanned', { kind: code(d['publicationKind']) });
    case 'publication-published':
      return message(lang, 'what.publicationPublished', { kind: code(d['publicationKind']) });
    default:
      return e.what;
  }
}

/** The agreement kind the English `what` starts with ("Protocol amended"): the amendment's own details do not carry it. */
const kindFromWhat = (what: string): string => what.split(' ')[0]!.toLowerCase();

/** A built-in report's title in a language (the user's own reports keep their author's words; English keeps the definition's). */
export const readModelTitle = (model: { readonly name: string; readonly title: string }, lang: Language): string =>
  lang === 'en' || !isReadModelName(model.name) ? model.title : message(lang, 'readModel.title', { name: code(model.name) });

/** A built-in report's description in a language, likewise. */
export const readModelDescription = (model: { readonly name: string; readonly description: string }, lang: Language): string =>
  lang === 'en' || !isReadModelName(model.name) ? model.description : message(lang, 'readModel.description', { name: code(model.name) });

/** What an event records, in words ("Session held"); English keeps the type's name as stored (`SessionHeld`). */
export const eventTypeText = (type: string, lang: Language): string => (lang === 'en' ? type : message(lang, 'audit.eventType', { type }));

/** A kind of record (`study-visit`) in words; English keeps the code. */
export const recordTypeText = (type: string, lang: Language): string => (lang === 'en' ? type : message(lang, 'audit.recordType', { type: code(type) }));
