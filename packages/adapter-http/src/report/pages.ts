import type { Answer, EntryCounts, HistoryEntry, NameAtTime, PartnerHistory, ReadModelInfo, YearlyActivityReport } from '@taawun/projections';
import type { Language } from '@taawun/domain';
import { dateText, entryFactLines, instituteSignedAs, type MessageId, entryFigures, figureWords, heldText, lensLine, message, peopleText, periodText, presentAnswer, entryWhat, queryErrorText, readModelDescription, readModelTitle, selectKey, vocabText } from '@taawun/projections/presentation';
import { html } from 'hono/html';
import { smallMultiples, type ChartValue } from './chart.js';
import { multilingual, page, withLang, type Html, type Letterhead } from './html.js';
import { auditHref, htmlTable } from './table.js';

/**
 * The report's pages, rendered from the query service's answers (the same
 * answers the API serves) with the presentations the CLI prints. Each page
 * states the time lens it was read through.
 */
export interface Lens {
  readonly asOf?: string;
  readonly asKnownOn?: string;
  /** The page's language: `?lang=`, else the browser's `Accept-Language`, else the institute's default. */
  readonly lang?: Language;
  /** The address chose the language (`?lang=`): the page's links keep it. */
  readonly langInQuery?: boolean;
  /** The page's own address (path and query), for the language switch. */
  readonly here?: string;
}

export const langOf = (lens: Lens): Language => lens.lang ?? 'en';
/** What every page passes to `page`: its language and address. */
export const chrome = (lens: Lens) => ({ lang: langOf(lens), ...(lens.here ? { here: lens.here } : {}) });

export const lensQuery = (lens: Lens): string => {
  const params = new URLSearchParams();
  if (lens.asOf) params.set('asOf', lens.asOf);
  if (lens.asKnownOn) params.set('asKnownOn', lens.asKnownOn);
  if (lens.langInQuery && lens.lang) params.set('lang', lens.lang);
  const text = params.toString();
  return text ? `?${text}` : '';
};

export function lensForm(lens: Lens, hidden: Readonly<Record<string, string>> = {}): Html {
  const lang = langOf(lens);
  const kept = lens.langInQuery && lens.lang ? { ...hidden, lang: lens.lang } : hidden;
  return html`<form class="lens" method="get">
${Object.entries(kept).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<label>${message(lang, 'report.asOfLabel')} <input name="asOf" value="${lens.asOf ?? ''}" placeholder="YYYY-MM-DD" size="10" maxlength="10" dir="ltr"></label>
<label>${message(lang, 'report.asKnownOnLabel')} <input name="asKnownOn" value="${lens.asKnownOn ?? ''}" placeholder="YYYY-MM-DD" size="24" maxlength="40" dir="ltr"></label>
<button type="submit">${message(lang, 'report.show')}</button>
</form>`;
}

/**
 * A report asked with something it cannot read (a date typed as 15/11/2018,
 * an unknown partner or parameter): a page for people, saying what was wrong
 * and what to type, with the form filled back in as it was sent.
 */
export function reportErrorPage(error: Parameters<typeof queryErrorText>[0], lens: Lens, hidden: Readonly<Record<string, string>>): Html {
  // An unknown partner or period names the valid keys in its message; a date typed wrongly gets the help below.
  const notFound = error.code === 'not-found' || error.code === 'unknown-read-model' || error.code === 'unknown-key';
  const lang = langOf(lens);
  // The service's own message is English; the page around it is in the reader's language.
  if (lang !== 'en') {
    return page({
      ...chrome(lens),
      title: message(lang, notFound ? 'report.notFoundTitle' : 'report.badInputTitle'),
      body: html`<section class="problem" data-code="${error.code}">
<p class="problem-message"><strong>${withCodes(queryErrorText(error, lang, lens), [...(error.valid ?? []), ...(error.parameters ?? []), ...(error.fields ?? [])])}</strong></p>
${
  notFound
    ? html`<p>${message(lang, 'report.helpNotFound')}</p>`
    : html`<dl class="help">
<dt>${message(lang, 'report.asOfLabel')}</dt><dd>${message(lang, 'report.helpAsOf')}</dd>
<dt>${message(lang, 'report.asKnownOnLabel')}</dt><dd>${message(lang, 'report.helpAsKnownOn')}</dd>
<dt>${message(lang, 'report.helpEmptyTitle')}</dt><dd>${message(lang, 'report.helpEmpty')}</dd>
</dl>`
}
</section>
${lensForm(lens, hidden)}`,
    });
  }
  return page({
    ...chrome(lens),
    title: notFound ? 'Not in the record' : 'The report cannot be read with what was typed',
    body: html`<section class="problem" data-code="${error.code}">
<p class="problem-message"><strong>${error.message}</strong></p>
${
  notFound
    ? html`<p>Check the identifier: <a href="/report">the partner list</a> links every partner, and the index below it every report.</p>`
    : html`<dl class="help">
<dt>As of (business date)</dt><dd>a day <code>YYYY-MM-DD</code> (<code>2018-11-15</code>), a month <code>YYYY-MM</code> (<code>2018-11</code>, its end) or a year <code>YYYY</code> (<code>2018</code>, its end): only what certainly happened by then is counted.</dd>
<dt>As known on (recorded by)</dt><dd>a day <code>YYYY-MM-DD</code> (its end, UTC) or an instant <code>2024-05-28T09:30:00Z</code>: the record as it was known then, before later corrections. Not in the future.</dd>
<dt>Leave both empty</dt><dd>for everything recorded.</dd>
</dl>`
}
</section>
${lensForm(lens, hidden)}`,
  });
}

