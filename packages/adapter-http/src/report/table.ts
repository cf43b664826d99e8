import { recordTypes } from '@taawun/projections';
import type { Language } from '@taawun/domain';
import { message, refOf, valueOf, type Cell, type Ref, type Table } from '@taawun/projections/presentation';
import { html } from 'hono/html';
import { multilingual, type Html } from './html.js';

/**
 * A presentation's table as HTML: the same columns and words the CLI prints,
 * with text in several languages shown in each (see `multilingual`) and a cell
 * that refers to another answer linked to the report's page of it.
 */

/** The report's page of the answer a cell refers to (`lensQuery` keeps the page's time lens). */
export function reportHref(ref: Ref, lensQuery: string): string {
  if (ref.readModel === 'partner-history' && ref.params.partnerId) return `/report/partners/${encodeURIComponent(ref.params.partnerId)}${lensQuery}`;
  // The dedicated pages, when asked without a parameter: the partner list, the chart, the register.
  const dedicated: Readonly<Record<string, string>> = { partners: '/report', 'yearly-activity-report': '/report/activity', 'agreements-register': '/report/agreements' };
  if (dedicated[ref.readModel] && Object.keys(ref.params).length === 0) return `${dedicated[ref.readModel]}${lensQuery}`;
  // A period of the yearly report: its own page.
  if (ref.readModel === 'yearly-activity-report' && ref.params.period && Object.keys(ref.params).length === 1) {
    return `/report/activity?${new URLSearchParams({ period: ref.params.period, ...Object.fromEntries(new URLSearchParams(lensQuery.replace(/^\?/, ''))) }).toString()}`;
  }
  const params = new URLSearchParams(ref.params);
  for (const [key, value] of new URLSearchParams(lensQuery.replace(/^\?/, ''))) params.set(key, value);
  const query = params.toString();
  return `/report/read-models/${encodeURIComponent(ref.readModel)}${query ? `?${query}` : ''}`;
}

export const AUDIT_PATH = '/report/audit';

/** The audit page of a record: by its type and id when the type is a record aggregate, else by its id (or stream). */
export function auditHref(record: { type?: string; id: string }, lensQuery: string): string {
  const params = new URLSearchParams(record.type && record.type in recordTypes ? { recordType: record.type, recordId: record.id } : { record: record.id });
  for (const [key, value] of new URLSearchParams(lensQuery.replace(/^\?/, ''))) params.set(key, value);
  return `${AUDIT_PATH}?${params.toString()}`;
}

/** The audit page a row leads to, from its key (`partner`, `record` as type:id, `agreement`, `participant`): none for periods or events. */
export function rowAuditHref(key: { name: string; value: string }, lensQuery: string): string | undefined {
  if (key.name === 'record') {
    const at = key.value.indexOf(':');
    return auditHref({ type: key.value.slice(0, at), id: key.value.slice(at + 1) }, lensQuery);
  }
  return ['partner', 'agreement', 'participant'].includes(key.name) ? auditHref({ type: key.name, id: key.value }, lensQuery) : undefined;
}

function cellHtml(cell: Cell, lensQuery: string): Html | string {
  const value = valueOf(cell);
  const shown = value === null ? '' : typeof value === 'object' ? multilingual(value.text, value.fallback === undefined ? {} : { fallback: value.fallback }) : String(value);
  const ref = refOf(cell);
  return ref ? html`<a href="${reportHref(ref, lensQuery)}">${shown}</a>` : shown;
}

/** The full fact under a row (the presentation's `details`), as a second line spanning the table. */
function detailsRow<Row>(table: Table<Row>, row: Row): Html | string {
  const lines = table.details?.(row) ?? [];
  if (lines.length === 0) return '';
  return html`<tr class="details"><td colspan="${table.columns.length}"><ul class="meta">${lines.map((l) => html`<li>${l}</li>`)}</ul></td></tr>`;
}

/** Columns beyond which a table is printed on a landscape page of its own (the yearly figures: 12). */
const WIDE_TABLE_COLUMNS = 8;

export function htmlTable<Row>(table: Table<Row>, options: { className: string; lensQuery: string; lang?: Language }): Html {
  const key = table.rowKey;
  const lang = options.lang ?? 'en';
  const auditHeader = lang === 'en' ? 'AUDIT' : message(lang, 'report.audit').toLocaleUpperCase(lang);
  // Every row of a record leads to its audit trail (who recorded what, when, from which source, corrected how).
  const audited = key && table.rows.length > 0 && rowAuditHref({ name: key.name, value: key.of(table.rows[0]!) }, '') !== undefined;
  const wide = table.columns.length + (audited ? 1 : 0) > WIDE_TABLE_COLUMNS;
  return html`<table class="${options.className}${wide ? ' wide' : ''}">
<thead><tr>${table.columns.map((c) => html`<th${c.align === 'right' ? html` class="num"` : ''}>${c.header}</th>`)}${audited ? html`<th class="audit">${auditHeader}</th>` : ''}</tr></thead>
<tbody>
${table.rows.map((row) => {
  const href = audited ? rowAuditHref({ name: key.name, value: key.of(row) }, options.lensQuery) : undefined;
  return html`<tr${key ? html` data-${key.name}="${key.of(row)}"` : ''}>${table.columns.map((c) => html`<td${c.align === 'right' ? html` class="num"` : ''}>${cellHtml(c.cell(row), options.lensQuery)}</td>`)}${
    audited ? html`<td class="audit">${href ? html`<a class="audit" href="${href}">${message(lang, 'report.trail')}</a>` : ''}</td>` : ''
  }</tr>${detailsRow(table, row)}`;
})}
</tbody>
</table>
${notesHtml(table.notes, lang)}`;
}

/** The notes under a table or a page: what the figures mean and what a lens left out. */
export const notesHtml = (notes: readonly string[], lang: Language): Html | string => (notes.length > 0 ? html`<ul class="notes">${notes.map((note) => noteHtml(note, lang))}</ul>` : '');

/** Beyond this, a note (one that names every record it is about, on a big log) is folded after its first words. */
const NOTE_FOLD = 400;
/**
 * A page shows this much of a note at most, folded: a note that names every
 * record it is about grows with the log, the page does not (the answer's JSON
 * and the CSV hold the whole of it).
 */
export const NOTE_MAX = 4000;

function noteHtml(note: string, lang: Language): Html {
  if (note.length <= NOTE_FOLD) return html`<li class="meta">${note}</li>`;
  const cut = note.lastIndexOf(' ', NOTE_FOLD);
  const at = cut > 0 ? cut : NOTE_FOLD;
  const end = note.length <= NOTE_MAX ? note.length : Math.max(at, note.lastIndexOf(' ', NOTE_MAX));
  const rest = note.length - end;
  return html`<li class="meta">${note.slice(0, at)} <details class="fold"><summary>${lang === 'en' ? `… the whole note (${note.length.toLocaleString('en')} characters)` : message(lang, 'report.wholeNote', { n: note.length })}</summary>${note.slice(at, end)}${rest > 0 ? html` <span class="cut">${message(lang, 'report.noteCut', { n: rest })}</span>` : ''}</details></li>`;
}
