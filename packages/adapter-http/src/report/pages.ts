import type { MultilingualText } from '@taawun/domain';
import type { AgreementsRegister, Answer, Count, HistoryEntry, NameAtTime, PartnerHistory, YearlyActivityReport } from '@taawun/projections';
import { html } from 'hono/html';
import { barChart, multilingual, page, type Html } from './html.js';

/**
 * The report's pages, rendered from the read models' answers: the same
 * answers the API serves. Each page states the time lens it was read through.
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

function lensForm(lens: Lens): Html {
  return html`<form class="lens" method="get">
<label>As of (business date) <input name="asOf" value="${lens.asOf ?? ''}" placeholder="YYYY-MM-DD" size="10" maxlength="10"></label>
<label>As known on (recorded by) <input name="asKnownOn" value="${lens.asKnownOn ?? ''}" placeholder="YYYY-MM-DD" size="24" maxlength="40"></label>
<button type="submit">Show</button>
</form>`;
}

function lensLine(answer: Pick<Answer<unknown>, 'asOf' | 'asKnownOn' | 'source'>): string {
  const parts = [
    answer.asOf ? `as of ${answer.asOf}` : 'everything recorded',
    answer.asKnownOn ? `as known on ${answer.asKnownOn}` : null,
    answer.source.position ? `log position ${answer.source.position}` : 'empty log',
  ];
  return parts.filter(Boolean).join(' · ');
}

/** A name as it was at a date: stated, in force, one of several candidates, or unknown. */
export function nameAtTime(name: NameAtTime): Html {
  if (name.name) return multilingual(name.name);
  if (name.candidates.length > 0) {
    return html`<span class="uncertain">one of: ${name.candidates.map((c, i) => html`${i > 0 ? ' / ' : ''}${multilingual(c)}`)}</span>`;
  }
  return html`<span class="unknown">name unknown</span>`;
}

/** A figure as the record knows it: exact, a lower bound (≥), or not stated at all. */
const countText = (count: Count | undefined | null): string => {
  if (count === undefined || count === null) return '';
  if (count.exact) return String(count.known);
  return count.known === 0 ? 'not stated' : `≥ ${count.known}`;
};

// ----- partner list

export interface PartnerRow {
  readonly partnerId: string;
  readonly history: PartnerHistory;
}

export function partnerListPage(rows: readonly PartnerRow[], lens: Lens, frame: Pick<Answer<unknown>, 'asOf' | 'asKnownOn' | 'source'>): Html {
  const query = lensQuery(lens);
  return page({
    title: 'Partners',
    subtitle: lensLine(frame),
    body: html`${lensForm(lens)}
<table class="partners">
<thead><tr><th>Partner</th><th>Kind</th><th>Country</th><th>Activities</th><th>From</th><th>To</th></tr></thead>
<tbody>
${rows.map(({ partnerId, history }) => {
  const first = history.entries[0];
  const last = history.entries.at(-1);
  return html`<tr data-partner="${partnerId}">
<td><a href="/report/partners/${partnerId}${query}">${history.partner.acronym ? html`<strong>${history.partner.acronym}</strong> ` : ''}${multilingual(history.partner.name, { fallback: partnerId })}</a></td>
<td>${history.partner.kind ?? '—'}</td>
<td>${history.partner.country ?? '—'}</td>
<td>${history.entries.length}</td>
<td>${first?.date.label ?? '—'}</td>
<td>${last?.date.label ?? '—'}</td>
</tr>`;
})}
</tbody>
</table>`,
  });
}

// ----- one partner's timeline

function entryCounts(entry: HistoryEntry): string {
  const c = entry.counts;
  if (!c) return '';
  const parts: string[] = [];
  if (c.sessions && !(c.sessions.exact && c.sessions.known === 1)) parts.push(`sessions: ${c.sessions.known === 1 && !c.sessions.exact ? 'several' : countText(c.sessions)}`);
  if (c.peopleTrained && (c.peopleTrained.known > 0 || !c.peopleTrained.exact)) parts.push(`people trained: ${countText(c.peopleTrained)}`);
  if (c.participants && (c.participants.known > 0 || !c.participants.exact)) parts.push(`participants: ${countText(c.participants)}`);
  return parts.join(' · ');
}

