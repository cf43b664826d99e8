import { refOf, valueOf, type Cell, type Ref, type Table } from '@taawun/projections/presentation';
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
  const params = new URLSearchParams(ref.params);
  for (const [key, value] of new URLSearchParams(lensQuery.replace(/^\?/, ''))) params.set(key, value);
  const query = params.toString();
  return `/report/read-models/${encodeURIComponent(ref.readModel)}${query ? `?${query}` : ''}`;
}

function cellHtml(cell: Cell, lensQuery: string): Html | string {
  const value = valueOf(cell);
  const shown = value === null ? '' : typeof value === 'object' ? multilingual(value.text, value.fallback === undefined ? {} : { fallback: value.fallback }) : String(value);
  const ref = refOf(cell);
  return ref ? html`<a href="${reportHref(ref, lensQuery)}">${shown}</a>` : shown;
}

export function htmlTable<Row>(table: Table<Row>, options: { className: string; lensQuery: string }): Html {
  const key = table.rowKey;
  return html`<table class="${options.className}">
<thead><tr>${table.columns.map((c) => html`<th${c.align === 'right' ? html` class="num"` : ''}>${c.header}</th>`)}</tr></thead>
<tbody>
${table.rows.map(
  (row) =>
    html`<tr${key ? html` data-${key.name}="${key.of(row)}"` : ''}>${table.columns.map((c) => html`<td${c.align === 'right' ? html` class="num"` : ''}>${cellHtml(c.cell(row), options.lensQuery)}</td>`)}</tr>`,
)}
</tbody>
</table>
${table.notes.length > 0 ? html`<ul class="notes">${table.notes.map(noteHtml)}</ul>` : ''}`;
}

/** Beyond this, a note (one that names every record it is about, on a big log) is folded after its first words. */
const NOTE_FOLD = 400;

function noteHtml(note: string): Html {
  if (note.length <= NOTE_FOLD) return html`<li class="meta">${note}</li>`;
  const cut = note.lastIndexOf(' ', NOTE_FOLD);
  const at = cut > 0 ? cut : NOTE_FOLD;
  return html`<li class="meta">${note.slice(0, at)} <details class="fold"><summary>… the whole note (${note.length.toLocaleString('en')} characters)</summary>${note.slice(at)}</details></li>`;
}
