import type { Answer, HistoryEntry, NameAtTime, PartnerHistory, ReadModelInfo, YearlyActivityReport } from '@taawun/projections';
import { entryFactLines, entryFigures, figureWords, heldText, lensLine, peopleText, presentAnswer } from '@taawun/projections/presentation';
import { html } from 'hono/html';
import { smallMultiples, type ChartValue } from './chart.js';
import { multilingual, page, type Html, type Letterhead } from './html.js';
import { auditHref, htmlTable } from './table.js';

/**
 * The report's pages, rendered from the query service's answers (the same
 * answers the API serves) with the presentations the CLI prints. Each page
 * states the time lens it was read through.
 */
export interface Lens {
  readonly asOf?: string;
  readonly asKnownOn?: string;
}

export const lensQuery = (lens: Lens): string => {
  const params = new URLSearchParams();
  if (lens.asOf) params.set('asOf', lens.asOf);
  if (lens.asKnownOn) params.set('asKnownOn', lens.asKnownOn);
  const text = params.toString();
  return text ? `?${text}` : '';
};

export function lensForm(lens: Lens, hidden: Readonly<Record<string, string>> = {}): Html {
  return html`<form class="lens" method="get">
${Object.entries(hidden).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<label>As of (business date) <input name="asOf" value="${lens.asOf ?? ''}" placeholder="YYYY-MM-DD" size="10" maxlength="10"></label>
<label>As known on (recorded by) <input name="asKnownOn" value="${lens.asKnownOn ?? ''}" placeholder="YYYY-MM-DD" size="24" maxlength="40"></label>
<button type="submit">Show</button>
</form>`;
}

/**
 * A report asked with something it cannot read (a date typed as 15/11/2018,
 * an unknown partner or parameter): a page for people, saying what was wrong
 * and what to type, with the form filled back in as it was sent.
 */