function timelineEntry(entry: HistoryEntry): Html {
  const counts = entryCounts(entry);
  return html`<li class="entry" data-edtf="${entry.date.edtf}" data-earliest="${entry.date.earliest ?? ''}" data-latest="${entry.date.latest ?? ''}" data-record="${entry.record.type}:${entry.record.id}">
<div><time class="when" datetime="${entry.date.edtf}">${entry.date.label}</time><span class="what">${entry.what}</span>
${entry.status ? html` <span class="tag">${entry.status}</span>` : ''}${entry.orderCertain ? '' : html` <span class="tag" title="Its date overlaps another entry's: the record cannot say which came first">order uncertain</span>`}</div>
${entry.title ? html`<div class="title">${multilingual(entry.title)}</div>` : ''}
${entry.kind.startsWith('agreement') ? html`<div class="meta">Institute: ${nameAtTime(entry.instituteName)}</div>` : ''}
${entry.sharedWith.length > 0 ? html`<div class="meta">With: ${entry.partners.filter((p) => entry.sharedWith.includes(p.partnerId)).map((p, i) => html`${i > 0 ? ', ' : ''}${p.acronym ?? ''} ${nameAtTime(p.name)}`)}</div>` : ''}
${counts ? html`<div class="meta">${counts}</div>` : ''}
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
<p class="meta">${partner.kind ?? 'kind not recorded'} · ${partner.country ?? 'country not recorded'} · ${entries.length} entries</p>
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
  { key: 'people', label: 'People trained (÷10)', color: '#e07b39' },
  { key: 'visits', label: 'Study visits', color: '#3a9b5c' },
  { key: 'publications', label: 'Publications (prepared, planned, published)', color: '#8a5cb8' },
] as const;

export function activityPage(answer: Answer<YearlyActivityReport>, lens: Lens): Html {
  const { periods, totals } = answer.result;
  const groups = periods.map((p) => ({
    label: p.period.label,
    values: {
      sessions: p.totals.sessionsHeld.known,
      people: Math.round(p.totals.peopleTrained.known / 10),
      visits: p.totals.studyVisits.known,
      publications: p.totals.publications.prepared + p.totals.publications.plannedForPublication + p.totals.publications.published,
    },
  }));
  return page({
    title: 'Yearly activity',
    subtitle: lensLine(answer),
    body: html`${lensForm(lens)}
${barChart({ title: 'Activity per period (a span, "by" or "from" a year, or an unknown year is never guessed into a single year)', series, groups })}
<table class="activity">
<thead><tr><th>Period</th><th>Sessions held</th><th>People trained</th><th>Study visits</th><th>Visit participants</th><th>Publications prepared / planned / published</th></tr></thead>
<tbody>
${periods.map(
  (p) => html`<tr data-period="${p.period.key}">
<td>${p.period.label}</td><td>${countText(p.totals.sessionsHeld)}</td><td>${countText(p.totals.peopleTrained)}</td><td>${countText(p.totals.studyVisits)}</td><td>${countText(p.totals.studyVisitParticipants)}</td>
<td>${p.totals.publications.prepared} / ${p.totals.publications.plannedForPublication} / ${p.totals.publications.published}</td>
</tr>`,
)}
<tr class="total"><th>All</th><th>${countText(totals.sessionsHeld)}</th><th>${countText(totals.peopleTrained)}</th><th>${countText(totals.studyVisits)}</th><th>${countText(totals.studyVisitParticipants)}</th>
<th>${totals.publications.prepared} / ${totals.publications.plannedForPublication} / ${totals.publications.published}</th></tr>
</tbody>
</table>
<p class="meta">≥: the record does not give every figure (e.g. "several sessions"): the number is what it states, a lower bound. "not stated": the record gives no figure.</p>
${periods.map(
  (p) => html`<h2>${p.period.label}</h2>
<ul>
${p.sessions.map((s) => html`<li>${s.date.label}: ${multilingual(s.title)} <span class="meta">${s.kind}, ${s.format}${countText(s.peopleTrained) && s.peopleTrained.known > 0 ? `, ${countText(s.peopleTrained)} trained` : ''}</span></li>`)}
${p.studyVisits.map((v) => html`<li>${v.date.label}: ${multilingual(v.title, { fallback: v.visitId })} <span class="meta">study visit${v.direction ? ` (${v.direction})` : ''}</span></li>`)}
${[...p.publications.prepared, ...p.publications.plannedForPublication, ...p.publications.published].map(
  (pub) => html`<li>${pub.date.label}: ${multilingual(pub.title)} <span class="meta">${pub.kind}</span></li>`,
)}
</ul>`,
)}`,
  });
}

// ----- agreements register

const areas = (list: readonly MultilingualText[]): Html =>
  list.length === 0 ? html`<span class="unknown">not stated</span>` : html`<ul>${list.map((a) => html`<li>${multilingual(a)}</li>`)}</ul>`;

export function agreementsPage(answer: Answer<AgreementsRegister>, lens: Lens): Html {
  return page({
    title: 'Agreements register',
    subtitle: lensLine(answer),
    body: html`${lensForm(lens)}
<table class="agreements">
<thead><tr><th>Signed</th><th>Kind</th><th>Title</th><th>Institute (as named)</th><th>Partners</th><th>Place</th><th>Areas</th><th>Status</th></tr></thead>
<tbody>
${answer.result.agreements.map(
  (a) => html`<tr data-agreement="${a.agreementId}">
<td><time datetime="${a.signedOn.edtf}">${a.signedOn.label}</time></td>
<td>${a.kind}</td>
<td>${multilingual(a.title, { fallback: a.agreementId })}</td>
<td>${nameAtTime(a.parties.institute)}</td>
<td>${a.parties.partners.map((p, i) => html`${i > 0 ? html`<br>` : ''}<a href="/report/partners/${p.partnerId}${lensQuery(lens)}">${p.acronym ?? ''}</a> ${nameAtTime(p.name)}`)}</td>
<td>${multilingual(a.place)}</td>
<td>${areas(a.areas)}</td>
<td>${a.status}${a.amendments.length > 0 ? `, amended ${a.amendments.length}×` : ''}</td>
</tr>`,
)}
</tbody>
</table>`,
  });
}
