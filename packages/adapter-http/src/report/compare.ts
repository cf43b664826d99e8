import type { Language } from '@taawun/domain';
import type { AnswerComparison } from '@taawun/projections';
import { presentComparison } from '@taawun/projections/presentation';
import { html } from 'hono/html';
import { page, type Html, type Letterhead } from './html.js';
import { htmlTable } from './table.js';

/**
 * One report as known on two dates: what was added, corrected or withdrawn
 * between them, and every event recorded in between (corrections with their
 * reasons). The query service compares (`compare`), the shared presentation
 * (`presentComparison`) lays it out, as `taawun diff` prints it.
 */
export const COMPARE_PATH = '/report/compare';

export interface CompareForm {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  readonly asOf: string;
  /** The read model's own parameters, kept in the form. */
  readonly params: Readonly<Record<string, string>>;
}

export function compareForm(form: CompareForm): Html {
  return html`<form class="compare" method="get" action="${COMPARE_PATH}/${form.name}">
${Object.entries(form.params).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<label>Known on <input name="from" value="${form.from}" placeholder="YYYY-MM-DD" size="24" maxlength="40"></label>
<label>then on <input name="to" value="${form.to}" placeholder="YYYY-MM-DD" size="24" maxlength="40"></label>
<label>As of (business date, optional) <input name="asOf" value="${form.asOf}" placeholder="YYYY-MM-DD" size="10" maxlength="10"></label>
<button type="submit">Compare</button>
</form>`;
}

export function comparePage(comparison: AnswerComparison | null, form: CompareForm, options: { error?: string; letterhead?: Letterhead; lang?: Language; here?: string } = {}): Html {
  const table = comparison ? presentComparison(comparison) : null;
  return page({
    ...(options.lang ? { lang: options.lang } : {}),
    ...(options.here ? { here: options.here } : {}),
    title: table ? (table.title[0] ?? form.name) : `${form.name}: compare as known on two dates`,
    ...(table ? { subtitle: table.title.slice(1).join(' ') } : {}),
    ...(options.letterhead ? { letterhead: options.letterhead } : {}),
    body: html`${options.error ? html`<section class="problem"><p class="problem-message"><strong>${options.error}</strong></p><p>Give two recording dates: a day <code>YYYY-MM-DD</code> (its end, UTC) or an instant <code>2024-05-28T09:30:00Z</code>, not in the future.</p></section>` : ''}
${compareForm(form)}
${table ? htmlTable(table, { className: 'comparison', lensQuery: '' }) : ''}`,
  });
}