/** A text with the identifiers it names (report names, parameters, keys: what one types in an address) set as code. */
function withCodes(text: string, codes: readonly string[]): Html {
  const named = [...new Set(codes.filter((c) => c.length > 0))].sort((a, b) => b.length - a.length);
  if (named.length === 0) return html`${text}`;
  const pattern = new RegExp(`(?<![\\w-])(${named.map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(?![\\w-])`, 'g');
  return html`${text.split(pattern).map((part, i) => (i % 2 === 1 ? html`<code>${part}</code>` : part))}`;
}

/** A name as it was at a date: stated, in force, one of several candidates, or unknown. */
export function nameAtTime(name: NameAtTime, lang: Language = 'en'): Html {
  if (name.name) return multilingual(name.name);
  if (name.candidates.length > 0) {
    const [before, after] = message(lang, 'name.oneOf', { candidates: '\u0000' }).split('\u0000');
    return html`<span class="uncertain">${before}${name.candidates.map((c, i) => html`${i > 0 ? ' / ' : ''}${multilingual(c)}`)}${after}</span>`;
  }
  return html`<span class="unknown">${message(lang, 'name.unknown')}</span>`;
}

/** Any answer as its presentation's table: the partner list, the agreements register, a report written later. */
export function answerPage(
  answer: Answer<unknown>,
  lens: Lens,
  options: { params: Readonly<Record<string, string>>; list: string | null; title?: string; className?: string; after?: Html; letterhead?: Letterhead },
): Html {
  const lang = langOf(lens);
  const table = presentAnswer(answer, options.params, { lang, list: options.list });
  const more = answer.page?.nextOffset != null ? new URLSearchParams({ ...options.params, ...Object.fromEntries(new URLSearchParams(lensQuery(lens).slice(1))), offset: String(answer.page.nextOffset) }) : undefined;
  return page({
    ...chrome(lens),
    title: options.title ?? table.title[0] ?? answer.readModel,
    subtitle: lensLine(answer, lang),
    ...(options.letterhead ? { letterhead: options.letterhead } : {}),
    body: html`${lensForm(lens, options.params)}
${table.title.slice(1).map((line) => html`<p class="meta">${line}</p>`)}
${htmlTable(table, { className: options.className ?? answer.readModel, lensQuery: lensQuery(lens), lang })}
${answer.page ? html`<p class="meta">${message(lang, 'report.pageOf', { first: String(answer.page.offset + 1), last: String(answer.page.offset + table.rows.length), total: String(answer.page.total) })}${more ? html` · <a rel="next" href="?${more.toString()}">${lang === 'en' ? 'next' : message(lang, 'report.next')}</a>` : ''}</p>` : ''}
${options.after ?? ''}`,
  });
}

/** The index of the reports: every read model answerable without a parameter, the user's own included. */
export function readModelIndex(models: readonly ReadModelInfo[], lens: Lens): Html {
  const lang = langOf(lens);
  const q = lensQuery(lens);
  const compare = (name: string, text: string) => html`<a href="${withLang(`/report/compare/${name}`, lens.langInQuery ? lens.lang : undefined)}">${text}</a>`;
  // A built-in report's title and description in the page's language; the user's own reports keep their author's words.
  const list = html`<ul>
${models.map((m) => html`<li data-read-model="${m.name}"><a href="/report/read-models/${m.name}${q}">${readModelTitle(m, lang)}</a> <span class="meta">${readModelDescription(m, lang)}</span></li>`)}
</ul>`;
  if (lang === 'en') {
    return html`<section class="index"><h2>Reports</h2>${list}
<h2>For the auditor</h2>
<ul><li>Every row of every report links to its record's <strong>audit trail</strong>: every event, who recorded it, when, from which source, and its corrections with their reasons.</li>
<li>Compare a report as known on two dates: ${compare('yearly-activity-report', 'yearly activity')} · ${compare('agreements-register', 'agreements register')} · ${compare('partners', 'partners')}</li></ul>
</section>`;
  }
  return html`<section class="index"><h2>${message(lang, 'report.index')}</h2>${list}
<h2>${message(lang, 'report.forAuditor')}</h2>
<ul><li>${message(lang, 'report.auditorHelp')}</li>
<li>${message(lang, 'report.compareHelp')} ${compare('yearly-activity-report', message(lang, 'report.nav.activity'))} · ${compare('agreements-register', message(lang, 'report.title.agreements'))} · ${compare('partners', message(lang, 'report.nav.partners'))}</li></ul>
</section>`;
}

