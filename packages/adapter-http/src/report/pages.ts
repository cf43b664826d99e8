import { instituteNameOfRef, partnerOfRef, type Answer, type AnswerPage, type HistoryEntry, type NameAtTime, type PageRecords, type PartnerHistory, type ReadModelInfo } from '@taawun/projections';
import type { Language } from '@taawun/domain';
import { dateText, entryFactLines, instituteSignedAs, entryFigures, lensLine, message, pageRangeText, presentAnswer, entryWhat, queryErrorText, readModelDescription, readModelTitle, vocabText } from '@taawun/projections/presentation';
import { html } from 'hono/html';
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
  return page({
    ...chrome(lens),
    title: options.title ?? table.title[0] ?? answer.readModel,
    subtitle: lensLine(answer, lang),
    ...(options.letterhead ? { letterhead: options.letterhead } : {}),
    body: html`${lensForm(lens, options.params)}
${table.title.slice(1).map((line) => html`<p class="meta">${line}</p>`)}
${htmlTable(table, { className: options.className ?? answer.readModel, lensQuery: lensQuery(lens), lang })}
${pager(answer.page, table.rows.length, lens, options.params)}
${options.after ?? ''}`,
  });
}

/**
 * Where a page of an answer's list stands ("1–100 of 523"), with links to the
 * pages before and after it: the query service's paging (`offset`), the
 * page's own parameters, time lens and language kept. `always`: said even
 * when the whole list fits one page.
 */
export function pager(at: AnswerPage | null, shown: number, lens: Lens, params: Readonly<Record<string, string>> = {}, always = true): Html | string {
  if (!at || (!always && at.offset === 0 && at.nextOffset === null)) return '';
  const lang = langOf(lens);
  const href = (offset: number) => `?${new URLSearchParams({ ...params, ...Object.fromEntries(new URLSearchParams(lensQuery(lens).slice(1))), offset: String(offset) }).toString()}`;
  const previous = at.offset > 0 ? html` · <a rel="prev" href="${href(Math.max(0, at.offset - Math.max(1, at.limit)))}">${lang === 'en' ? 'previous' : message(lang, 'report.previous')}</a>` : '';
  const next = at.nextOffset !== null ? html` · <a rel="next" href="${href(at.nextOffset)}">${lang === 'en' ? 'next' : message(lang, 'report.next')}</a>` : '';
  return html`<p class="meta">${pageRangeText(at, shown, lang)}${previous}${next}</p>`;
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

function timelineEntry(entry: HistoryEntry, records: PageRecords, lensQuery: string, lang: Language): Html {
  const figures = entryFigures(entry.counts, lang);
  // The full fact, as the CLI's --details prints it (the institute's name as signed has its own line above).
  const facts = entryFactLines(entry, records, lang);
  const uncertain = lang === 'en' ? "Its date overlaps another entry's: the record cannot say which came first" : message(lang, 'order.uncertain');
  return html`<li class="entry" data-edtf="${entry.date.edtf}" data-earliest="${entry.date.earliest ?? ''}" data-latest="${entry.date.latest ?? ''}" data-record="${entry.record.type}:${entry.record.id}">
<div><time class="when" datetime="${entry.date.edtf}">${dateText(entry.date, lang)}</time><span class="what">${entryWhat(entry, lang)}</span>
${entry.status ? html` <span class="tag">${vocabText(lang, 'vocab.status', 'status', entry.status)}</span>` : ''}${entry.orderCertain ? '' : html` <span class="tag" title="${uncertain}">${message(lang, 'report.orderUncertain')}</span>`}</div>
${entry.title ? html`<div class="title">${multilingual(entry.title)}</div>` : ''}
${entry.kind.startsWith('agreement') ? html`<div class="meta">${message(lang, 'report.institute')} ${nameAtTime(instituteNameOfRef(entry.instituteName, records), lang)}</div>` : ''}
${entry.sharedWith.length > 0 ? html`<div class="meta">${message(lang, 'report.with')} ${entry.partners.filter((p) => entry.sharedWith.includes(p.partnerId)).map((ref, i) => { const p = partnerOfRef(ref, records); return html`${i > 0 ? ', ' : ''}${p.acronym ?? ''} ${nameAtTime(p.name, lang)}`; })}</div>` : ''}
${figures ? html`<div class="meta">${figures}</div>` : ''}
${facts.length > 0 ? html`<ul class="meta facts">${facts.filter((f) => !f.startsWith(`${instituteSignedAs(lang)}:`)).map((f) => html`<li>${f}</li>`)}</ul>` : ''}
<div class="meta">${entry.sourceRefs.map((r) => html`<span class="tag">${r}</span> `)}${entry.corrections.length > 0 ? html`<span class="tag">${message(lang, 'report.corrected', { n: entry.corrections.length })}</span>` : ''} <a class="audit" href="${auditHref(entry.record, lensQuery)}">${message(lang, 'report.auditTrail')}</a></div>
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
${entries.map((e) => timelineEntry(e, answer.result.records, lensQuery(lens), lang))}
</ol>
${pager(answer.page, entries.length, lens, {}, false)}`,
  });
}
