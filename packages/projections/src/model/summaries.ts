import type { Attendance, EventData, PartialDate } from '@taawun/domain';
import { atLeast, exactly, type Count } from './counts.js';
import { correctionsOf, sourcesOf, type CorrectionView, type Fact } from './facts.js';
import { SEVERAL, sessionKindFigures, visitDirectionFigure, type SessionKindFigures } from './figures.js';
import type { PublicationRecord, SessionRecord, VisitRecord } from './record-book.js';

type SessionDetails = Omit<EventData<'SessionHeld'>, 'sessionId' | 'heldOn' | 'attendance'>;

/** A session as the record now describes it, with what can be counted from it. */
export interface SessionSummary {
  readonly sessionId: string;
  readonly status: 'held' | 'planned' | 'cancelled';
  /** When held (`heldOn`), else when planned (the latest reschedule, else `plannedFor`). */
  readonly date: PartialDate;
  readonly details: SessionDetails;
  readonly format: 'in-person' | 'remote' | 'not-stated';
  /** The latest attendance figure (AttendanceRecorded revises the one given when held). */
  readonly attendance: Attendance | null;
  /** Participants enrolled and not withdrawn, in enrolment order. */
  readonly enrolled: readonly { readonly participantId: string; readonly role: 'trainee' | 'trainer' }[];
  /** What its kind counts towards: sessions or meetings held, people trained or attended (figures.ts). */
  readonly figures: SessionKindFigures;
  /** Sessions this record stands for; null unless held (a plan or a cancelled session holds nothing). */
  readonly sessions: Count | null;
  /** Its people (trained or attended, by `figures`): max(attendance total, named trainees), never both added; null unless held. */
  readonly people: Count | null;
  readonly corrections: CorrectionView[];
  readonly sourceRefs: string[];
}

export function summariseSession(sessionId: string, record: SessionRecord): SessionSummary | undefined {
  const describing = record.held ?? record.scheduled;
  if (!describing) return undefined;
  const { sessionId: _, ...rest } = describing.data as EventData<'SessionHeld'> & EventData<'SessionScheduled'>;
  const { heldOn: _h, plannedFor: _p, attendance: _a, ...details } = rest;
  const status = record.held ? 'held' : record.cancelled ? 'cancelled' : 'planned';
  const date = record.held ? record.held.data.heldOn : (record.reschedules.at(-1)?.data.plannedFor ?? record.scheduled!.data.plannedFor);
  const attendance = record.attendance.at(-1)?.data.attendance ?? record.held?.data.attendance ?? null;
  const enrolled = activeEnrolments(record);
  const trainees = enrolled.filter((e) => e.role === 'trainee').length;
  const facts: (Fact<unknown> | null)[] = [record.scheduled, ...record.reschedules, record.cancelled, record.held, ...record.attendance, ...record.enrolments, ...record.withdrawals];
  return {
    sessionId,
    status,
    date,
    details,
    format: details.format ?? 'not-stated',
    attendance,
    enrolled,
    figures: sessionKindFigures[details.kind],
    sessions: status === 'held' ? sessionsCount(sessionId, details.occurrences) : null,
    people: status === 'held' ? peopleCount(sessionId, details.occurrences, attendance, trainees) : null,
    corrections: correctionsOf(...facts),
    sourceRefs: sourcesOf(...facts),
  };
}

/** Enrolled and not withdrawn: each withdrawal cancels one earlier enrolment of the same person. */
function activeEnrolments(record: SessionRecord): { participantId: string; role: 'trainee' | 'trainer' }[] {
  const withdrawn = new Map<string, number>();
  for (const w of record.withdrawals) withdrawn.set(w.data.participantId, (withdrawn.get(w.data.participantId) ?? 0) + 1);
  const active: { participantId: string; role: 'trainee' | 'trainer' }[] = [];
  for (const e of [...record.enrolments].reverse()) {
    const left = withdrawn.get(e.data.participantId) ?? 0;
    if (left > 0) withdrawn.set(e.data.participantId, left - 1);
    else active.unshift({ participantId: e.data.participantId, role: e.data.role });
  }
  return active;
}

