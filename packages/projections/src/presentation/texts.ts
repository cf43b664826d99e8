import { pickText, type Language, type MultilingualText } from '@taawun/domain';
import { match } from 'ts-pattern';
import type { Period } from '../model/dates.js';
import { countFigures, type ActivityFigures, type LineCounts, type PeriodReport } from '../read-models/yearly-report.js';
import type { Answer } from '../read-models/answer.js';
import type { EntryCounts } from '../model/activities.js';
import { upperBound, type Count, type CountGap } from '../model/counts.js';
import type { CorrectionView } from '../model/facts.js';
import type { NameAtTime } from '../model/names.js';
import { partialDateText } from './i18n/dates.js';
import { message, type MessageId } from './i18n/messages.js';

/*
 * The words every presentation of an answer uses (the CLI's tables, the
 * report's pages): figures the record may know only in part, names that may
 * be uncertain, what a time lens left out. Written once, here.
 */

export const languages = ['en', 'fr', 'ar'] as const satisfies readonly Language[];

/** Text in the chosen language, else another one the record has; never translated, never reshaped. */
export const textIn = (text: MultilingualText | null | undefined, lang: Language): string => (text ? pickText(text, lang) : '');

/** A figure the record may know only in part: `6`, `8–14` (a range), `≥ 8` (a lower bound), or `not stated` when it gives no number at all. */
export function countText(count: Count | null | undefined, lang: Language = 'en'): string {
  if (!count) return '';
  if (count.exact) return String(count.known);
  const most = upperBound(count);
  if (most !== null) return most > count.known ? `${count.known}–${most}` : String(count.known);
  return count.known === 0 ? message(lang, 'figure.notStated') : `≥ ${count.known}`;
}

/**
 * A date as the record gives it, in a language: English keeps the read
 * model's own label ("7–8 November 2018", "by 2022"); French and Arabic are
 * written from the EDTF by the institute's locale ("16 نونبر 1998").
 */
export const dateText = (date: { readonly label: string; readonly edtf: string }, lang: Language): string => (lang === 'en' ? date.label : partialDateText(date.edtf, lang));

/** The EDTF of a period of the yearly report: `2018`, `2016/2020`, `../2022` (by), `2002/..` (from); undefined when the year is unknown. */
const periodEdtf = (period: Pick<Period, 'kind' | 'fromYear' | 'toYear'>): string | undefined =>
  match(period.kind)
    .with('year', () => String(period.fromYear))
    .with('span', () => `${period.fromYear}/${period.toYear}`)
    .with('by', () => `../${period.toYear}`)
    .with('from', () => `${period.fromYear}/..`)
    .with('unknown', () => undefined)
    .exhaustive();

/** A period of the yearly report ("2016", "2016–2020", "by 2022", "from 2002", "year unknown") in a language, written from its EDTF as dates are. */
export function periodText(period: Pick<Period, 'label' | 'kind' | 'fromYear' | 'toYear'>, lang: Language): string {
  if (lang === 'en') return period.label;
  const edtf = periodEdtf(period);
  return edtf === undefined ? message(lang, 'period.yearUnknown') : partialDateText(edtf, lang);
}

/** What a one-year period's page leaves to the others: spans and "by" periods are their own (empty for any other period). */
export function onlyCertainNotes(key: string, lang: Language): string[] {
  if (!/^\d{4}$/.test(key)) return [];
  if (lang === 'en') return [`Only what certainly lies in ${key}; spans such as "2016–2020" and "by ${key}" are their own periods (the whole report lists them).`];
  return [message(lang, 'period.onlyCertain', { year: key, by: partialDateText(`../${key}`, lang) })];
}

/** A value as a correction changed it: JSON, on one line. */
const changedValue = (value: unknown): string => (value === null || value === undefined ? '—' : typeof value === 'string' ? value : JSON.stringify(value));

/** What one correction says, as a line of text: when and by whom, why, and each field from what to what. */
export function correctionText(c: CorrectionView, lang: Language): string {
  const changes = c.changes.map((ch) => `${ch.field}: ${changedValue(ch.from)} → ${changedValue(ch.to)}`).join('; ');
  return `${message(lang, 'audit.corrected', { at: c.recordedAt, by: c.recordedBy })} ${c.reason}${changes ? ` (${changes})` : ''}`;
}

/** The sources of an entry, and how many times it was corrected when it was: the table's mark that a figure or date is not as first recorded. */
export const sourcesText = (refs: readonly string[], corrections: readonly unknown[], lang: Language): string =>
  [refs.join(' '), corrections.length > 0 ? message(lang, 'report.corrected', { n: corrections.length }) : ''].filter(Boolean).join(' · ');

