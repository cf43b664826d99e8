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

/** The full fact under a row (the presentation's `details`), as a second line spanning the table. */
function detailsRow<Row>(table: Table<Row>, row: Row): Html | string {
  const lines = table.details?.(row) ?? [];
  if (lines.length === 0) return '';
  return html`<tr class="details"><td colspan="${table.columns.length}"><ul class="meta">${lines.map((l) => html`<li>${l}</li>`)}</ul></td></tr>`;
}

export function htmlTable<Row>(table: Table<Row>, options: { className: string; lensQuery: string }): Html {
  const key = table.rowKey;
  return html`<table class="${options.className}">
<thead><tr>${table.columns.map((c) => html`<th${c.align === 'right' ? html` class="num"` : ''}>${c.header}</th>`)}</tr></thead>
<tbody>
${table.rows.map(
  (row) =>
    html`<tr${key ? html` data-${key.name}="${key.of(row)}"` : ''}>${table.columns.map((c) => html`<td${c.align === 'right' ? html` class="num"` : ''}>${cellHtml(c.cell(row), options.lensQuery)}</td>`)}</tr>${detailsRow(table, row)}`,
)}
</tbody>
</table>
${table.notes.length > 0 ? html`<ul class="notes">${table.notes.map((n) => html`<li class="meta">${n}</li>`)}</ul>` : ''}`;
}
