import {
  aggregateOfStream,
  aggregates,
  streamOfEvent,
  type DomainAggregate,
  type DomainEventType,
  type EventData,
  type RecordedEvent,
  type StreamNaming,
} from '@taawun/domain';
import { match } from 'ts-pattern';
import { keysPage, type ModelReader } from '../engine/model-reader.js';
import { namedRecord } from '../engine/record-streams.js';
import type { LensScope } from '../engine/temporal.js';
import type { Page } from './ordered.js';
import { correctRecord, factOf, type Fact } from './facts.js';

type F<T extends DomainEventType> = Fact<EventData<T>>;

/*
 * The record book: the facts of each record (institute, partner, agreement,
 * programme, session, study visit, publication, participant), each event's data
 * kept as corrected, one document per record, keyed by the record's stream name
 * (`session-giz-tot-2018`). The read models' projections share it and differ in
 * the event types they handle and in the index entries and counters they derive
 * from each record; their views derive every answer from the records a question
 * needs, so a correction changes every answer that depends on it.
 * Absent facts are `null` (not undefined) so a document survives JSON unchanged.
 */

export interface InstituteRecord {
  readonly registered: F<'InstituteRegistered'> | null;
  readonly renames: readonly F<'InstituteRenamed'>[];
}
export interface PartnerRecord {
  readonly registered: F<'PartnerRegistered'> | null;
  readonly renames: readonly F<'PartnerRenamed'>[];
  readonly detailCorrections: readonly F<'PartnerDetailsCorrected'>[];
}
export interface AgreementRecord {
  readonly signed: F<'AgreementSigned'> | null;
  readonly amendments: readonly F<'AgreementAmended'>[];
  readonly terminated: F<'AgreementTerminated'> | null;
}
export interface ProgrammeRecord {
  readonly launched: F<'ProgrammeLaunched'> | null;
  readonly closed: F<'ProgrammeClosed'> | null;
}
export interface SessionRecord {
  readonly scheduled: F<'SessionScheduled'> | null;
  readonly reschedules: readonly F<'SessionRescheduled'>[];
  readonly cancelled: F<'SessionCancelled'> | null;
  readonly held: F<'SessionHeld'> | null;
  readonly attendance: readonly F<'AttendanceRecorded'>[];
  readonly enrolments: readonly F<'ParticipantEnrolled'>[];
  readonly withdrawals: readonly F<'EnrolmentWithdrawn'>[];
}
export interface VisitRecord {
  readonly planned: F<'StudyVisitPlanned'> | null;
  readonly completed: F<'StudyVisitCompleted'> | null;
  readonly cancelled: F<'StudyVisitCancelled'> | null;
}
export interface PublicationRecord {
  readonly prepared: F<'PublicationPrepared'> | null;
  readonly plans: readonly F<'PublicationPlanned'>[];
  readonly published: F<'PublicationPublished'> | null;
}
export interface ParticipantRecord {
  readonly registered: F<'ParticipantRegistered'> | null;
  readonly personalCorrections: readonly F<'ParticipantPersonalDataCorrected'>[];
  readonly erased: F<'ParticipantDataErased'> | null;
}

/** The records by section. */
export interface RecordSections {
  readonly institutes: InstituteRecord;
  readonly partners: PartnerRecord;
  readonly agreements: AgreementRecord;
  readonly programmes: ProgrammeRecord;
  readonly sessions: SessionRecord;
  readonly visits: VisitRecord;
  readonly publications: PublicationRecord;
  readonly participants: ParticipantRecord;
}
export type Section = keyof RecordSections;
/** One record: the document of one key. `null` before its first fact. */
export type RecordDocument = RecordSections[Section] | null;

const empty: { readonly [K in Section]: RecordSections[K] } = {
  institutes: { registered: null, renames: [] },
  partners: { registered: null, renames: [], detailCorrections: [] },
  agreements: { signed: null, amendments: [], terminated: null },
  programmes: { launched: null, closed: null },
  sessions: { scheduled: null, reschedules: [], cancelled: null, held: null, attendance: [], enrolments: [], withdrawals: [] },
  visits: { planned: null, completed: null, cancelled: null },
  publications: { prepared: null, plans: [], published: null },
  participants: { registered: null, personalCorrections: [], erased: null },
};

/** An aggregate whose records have streams of their own: every one but the correction, which lives in theirs. */
export type RecordAggregate = Extract<DomainAggregate, { readonly streams: StreamNaming }>;
export type RecordAggregateName = RecordAggregate['name'];

/** The aggregates whose records the record book keeps, in the domain's order. */
export const recordAggregates: readonly RecordAggregate[] = aggregates.filter((a): a is RecordAggregate => a.streams !== undefined);

/**
 * The section each aggregate's records are kept in, under the names the read
 * models use: the one place an aggregate's name meets a section's. The
 * compiler holds it to every aggregate with streams and every section.
 */
