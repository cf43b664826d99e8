import type { AnswerComparison } from '../read-models/compare.js';
import type { Table } from './table.js';

/** A change of one value, as a row. */
interface ChangeRow {
  readonly change: 'added' | 'withdrawn' | 'changed';
  readonly key: string;
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

const shown = (value: unknown): string => (value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value));

/**
 * A read model as known on two dates, as a table: one row per changed value
 * (items added or withdrawn in a row of their own), and in the notes the
 * events recorded in between, corrections with their reasons.
 */
export function presentComparison(comparison: AnswerComparison): Table<ChangeRow> {
  const rows: ChangeRow[] = [
    ...comparison.added.map((a) => ({ change: 'added' as const, key: a.key, path: '', before: null, after: a.item })),
    ...comparison.withdrawn.map((w) => ({ change: 'withdrawn' as const, key: w.key, path: '', before: w.item, after: null })),
    ...comparison.changed.flatMap((c) => c.fields.map((f) => ({ change: 'changed' as const, key: c.key, path: f.path, before: f.before, after: f.after }))),
    ...comparison.otherChanges.map((f) => ({ change: 'changed' as const, key: '(whole answer)', path: f.path, before: f.before, after: f.after })),
  ];
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
      { header: 'BEFORE', cell: (r) => shown(r.before) },
      { header: 'AFTER', cell: (r) => shown(r.after) },
    ],
    notes: recorded.length > 0 ? ['Recorded in between:', ...recorded] : [],
  };
}
