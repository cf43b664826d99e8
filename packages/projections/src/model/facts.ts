import { applyCorrection } from '../engine/corrections.js';
import { z } from 'zod';
import type { EventOfType } from '../engine/projection.js';

/** One correction of a fact, as the read models show it beside what it corrects. */
export const correctionViewSchema = z
  .object({
    eventId: z.string().meta({ description: 'The RecordCorrected event' }),
    correctedEventId: z.string(),
    recordedAt: z.string(),
    recordedBy: z.string(),
    reason: z.string(),
    changes: z
      .array(z.object({ field: z.string(), from: z.unknown(), to: z.unknown() }))
      .meta({ description: 'Each changed field: its value before and after (`to: null` when the field was removed)' }),
  })
  .meta({ id: 'CorrectionView' });
export type CorrectionView = z.infer<typeof correctionViewSchema>;

/**
 * What one event says, kept in a read model's state: its data **as corrected**
 * (top-level fields replaced, `null` removing a field), where it comes from, and
 * the corrections applied to it, in order.
 */
export interface Fact<D> {
  readonly eventId: string;
  readonly data: D;
  readonly recordedAt: string;
  readonly recordedBy: string;
  readonly sourceRef: string | null;
  readonly corrections: readonly CorrectionView[];
}

/** Facts without corrections share one empty list (it is never mutated; JSON writes it as []). */
const noCorrections: readonly CorrectionView[] = Object.freeze([]);

export const factOf = <E extends { id: string; data: unknown; recordedAt: string; metadata: { actor: string; sourceRef?: string | undefined } }>(
  event: E,
  data: E['data'] = event.data,
): Fact<E['data']> => ({
  eventId: event.id,
  data,
  recordedAt: event.recordedAt,
  recordedBy: event.metadata.actor,
  sourceRef: event.metadata.sourceRef ?? null,
  corrections: noCorrections,
});

export const correctionView = (correction: EventOfType<'RecordCorrected'>): CorrectionView => ({
  eventId: correction.id,
  correctedEventId: correction.data.correctedEventId,
  recordedAt: correction.recordedAt,
  recordedBy: correction.metadata.actor,
  reason: correction.data.reason,
  changes: Object.entries(correction.data.changes).map(([field, to]) => ({ field, from: correction.data.previous[field] ?? null, to: to ?? null })),
});

/** The fact with the correction applied and noted. */
export function correctFact<D>(fact: Fact<D>, correction: EventOfType<'RecordCorrected'>): Fact<D> {
  return {
    ...fact,
    data: applyCorrection(fact.data, correction.data.changes),
    corrections: [...fact.corrections, correctionView(correction)],
  };
}

const isFact = (value: unknown): value is Fact<unknown> =>
  typeof value === 'object' && value !== null && typeof (value as { eventId?: unknown }).eventId === 'string' && 'data' in value;

/**
 * Apply a correction to whichever fact of a record (an object whose fields are
 * facts, lists of facts or null) it names; the record unchanged when none matches.
 */
export function correctRecord<R extends object>(record: R, correction: EventOfType<'RecordCorrected'>): R {
  const target = correction.data.correctedEventId;
  let changed = false;
  const fix = (value: unknown): unknown => {
    if (isFact(value) && value.eventId === target) {
      changed = true;
      return correctFact(value, correction);
    }
    return value;
  };
  const next = Object.fromEntries(
    Object.entries(record).map(([key, value]) => [key, Array.isArray(value) ? (value.some((v) => isFact(v) && v.eventId === target) ? value.map(fix) : value) : fix(value)]),
  );
  return changed ? (next as R) : record;
}

/** Every correction noted on the given facts, in recording order. */
export const correctionsOf = (...facts: readonly (Fact<unknown> | null | undefined)[]): CorrectionView[] =>
  facts
    .flatMap((f) => f?.corrections ?? [])
    .sort((a, b) => (a.recordedAt < b.recordedAt ? -1 : a.recordedAt > b.recordedAt ? 1 : 0));

/** The fact sources (`F12`) of the given facts, without repeats, in order of appearance. */
export const sourcesOf = (...facts: readonly (Fact<unknown> | null | undefined)[]): string[] => [
  ...new Set(facts.flatMap((f) => (f?.sourceRef ? [f.sourceRef] : []))),
];
