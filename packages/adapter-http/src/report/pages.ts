import type { Answer, HistoryEntry, NameAtTime, PartnerHistory, ReadModelInfo, YearlyActivityReport } from '@taawun/projections';
import { entryFactLines, entryFigures, figureWords, heldText, lensLine, peopleText, presentAnswer } from '@taawun/projections/presentation';
import { html } from 'hono/html';
import { barChart, multilingual, page, type Html } from './html.js';
import { htmlTable } from './table.js';

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

function lensForm(lens: Lens, hidden: Readonly<Record<string, string>> = {}): Html {
  return html`<form class="lens" method="get">
${Object.entries(hidden).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<label>As of (business date) <input name="asOf" value="${lens.asOf ?? ''}" placeholder="YYYY-MM-DD" size="10" maxlength="10"></label>
<label>As known on (recorded by) <input name="asKnownOn" value="${lens.asKnownOn ?? ''}" placeholder="YYYY-MM-DD" size="24" maxlength="40"></label>
<button type="submit">Show</button>
</form>`;
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
export function answerPage(answer: Answer<unknown>, lens: Lens, options: { params: Readonly<Record<string, string>>; list: string | null; title?: string; className?: string; after?: Html }): Html {
  const table = presentAnswer(answer, options.params, { lang: 'en', list: options.list });
  const more = answer.page?.nextOffset != null ? new URLSearchParams({ ...options.params, ...lens, offset: String(answer.page.nextOffset) }) : undefined;
  return page({
    title: options.title ?? table.title[0] ?? answer.readModel,
    subtitle: lensLine(answer),
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
</ul></section>`;
}

// ----- one partner's timeline

function timelineEntry(entry: HistoryEntry): Html {
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
<div class="meta">${entry.sourceRefs.map((r) => html`<span class="tag">${r}</span> `)}${entry.corrections.length > 0 ? html`<span class="tag">corrected ${entry.corrections.length}×</span>` : ''}</div>
</li>`;
}

export function partnerTimelinePage(answer: Answer<PartnerHistory>, lens: Lens): Html {
  const { partner, entries } = answer.result;
  const renames = partner.names.filter((n) => n.effectiveOn !== null);
  return page({
    title: partner.acronym ? `${partner.acronym}: history` : `${partner.partnerId}: history`,
    subtitle: lensLine(answer),
    body: html`${lensForm(lens)}
<section class="profile">
<h2>${multilingual(partner.name, { fallback: partner.partnerId })}</h2>
<p class="meta">${partner.kind ?? 'kind not recorded'} · ${partner.country ?? 'country not recorded'} · ${answer.page?.total ?? entries.length} entries</p>
${renames.length > 0 ? html`<p class="meta">Names: ${partner.names.map((n, i) => html`${i > 0 ? ' → ' : ''}${multilingual(n.name)}${n.effectiveOn ? html` (from ${n.effectiveOn.label})` : ''}`)}</p>` : ''}
</section>
<h2>Timeline</h2>
<ol class="timeline" aria-label="Timeline">
${entries.map(timelineEntry)}
</ol>`,
  });
}

// ----- yearly activity

const series = [
  { key: 'sessions', label: 'Sessions held', color: '#0b5f8a' },
  { key: 'people', label: 'People trained (÷10; meetings\' attendance is not training)', color: '#e07b39' },
  { key: 'visits', label: 'Study visits', color: '#3a9b5c' },
  { key: 'publications', label: 'Publications (prepared, planned, published)', color: '#8a5cb8' },
] as const;

export function activityPage(answer: Answer<YearlyActivityReport>, lens: Lens): Html {
  const { periods } = answer.result;
  const groups = periods.map((p) => ({
    label: p.period.label,
    values: {
      sessions: p.totals.sessionsHeld.known,
      people: Math.round(p.totals.peopleTrained.known / 10),
      visits: p.totals.studyVisits.known,
      publications: p.totals.publications.prepared + p.totals.publications.plannedForPublication + p.totals.publications.published,
    },
  }));
  const table = presentAnswer(answer, {}, { lang: 'en' });
  return page({
    title: 'Yearly activity',
    subtitle: lensLine(answer),
    body: html`${lensForm(lens)}
${barChart({ title: 'Activity per period (a span, "by" or "from" a year, or an unknown year is never guessed into a single year)', series, groups })}
${htmlTable(table, { className: 'activity', lensQuery: lensQuery(lens) })}
${periods.map(
  (p) => html`<h2>${p.period.label}</h2>
<ul>
${p.sessions.map((s) => html`<li>${s.date.label}: ${multilingual(s.title)} <span class="meta">${[s.kind, s.format, heldText(s.held, s.occurrences, s.people, s.figure)].filter(Boolean).join(', ')}</span></li>`)}
${p.studyVisits.map((v) => html`<li>${v.date.label}: ${multilingual(v.title, { fallback: v.visitId })} <span class="meta">study visit${v.direction ? ` (${v.direction})` : ''}, ${peopleText(v.participants, figureWords[v.figure ?? 'visit-participants'])}</span></li>`)}
${[...p.publications.prepared, ...p.publications.plannedForPublication, ...p.publications.published].map(
  (pub) => html`<li>${pub.date.label}: ${multilingual(pub.title)} <span class="meta">${pub.kind}</span></li>`,
)}
</ul>`,
)}`,
  });
}