export function reportErrorPage(error: { code: string; message: string }, lens: Lens, hidden: Readonly<Record<string, string>>): Html {
  const notFound = error.code === 'not-found' || error.code === 'unknown-read-model';
  return page({
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

/** A name as it was at a date: stated, in force, one of several candidates, or unknown. */
export function nameAtTime(name: NameAtTime): Html {
  if (name.name) return multilingual(name.name);
  if (name.candidates.length > 0) {
    return html`<span class="uncertain">one of: ${name.candidates.map((c, i) => html`${i > 0 ? ' / ' : ''}${multilingual(c)}`)}</span>`;
  }
  return html`<span class="unknown">name unknown</span>`;
}

/** Any answer as its presentation's table: the partner list, the agreements register, a report written later. */
export function answerPage(
  answer: Answer<unknown>,
  lens: Lens,
  options: { params: Readonly<Record<string, string>>; list: string | null; title?: string; className?: string; after?: Html; letterhead?: Letterhead },
): Html {
  const table = presentAnswer(answer, options.params, { lang: 'en', list: options.list });
  const more = answer.page?.nextOffset != null ? new URLSearchParams({ ...options.params, ...lens, offset: String(answer.page.nextOffset) }) : undefined;
  return page({
    title: options.title ?? table.title[0] ?? answer.readModel,
    subtitle: lensLine(answer),
    ...(options.letterhead ? { letterhead: options.letterhead } : {}),
    body: html`${lensForm(lens, options.params)}
${table.title.slice(1).map((line) => html`<p class="meta">${line}</p>`)}
${htmlTable(table, { className: options.className ?? answer.readModel, lensQuery: lensQuery(lens) })}
${answer.page ? html`<p class="meta">${answer.page.offset + 1}–${answer.page.offset + table.rows.length} of ${answer.page.total}${more ? html` · <a rel="next" href="?${more.toString()}">next</a>` : ''}</p>` : ''}
${options.after ?? ''}`,
  });
}

/** The index of the reports: every read model answerable without a parameter, the user's own included. */
export function readModelIndex(models: readonly ReadModelInfo[], lens: Lens): Html {
  return html`<section class="index"><h2>Reports</h2><ul>
${models.map((m) => html`<li data-read-model="${m.name}"><a href="/report/read-models/${m.name}${lensQuery(lens)}">${m.title}</a> <span class="meta">${m.description}</span></li>`)}
</ul>
<h2>For the auditor</h2>
<ul><li>Every row of every report links to its record's <strong>audit trail</strong>: every event, who recorded it, when, from which source, and its corrections with their reasons.</li>
<li>Compare a report as known on two dates: <a href="/report/compare/yearly-activity-report">yearly activity</a> · <a href="/report/compare/agreements-register">agreements register</a> · <a href="/report/compare/partners">partners</a></li></ul>
</section>`;
}

// ----- one partner's timeline

function timelineEntry(entry: HistoryEntry, lensQuery: string): Html {
  const figures = entryFigures(entry.counts);
  // The full fact, as the CLI's --details prints it (the institute's name as signed has its own line above).
  const facts = entryFactLines(entry, 'en');
  return html`<li class="entry" data-edtf="${entry.date.edtf}" data-earliest="${entry.date.earliest ?? ''}" data-latest="${entry.date.latest ?? ''}" data-record="${entry.record.type}:${entry.record.id}">
<div><time class="when" datetime="${entry.date.edtf}">${entry.date.label}</time><span class="what">${entry.what}</span>
${entry.status ? html` <span class="tag">${entry.status}</span>` : ''}${entry.orderCertain ? '' : html` <span class="tag" title="Its date overlaps another entry's: the record cannot say which came first">order uncertain</span>`}</div>
${entry.title ? html`<div class="title">${multilingual(entry.title)}</div>` : ''}
${entry.kind.startsWith('agreement') ? html`<div class="meta">Institute: ${nameAtTime(entry.instituteName)}</div>` : ''}
${entry.sharedWith.length > 0 ? html`<div class="meta">With: ${entry.partners.filter((p) => entry.sharedWith.includes(p.partnerId)).map((p, i) => html`${i > 0 ? ', ' : ''}${p.acronym ?? ''} ${nameAtTime(p.name)}`)}</div>` : ''}
${figures ? html`<div class="meta">${figures}</div>` : ''}
${facts.length > 0 ? html`<ul class="meta facts">${facts.filter((f) => !f.startsWith('institute signed as:')).map((f) => html`<li>${f}</li>`)}</ul>` : ''}
<div class="meta">${entry.sourceRefs.map((r) => html`<span class="tag">${r}</span> `)}${entry.corrections.length > 0 ? html`<span class="tag">corrected ${entry.corrections.length}×</span>` : ''} <a class="audit" href="${auditHref(entry.record, lensQuery)}">audit trail</a></div>
</li>`;
}

export function partnerTimelinePage(answer: Answer<PartnerHistory>, lens: Lens, letterhead?: Letterhead): Html {
  const { partner, entries } = answer.result;
  const renames = partner.names.filter((n) => n.effectiveOn !== null);
  return page({
    title: partner.acronym ? `${partner.acronym}: history` : `${partner.partnerId}: history`,
    subtitle: lensLine(answer),
    ...(letterhead ? { letterhead } : {}),
    body: html`${lensForm(lens)}
<section class="profile">
<h2>${multilingual(partner.name, { fallback: partner.partnerId })}</h2>
<p class="meta">${partner.kind ?? 'kind not recorded'} · ${partner.country ?? 'country not recorded'} · ${answer.page?.total ?? entries.length} entries</p>
${renames.length > 0 ? html`<p class="meta">Names: ${partner.names.map((n, i) => html`${i > 0 ? ' → ' : ''}${multilingual(n.name)}${n.effectiveOn ? html` (from ${n.effectiveOn.label})` : ''}`)}</p>` : ''}
</section>
<h2>Timeline</h2>
<ol class="timeline" aria-label="Timeline">
${entries.map((e) => timelineEntry(e, lensQuery(lens)))}
</ol>`,
  });
}

// ----- yearly activity

/** Lines shown per period on the yearly page (sessions, then visits, then publications); the rest is on the period's own page, so the page stays bounded however busy the institute. */
export const LINES_PER_PERIOD = 8;
/** With more periods than this, each period's lines are folded (a click opens them), so twenty busy years fit the page. */
const OPEN_UP_TO = 12;

const count = (c: { known: number; exact: boolean }): ChartValue => ({ value: c.known, lowerBound: !c.exact });

export function activityPage(answer: Answer<YearlyActivityReport>, lens: Lens, letterhead?: Letterhead): Html {
  const { periods } = answer.result;
  const panels = [
    { key: 'sessions', label: 'Sessions held', color: '#0b5f8a', values: periods.map((p) => count(p.totals.sessionsHeld)) },
    { key: 'people', label: 'People trained', color: '#e07b39', values: periods.map((p) => count(p.totals.peopleTrained)) },
    { key: 'visits', label: 'Study visits', color: '#3a9b5c', values: periods.map((p) => count(p.totals.studyVisits)) },
    {
      key: 'publications',
      label: 'Publications (prepared, planned, published)',
      color: '#8a5cb8',
      values: periods.map((p) => ({ value: p.totals.publications.prepared + p.totals.publications.plannedForPublication + p.totals.publications.published, lowerBound: false })),
    },
  ];
  const table = presentAnswer(answer, {}, { lang: 'en' });
  const trail = (type: string, id: string) => html`<a class="audit" href="${auditHref({ type, id }, lensQuery(lens))}">audit trail</a>`;
  const periodHref = (key: string) => `/report/read-models/yearly-activity-report?${new URLSearchParams({ period: key, ...lens }).toString()}`;
  return page({
    title: 'Yearly activity',
    subtitle: lensLine(answer),
    ...(letterhead ? { letterhead } : {}),
    body: html`${lensForm(lens)}
${smallMultiples({ title: 'Activity per period (a span, "by" or "from" a year, or an unknown year is never guessed into a single year)', labels: periods.map((p) => p.period.label), panels, table: 'activity-table' })}
<section class="sheet" id="activity-table">
<h2>Figures per period</h2>
${htmlTable(table, { className: 'activity', lensQuery: lensQuery(lens) })}
</section>
<section class="sheet periods">
<h2>What each period holds</h2>
${periods.map((p) => {
  const lines = [
    ...p.sessions.map((s) => html`<li>${s.date.label}: ${multilingual(s.title)} <span class="meta">${[s.kind, s.format, heldText(s.held, s.occurrences, s.people, s.figure)].filter(Boolean).join(', ')}</span> ${trail('session', s.sessionId)}</li>`),
    ...p.studyVisits.map((v) => html`<li>${v.date.label}: ${multilingual(v.title, { fallback: v.visitId })} <span class="meta">study visit${v.direction ? ` (${v.direction})` : ''}, ${peopleText(v.participants, figureWords[v.figure ?? 'visit-participants'])}</span> ${trail('study-visit', v.visitId)}</li>`),
    ...[...p.publications.prepared, ...p.publications.plannedForPublication, ...p.publications.published].map((pub) => html`<li>${pub.date.label}: ${multilingual(pub.title)} <span class="meta">${pub.kind}</span> ${trail('publication', pub.publicationId)}</li>`),
  ];
  const hidden = lines.length - LINES_PER_PERIOD;
  return html`<details class="period" data-period="${p.period.key}"${periods.length <= OPEN_UP_TO ? ' open' : ''}>
<summary><h3>${p.period.label}</h3> <span class="meta">${lines.length} ${lines.length === 1 ? 'line' : 'lines'}</span></summary>
<ul>${lines.slice(0, LINES_PER_PERIOD)}</ul>
${hidden > 0 ? html`<p class="more">and ${hidden} more: <a href="${periodHref(p.period.key)}">everything in ${p.period.label}</a></p>` : ''}
</details>`;
})}
</section>`,
  });
}
