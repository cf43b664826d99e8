import type { RecordedEventOf } from '../../schema/decoding.js';
import { namesDayAfter } from '../../values/partial-date.js';
import { decided, rejected, type Decision } from '../decider.js';
import type { AggregateDecisionContext } from '../define.js';
import type { CorrectRecord } from './commands.js';
import { applyChanges, type RecordCorrected } from './events.js';

/** What a correction needs to know of a stream: each event's type and current (corrected) data. */
export interface CorrectableState {
  readonly records: ReadonlyMap<string, { readonly type: string; readonly data: Record<string, unknown> }>;
}

export const correctionInitialState: CorrectableState = { records: new Map() };

/** Any recorded event of any aggregate: a correction lives in the stream of the event it corrects. */
type CorrectableEvent = RecordedEventOf<{ type: string; data: unknown }>;

/** Corrections work on recorded events (they need ids), so their evolve takes the envelope. */
export function evolveCorrectable(state: CorrectableState, event: CorrectableEvent): CorrectableState {
  const records = new Map(state.records);
  if (event.type === 'RecordCorrected') {
    const correction = event.data as RecordCorrected['data'];
    const target = records.get(correction.correctedEventId);
    if (target) records.set(correction.correctedEventId, { ...target, data: withoutNulls(applyChanges(target.data, correction.changes)) });
  }
  records.set(event.id, { type: event.type, data: event.data as Record<string, unknown> });
  return { records };
}

const withoutNulls = (data: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(data).filter(([, v]) => v !== null));

/** The corrected event's type comes from the stream, so its definition comes from the context: the domain's whole list. */
export function decideCorrection(command: CorrectRecord, state: CorrectableState, { today, eventDefinition }: AggregateDecisionContext): Decision<RecordCorrected> {
  const target = state.records.get(command.eventId);
  if (!target) return rejected('not-found', `no event ${command.eventId} in stream ${command.stream}`, ['eventId']);
  if (target.type === 'RecordCorrected') return rejected('invalid-correction', 'correct the original event, not a correction', ['eventId']);
  const definition = eventDefinition(target.type);
  if (!definition) return rejected('invalid-correction', `events of type ${target.type} cannot be corrected`, ['eventId']);

  const shape = definition.data.shape as Record<string, unknown>;
  for (const field of Object.keys(command.changes)) {
    if (!Object.hasOwn(shape, field)) return rejected('invalid-correction', `${target.type} has no field ${field}`, [`changes.${field}`]);
    if (definition.identityFields.includes(field)) {
      return rejected('invalid-correction', `${field} says which record ${target.type} is about and cannot be corrected`, [`changes.${field}`]);
    }
    if (definition.personalFields.includes(field)) {
      return rejected('invalid-correction', `${field} is personal data: use CorrectParticipantPersonalData`, [`changes.${field}`]);
    }
  }
  const merged = withoutNulls(applyChanges(target.data, command.changes));
  const parsed = definition.data.safeParse(merged);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `changes.${i.path.join('.')}`);
    return rejected('invalid-correction', `the corrected ${target.type} would be invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, fields);
  }
  const corrected = parsed.data as Record<string, unknown>;
  const changed = Object.keys(command.changes).filter((f) => JSON.stringify(corrected[f]) !== JSON.stringify(target.data[f]));
  if (changed.length === 0) return rejected('invalid-correction', 'the changes leave the record as it was', ['changes']);

  const newDate = definition.occurredOn(corrected);
  if (!definition.isPlan && newDate !== undefined && namesDayAfter(newDate, today)) {
    return rejected('date-in-future', `the corrected date ${newDate} is after today (${today})`, ['changes']);
  }
  const pick = (source: Record<string, unknown>) => Object.fromEntries(changed.map((f) => [f, source[f] ?? null]));
  return decided<RecordCorrected>({
    type: 'RecordCorrected',
    data: {
      correctedEventId: command.eventId,
      correctedEventType: target.type,
      changes: pick(corrected),
      previous: pick(target.data),
      reason: command.reason,
    },
  });
}
