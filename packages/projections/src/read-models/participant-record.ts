import { multilingualTextSchema, personalDataSchema, slugSchema, type DomainEventType } from '@taawun/domain';
import { z } from 'zod';
import { modelChanged, type ModelReader } from '../engine/model-reader.js';
import { defineProjection, type IndexEntry } from '../engine/projection.js';
import { compareByCompletion, dateView, dateViewSchema, type DateView } from '../model/dates.js';
import { correctionsOf, correctionViewSchema, sourcesOf } from '../model/facts.js';
import { partnerAt, partnerAtTimeSchema } from '../model/names.js';
import { namedRecord } from '../engine/record-streams.js';
import { evolveRecord, recordIdsPage, recordKey, recordKeyOf, recordOfStream, RecordSet, type RecordDocument, type SessionRecord, type VisitRecord } from '../model/record-book.js';
import { defineReadModel } from './define.js';
import { summariseSession, summariseVisit, type SessionSummary } from '../model/summaries.js';

const handles = [
  'ParticipantRegistered', 'ParticipantPersonalDataCorrected', 'ParticipantDataErased',
  'PartnerRegistered', 'PartnerRenamed', 'PartnerDetailsCorrected',
  'SessionScheduled', 'SessionRescheduled', 'SessionCancelled', 'SessionHeld', 'ParticipantEnrolled', 'EnrolmentWithdrawn',
  'StudyVisitPlanned', 'StudyVisitCompleted', 'StudyVisitCancelled',
  'RecordCorrected',
] as const satisfies readonly DomainEventType[];

/** Sessions by each participant enrolled in them (withdrawn too), by session id. */
const SESSIONS_INDEX = 'sessions-of';
/** Completed study visits by each participant named on them, by visit id. */
const VISITS_INDEX = 'visits-of';

/**
 * The participant record: the only read model that keeps personal data (the
 * `personal` field). An erasure removes it from the stored state, and applies
 * through every time lens: a view "as known on" a day before the erasure does
 * not bring the data back.
 */
export const participantRecordProjection = defineProjection({
  name: 'participant-record',
  version: 2,
  description: 'Per person: the sessions and study visits they took part in; personal data unless erased',
  handles,
  alwaysApply: ['ParticipantDataErased'],
  initialState: null as RecordDocument,
  keyOf: recordKeyOf,
  evolve: (record: RecordDocument, event) => evolveRecord(record, event, { personalData: true }),
  indexes: (key, record): IndexEntry[] => {
    const where = recordOfStream(key);
    if (!where || record === null) return [];
    if (where.section === 'sessions') {
      const people = new Set((record as SessionRecord).enrolments.map((e) => e.data.participantId));
      return [...people].map((participantId) => ({ index: SESSIONS_INDEX, key: participantId, sort: where.id }));
    }
    if (where.section === 'visits') {
      const people = new Set((record as VisitRecord).completed?.data.participantIds ?? []);
      return [...people].map((participantId) => ({ index: VISITS_INDEX, key: participantId, sort: where.id }));
    }
    return [];
  },
});

export const participantRecordViewSchema = z
  .object({
    participantId: z.string(),
    kind: z.string(),
    cohort: z.number().int().nullable(),
    nationality: z.string().nullable(),
    personal: personalDataSchema.nullable().meta({ description: 'From the `personal` field only; null when the source names nobody, or after erasure' }),
    erased: z.boolean(),
    erasure: z.object({ recordedAt: z.string(), reason: z.string() }).nullable(),
    personalDataCorrections: z
      .array(z.object({ recordedAt: z.string(), reason: z.string() }))
      .meta({ description: 'When personal data was corrected, and why (the values are in `personal`)' }),
    sessions: z.array(
      z.object({
        sessionId: z.string(),
        title: multilingualTextSchema,
        date: dateViewSchema,
        status: z.enum(['held', 'planned', 'cancelled']),
        kind: z.string(),
        format: z.string(),
        role: z.enum(['trainee', 'trainer']),
        enrolment: z.enum(['enrolled', 'withdrawn']).meta({ description: '`withdrawn` when the enrolment was withdrawn before the session' }),
        partners: z.array(partnerAtTimeSchema),
      }),
    ),
    studyVisits: z.array(
      z.object({
        visitId: z.string(),
        title: multilingualTextSchema.nullable(),
        date: dateViewSchema,
        status: z.enum(['completed', 'planned', 'cancelled']),
        direction: z.string().nullable(),
        destination: multilingualTextSchema.nullable(),
        partners: z.array(partnerAtTimeSchema),
      }),
    ),
    corrections: z.array(correctionViewSchema),
    sourceRefs: z.array(z.string()),
  })
  .meta({ id: 'ParticipantRecord', description: "One participant: the sessions and study visits they took part in, and their personal data unless erased" });
