import type { EventData } from '@taawun/domain';
import { defineProjection } from '@taawun/projections';
import { match } from 'ts-pattern';

/**
 * Which cohorts of judicial attachés went on which course abroad: a question
 * nobody asked when the events were recorded. Sessions name the cohorts they
 * drew from (F16: cohorts 39 and 40; F17: cohort 41), participants may carry
 * their own cohort, and enrolments link the two.
 *
 * Corrections (`RecordCorrected`) are not handled here: the engine hands
 * `evolve` every event as corrected. `reads` names the fields `evolve` keeps,
 * so a correction recorded later rebuilds the stored report only when it
 * changes one of them (a session's description or place, say, changes nothing).
 */
const sessionFields = ['sessionId', 'title', 'kind', 'partners', 'format', 'cohorts'] as const;
const scheduledFields = [...sessionFields, 'plannedFor'] as const;
const heldFields = [...sessionFields, 'heldOn', 'attendance'] as const;

/** What the report keeps of a session as planned or held: exactly the fields `reads` lists. */
type Scheduled = Pick<EventData<'SessionScheduled'>, (typeof scheduledFields)[number]>;
type Held = Pick<EventData<'SessionHeld'>, (typeof heldFields)[number]>;
type SessionFacts = Scheduled | Held;

export interface CohortsState {
  readonly sessions: Readonly<
    Record<
      string,
      {
        readonly scheduled: Scheduled | null;
        readonly held: Held | null;
        readonly cancelled: boolean;
        /** Participants enrolled and not withdrawn. */
        readonly enrolled: readonly string[];
      }
    >
  >;
  /** Each registered participant's cohort (null: the record does not say). */
  readonly participants: Readonly<Record<string, { readonly cohort: number | null }>>;
}

const initialState: CohortsState = { sessions: {}, participants: {} };
const noSession = { scheduled: null, held: null, cancelled: false, enrolled: [] } as const;

function withSession(state: CohortsState, sessionId: string, change: (s: CohortsState['sessions'][string]) => CohortsState['sessions'][string]): CohortsState {
  return { ...state, sessions: { ...state.sessions, [sessionId]: change(state.sessions[sessionId] ?? noSession) } };
}

/** The listed fields an event's data has (absent optional fields stay absent: documents are JSON). */
function pick<D extends object, K extends keyof D>(data: D, fields: readonly K[]): Pick<D, K> {
  return Object.fromEntries(fields.filter((f) => data[f] !== undefined).map((f) => [f, data[f]])) as Pick<D, K>;
}

export const cohortsProjection = defineProjection({
  name: 'cohort-placements',
  version: 2,
  description: "Which cohorts of judicial attachés took part in which courses with partners, and how many of their judges",
  handles: ['SessionScheduled', 'SessionHeld', 'SessionCancelled', 'ParticipantRegistered', 'ParticipantEnrolled', 'EnrolmentWithdrawn'],
  reads: {
    SessionScheduled: scheduledFields,
    SessionHeld: heldFields,
    SessionCancelled: ['sessionId'],
    ParticipantRegistered: ['participantId', 'cohort'],
    ParticipantEnrolled: ['sessionId', 'participantId'],
    EnrolmentWithdrawn: ['sessionId', 'participantId'],
  },
  initialState,
  evolve: (state: CohortsState, event): CohortsState =>
    match(event)
      .with({ type: 'SessionScheduled' }, (e) => withSession(state, e.data.sessionId, (s) => ({ ...s, scheduled: pick(e.data, scheduledFields) })))
      .with({ type: 'SessionHeld' }, (e) => withSession(state, e.data.sessionId, (s) => ({ ...s, held: pick(e.data, heldFields) })))
      .with({ type: 'SessionCancelled' }, (e) => withSession(state, e.data.sessionId, (s) => ({ ...s, cancelled: true })))
      .with({ type: 'ParticipantRegistered' }, (e) => ({
        ...state,
        participants: { ...state.participants, [e.data.participantId]: { cohort: e.data.cohort ?? null } },
      }))
      .with({ type: 'ParticipantEnrolled' }, (e) => withSession(state, e.data.sessionId, (s) => ({ ...s, enrolled: [...s.enrolled, e.data.participantId] })))
      .with({ type: 'EnrolmentWithdrawn' }, (e) =>
        withSession(state, e.data.sessionId, (s) => {
          const at = s.enrolled.lastIndexOf(e.data.participantId);
          return at < 0 ? s : { ...s, enrolled: [...s.enrolled.slice(0, at), ...s.enrolled.slice(at + 1)] };
        }),
      )
      .exhaustive(),
});