export const sectionOfAggregate = {
  institute: 'institutes',
  partner: 'partners',
  agreement: 'agreements',
  programme: 'programmes',
  session: 'sessions',
  'study-visit': 'visits',
  publication: 'publications',
  participant: 'participants',
} as const satisfies { readonly [A in RecordAggregateName]: Section };
// And every section has its aggregate: a section no aggregate fills is a compile error here.
type SectionWithoutAggregate = Exclude<Section, (typeof sectionOfAggregate)[RecordAggregateName]>;
const everySectionHasAnAggregate: [SectionWithoutAggregate] extends [never] ? true : { missing: SectionWithoutAggregate } = true;

/** The stream-name prefix of each section's records (a record's key is its stream's name), from the aggregates. */
export const sectionPrefixes = Object.fromEntries(recordAggregates.map((a) => [sectionOfAggregate[a.name], a.streams.prefix])) as { readonly [K in Section]: string };

/** Which section a stream's records live in, from the domain's stream names. */
export function recordOfStream(stream: string): { section: Section; id: string } | undefined {
  const found = aggregateOfStream(stream);
  // The correction has no streams: a stream is never its own.
  return found ? { section: sectionOfAggregate[found.aggregate.name as RecordAggregateName], id: found.id } : undefined;
}

/** The key of a record's document. */
export const recordKey = (section: Section, id: string): string => sectionPrefixes[section] + id;

export interface RecordBookOptions {
  /** Keep participants' personal data (`personal`)? Only the participant record does. */
  readonly personalData: boolean;
}

const withoutPersonal = <D extends { personal?: unknown }>(data: D): D => {
  const { personal: _, ...rest } = data;
  return rest as D;
};

/**
 * The record an event belongs to: its aggregate's stream, named from its data
 * (`streamOfEvent`); a correction, whose data names no stream, belongs to the
 * record of the stream it is appended to (that of what it corrects). The
 * runner asks it for every event of a rebuild: one map lookup and a string.
 */
export const recordKeyOf = (event: RecordedEvent): string | undefined => streamOfEvent(event) ?? (aggregateOfStream(event.stream) ? event.stream : undefined);

/** Fold one event into its record (the document of `recordKeyOf(event)`). Exhaustive: a new event type must be placed here. */
export function evolveRecord(doc: RecordDocument, event: RecordedEvent, options: RecordBookOptions): RecordDocument {
  const of = <K extends Section>(section: K): RecordSections[K] => (doc ?? empty[section]) as RecordSections[K];
  return match(event)
    .returnType<RecordDocument>()
    // The most frequent first: ts-pattern tries the branches in order.
    .with({ type: 'ParticipantEnrolled' }, (e) => { const r = of('sessions'); return { ...r, enrolments: [...r.enrolments, factOf(e)] }; })
    .with({ type: 'SessionHeld' }, (e) => ({ ...of('sessions'), held: factOf(e) }))
    .with({ type: 'SessionScheduled' }, (e) => ({ ...of('sessions'), scheduled: factOf(e) }))
    .with({ type: 'ParticipantRegistered' }, (e) => {
      const r = of('participants');
      return { ...r, registered: factOf(e, options.personalData && !r.erased ? e.data : withoutPersonal(e.data)) };
    })
    .with({ type: 'AttendanceRecorded' }, (e) => { const r = of('sessions'); return { ...r, attendance: [...r.attendance, factOf(e)] }; })
    .with({ type: 'InstituteRegistered' }, (e) => ({ ...of('institutes'), registered: factOf(e) }))
    .with({ type: 'InstituteRenamed' }, (e) => { const r = of('institutes'); return { ...r, renames: [...r.renames, factOf(e)] }; })
    .with({ type: 'PartnerRegistered' }, (e) => ({ ...of('partners'), registered: factOf(e) }))
    .with({ type: 'PartnerRenamed' }, (e) => { const r = of('partners'); return { ...r, renames: [...r.renames, factOf(e)] }; })
    .with({ type: 'PartnerDetailsCorrected' }, (e) => { const r = of('partners'); return { ...r, detailCorrections: [...r.detailCorrections, factOf(e)] }; })
    .with({ type: 'AgreementSigned' }, (e) => ({ ...of('agreements'), signed: factOf(e) }))
    .with({ type: 'AgreementAmended' }, (e) => { const r = of('agreements'); return { ...r, amendments: [...r.amendments, factOf(e)] }; })
    .with({ type: 'AgreementTerminated' }, (e) => ({ ...of('agreements'), terminated: factOf(e) }))
    .with({ type: 'ProgrammeLaunched' }, (e) => ({ ...of('programmes'), launched: factOf(e) }))
    .with({ type: 'ProgrammeClosed' }, (e) => ({ ...of('programmes'), closed: factOf(e) }))
    .with({ type: 'SessionRescheduled' }, (e) => { const r = of('sessions'); return { ...r, reschedules: [...r.reschedules, factOf(e)] }; })
    .with({ type: 'SessionCancelled' }, (e) => ({ ...of('sessions'), cancelled: factOf(e) }))
    .with({ type: 'EnrolmentWithdrawn' }, (e) => { const r = of('sessions'); return { ...r, withdrawals: [...r.withdrawals, factOf(e)] }; })
    .with({ type: 'StudyVisitPlanned' }, (e) => ({ ...of('visits'), planned: factOf(e) }))
    .with({ type: 'StudyVisitCompleted' }, (e) => ({ ...of('visits'), completed: factOf(e) }))
    .with({ type: 'StudyVisitCancelled' }, (e) => ({ ...of('visits'), cancelled: factOf(e) }))
    .with({ type: 'PublicationPrepared' }, (e) => ({ ...of('publications'), prepared: factOf(e) }))
    .with({ type: 'PublicationPlanned' }, (e) => { const r = of('publications'); return { ...r, plans: [...r.plans, factOf(e)] }; })
    .with({ type: 'PublicationPublished' }, (e) => ({ ...of('publications'), published: factOf(e) }))
    .with({ type: 'ParticipantPersonalDataCorrected' }, (e) => {
      const r = of('participants');
      return options.personalData && !r.erased ? { ...r, personalCorrections: [...r.personalCorrections, factOf(e)] } : r;
    })
    .with({ type: 'ParticipantDataErased' }, (e) => erase(of('participants'), factOf(e)))
    // A correction applies to a fact of the record it is appended to; none when the record is not in this model.
    .with({ type: 'RecordCorrected' }, (e) => (doc === null ? doc : correctRecord(doc, e)))
    .exhaustive();
}