export type ParticipantRecordView = z.infer<typeof participantRecordViewSchema>;

/** Whether the participant's record holds an erasure and no registration (an erasure seen through a lens that predates the registration). */
async function onlyErased(model: ModelReader, participantId: string): Promise<boolean> {
  const records = new RecordSet(model as ModelReader<RecordDocument>);
  await records.load([recordKey('participants', participantId)]);
  const record = records.get('participants', participantId);
  return record !== undefined && record !== null && !record.registered && record.erased !== null;
}

/**
 * A session's summary, computed once per record read: the participants of a
 * page share their sessions, and a session of a hundred enrolments would
 * otherwise be summarised once for each of them (its cost grows with them).
 * Records read for a view are never changed, so the object is the key.
 */
const sessionSummaries = new WeakMap<SessionRecord, SessionSummary | undefined>();
function sessionSummaryOf(sessionId: string, record: SessionRecord): SessionSummary | undefined {
  if (!sessionSummaries.has(record)) sessionSummaries.set(record, summariseSession(sessionId, record));
  return sessionSummaries.get(record);
}

/**
 * One participant's record. `records`: the records already fetched, shared by
 * the participants of one page, so the sessions they share are read and parsed once.
 */
export async function participantRecordView(
  model: ModelReader,
  participantId: string,
  records: RecordSet = new RecordSet(model as ModelReader<RecordDocument>),
): Promise<ParticipantRecordView | undefined> {
  const [sessionEntries, visitEntries] = await Promise.all([
    model.index(SESSIONS_INDEX, participantId),
    model.index(VISITS_INDEX, participantId),
    records.load([recordKey('participants', participantId)]),
  ]);
  const record = records.get('participants', participantId);
  const registered = record?.registered;
  if (!record || !registered) return undefined;
  const personal = record.erased ? null : (record.personalCorrections.at(-1)?.data.personal ?? registered.data.personal ?? null);
  await records.load([...sessionEntries, ...visitEntries].map((e) => e.document));
  const summaries = sessionEntries.flatMap((e) => {
    const r = records.byKey(e.document) as SessionRecord | null;
    const s = r ? sessionSummaryOf(e.sort, r) : undefined;
    return r && s ? [{ r, s }] : [];
  });
  const visits = visitEntries.flatMap((e) => {
    const r = records.byKey(e.document) as VisitRecord | null;
    const v = r ? summariseVisit(e.sort, r) : undefined;
    return v ? [v] : [];
  });
  await records.load([...summaries.flatMap(({ s }) => s.details.partners), ...visits.flatMap((v) => v.plan?.partners ?? [])].map((p) => recordKey('partners', p)));

  const sessions: ParticipantRecordView['sessions'][number][] = [];
  for (const { r, s } of summaries) {
    const enrolments = r.enrolments.filter((e) => e.data.participantId === participantId);
    if (enrolments.length === 0) continue;
    const active = s.enrolled.find((e) => e.participantId === participantId);
    sessions.push({
      sessionId: s.sessionId,
      title: s.details.title,
      date: dateView(s.date),
      status: s.status,
      kind: s.details.kind,
      format: s.format,
      role: active?.role ?? enrolments.at(-1)!.data.role,
      enrolment: active ? 'enrolled' : 'withdrawn',
      partners: s.details.partners.map((p) => partnerAt(records, p, s.date)),
    });
  }
  const studyVisits: ParticipantRecordView['studyVisits'][number][] = [];
  for (const v of visits) {
    if (!v.participantIds.includes(participantId)) continue;
    studyVisits.push({
      visitId: v.visitId,
      title: v.plan?.title ?? null,
      date: dateView(v.date),
      status: v.status,
      direction: v.plan?.direction ?? null,
      destination: v.plan?.destination ?? null,
      partners: (v.plan?.partners ?? []).map((p) => partnerAt(records, p, v.date)),
    });
  }
  const byDate = <T extends { date: DateView }>(a: T, b: T) => compareByCompletion(a.date.edtf, b.date.edtf);
  return {
    participantId,
    kind: registered.data.kind,
    cohort: registered.data.cohort ?? null,
    nationality: registered.data.nationality ?? null,
    personal,
    erased: record.erased !== null,
    erasure: record.erased ? { recordedAt: record.erased.recordedAt, reason: record.erased.data.reason } : null,
    personalDataCorrections: record.personalCorrections.map((c) => ({ recordedAt: c.recordedAt, reason: c.data.reason })),
    sessions: sessions.sort(byDate),
    studyVisits: studyVisits.sort(byDate),
    corrections: correctionsOf(registered),
    sourceRefs: sourcesOf(registered),
  };
}