// ----- one partner's timeline

function timelineEntry(entry: HistoryEntry, lensQuery: string, lang: Language): Html {
  const figures = entryFigures(entry.counts, lang);
  // The full fact, as the CLI's --details prints it (the institute's name as signed has its own line above).
  const facts = entryFactLines(entry, lang);
  const uncertain = lang === 'en' ? "Its date overlaps another entry's: the record cannot say which came first" : message(lang, 'order.uncertain');
  return html`<li class="entry" data-edtf="${entry.date.edtf}" data-earliest="${entry.date.earliest ?? ''}" data-latest="${entry.date.latest ?? ''}" data-record="${entry.record.type}:${entry.record.id}">
<div><time class="when" datetime="${entry.date.edtf}">${dateText(entry.date, lang)}</time><span class="what">${entryWhat(entry, lang)}</span>
${entry.status ? html` <span class="tag">${vocabText(lang, 'vocab.status', 'status', entry.status)}</span>` : ''}${entry.orderCertain ? '' : html` <span class="tag" title="${uncertain}">${message(lang, 'report.orderUncertain')}</span>`}</div>
${entry.title ? html`<div class="title">${multilingual(entry.title)}</div>` : ''}
${entry.kind.startsWith('agreement') ? html`<div class="meta">${message(lang, 'report.institute')} ${nameAtTime(entry.instituteName, lang)}</div>` : ''}
${entry.sharedWith.length > 0 ? html`<div class="meta">${message(lang, 'report.with')} ${entry.partners.filter((p) => entry.sharedWith.includes(p.partnerId)).map((p, i) => html`${i > 0 ? ', ' : ''}${p.acronym ?? ''} ${nameAtTime(p.name, lang)}`)}</div>` : ''}
${figures ? html`<div class="meta">${figures}</div>` : ''}
${facts.length > 0 ? html`<ul class="meta facts">${facts.filter((f) => !f.startsWith(`${instituteSignedAs(lang)}:`)).map((f) => html`<li>${f}</li>`)}</ul>` : ''}
<div class="meta">${entry.sourceRefs.map((r) => html`<span class="tag">${r}</span> `)}${entry.corrections.length > 0 ? html`<span class="tag">${message(lang, 'report.corrected', { n: String(entry.corrections.length) })}</span>` : ''} <a class="audit" href="${auditHref(entry.record, lensQuery)}">${message(lang, 'report.auditTrail')}</a></div>
</li>`;
}

export function partnerTimelinePage(answer: Answer<PartnerHistory>, lens: Lens, letterhead?: Letterhead): Html {
  const { partner, entries } = answer.result;
  const lang = langOf(lens);
  const renames = partner.names.filter((n) => n.effectiveOn !== null);
  const total = answer.page?.total ?? entries.length;
  return page({
    ...chrome(lens),
    title: message(lang, 'report.title.history', { partner: partner.acronym ?? partner.partnerId }),
    subtitle: lensLine(answer, lang),
    ...(letterhead ? { letterhead } : {}),
    body: html`${lensForm(lens)}
<section class="profile">
<h2>${multilingual(partner.name, { fallback: partner.partnerId })}</h2>
<p class="meta">${vocabText(lang, 'vocab.partnerKind', 'kind', partner.kind) || message(lang, 'report.kindNotRecorded')} · ${partner.country ?? message(lang, 'report.countryNotRecorded')} · ${lang === 'en' ? `${total} entries` : message(lang, 'entry.count', { n: total })}</p>
${renames.length > 0 ? html`<p class="meta">${message(lang, 'report.names')} ${partner.names.map((n, i) => html`${i > 0 ? ' → ' : ''}${multilingual(n.name)}${n.effectiveOn ? html` (${message(lang, 'report.from', { date: dateText(n.effectiveOn, lang) })})` : ''}`)}</p>` : ''}
</section>
<h2>${message(lang, 'report.timeline')}</h2>
<ol class="timeline" aria-label="${message(lang, 'report.timeline')}">
${entries.map((e) => timelineEntry(e, lensQuery(lens), lang))}
</ol>`,
  });
}

