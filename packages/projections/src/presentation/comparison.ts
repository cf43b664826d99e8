import type { Language, MultilingualText } from '@taawun/domain';
import type { AnswerComparison } from '../read-models/compare.js';
import { message } from './i18n/messages.js';
import { headerText, textIn } from './texts.js';
import type { Table } from './table.js';

/** A change of one value, as a row. */
interface ChangeRow {
  readonly change: 'added' | 'withdrawn' | 'changed';
  readonly key: string;
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

const SHOWN_MAX = 160;

/**
 * A value in a cell: text as it is; an item (an entry, a period) by what it says
 * of itself (what, when, its title), else its JSON cut to a cell's length. The
 * whole item is in the comparison itself (`--format json`, the API).
 */
function shown(value: unknown, lang: Language): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'object') return String(value);
  const item = value as { what?: unknown; date?: { label?: unknown }; title?: unknown };
  const title = typeof item.title === 'object' && item.title !== null ? textIn(item.title as MultilingualText, lang) : undefined;
  const said = [item.what, item.date?.label, title].filter((part): part is string => typeof part === 'string' && part !== '');
  if (said.length > 0) return said.join(' · ');
  const json = JSON.stringify(value);
  return json.length > SHOWN_MAX ? `${json.slice(0, SHOWN_MAX - 1)}…` : json;
}

/**
 * A read model as known on two dates, as a table: one row per changed value
 * (items added or withdrawn in a row of their own), and in the notes the
 * events recorded in between, corrections with their reasons.
 */
export function presentComparison(comparison: AnswerComparison, lang: Language = 'en'): Table<ChangeRow> {
  if (lang !== 'en') return comparisonIn(comparison, lang);
  const rows = changeRows(comparison);
  const [from, to] = comparison.knownOn;
  const recorded = comparison.recorded.map(
    (e) =>
      `${e.recordedAt} ${e.recordedBy}: ${e.type} in ${e.stream}${e.corrects ? ` (corrects ${e.corrects})` : ''}${e.reason ? `: ${e.reason}` : ''}${e.sourceRef ? ` [${e.sourceRef}]` : ''}`,
  );
  return {
    title: [`${comparison.readModel}: as known on ${from}, then on ${to}`, `${rows.length === 0 ? 'No change' : `${rows.length} change${rows.length === 1 ? '' : 's'}`}; ${comparison.recorded.length} event${comparison.recorded.length === 1 ? '' : 's'} recorded in between.`],
    rows,
    rowKey: { name: 'change', of: (r) => `${r.change}:${r.key}:${r.path}` },
    columns: [
      { header: 'CHANGE', cell: (r) => r.change },
      { header: 'ITEM', cell: (r) => r.key },
      { header: 'FIELD', cell: (r) => r.path },
      { header: 'BEFORE', cell: (r) => shown(r.before, lang) },
      { header: 'AFTER', cell: (r) => shown(r.after, lang) },
    ],
    notes: recorded.length > 0 ? ['Recorded in between:', ...recorded] : [],
  };
}

/** One row per changed value; items added or withdrawn in a row of their own. */
const changeRows = (comparison: AnswerComparison, whole = '(whole answer)'): ChangeRow[] => [
  ...comparison.added.map((a) => ({ change: 'added' as const, key: a.key, path: '', before: null, after: a.item })),
  ...comparison.withdrawn.map((w) => ({ change: 'withdrawn' as const, key: w.key, path: '', before: w.item, after: null })),
  ...comparison.changed.flatMap((c) => c.fields.map((f) => ({ change: 'changed' as const, key: c.key, path: f.path, before: f.before, after: f.after }))),
  ...comparison.otherChanges.map((f) => ({ change: 'changed' as const, key: whole, path: f.path, before: f.before, after: f.after })),
];

/** The same table in French or Arabic: the record's own values (keys, fields, event types, reasons) as they are. */
function comparisonIn(comparison: AnswerComparison, lang: Language): Table<ChangeRow> {
  const rows = changeRows(comparison, message(lang, 'compare.wholeAnswer'));
  const [from, to] = comparison.knownOn;
  const recorded = comparison.recorded.map(
    (e) =>
      `${message(lang, 'compare.event', { at: e.recordedAt, by: e.recordedBy, type: e.type, stream: e.stream })}${e.corrects ? message(lang, 'compare.corrects', { event: e.corrects }) : ''}${e.reason ? `: ${e.reason}` : ''}${e.sourceRef ? ` [${e.sourceRef}]` : ''}`,
  );
  return {
    title: [message(lang, 'compare.title', { model: comparison.readModel, from, to }), message(lang, 'compare.summary', { changes: rows.length, events: comparison.recorded.length })],
    rows,
    rowKey: { name: 'change', of: (r) => `${r.change}:${r.key}:${r.path}` },
    columns: [
      { header: headerText(lang, 'column.change', 'CHANGE'), cell: (r) => message(lang, 'compare.change', { change: r.change }) },
      { header: headerText(lang, 'column.item', 'ITEM'), cell: (r) => r.key },
      { header: headerText(lang, 'column.field', 'FIELD'), cell: (r) => r.path },
      { header: headerText(lang, 'column.before', 'BEFORE'), cell: (r) => shown(r.before, lang) },
      { header: headerText(lang, 'column.after', 'AFTER'), cell: (r) => shown(r.after, lang) },
    ],
    notes: recorded.length > 0 ? [message(lang, 'compare.recordedBetween'), ...recorded] : [],
  };
}
