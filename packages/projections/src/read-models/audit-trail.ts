import {
  aggregateOfStream,
  decodeEvent,
  eventDefinition,
  type EventStore,
  type RecordedEvent,
  type StoredEvent,
} from '@taawun/domain';
import { z } from 'zod';
import { ProjectionError, unknownKeyNearest } from '../engine/errors.js';
import { LensFilter, correctedBusinessDate, resolveLens, type CorrectionChanges, type LensReport, type TimeLens } from '../engine/temporal.js';
import { dateView, dateViewSchema } from '../model/dates.js';
import { correctFact, correctionViewSchema, factOf, type Fact } from '../model/facts.js';
import { recordAggregates, recordOfStream, sectionOfAggregate, type RecordAggregateName } from '../model/record-book.js';
import { partnerHistoryProjection } from './partner-history.js';
import { defineLogReadModel } from './define.js';

/** The kinds of record whose stream an audit trail can be asked for by id: the domain's aggregates with streams, by name. */
export const recordTypes = Object.fromEntries(recordAggregates.map((a) => [a.name, a.streams.stream])) as { readonly [T in RecordAggregateName]: (id: string) => string };
export type RecordType = RecordAggregateName;

export const auditTrailParams = z
  .object({
    stream: z.string().min(1).optional().meta({ description: 'The stream, e.g. "session-giz-attaches-2018-11"' }),
    record: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'A record id as the reports show it ("ssm-italy-2022"), or a stream: the one stream that holds it (several: an invalid query listing them)' }),
    recordType: z.enum(Object.keys(recordTypes) as [RecordType, ...RecordType[]]).optional(),
    recordId: z.string().min(1).optional(),
    personalData: z.enum(['redact', 'show']).default('redact').meta({ description: 'Show personal data of participants not erased (default: redacted)' }),
  })
  .refine(
    (p) => p.stream !== undefined || p.record !== undefined || (p.recordType !== undefined && p.recordId !== undefined),
    'give a stream, a record (its id or its stream), or a recordType and a recordId',
  );
export type AuditTrailParams = z.input<typeof auditTrailParams>;

export const auditEntrySchema = z
  .object({
    position: z.string(),
    revision: z.number().int(),
    eventId: z.string(),
    type: z.string(),
    schemaVersion: z.number().int().meta({ description: 'The schema version it was written with' }),
    recordedAt: z.string(),
    recordedBy: z.string(),
    commandType: z.string().nullable(),
    correlationId: z.string(),
    causationId: z.string(),
    sourceRef: z.string().nullable().meta({ description: 'Where the fact comes from, e.g. "F12"' }),
    businessDate: dateViewSchema.nullable().meta({ description: 'The business date as recorded, null when the event has none' }),
    correctedBusinessDate: dateViewSchema.nullable().meta({ description: 'The business date after the corrections shown, when they changed it' }),
    reason: z.string().nullable().meta({ description: 'The reason the event itself gives (corrections, cancellations, erasures...)' }),
    data: z.unknown().meta({ description: 'The data exactly as written (personal data redacted unless asked for and not erased)' }),
    correctedData: z.unknown().meta({ description: 'The data as read today (upcast, corrections applied), when it differs from `data`' }),
    corrections: z.array(correctionViewSchema).meta({ description: 'The corrections of this event, beside it, in order' }),
    corrects: z
      .object({ eventId: z.string(), type: z.string(), revision: z.number().int().nullable() })
      .nullable()
      .meta({ description: 'For a RecordCorrected: the event it corrects' }),
    problem: z.string().nullable().meta({ description: 'Set when the event cannot be read by this version of the library (shown as stored)' }),
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const auditTrailSchema = z
  .object({
    stream: z.string(),
    record: z.object({ type: z.string(), id: z.string() }).nullable(),
    personalData: z.enum(['redacted', 'shown', 'erased']).meta({ description: '`erased`: the participant\'s data was erased, never shown' }),
    events: z.array(auditEntrySchema),
  })
  .meta({ id: 'AuditTrail' });
export type AuditTrail = z.infer<typeof auditTrailSchema>;

/**
 * The one stream `record` names: the stream of that name, or the stream of a
 * record of that id in any aggregate, whichever has events (`record` itself
 * when none has: an empty trail). Two or more: an invalid query naming them.
 */
async function streamOfRecord(store: EventStore, record: string): Promise<string> {
  const candidates = [...new Set([record, ...recordAggregates.map((a) => a.streams.stream(record))])];
  const held = await Promise.all(candidates.map(async (stream) => (await store.readStream(stream, { maxCount: 1 })).length > 0));
  const found = candidates.filter((_, i) => held[i]);
  if (found.length > 1) throw new ProjectionError('invalid-query', `record: ${record} names ${found.length} records, give one of their streams: ${found.join(', ')}`);
  return found[0] ?? record;
}

const REDACTED = '[personal data]';

function redact(type: string, data: unknown, show: boolean): unknown {
  const fields = eventDefinition(type)?.personalFields ?? [];
  if (show || fields.length === 0 || typeof data !== 'object' || data === null) return data;
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, fields.includes(k) ? REDACTED : v]));
}

