import { instituteNameOfRef, type PageRecords } from '../model/page-records.js';
import type { Language, MultilingualText } from '@taawun/domain';
import type { ActivityEntry } from '../model/activities.js';
import type { AgreementEntry } from '../read-models/agreements-register.js';
import { message, type MessageId } from './i18n/messages.js';
import { correctionText, dateText, nameText, textIn } from './texts.js';
import { vocabText } from './vocabulary.js';

/*
 * The full fact under a row: what the answer holds and the table's columns do
 * not show (cohorts, format, place, signatories, areas, the institute's name
 * as signed, the audience such as F4's "two groups"). The CLI prints these
 * lines with `--details`; the report's pages show them under each row. Written
 * once, here.
 */

const isText = (v: unknown): v is MultilingualText =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length > 0 && Object.keys(v).every((k) => ['ar', 'fr', 'en'].includes(k));

/** One value of a fact as text: a multilingual text in the chosen language, a list joined, a number or word as it is. */
function valueText(value: unknown, lang: Language): string {
  if (value === null || value === undefined) return '';
  if (isText(value)) return textIn(value, lang);
  if (Array.isArray(value)) return value.map((v) => valueText(v, lang)).filter(Boolean).join(value.every((v) => isText(v)) ? '; ' : ', ');
  if (typeof value === 'object') return '';
  return String(value);
}

/** The facts whose values are the record's codes (`remote`, `hosted`, `annual`), said in words in French and Arabic. */
const coded: Readonly<Record<string, readonly [MessageId, string]>> = { format: ['vocab.format', 'format'], direction: ['vocab.direction', 'direction'], recurrence: ['vocab.recurrence', 'recurrence'] };
const codedText = (field: string, text: string, lang: Language): string => {
  const vocabulary = coded[field];
  return !vocabulary || lang === 'en' || text === '' || text === 'not-stated' ? text : vocabText(lang, vocabulary[0], vocabulary[1], text);
};

/** The labels of the facts an entry's `details` hold, in the order they are shown; a field not listed is not shown. */
const labels: readonly (readonly [string, string])[] = [
  ['audience', 'audience'],
  ['cohorts', 'cohorts'],
  ['format', 'format'],
  ['place', 'place'],
  ['destination', 'destination'],
  ['direction', 'direction'],
  ['purpose', 'purpose'],
  ['description', 'described as'],
  ['recurrence', 'recurrence'],
  ['themes', 'themes'],
  ['note', 'note'],
  ['summary', 'summary'],
  ['areas', 'areas of cooperation'],
  ['reason', 'reason'],
  ['programmeId', 'programme'],
  ['agreementId', 'agreement'],
];

/** A fact's label in a language: English as the lines always read, the others through the catalogues. */
const label = (lang: Language, field: string, english: string): string => (lang === 'en' ? english : message(lang, `fact.${field}` as MessageId));

/** The label of the institute's name as signed ("institute signed as"), which the report shows on its own line. */
export const instituteSignedAs = (lang: Language): string => label(lang, 'instituteSignedAs', 'institute signed as');

/** "place: Rome", "signatories: …": each fact of a history or register entry the columns leave out. */
export function entryFactLines(entry: ActivityEntry, records: PageRecords, lang: Language): string[] {
  const lines: string[] = [];
  for (const [field, english] of labels) {
    const text = codedText(field, valueText(entry.details[field], lang), lang);
    // "not-stated" formats and single sessions say nothing the text says.
    if (text && text !== 'not-stated') lines.push(`${label(lang, field, english)}: ${text}`);
  }
  const signatories = entry.details.signatories;
  if (Array.isArray(signatories) && signatories.length > 0) {
    lines.push(`${label(lang, 'signatories', 'signatories')}: ${signatories.map((s: { party: string; role: MultilingualText; name?: MultilingualText }) => signatoryText(s.party, s.role, s.name ?? null, lang)).join('; ')}`);
  }
  if (entry.record.type === 'agreement') lines.push(`${instituteSignedAs(lang)}: ${nameText(instituteNameOfRef(entry.instituteName, records), lang)}`);
  for (const c of entry.corrections) lines.push(correctionText(c, lang));
  return lines;
}

const signatoryText = (party: string, role: MultilingualText, name: MultilingualText | null, lang: Language) =>
  `${name ? `${textIn(name, lang)}, ` : ''}${textIn(role, lang)} (${party})`;

/** The full fact of an agreement: the institute's name as signed, place, signatories, areas, amendments. */
export function agreementFactLines(a: AgreementEntry, lang: Language): string[] {
  const lines = [`${instituteSignedAs(lang)}: ${nameText(a.parties.institute, lang)}`];
  if (a.place) lines.push(`${label(lang, 'place', 'place')}: ${textIn(a.place, lang)}`);
  if (a.signatories.length > 0) lines.push(`${label(lang, 'signatories', 'signatories')}: ${a.signatories.map((s) => signatoryText(s.party, s.role, s.name, lang)).join('; ')}`);
  if (a.areas.length > 0) lines.push(`${label(lang, 'areas', 'areas of cooperation')}: ${a.areas.map((x) => textIn(x, lang)).join('; ')}`);
  for (const m of a.amendments) lines.push(`${lang === 'en' ? `amended ${m.amendedOn.label}` : message(lang, 'fact.amended', { date: dateText(m.amendedOn, lang) })}: ${textIn(m.summary, lang)}`);
  for (const c of a.corrections) lines.push(correctionText(c, lang));
  return lines;
}