/** A column header: English as the tables always printed it (upper case), French upper-cased too, Arabic as written. */
export const headerText = (lang: Language, id: MessageId, english: string): string => (lang === 'en' ? english : message(lang, id).toLocaleUpperCase(lang));

/** One figure in words, in French or Arabic, its plural by the language's rules ("6 personnes formées", "قيدان"). */
function figureIn(lang: Language, id: MessageId, count: Count, what: MessageId): string {
  if (!count.exact && count.known === 0) return message(lang, 'figure.whatNotStated', { what: message(lang, what) });
  return message(lang, id, { n: count.known, value: countText(count, lang) });
}

/** The figures of an entry in French or Arabic (English: `entryFigures`). */
function entryFiguresIn(counts: EntryCounts, lang: Language): string {
  const parts: string[] = [];
  if (counts.sessions && !(counts.sessions.exact && counts.sessions.known === 1)) parts.push(figureIn(lang, 'figure.sessions', counts.sessions, 'column.sessions'));
  if (counts.peopleTrained) parts.push(figureIn(lang, counts.trainers ? 'figure.trainers' : 'figure.trained', counts.peopleTrained, 'column.trained'));
  if (counts.meetings && !(counts.meetings.exact && counts.meetings.known === 1)) parts.push(figureIn(lang, 'figure.meetings', counts.meetings, 'column.meetings'));
  if (counts.peopleAttended) parts.push(figureIn(lang, 'figure.attended', counts.peopleAttended, 'column.attended'));
  if (counts.participants) parts.push(figureIn(lang, 'figure.participants', counts.participants, 'column.participantsCount'));
  if (counts.hosted) parts.push(figureIn(lang, 'figure.hosted', counts.hosted, 'column.hosted'));
  return parts.join(lang === 'ar' ? '، ' : ', ');
}

/** A number of things: "1 session", "6 sessions", "≥ 2 meetings", "sessions: not stated". */
export function countOf(count: Count, one: string, many: string): string {
  if (!count.exact && count.known === 0) return `${many}: not stated`;
  return `${countText(count)} ${count.exact && count.known === 1 ? one : many}`;
}

/** People counted under one figure: "70 attended", "≥ 120 trained", "trained: not stated" (never "≥ 0"). */
export function peopleText(count: Count, figure: string): string {
  return !count.exact && count.known === 0 ? `${figure}: not stated` : `${countText(count)} ${figure}`;
}

/** The words of each figure (model/figures.ts). */
export const figureWords = { trained: 'trained', trainers: 'trainers trained', attended: 'attended', 'visit-participants': 'participants', hosted: 'hosted' } as const;

/** The figures of a session (or meeting) line: "6 sessions, 120 trained", "≥ 2 meetings, attended: not stated", "70 attended". One session or meeting goes without saying. */
export function heldText(held: 'sessions' | 'meetings', occurrences: Count | undefined, people: Count | undefined, figure: 'trained' | 'attended' | 'trainers'): string {
  const parts: string[] = [];
  if (occurrences && !(occurrences.exact && occurrences.known === 1)) parts.push(held === 'sessions' ? countOf(occurrences, 'session', 'sessions') : countOf(occurrences, 'meeting', 'meetings'));
  if (people) parts.push(peopleText(people, figureWords[figure]));
  return parts.join(', ');
}

/** The figures of a history or register entry, in a few words: "6 sessions, 120 trained", "70 attended", "2 participants", "11 hosted". */
export function entryFigures(counts: EntryCounts | null, lang: Language = 'en'): string {
  if (!counts) return '';
  if (lang !== 'en') return entryFiguresIn(counts, lang);
  const parts: string[] = [];
  if (counts.sessions || counts.peopleTrained) parts.push(heldText('sessions', counts.sessions, counts.peopleTrained, counts.trainers ? 'trainers' : 'trained'));
  if (counts.meetings || counts.peopleAttended) parts.push(heldText('meetings', counts.meetings, counts.peopleAttended, 'attended'));
  if (counts.participants) parts.push(peopleText(counts.participants, figureWords['visit-participants']));
  if (counts.hosted) parts.push(peopleText(counts.hosted, figureWords.hosted));
  return parts.filter(Boolean).join(', ');
}

/** A name at a date: the name, "one of: A / B" when a rename may fall either side, or "name unknown". */
export function nameText(name: NameAtTime, lang: Language): string {
  if (name.name) return textIn(name.name, lang);
  if (name.candidates.length > 0) return message(lang, 'name.oneOf', { candidates: name.candidates.map((c) => textIn(c, lang)).join(' / ') });
  return message(lang, 'name.unknown');
}

