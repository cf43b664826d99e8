import type { Language } from '@taawun/domain';
import type { AnswerComparison } from '@taawun/projections';
import { message, presentComparison } from '@taawun/projections/presentation';
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

export function compareForm(form: CompareForm, lang: Language = 'en'): Html {
  // English as it always read; French and Arabic from the catalogues.
  const t = (id: Parameters<typeof message>[1], english: string) => (lang === 'en' ? english : message(lang, id));
  return html`<form class="compare" method="get" action="${COMPARE_PATH}/${form.name}">
${Object.entries(form.params).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<label>${t('compare.knownOn', 'Known on')} <input name="from" value="${form.from}" placeholder="YYYY-MM-DD" size="24" maxlength="40"></label>
<label>${t('compare.thenOn', 'then on')} <input name="to" value="${form.to}" placeholder="YYYY-MM-DD" size="24" maxlength="40"></label>
<label>${t('compare.asOf', 'As of (business date, optional)')} <input name="asOf" value="${form.asOf}" placeholder="YYYY-MM-DD" size="10" maxlength="10"></label>
<button type="submit">${t('compare.submit', 'Compare')}</button>
</form>`;
}

export function comparePage(comparison: AnswerComparison | null, form: CompareForm, options: { error?: string; letterhead?: Letterhead; lang?: Language; here?: string } = {}): Html {
  const lang = options.lang ?? 'en';
  const table = comparison ? presentComparison(comparison, lang) : null;
  return page({
    ...(options.lang ? { lang: options.lang } : {}),
    ...(options.here ? { here: options.here } : {}),
    title: table ? (table.title[0] ?? form.name) : lang === 'en' ? `${form.name}: compare as known on two dates` : message(lang, 'compare.formTitle', { model: form.name }),
    ...(table ? { subtitle: table.title.slice(1).join(' ') } : {}),
    ...(options.letterhead ? { letterhead: options.letterhead } : {}),
    body: html`${options.error ? html`<section class="problem"><p class="problem-message"><strong>${options.error}</strong></p>${lang === 'en' ? html`<p>Give two recording dates: a day <code>YYYY-MM-DD</code> (its end, UTC) or an instant <code>2024-05-28T09:30:00Z</code>, not in the future.</p>` : html`<p>${message(lang, 'compare.help')}</p>`}</section>` : ''}
${compareForm(form, lang)}
${table ? htmlTable(table, { className: 'comparison', lensQuery: '' }) : ''}`,
  });
}