// ----- yearly activity

/** Lines shown per period on the yearly page (sessions, then visits, then publications); the rest is on the period's own page, so the page stays bounded however busy the institute. */
export const LINES_PER_PERIOD = 8;
/** With more periods than this, each period's lines are folded (a click opens them), so twenty busy years fit the page. */
const OPEN_UP_TO = 12;

const count = (c: { known: number; exact: boolean }): ChartValue => ({ value: c.known, lowerBound: !c.exact });

/** A session's or visit's figures in a period's line: English as always written, the other languages through the catalogues. */
function lineFigures(lang: Language, english: string, counts: EntryCounts): string {
  return lang === 'en' ? english : entryFigures(counts, lang);
}

export function activityPage(answer: Answer<YearlyActivityReport>, lens: Lens, letterhead?: Letterhead): Html {
  const { periods } = answer.result;
  const lang = langOf(lens);
  const t = (id: MessageId, values?: Readonly<Record<string, string | number>>) => message(lang, id, values);
  const panels = [
    { key: 'sessions', label: t('report.chart.sessions'), color: '#0b5f8a', values: periods.map((p) => count(p.totals.sessionsHeld)) },
    { key: 'people', label: t('report.chart.people'), color: '#e07b39', values: periods.map((p) => count(p.totals.peopleTrained)) },
    { key: 'visits', label: t('report.chart.visits'), color: '#3a9b5c', values: periods.map((p) => count(p.totals.studyVisits)) },
    {
      key: 'publications',
      label: t('report.chart.publications'),
      color: '#8a5cb8',
      values: periods.map((p) => ({ value: p.totals.publications.prepared + p.totals.publications.plannedForPublication + p.totals.publications.published, lowerBound: false })),
    },
  ];
  const table = presentAnswer(answer, {}, { lang });
  const q = lensQuery(lens);
  const trail = (type: string, id: string) => html`<a class="audit" href="${auditHref({ type, id }, q)}">${t('report.auditTrail')}</a>`;
  const periodHref = (key: string) => `/report/read-models/yearly-activity-report?${new URLSearchParams({ period: key, ...Object.fromEntries(new URLSearchParams(q.slice(1))) }).toString()}`;
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
</section>
<section class="sheet periods">
<h2>${t('report.periodsHold')}</h2>
${periods.map((p) => {
  const label = periodText(p.period, lang);
  const lines = [
    ...p.sessions.map((s) => {
      const counts = s.held === 'sessions' ? { sessions: s.occurrences, peopleTrained: s.people } : { meetings: s.occurrences, peopleAttended: s.people };
      return html`<li>${dateText(s.date, lang)}: ${multilingual(s.title)} <span class="meta">${[vocabText(lang, 'vocab.sessionKind', 'kind', s.kind), vocabText(lang, 'vocab.format', 'format', s.format), lineFigures(lang, heldText(s.held, s.occurrences, s.people, s.figure), counts as EntryCounts)].filter(Boolean).join(', ')}</span> ${trail('session', s.sessionId)}</li>`;
    }),
    ...p.studyVisits.map((v) => {
      const figure = v.figure ?? 'visit-participants';
      const counts = (figure === 'hosted' ? { hosted: v.participants } : { participants: v.participants }) as EntryCounts;
      const what = lang === 'en' ? `study visit${v.direction ? ` (${v.direction})` : ''}` : message(lang, 'what.periodVisit', { direction: selectKey(v.direction) });
      return html`<li>${dateText(v.date, lang)}: ${multilingual(v.title, { fallback: v.visitId })} <span class="meta">${what}, ${lineFigures(lang, peopleText(v.participants, figureWords[figure]), counts)}</span> ${trail('study-visit', v.visitId)}</li>`;
    }),
    ...[...p.publications.prepared, ...p.publications.plannedForPublication, ...p.publications.published].map((pub) => html`<li>${dateText(pub.date, lang)}: ${multilingual(pub.title)} <span class="meta">${vocabText(lang, 'vocab.publicationKind', 'kind', pub.kind)}</span> ${trail('publication', pub.publicationId)}</li>`),
  ];
  const hidden = lines.length - LINES_PER_PERIOD;
  return html`<details class="period" data-period="${p.period.key}"${periods.length <= OPEN_UP_TO ? ' open' : ''}>
<summary><h3>${label}</h3> <span class="meta">${t('report.lines', { n: lines.length })}</span></summary>
<ul>${lines.slice(0, LINES_PER_PERIOD)}</ul>
${hidden > 0 ? html`<p class="more">${t('report.more', { n: String(hidden) })} <a href="${periodHref(p.period.key)}">${t('report.everythingIn', { period: label })}</a></p>` : ''}
</details>`;
})}
</section>`,
  });
}
