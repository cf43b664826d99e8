import { pickText, type Language, type MultilingualText } from '@taawun/domain';
import type { ActivityFigures } from '../read-models/yearly-report.js';
import type { Answer } from '../read-models/answer.js';
import type { EntryCounts } from '../model/activities.js';
import { upperBound, type Count, type CountGap } from '../model/counts.js';
import type { NameAtTime } from '../model/names.js';

/*
 * The words every presentation of an answer uses (the CLI's tables, the
 * report's pages): figures the record may know only in part, names that may
 * be uncertain, what a time lens left out. Written once, here.
 */

export const languages = ['en', 'fr', 'ar'] as const satisfies readonly Language[];

/** Text in the chosen language, else another one the record has; never translated, never reshaped. */
export const textIn = (text: MultilingualText | null | undefined, lang: Language): string => (text ? pickText(text, lang) : '');

/** A figure the record may know only in part: `6`, `8–14` (a range), `≥ 8` (a lower bound), or `not stated` when it gives no number at all. */
export function countText(count: Count | null | undefined): string {
  if (!count) return '';
  if (count.exact) return String(count.known);
  const most = upperBound(count);
  if (most !== null) return most > count.known ? `${count.known}–${most}` : String(count.known);
  return count.known === 0 ? 'not stated' : `≥ ${count.known}`;
}

/** The figures of a history or register entry, in a few words: "6 sessions, ≥ 120 trained", "2 participants". */
export function entryFigures(counts: EntryCounts | null): string {
  if (!counts) return '';
  const parts: string[] = [];
  const { sessions, peopleTrained, participants } = counts;
  if (sessions && !(sessions.exact && sessions.known === 1)) parts.push(sessions.exact || sessions.known !== 1 ? `${countText(sessions)} sessions` : 'several sessions');
  if (peopleTrained && (peopleTrained.known > 0 || !peopleTrained.exact)) parts.push(`${countText(peopleTrained)} trained`);
  if (participants && (participants.known > 0 || !participants.exact)) parts.push(`${countText(participants)} participants`);
  return parts.join(', ');
}

/** A name at a date: the name, "one of: A / B" when a rename may fall either side, or "name unknown". */
export function nameText(name: NameAtTime, lang: Language): string {
  if (name.name) return textIn(name.name, lang);
  if (name.candidates.length > 0) return `one of: ${name.candidates.map((c) => textIn(c, lang)).join(' / ')}`;
  return 'name unknown';
}

/** Where an answer stands: the lens it was read through and the log position it reflects. */
export function lensLine(answer: Pick<Answer<unknown>, 'asOf' | 'asKnownOn' | 'source'>): string {
  const parts = [
    answer.asOf ? `as of ${answer.asOf}` : 'everything recorded',
    answer.asKnownOn ? `as known on ${answer.asKnownOn}` : null,
    answer.source.position ? `log position ${answer.source.position}` : 'empty log',
  ];
  return parts.filter(Boolean).join(' · ');
}

/** What a time lens left out, in a few lines. */
export function lensNotes(lens: Answer<unknown>['lens']): string[] {
  if (!lens) return [];
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

const gapReasons: Record<CountGap['reason'], string> = {
  'sessions-not-numbered': '"several" sessions, counted as 1',
  'no-attendance-figure': 'no attendance figure',
  'per-session-figure-of-unnumbered-sessions': 'a figure per session of unnumbered sessions, counted once',
  'no-participant-figure': 'no participant figure',
};

/** Why some figures are lower bounds: each record that gives no number, once. */
export function gapNotes(figures: ActivityFigures): string[] {
  const all: Count[] = [figures.sessionsHeld, figures.peopleTrained, figures.studyVisits, figures.studyVisitParticipants];
  const gaps = new Map<string, CountGap>();
  for (const gap of all.flatMap((c) => c.gaps)) gaps.set(`${gap.recordId}/${gap.reason}`, gap);
  if (gaps.size === 0) return [];
  return [`≥ marks a lower bound: the record gives no number for ${[...gaps.values()].map((g) => `${g.recordId} (${gapReasons[g.reason]})`).join(', ')}.`];
}

/** An activity's figures in one line, for a period's heading. */
export const figuresSummary = (f: ActivityFigures): string =>
  `${countText(f.sessionsHeld)} sessions held, ${countText(f.peopleTrained)} people trained, ${countText(f.studyVisits)} study visits (${countText(f.studyVisitParticipants)} participants), publications: ${f.publications.prepared} prepared, ${f.publications.plannedForPublication} planned, ${f.publications.published} published`;
