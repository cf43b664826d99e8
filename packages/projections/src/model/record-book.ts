import {
  agreementStream,
  instituteStream,
  participantStream,
  partnerStream,
  programmeStream,
  publicationStream,
  sessionStream,
  studyVisitStream,
  type DomainEventType,
  type EventData,
  type RecordedEvent,
} from '@taawun/domain';
import { match } from 'ts-pattern';
import type { EventOfType } from '../engine/projection.js';
import { correctRecord, factOf, type Fact } from './facts.js';
import { tableEntries, tableGet, tableSet, type Table } from './table.js';

type F<T extends DomainEventType> = Fact<EventData<T>>;

/*
 * The record book: the facts of each record (institute, partner, agreement,
 * programme, session, study visit, publication, participant), each event's data
 * kept as corrected, grouped by record. The read models' projections share it and
 * differ in the event types they handle; their views derive every answer from it
 * at query time, so a correction changes every answer that depends on it.
 * Absent facts are `null` (not undefined) so the state survives JSON unchanged.
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

/** Each section a table of records by id (`tableGet`, `tableEntries`). */
export interface RecordBook {
  readonly institutes: Table<InstituteRecord>;
  readonly partners: Table<PartnerRecord>;
  readonly agreements: Table<AgreementRecord>;
  readonly programmes: Table<ProgrammeRecord>;
  readonly sessions: Table<SessionRecord>;
  readonly visits: Table<VisitRecord>;
  readonly publications: Table<PublicationRecord>;
  readonly participants: Table<ParticipantRecord>;
}

export const emptyRecordBook: RecordBook = {
  institutes: {},
  partners: {},
  agreements: {},
  programmes: {},
  sessions: {},
  visits: {},
  publications: {},
  participants: {},
};

const empty: { readonly [K in Section]: RecordOf<K> } = {
  institutes: { registered: null, renames: [] } satisfies InstituteRecord,
  partners: { registered: null, renames: [], detailCorrections: [] } satisfies PartnerRecord,
  agreements: { signed: null, amendments: [], terminated: null } satisfies AgreementRecord,
  programmes: { launched: null, closed: null } satisfies ProgrammeRecord,
  sessions: { scheduled: null, reschedules: [], cancelled: null, held: null, attendance: [], enrolments: [], withdrawals: [] } satisfies SessionRecord,
  visits: { planned: null, completed: null, cancelled: null } satisfies VisitRecord,
  publications: { prepared: null, plans: [], published: null } satisfies PublicationRecord,
  participants: { registered: null, personalCorrections: [], erased: null } satisfies ParticipantRecord,
};

type Section = keyof RecordBook;
type RecordOf<K extends Section> = RecordBook[K] extends Table<infer R> ? R : never;

/** Which section a stream's records live in, from the domain's stream names. */
const streamPrefixes: readonly (readonly [string, Section])[] = [
  [instituteStream(''), 'institutes'],
  [partnerStream(''), 'partners'],
  [agreementStream(''), 'agreements'],
  [programmeStream(''), 'programmes'],
  [sessionStream(''), 'sessions'],
  [studyVisitStream(''), 'visits'],
  [publicationStream(''), 'publications'],
  [participantStream(''), 'participants'],
];

export function recordOfStream(stream: string): { section: Section; id: string } | undefined {
  const found = streamPrefixes.find(([prefix]) => stream.startsWith(prefix));
  return found ? { section: found[1], id: stream.slice(found[0].length) } : undefined;
}

function update<K extends Section>(book: RecordBook, section: K, id: string, change: (record: RecordOf<K>) => RecordOf<K>): RecordBook {
  const records = book[section] as Table<RecordOf<K>>;
  const current = tableGet(records, id) ?? (empty[section] as RecordOf<K>);
  return { ...book, [section]: tableSet(records, id, change(current)) };
}

export interface RecordBookOptions {
  /** Keep participants' personal data (`personal`)? Only the participant record does. */
  readonly personalData: boolean;
}

const withoutPersonal = <D extends { personal?: unknown }>(data: D): D => {
  const { personal: _, ...rest } = data;
  return rest as D;
};

