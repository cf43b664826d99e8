import { sumCounts, type Answer, type Count, type EntryCounts, type PeriodReport, type YearlyActivityReport } from '@taawun/projections';
import type { Language } from '@taawun/domain';
import {
  countText,
  dateText,
  entryFigures,
  figuresSummary,
  figureWords,
  gapNotes,
  heldText,
  lensLine,
  lensNotes,
  message,
  peopleText,
  onlyCertainNotes,
  periodText,
  presentAnswer,
  selectKey,
  vocabText,
  type MessageId,
} from '@taawun/projections/presentation';
import { html } from 'hono/html';
import { smallMultiples, type ChartValue } from './chart.js';
import { multilingual, page, type Html, type Letterhead } from './html.js';
import { chrome, langOf, lensForm, lensQuery, pager, type Lens } from './pages.js';
import { auditHref, htmlTable, notesHtml } from './table.js';

/*
 * The yearly activity: the chart and the figures of every period, what each
 * period holds; and one period's own page. However busy the institute, both
 * stay bounded, and each asks the read model for the lines it shows only
 * (`lines`): a period shows a few of its lines on the yearly page, and its own
 * page shows every line of the period, a page of each list at a time, in the
 * report's order (the registers of the period also list what was planned or
 * cancelled; a year's report is what was held, prepared and published).
 */

/** Lines shown per period on the yearly page (sessions, then visits, then publications); the rest is on the period's own page, so the page stays bounded however busy the institute. */
export const LINES_PER_PERIOD = 8;
/** Lines of each list on one page of a period's own page, whatever the year holds; the next lines are on its next page (`linesFrom`). */
export const LINES_PER_LIST = 25;

/** How many lines a period has in all its lists. */
const lineTotal = (p: PeriodReport) => Object.values(p.lineCounts).reduce((a, b) => a + b, 0);
/** With more periods than this, each period's lines are folded (a click opens them), so twenty busy years fit the page. */
const OPEN_UP_TO = 12;

/** A figure as a bar: its height what is known, its label the table's own words for it (`countText`: "not stated", a range through a lens). */
const count = (c: Count, lang: Language): ChartValue => ({ value: c.known, lowerBound: !c.exact, label: countText(c, lang) });

/** A session's or visit's figures in a period's line: English as always written, the other languages through the catalogues. */
function lineFigures(lang: Language, english: string, counts: EntryCounts): string {
  return lang === 'en' ? english : entryFigures(counts, lang);
}

/** A period's lines, list by list (sessions and meetings, study visits, publication steps), each leading to its record's audit trail. */
function periodLines(p: PeriodReport, lang: Language, q: string): { sessions: Html[]; studyVisits: Html[]; publications: Html[] } {
  const trail = (type: string, id: string) => html`<a class="audit" href="${auditHref({ type, id }, q)}">${message(lang, 'report.auditTrail')}</a>`;
  return {
    sessions: p.sessions.map((s) => {
      const counts = s.held === 'sessions' ? { sessions: s.occurrences, peopleTrained: s.people } : { meetings: s.occurrences, peopleAttended: s.people };
      return html`<li>${dateText(s.date, lang)}: ${multilingual(s.title)} <span class="meta">${[vocabText(lang, 'vocab.sessionKind', 'kind', s.kind), vocabText(lang, 'vocab.format', 'format', s.format), lineFigures(lang, heldText(s.held, s.occurrences, s.people, s.figure), counts as EntryCounts)].filter(Boolean).join(', ')}</span> ${trail('session', s.sessionId)}</li>`;
    }),
    studyVisits: p.studyVisits.map((v) => {
      const figure = v.figure ?? 'visit-participants';
      const counts = (figure === 'hosted' ? { hosted: v.participants } : { participants: v.participants }) as EntryCounts;
      const what = lang === 'en' ? `study visit${v.direction ? ` (${v.direction})` : ''}` : message(lang, 'what.periodVisit', { direction: selectKey(v.direction) });
      return html`<li>${dateText(v.date, lang)}: ${multilingual(v.title, { fallback: v.visitId })} <span class="meta">${what}, ${lineFigures(lang, peopleText(v.participants, figureWords[figure]), counts)}</span> ${trail('study-visit', v.visitId)}</li>`;
    }),
    publications: [...p.publications.prepared, ...p.publications.plannedForPublication, ...p.publications.published].map(
      (pub) => html`<li>${dateText(pub.date, lang)}: ${multilingual(pub.title)} <span class="meta">${vocabText(lang, 'vocab.publicationKind', 'kind', pub.kind)}</span> ${trail('publication', pub.publicationId)}</li>`,
    ),
  };
}