/** Where an answer stands: the lens it was read through and the log position it reflects. */
export function lensLine(answer: Pick<Answer<unknown>, 'asOf' | 'asKnownOn' | 'source'>, lang: Language = 'en'): string {
  const parts = [
    answer.asOf ? message(lang, 'lens.asOf', { date: answer.asOf }) : message(lang, 'lens.everything'),
    answer.asKnownOn ? message(lang, 'lens.asKnownOn', { date: answer.asKnownOn }) : null,
    answer.source.position ? message(lang, 'lens.position', { position: answer.source.position }) : message(lang, 'lens.emptyLog'),
  ];
  return parts.filter(Boolean).join(' · ');
}

/** What a time lens left out, in a few lines. */
export function lensNotes(lens: Answer<unknown>['lens'], lang: Language = 'en'): string[] {
  if (!lens) return [];
  if (lang !== 'en') return lensNotesIn(lens, lang);
  const notes: string[] = [];
  const view = [lens.asOf ? `as of ${lens.asOf}` : '', lens.asKnownOn ? `as known on ${lens.asKnownOn}` : ''].filter(Boolean).join(', ');
  notes.push(`Seen ${view}: ${lens.eventsCounted} events counted.`);
  const { yearUnknown, mayBeLater, later, recordedLater } = lens.notCounted;
  const cite = (list: readonly { sourceRef: string | null }[]) => {
    const refs = [...new Set(list.map((e) => e.sourceRef).filter((r): r is string => r !== null))];
    return `${list.length} event${list.length === 1 ? '' : 's'}${refs.length > 0 ? ` (${refs.join(', ')})` : ''}`;
  };
  const left = [
    yearUnknown.length > 0 ? `${cite(yearUnknown)} with the year unknown` : '',
    mayBeLater.length > 0 ? `${cite(mayBeLater)} that may be later` : '',
    later > 0 ? `${later} later` : '',
    recordedLater > 0 ? `${recordedLater} recorded later` : '',
  ].filter(Boolean);
  if (left.length > 0) notes.push(`Not counted: ${left.join('; ')}.`);
  if (lens.mayBe.length > 0) notes.push(`May be by then: ${cite(lens.mayBe)}, taken in: what it may change is shown uncertain.`);
  return notes;
}

/** What a time lens left out, in French or Arabic (the same notes as `lensNotes`). */
function lensNotesIn(lens: NonNullable<Answer<unknown>['lens']>, lang: Language): string[] {
  const view = [lens.asOf ? message(lang, 'lens.asOf', { date: lens.asOf }) : '', lens.asKnownOn ? message(lang, 'lens.asKnownOn', { date: lens.asKnownOn }) : ''].filter(Boolean).join(', ');
  const notes = [message(lang, 'lens.seen', { view, n: lens.eventsCounted })];
  const { yearUnknown, mayBeLater, later, recordedLater } = lens.notCounted;
  const refs = (list: readonly { sourceRef: string | null }[]) => {
    const cited = [...new Set(list.map((e) => e.sourceRef).filter((r): r is string => r !== null))];
    return cited.length > 0 ? ` (${cited.join(', ')})` : '';
  };
  const left = [
    yearUnknown.length > 0 ? message(lang, 'lens.yearUnknown', { n: yearUnknown.length, refs: refs(yearUnknown) }) : '',
    mayBeLater.length > 0 ? message(lang, 'lens.mayBeLater', { n: mayBeLater.length, refs: refs(mayBeLater) }) : '',
    later > 0 ? message(lang, 'lens.later', { n: later }) : '',
    recordedLater > 0 ? message(lang, 'lens.recordedLater', { n: recordedLater }) : '',
  ].filter(Boolean);
  if (left.length > 0) notes.push(message(lang, 'lens.notCounted', { what: left.join('; ') }));
  if (lens.mayBe.length > 0) notes.push(message(lang, 'lens.mayBe', { n: lens.mayBe.length, refs: refs(lens.mayBe) }));
  return notes;
}

const gapReasons: Record<CountGap['reason'], string> = {
  'sessions-not-numbered': '"several" sessions, counted as at least 2',
  'no-attendance-figure': 'no attendance figure',
  'per-session-figure-of-unnumbered-sessions': 'a figure per session of "several" sessions, counted for 2',
  'no-participant-figure': 'no participant figure',
};

/** Why some figures are lower bounds: each record that gives no number, once. */
/** A period's lists as its line counts name them, each with the lines the answer holds. */
export const periodLists = (p: PeriodReport): readonly { list: keyof LineCounts; shown: number }[] => [
  { list: 'sessions', shown: p.sessions.length },
  { list: 'studyVisits', shown: p.studyVisits.length },
  { list: 'prepared', shown: p.publications.prepared.length },
  { list: 'plannedForPublication', shown: p.publications.plannedForPublication.length },
  { list: 'published', shown: p.publications.published.length },
];