/** Erasure removes the personal data from every fact of the participant; what they took part in stays. */
function erase(record: ParticipantRecord, erasure: F<'ParticipantDataErased'>): ParticipantRecord {
  return {
    registered: record.registered ? { ...record.registered, data: withoutPersonal(record.registered.data) } : null,
    personalCorrections: [],
    erased: erasure,
  };
}

/** Record documents of a model, fetched in batches and then read synchronously by the views. */
export class RecordSet {
  private readonly loaded = new Map<string, RecordDocument>();

  constructor(private readonly model: ModelReader<RecordDocument>) {}

  /** Fetch (in one read) the records not fetched yet. */
  async load(keys: Iterable<string>): Promise<this> {
    const missing = [...new Set(keys)].filter((key) => !this.loaded.has(key));
    if (missing.length === 0) return this;
    const found = await this.model.getMany(missing);
    for (const key of missing) this.loaded.set(key, found.get(key) ?? null);
    return this;
  }

  /** Fetch every record of a section (few: institutes). */
  async loadSection(section: Section): Promise<string[]> {
    const keys = await this.model.keys({ prefix: sectionPrefixes[section] });
    await this.load(keys);
    return keys.map((key) => key.slice(sectionPrefixes[section].length));
  }

  /** A fetched record by its key (`null`: it does not exist, or was not fetched). */
  byKey(key: string): RecordDocument {
    return this.loaded.get(key) ?? null;
  }

  /** A fetched record, or undefined when it does not exist (or was not fetched). */
  get<K extends Section>(section: K, id: string): RecordSections[K] | undefined {
    return (this.loaded.get(recordKey(section, id)) ?? undefined) as RecordSections[K] | undefined;
  }
}

/** The ids of one section's records, in order: the partners, participants, sessions... a model holds. */
export async function recordIds(model: ModelReader, section: Section): Promise<string[]> {
  const prefix = sectionPrefixes[section];
  return (await model.keys({ prefix })).map((key) => key.slice(prefix.length));
}

/** One page of a section's ids, in order, and how many the section holds (`keysPage`). */
export async function recordIdsPage(model: ModelReader, section: Section, page: Page): Promise<{ ids: string[]; total: number }> {
  const prefix = sectionPrefixes[section];
  const { keys, total } = await keysPage(model, page, prefix);
  return { ids: keys.map((key) => key.slice(prefix.length)), total };
}

/**
 * Under a lens, the events a partner's answer is about: those of its records
 * (every record naming it) and the institute's, whose name each entry gives.
 * `partnerLensStreams` finds their streams in the catalogue of streams.
 */
export const partnerLensScope =
  (partnerId: string): LensScope =>
  (stream, partners) =>
    partners.has(partnerId) || recordOfStream(stream)?.section === 'institutes';

/** The streams of `partnerLensScope`, in the catalogue of streams: those that ever named the partner, and the institute's. */
export const partnerLensStreams = (partnerId: string) => ({ names: [namedRecord('partner', partnerId)], prefixes: [sectionPrefixes.institutes] });

/** What every view of a partner's answer reads as documents: the partner's record (is it known?) and the institute's (its name at a date). */
export const partnerLensDocuments = (partnerId: string) => ({ keys: [recordKey('partners', partnerId)], prefixes: [sectionPrefixes.institutes] });

/** The record prefixes a view through a lens lists: the institutes (names at a date), the partners (the keys an unknown partner is named among). */
export const lensKeyPrefixes: readonly string[] = [sectionPrefixes.institutes, sectionPrefixes.partners];