/** A period's own page (`?period=`), with the page's lens and language. */
const periodHref = (key: string, q: string) => `/report/activity?${new URLSearchParams({ period: key, ...Object.fromEntries(new URLSearchParams(q.slice(1))) }).toString()}`;

export function activityPage(answer: Answer<YearlyActivityReport>, lens: Lens, letterhead?: Letterhead): Html {
  const { periods } = answer.result;
  const lang = langOf(lens);
  const t = (id: MessageId, values?: Readonly<Record<string, string | number>>) => message(lang, id, values);
  const panels = [
    { key: 'sessions', label: t('report.chart.sessions'), color: '#0b5f8a', values: periods.map((p) => count(p.totals.sessionsHeld, lang)) },
    { key: 'people', label: t('report.chart.people'), color: '#e07b39', values: periods.map((p) => count(p.totals.peopleTrained, lang)) },
    { key: 'visits', label: t('report.chart.visits'), color: '#3a9b5c', values: periods.map((p) => count(p.totals.studyVisits, lang)) },
    {
      key: 'publications',
      label: t('report.chart.publications'),
      color: '#8a5cb8',
      values: periods.map((p) => count(sumCounts([p.totals.publications.prepared, p.totals.publications.plannedForPublication, p.totals.publications.published]), lang)),
    },
  ];
  const table = presentAnswer(answer, {}, { lang });
  const q = lensQuery(lens);
  return page({
    ...chrome(lens),
    title: t('report.nav.activity'),
    subtitle: lensLine(answer, lang),
    ...(letterhead ? { letterhead } : {}),
    body: html`${lensForm(lens)}
${smallMultiples({ title: t('report.chartTitle'), labels: periods.map((p) => periodText(p.period, lang)), panels, table: 'activity-table', lang })}
<section class="sheet" id="activity-table">
<h2>${t('report.figuresPerPeriod')}</h2>
${htmlTable(table, { className: 'activity', lensQuery: q, lang })}
${pager(answer.page, periods.length, lens, {}, false)}
</section>
<section class="sheet periods">
<h2>${t('report.periodsHold')}</h2>
${periods.map((p) => {
  const label = periodText(p.period, lang);
  const { sessions, studyVisits, publications } = periodLines(p, lang, q);
  const lines = [...sessions, ...studyVisits, ...publications].slice(0, LINES_PER_PERIOD);
  // The answer holds a few lines of each list; the period's counts say how many it has.
  const hidden = lineTotal(p) - lines.length;
  return html`<details class="period" data-period="${p.period.key}"${periods.length <= OPEN_UP_TO ? ' open' : ''}>
<summary><h3>${label}</h3> <span class="meta">${t('report.lines', { n: lineTotal(p) })}</span></summary>
<ul>${lines}</ul>
${hidden > 0 ? html`<p class="more">${t('report.more', { n: String(hidden) })} <a href="${periodHref(p.period.key, q)}">${t('report.everythingIn', { period: label })}</a></p>` : ''}
</details>`;
})}
</section>`,
  });
}