function sessionsCount(sessionId: string, occurrences: number | 'several' | undefined): Count {
  if (occurrences === 'several') return atLeast(SEVERAL, sessionId, 'sessions-not-numbered');
  return exactly(occurrences ?? 1);
}

function peopleCount(sessionId: string, occurrences: number | 'several' | undefined, attendance: Attendance | null, trainees: number): Count {
  if (!attendance) return trainees > 0 ? exactly(trainees) : atLeast(0, sessionId, 'no-attendance-figure');
  if (attendance.basis === 'total') return exactly(Math.max(attendance.count, trainees));
  if (occurrences !== 'several') return exactly(Math.max(attendance.count * (occurrences ?? 1), trainees));
  return atLeast(Math.max(attendance.count * SEVERAL, trainees), sessionId, 'per-session-figure-of-unnumbered-sessions');
}

/** A study visit as the record now describes it. */
export interface VisitSummary {
  readonly visitId: string;
  readonly status: 'completed' | 'planned' | 'cancelled';
  /** When completed, else when planned. */
  readonly date: PartialDate;
  /** From the plan; null when the plan is not in view (a time lens left it out). */
  readonly plan: Omit<EventData<'StudyVisitPlanned'>, 'visitId' | 'plannedFor'> | null;
  readonly participantIds: readonly string[];
  /** What its people count towards: participants of an outgoing visit, or visitors hosted; null when the direction is not in view. */
  readonly figure: 'visit-participants' | 'hosted' | null;
  /** People who took part: the stated count, or the named participants, whichever is larger. */
  readonly participants: Count;
  readonly corrections: CorrectionView[];
  readonly sourceRefs: string[];
}

export function summariseVisit(visitId: string, record: VisitRecord): VisitSummary | undefined {
  const date = record.completed?.data.completedOn ?? record.planned?.data.plannedFor;
  if (date === undefined) return undefined;
  const status = record.completed ? 'completed' : record.cancelled ? 'cancelled' : 'planned';
  const ids = record.completed?.data.participantIds ?? [];
  const stated = record.completed?.data.participantCount;
  const participants =
    stated === undefined && ids.length === 0 ? atLeast(0, visitId, 'no-participant-figure') : exactly(Math.max(stated ?? 0, ids.length));
  const { visitId: _, plannedFor: _p, ...planned } = record.planned?.data ?? ({} as EventData<'StudyVisitPlanned'>);
  // A visit recorded only as done carries its details itself.
  const done = record.completed?.data;
  const plan: VisitSummary['plan'] = record.planned
    ? planned
    : done?.direction !== undefined && done.partners !== undefined
      ? {
          direction: done.direction,
          partners: done.partners,
          ...(done.title ? { title: done.title } : {}),
          ...(done.programmeId ? { programmeId: done.programmeId } : {}),
          ...(done.destination ? { destination: done.destination } : {}),
          ...(done.purpose ? { purpose: done.purpose } : {}),
          ...(done.themes ? { themes: done.themes } : {}),
        }
      : null;
  const facts = [record.planned, record.completed, record.cancelled];
  return {
    visitId,
    status,
    date,
    plan,
    participantIds: ids,
    figure: plan ? visitDirectionFigure[plan.direction] : null,
    participants,
    corrections: correctionsOf(...facts),
    sourceRefs: sourcesOf(...facts),
  };
}

/** A publication: prepared, planned for publication, published, kept apart. */
export interface PublicationSummary {
  readonly publicationId: string;
  readonly status: 'published' | 'planned' | 'prepared';
  readonly prepared: EventData<'PublicationPrepared'>;
  readonly plans: readonly EventData<'PublicationPlanned'>[];
  readonly published: EventData<'PublicationPublished'> | null;
  readonly corrections: CorrectionView[];
  readonly sourceRefs: string[];
}

export function summarisePublication(publicationId: string, record: PublicationRecord): PublicationSummary | undefined {
  if (!record.prepared) return undefined;
  const facts = [record.prepared, ...record.plans, record.published];
  return {
    publicationId,
    status: record.published ? 'published' : record.plans.length > 0 ? 'planned' : 'prepared',
    prepared: record.prepared.data,
    plans: record.plans.map((p) => p.data),
    published: record.published?.data ?? null,
    corrections: correctionsOf(...facts),
    sourceRefs: sourcesOf(...facts),
  };
}