/**
 * The full history of one stream (one record): every event with who recorded
 * it, when, its business date, source and reason, and each correction beside
 * the event it corrects. Read from the store directly: it is the log itself.
 */
export async function auditTrailOf(
  store: EventStore,
  input: AuditTrailParams,
  lens: TimeLens = {},
): Promise<{ trail: AuditTrail; lens: LensReport | null }> {
  const params = auditTrailParams.parse(input);
  const stream = params.stream ?? (params.record !== undefined ? await streamOfRecord(store, params.record) : recordTypes[params.recordType!](params.recordId!));
  const resolved = resolveLens(lens);
  const stored = await store.readStream(stream);
  const erased = stored.some((e) => e.type === 'ParticipantDataErased');
  const show = params.personalData === 'show' && !erased;

  const decoded = new Map<string, RecordedEvent>();
  const problems = new Map<string, string>();
  for (const e of stored) {
    const result = decodeEvent(e);
    if (result.ok) decoded.set(e.id, result.value);
    else problems.set(e.id, result.error.message);
  }
  const known = (e: StoredEvent) => resolved.asKnownOn === undefined || Date.parse(e.recordedAt) <= Date.parse(resolved.asKnownOn);
  const corrections: CorrectionChanges = new Map();
  for (const e of decoded.values()) {
    if (e.type !== 'RecordCorrected' || !known(e)) continue;
    corrections.set(e.data.correctedEventId, [...(corrections.get(e.data.correctedEventId) ?? []), e.data.changes]);
  }

  // Which events the lens lets through (all of them without a lens).
  const lensActive = resolved.asOf !== undefined || resolved.asKnownOn !== undefined;
  const filter = new LensFilter(resolved, corrections);
  const shown = new Set<string>();
  for (const e of stored) {
    const event = decoded.get(e.id);
    if (!event) shown.add(e.id);
    else for (const passed of filter.accept(event)) shown.add(passed.id);
  }
  const finished = filter.finish();
  for (const passed of finished.events) shown.add(passed.id);
  // A correction is shown only beside what it corrects.
  for (const event of decoded.values()) {
    if (event.type === 'RecordCorrected' && !shown.has(event.data.correctedEventId)) shown.delete(event.id);
  }

  // Corrections beside what they correct (only those shown).
  const facts = new Map<string, Fact<unknown>>();
  for (const e of stored) {
    const event = decoded.get(e.id);
    if (!event || !shown.has(e.id)) continue;
    if (event.type === 'RecordCorrected') {
      const target = facts.get(event.data.correctedEventId);
      if (target) facts.set(event.data.correctedEventId, correctFact(target, event));
    } else {
      facts.set(e.id, factOf(event));
    }
  }

  const events = stored.filter((e) => shown.has(e.id)).map((e): AuditEntry => {
    const event = decoded.get(e.id);
    const fact = facts.get(e.id);
    const definition = eventDefinition(e.type);
    const recordedDate = event && definition ? definition.occurredOn(event.data as never) : undefined;
    const correctedDate = event ? correctedBusinessDate(event, corrections) : undefined;
    const current = fact?.data ?? event?.data;
    const target = event?.type === 'RecordCorrected' ? stored.find((s) => s.id === event.data.correctedEventId) : undefined;
    const reason = (event?.data as { reason?: unknown } | undefined)?.reason;
    return {
      position: e.position.toString(),
      revision: e.revision,
      eventId: e.id,
      type: e.type,
      schemaVersion: e.schemaVersion,
      recordedAt: e.recordedAt,
      recordedBy: e.metadata.actor,
      commandType: e.metadata.commandType ?? null,
      correlationId: e.metadata.correlationId,
      causationId: e.metadata.causationId,
      sourceRef: e.metadata.sourceRef ?? null,
      businessDate: recordedDate === undefined ? null : dateView(recordedDate),
      correctedBusinessDate: correctedDate !== undefined && correctedDate !== recordedDate ? dateView(correctedDate) : null,
      reason: typeof reason === 'string' ? reason : null,
      data: redact(e.type, e.data, show),
      correctedData: current !== undefined && JSON.stringify(current) !== JSON.stringify(e.data) ? redact(e.type, current, show) : null,
      corrections: [...(fact?.corrections ?? [])],
      corrects:
        event?.type === 'RecordCorrected'
          ? { eventId: event.data.correctedEventId, type: event.data.correctedEventType, revision: target?.revision ?? null }
          : null,
      problem: problems.get(e.id) ?? null,
    };
  });
  const where = aggregateOfStream(stream);
  return {
    trail: {
      stream,
      record: where ? { type: where.aggregate.name, id: where.id } : null,
      personalData: erased ? 'erased' : show ? 'shown' : 'redacted',
      events,
    },
    lens: lensActive ? finished.report : null,
  };
}