/** Fold one event into the record book. Exhaustive: a new event type must be placed here. */
export function evolveRecordBook(book: RecordBook, event: RecordedEvent, options: RecordBookOptions): RecordBook {
  return match(event)
    .with({ type: 'InstituteRegistered' }, (e) => update(book, 'institutes', e.data.instituteId, (r) => ({ ...r, registered: factOf(e) })))
    .with({ type: 'InstituteRenamed' }, (e) => update(book, 'institutes', e.data.instituteId, (r) => ({ ...r, renames: [...r.renames, factOf(e)] })))
    .with({ type: 'PartnerRegistered' }, (e) => update(book, 'partners', e.data.partnerId, (r) => ({ ...r, registered: factOf(e) })))
    .with({ type: 'PartnerRenamed' }, (e) => update(book, 'partners', e.data.partnerId, (r) => ({ ...r, renames: [...r.renames, factOf(e)] })))
    .with({ type: 'PartnerDetailsCorrected' }, (e) =>
      update(book, 'partners', e.data.partnerId, (r) => ({ ...r, detailCorrections: [...r.detailCorrections, factOf(e)] })),
    )
    .with({ type: 'AgreementSigned' }, (e) => update(book, 'agreements', e.data.agreementId, (r) => ({ ...r, signed: factOf(e) })))
    .with({ type: 'AgreementAmended' }, (e) => update(book, 'agreements', e.data.agreementId, (r) => ({ ...r, amendments: [...r.amendments, factOf(e)] })))
    .with({ type: 'AgreementTerminated' }, (e) => update(book, 'agreements', e.data.agreementId, (r) => ({ ...r, terminated: factOf(e) })))
    .with({ type: 'ProgrammeLaunched' }, (e) => update(book, 'programmes', e.data.programmeId, (r) => ({ ...r, launched: factOf(e) })))
    .with({ type: 'ProgrammeClosed' }, (e) => update(book, 'programmes', e.data.programmeId, (r) => ({ ...r, closed: factOf(e) })))
    .with({ type: 'SessionScheduled' }, (e) => update(book, 'sessions', e.data.sessionId, (r) => ({ ...r, scheduled: factOf(e) })))
    .with({ type: 'SessionRescheduled' }, (e) => update(book, 'sessions', e.data.sessionId, (r) => ({ ...r, reschedules: [...r.reschedules, factOf(e)] })))
    .with({ type: 'SessionCancelled' }, (e) => update(book, 'sessions', e.data.sessionId, (r) => ({ ...r, cancelled: factOf(e) })))
    .with({ type: 'SessionHeld' }, (e) => update(book, 'sessions', e.data.sessionId, (r) => ({ ...r, held: factOf(e) })))
    .with({ type: 'AttendanceRecorded' }, (e) => update(book, 'sessions', e.data.sessionId, (r) => ({ ...r, attendance: [...r.attendance, factOf(e)] })))
    .with({ type: 'ParticipantEnrolled' }, (e) => update(book, 'sessions', e.data.sessionId, (r) => ({ ...r, enrolments: [...r.enrolments, factOf(e)] })))
    .with({ type: 'EnrolmentWithdrawn' }, (e) => update(book, 'sessions', e.data.sessionId, (r) => ({ ...r, withdrawals: [...r.withdrawals, factOf(e)] })))
    .with({ type: 'StudyVisitPlanned' }, (e) => update(book, 'visits', e.data.visitId, (r) => ({ ...r, planned: factOf(e) })))
    .with({ type: 'StudyVisitCompleted' }, (e) => update(book, 'visits', e.data.visitId, (r) => ({ ...r, completed: factOf(e) })))
    .with({ type: 'StudyVisitCancelled' }, (e) => update(book, 'visits', e.data.visitId, (r) => ({ ...r, cancelled: factOf(e) })))
    .with({ type: 'PublicationPrepared' }, (e) => update(book, 'publications', e.data.publicationId, (r) => ({ ...r, prepared: factOf(e) })))
    .with({ type: 'PublicationPlanned' }, (e) => update(book, 'publications', e.data.publicationId, (r) => ({ ...r, plans: [...r.plans, factOf(e)] })))
    .with({ type: 'PublicationPublished' }, (e) => update(book, 'publications', e.data.publicationId, (r) => ({ ...r, published: factOf(e) })))
    .with({ type: 'ParticipantRegistered' }, (e) =>
      update(book, 'participants', e.data.participantId, (r) => ({
        ...r,
        registered: factOf(e, options.personalData && !r.erased ? e.data : withoutPersonal(e.data)),
      })),
    )
    .with({ type: 'ParticipantPersonalDataCorrected' }, (e) =>
      update(book, 'participants', e.data.participantId, (r) =>
        options.personalData && !r.erased ? { ...r, personalCorrections: [...r.personalCorrections, factOf(e)] } : r,
      ),
    )
    .with({ type: 'ParticipantDataErased' }, (e) => update(book, 'participants', e.data.participantId, (r) => erase(r, factOf(e))))
    .with({ type: 'RecordCorrected' }, (e) => applyCorrection(book, e))
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

function applyCorrection(book: RecordBook, correction: EventOfType<'RecordCorrected'>): RecordBook {
  const where = recordOfStream(correction.stream);
  if (!where) return book;
  const records = book[where.section] as Table<object>;
  const record = tableGet(records, where.id);
  if (!record) return book;
  const corrected = correctRecord(record, correction);
  return corrected === record ? book : { ...book, [where.section]: tableSet(records, where.id, corrected) };
}

/** The ids of one section's records, in order: the partners, participants, sessions... a state holds. */
export const recordIds = (book: RecordBook, section: keyof RecordBook): string[] => tableEntries(book[section] as Table<unknown>).map(([id]) => id);