/** Which lines of a list a page of a period shows (`linesFrom`, `lines`), where its previous and next lines are, and the register of the period (which also lists what was planned or cancelled). */
function linesPager(period: PeriodReport, list: string, window: LinesWindow, shown: number, total: number, lens: Lens): Html {
  const lang = langOf(lens);
  const { from, size } = window;
  const href = (linesFrom: number) =>
    `/report/activity?${new URLSearchParams({
      period: period.period.key,
      ...(size !== LINES_PER_LIST ? { lines: String(size) } : {}),
      ...(linesFrom > 0 ? { linesFrom: String(linesFrom) } : {}),
      ...Object.fromEntries(new URLSearchParams(lensQuery(lens).slice(1))),
    }).toString()}`;
  const previous = from > 0 ? html` · <a rel="prev" href="${href(Math.max(0, from - size))}">${message(lang, 'report.previous')}</a>` : '';
  const next = period.restOfLines ? html` · <a rel="next" href="${href(from + size)}">${message(lang, 'report.next')}</a>` : '';
  const register = `/report/read-models/${list}?${new URLSearchParams({ period: period.period.key, ...Object.fromEntries(new URLSearchParams(lensQuery(lens).slice(1))) }).toString()}`;
  return html`<p class="more lines-pager">${message(lang, 'report.linesShown', { first: shown === 0 ? from : from + 1, last: from + shown, total })}${previous}${next} · <a href="${register}">${message(lang, 'readModel.title', { name: selectKey(list) })}</a></p>`;
}

/**
 * One period: its figures in a line, why some are lower bounds, and its
 * lines list by list: every line of the period, a page of each list at a time
 * (`linesFrom`), each page saying which lines it holds of how many.
 */
/** Which lines of each list a period's page shows: from the `from`th, `size` of them. */
export interface LinesWindow {
  readonly from: number;
  readonly size: number;
}

export function periodPage(answer: Answer<YearlyActivityReport>, key: string, lens: Lens, letterhead?: Letterhead, window: LinesWindow = { from: 0, size: LINES_PER_LIST }): Html {
  const lang = langOf(lens);
  const period = answer.result.periods.find((p) => p.period.key === key);
  const label = period ? periodText(period.period, lang) : key;
  const q = lensQuery(lens);
  const lines = period ? periodLines(period, lang, q) : { sessions: [], studyVisits: [], publications: [] };
  const counts = period?.lineCounts ?? { sessions: 0, studyVisits: 0, prepared: 0, plannedForPublication: 0, published: 0 };
  const lists = [
    { name: 'sessions', title: 'title.sessions', lines: lines.sessions, total: counts.sessions },
    { name: 'study-visits', title: 'title.studyVisits', lines: lines.studyVisits, total: counts.studyVisits },
    { name: 'publications', title: 'title.publications', lines: lines.publications, total: counts.prepared + counts.plannedForPublication + counts.published },
  ] as const;
  const notes = [...(period ? gapNotes(period.totals, lang) : []), ...onlyCertainNotes(key, lang), ...lensNotes(answer.lens, lang)];
  return page({
    ...chrome(lens),
    title: lang === 'en' ? `Yearly activity report: ${label}` : message(lang, 'title.yearlyPeriod', { period: label }),
    subtitle: lensLine(answer, lang),
    ...(letterhead ? { letterhead } : {}),
    body: html`${lensForm(lens, { period: key })}
<p class="summary">${period ? figuresSummary(period.totals, lang) : message(lang, 'title.nothingInPeriod')}</p>
${lists
  .filter((list) => list.total > 0)
  .map(
    (list) => html`<section class="sheet period-list" data-list="${list.name}">
<h2>${message(lang, list.title, { n: String(list.total) })}</h2>
<ul>${list.lines}</ul>
${period && list.lines.length < list.total ? linesPager(period, list.name, window, list.lines.length, list.total, lens) : ''}
</section>`,
  )}
${notesHtml(notes, lang)}`,
  });
}