/** The query of a period's next lines as one can ask it (`yearly-activity-report?period=2018&lines=100&linesFrom=100`). */
export const restOfLinesText = (rest: NonNullable<PeriodReport['restOfLines']>): string => `${rest.readModel}?${new URLSearchParams(rest.params).toString()}`;

/**
 * What a period's answer leaves out of its lists: for each list it holds in part,
 * how many it shows of how many, and the query giving the rest (the next lines,
 * or those from the start when the window is the last). Never silent.
 */
export function linesCutNotes(p: PeriodReport, window: { readonly from: number; readonly limit: number }, lang: Language = 'en'): string[] {
  const rest = p.restOfLines ?? { readModel: 'yearly-activity-report', params: { period: p.period.key, lines: String(window.limit) } };
  return periodLists(p)
    .filter(({ list, shown }) => shown < p.lineCounts[list])
    .map(({ list, shown }) => message(lang, 'period.linesCut', { shown, total: p.lineCounts[list], list, first: window.from + 1, rest: restOfLinesText(rest) }));
}

export function gapNotes(figures: ActivityFigures, lang: Language = 'en'): string[] {
  const all: Count[] = countFigures.map((name) => figures[name]);
  const gaps = new Map<string, CountGap>();
  for (const gap of all.flatMap((c) => c.gaps)) gaps.set(`${gap.recordId}/${gap.reason}`, gap);
  if (gaps.size === 0) return [];
  // The yearly report's totals name only the first gaps of each count (`gapCount`): say so, never silently.
  const named = all.reduce((n, c) => n + c.gaps.length, 0);
  const counted = all.reduce((n, c) => n + (c.gapCount ?? c.gaps.length), 0);
  const notAllNamed = counted > named ? [message(lang, 'figure.gapsNotAllNamed', { named, all: counted })] : [];
  if (lang === 'en') return [`≥ marks a lower bound: the record gives no number for ${[...gaps.values()].map((g) => `${g.recordId} (${gapReasons[g.reason]})`).join(', ')}.`, ...notAllNamed];
  const records = [...gaps.values()].map((g) => message(lang, 'gap.record', { record: g.recordId, reason: message(lang, 'gap.reason', { reason: g.reason.replaceAll('-', '_') }) }));
  return [message(lang, 'figure.lowerBoundNote', { records: records.join(lang === 'ar' ? '، ' : ', ') }), ...notAllNamed];
}

/** An activity's figures in one line, for a period's heading: like with like, each figure in its own words. */
export const figuresSummary = (f: ActivityFigures, lang: Language = 'en'): string =>
  lang !== 'en'
    ? message(lang, 'summary.figures', {
        sessions: countText(f.sessionsHeld, lang),
        trained: countText(f.peopleTrained, lang),
        ofWhom: f.trainersTrained.known > 0 || !f.trainersTrained.exact ? message(lang, 'summary.ofWhomTrainers', { trainers: countText(f.trainersTrained, lang) }) : '',
        meetings: countText(f.meetingsHeld, lang),
        attended: countText(f.peopleAttended, lang),
        visits: countText(f.studyVisits, lang),
        participants: countText(f.studyVisitParticipants, lang),
        hosted: countText(f.visitorsHosted, lang),
        prepared: countText(f.publications.prepared, lang),
        planned: countText(f.publications.plannedForPublication, lang),
        published: countText(f.publications.published, lang),
      })
    : [
    countOf(f.sessionsHeld, 'training session held', 'training sessions held'),
    peopleText(f.peopleTrained, 'people trained'),
    ...(f.trainersTrained.known > 0 || !f.trainersTrained.exact ? [`of whom ${peopleText(f.trainersTrained, 'trainers')}`] : []),
    countOf(f.meetingsHeld, 'meeting held', 'meetings held'),
    peopleText(f.peopleAttended, 'people attended'),
    `${countOf(f.studyVisits, 'study visit', 'study visits')} (${peopleText(f.studyVisitParticipants, 'participants')}, ${peopleText(f.visitorsHosted, 'visitors hosted')})`,
    `publications: ${countText(f.publications.prepared)} prepared, ${countText(f.publications.plannedForPublication)} planned, ${countText(f.publications.published)} published`,
  ].join(', ');

/** Which rows of its list a page of an answer holds: "101–200 of 2345" (`shown`: the rows the page holds). */
export function pageRangeText(page: NonNullable<Answer<unknown>['page']>, shown: number, lang: Language): string {
  if (shown === 0) return message(lang, 'report.pageEmpty', { offset: String(page.offset), total: String(page.total) });
  return message(lang, 'report.pageOf', { first: String(page.offset + 1), last: String(page.offset + shown), total: String(page.total) });
}