export const participantRecordReadModel = defineReadModel({
  name: 'participant-record',
  personalData: 'always',
  title: 'Participant record',
  description: participantRecordProjection.description!,
  projection: participantRecordProjection,
  params: z.object({ participantId: slugSchema.meta({ description: "The participant's opaque id" }) }).strict(),
  result: participantRecordViewSchema,
  list: 'sessions',
  // Under a lens, what was left out of the streams whose events name the participant (their own, the sessions and visits they were in).
  lensScope: (p) => (_stream, _partners, participants) => participants.has(p.participantId),
  // Served from those streams (the catalogue lists them under the participant's opaque id), not a replay; an erasure is in their own stream.
  lensStreams: {
    scope: (p) => ({ names: [namedRecord('participant', p.participantId)], prefixes: [] }),
    index: (index, key) => (index === SESSIONS_INDEX || index === VISITS_INDEX ? namedRecord('participant', key) : undefined),
    keyPrefixes: [],
    documents: (p) => ({ keys: [recordKey('participants', p.participantId)], prefixes: [] }),
  },
  view: async (model, p) => {
    const found = await participantRecordView(model, p.participantId);
    return found && { result: found };
  },
  notFound: (p) => `participant ${p.participantId} is not registered`,
});

export const participantsReadModel = defineReadModel({
  name: 'participants',
  personalData: 'always',
  title: 'Participants',
  description: 'Every participant: kind, cohort, the sessions and study visits they took part in, and their personal data unless erased',
  projection: participantRecordProjection,
  documentsByStream: true,
  params: z.object({}).strict(),
  result: z.object({ participants: z.array(participantRecordViewSchema) }).meta({ id: 'ParticipantList' }),
  list: 'participants',
  view: async (model, _p, page) => {
    const { ids, total } = await recordIdsPage(model, 'participants', page);
    const participants: ParticipantRecordView[] = [];
    let unregistered = 0;
    // Participants, a hundred at a time, share the records they name: a session is read once per hundred, not once
    // per person, and memory holds a hundred people's records, not the whole list's.
    let records = new RecordSet(model as ModelReader<RecordDocument>);
    for (const [i, id] of ids.entries()) {
      if (i > 0 && i % 100 === 0) records = new RecordSet(model as ModelReader<RecordDocument>);
      const record = await participantRecordView(model, id, records);
      if (!record) {
        // An erasure applies through every lens: seen as known before the registration, the record holds
        // only the erasure, and the person was no participant yet. Anything else is a model changing under the read.
        if (await onlyErased(model, id)) {
          unregistered++;
          continue;
        }
        throw modelChanged(`participant-record: ${id} is listed but not registered`);
      }
      participants.push(record);
    }
    return { result: { participants }, total: total - unregistered };
  },
  notFound: () => 'no participant',
});