export const auditTrailReadModel = defineLogReadModel({
  name: 'audit-trail',
  title: 'Audit trail',
  description: 'The full history of one record: every event, who recorded it and when, its business date, source and reason, corrections beside what they correct',
  params: auditTrailParams,
  result: auditTrailSchema,
  list: 'events',
  personalData: (p) => p.personalData === 'show',
  run: async (store, p, lens) => {
    const { trail, lens: report } = await auditTrailOf(store, p, lens);
    return trail.events.length === 0 && report === null ? undefined : { result: trail, lens: report };
  },
  // An unknown record is named with the record ids the stored registers hold (their keys are the records' streams).
  unknownKey: {
    projection: partnerHistoryProjection,
    check: async (p, model) => {
      const asked = p.record ?? p.recordId;
      if (asked === undefined) return undefined;
      const ids = new Set<string>();
      for (const key of await model.keys()) {
        const where = recordOfStream(key);
        if (where && (p.recordType === undefined || where.section === sectionOfAggregate[p.recordType])) ids.add(where.id);
      }
      return unknownKeyNearest(p.record !== undefined ? 'record' : 'recordId', 'record', asked, [...ids].sort(), {
        noun: 'record ids',
        // A stream name is compared by the id it names ("session-x" with "x").
        near: recordOfStream(asked)?.id ?? asked,
        where: 'the registers (partners, sessions, meetings, study visits, publications, agreements) list them',
      });
    },
  },
  notFound: (p) =>
    p.stream
      ? `stream ${p.stream} has no events`
      : p.record
        ? `no record ${p.record}: neither a stream of that name nor a record of that id (${Object.keys(recordTypes).join(', ')}) has events`
        : `${p.recordType} ${p.recordId} has no events`,
});