export default cohortsProjection;

/** One course a cohort took part in. */
export interface CohortPlacement {
  readonly cohort: number;
  readonly sessionId: string;
  readonly title: SessionFacts['title'];
  readonly kind: string;
  readonly partners: readonly string[];
  readonly status: 'held' | 'planned' | 'cancelled';
  /** When it was held, else when it was planned for (EDTF, as recorded). */
  readonly date: string;
  readonly format: 'in-person' | 'remote' | 'not-stated';
  /** The other cohorts the course drew from: their judges are counted together. */
  readonly withCohorts: readonly number[];
  /** Judges of the course as a whole: the attendance figure, or the enrolled judges when larger; null when neither is recorded. */
  readonly judgesOnCourse: number | null;
  /** Enrolled judges registered with this cohort (0 when the record does not say each judge's cohort). */
  readonly judgesNamedInCohort: number;
}

/** Placements by cohort, then date: every cohort a course names, and every cohort of its enrolled participants. */
export function cohortPlacements(state: CohortsState): CohortPlacement[] {
  const placements: CohortPlacement[] = [];
  for (const [sessionId, s] of Object.entries(state.sessions)) {
    const facts: SessionFacts | undefined = s.held ?? s.scheduled ?? undefined;
    if (!facts) continue;
    const cohortOf = (participantId: string) => state.participants[participantId]?.cohort ?? null;
    const cohorts = [...new Set([...(facts.cohorts ?? []), ...s.enrolled.map(cohortOf).filter((c): c is number => c !== null)])].sort((a, b) => a - b);
    const attendance = s.held?.attendance?.count ?? null;
    const judgesOnCourse = attendance === null && s.enrolled.length === 0 ? null : Math.max(attendance ?? 0, s.enrolled.length);
    for (const cohort of cohorts) {
      placements.push({
        cohort,
        sessionId,
        title: facts.title,
        kind: facts.kind,
        partners: facts.partners,
        status: s.held ? 'held' : s.cancelled ? 'cancelled' : 'planned',
        date: s.held?.heldOn ?? s.scheduled!.plannedFor,
        format: facts.format ?? 'not-stated',
        withCohorts: cohorts.filter((c) => c !== cohort),
        judgesOnCourse,
        judgesNamedInCohort: s.enrolled.filter((p) => cohortOf(p) === cohort).length,
      });
    }
  }
  return placements.sort((a, b) => a.cohort - b.cohort || a.date.localeCompare(b.date) || a.sessionId.localeCompare(b.sessionId));
}

/** One line per placement, as a person reads it. */
export function describePlacement(p: CohortPlacement): string {
  const judges =
    p.judgesOnCourse === null
      ? 'judges not counted'
      : p.withCohorts.length > 0 && p.judgesNamedInCohort === 0
        ? `${p.judgesOnCourse} judges from cohorts ${[p.cohort, ...p.withCohorts].sort((a, b) => a - b).join(' and ')} together (the record does not split them)`
        : `${p.judgesOnCourse} judges`;
  const format = p.format === 'not-stated' ? '' : `, ${p.format}`;
  return `cohort ${p.cohort}: ${p.sessionId} (${p.kind} with ${p.partners.join(', ')}, ${p.status} ${p.date}${format}): ${judges}`;
}
