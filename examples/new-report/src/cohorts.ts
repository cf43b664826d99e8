import type { EventData } from '@taawun/domain';
import { defineProjection } from '@taawun/projections';
import { match } from 'ts-pattern';

/**
 * Which cohorts of judicial attachés went on which course abroad: a question
 * nobody asked when the events were recorded. Sessions name the cohorts they
 * drew from (F16: cohorts 39 and 40; F17: cohort 41), participants may carry
 * their own cohort, and enrolments link the two. Corrections recorded later
 * are applied to the facts they correct.
 */
type SessionFacts = EventData<'SessionScheduled'> | EventData<'SessionHeld'>;

interface Fact<D> {
  readonly eventId: string;
  readonly data: D;
}

export interface CohortsState {
  readonly sessions: Readonly<
    Record<
      string,
      {
        readonly scheduled: Fact<EventData<'SessionScheduled'>> | null;
        readonly held: Fact<EventData<'SessionHeld'>> | null;
        readonly cancelled: boolean;
        /** Participants enrolled and not withdrawn. */
        readonly enrolled: readonly string[];
      }
    >
  >;
  readonly participants: Readonly<Record<string, Fact<{ readonly cohort: number | null; readonly kind: string }>>>;
}

const initialState: CohortsState = { sessions: {}, participants: {} };
const noSession = { scheduled: null, held: null, cancelled: false, enrolled: [] } as const;

function withSession(state: CohortsState, sessionId: string, change: (s: CohortsState['sessions'][string]) => CohortsState['sessions'][string]): CohortsState {
  return { ...state, sessions: { ...state.sessions, [sessionId]: change(state.sessions[sessionId] ?? noSession) } };
}

/** A correction's changes over a fact's data (a null removes the field, as the domain means it). */
function corrected<D extends object>(fact: Fact<D>, changes: Record<string, unknown>): Fact<D> {
  const data = Object.fromEntries(Object.entries({ ...fact.data, ...changes }).filter(([, v]) => v !== null)) as D;
  return { ...fact, data };
}

export const cohortsProjection = defineProjection({
  name: 'cohort-placements',
  version: 1,
  description: "Which cohorts of judicial attachés took part in which courses with partners, and how many of their judges",
  handles: ['SessionScheduled', 'SessionHeld', 'SessionCancelled', 'ParticipantRegistered', 'ParticipantEnrolled', 'EnrolmentWithdrawn', 'RecordCorrected'],
  initialState,
  evolve: (state: CohortsState, event): CohortsState =>
    match(event)
      .with({ type: 'SessionScheduled' }, (e) => withSession(state, e.data.sessionId, (s) => ({ ...s, scheduled: { eventId: e.id, data: e.data } })))
      .with({ type: 'SessionHeld' }, (e) => withSession(state, e.data.sessionId, (s) => ({ ...s, held: { eventId: e.id, data: e.data } })))
      .with({ type: 'SessionCancelled' }, (e) => withSession(state, e.data.sessionId, (s) => ({ ...s, cancelled: true })))
      .with({ type: 'ParticipantRegistered' }, (e) => ({
        ...state,
        participants: { ...state.participants, [e.data.participantId]: { eventId: e.id, data: { cohort: e.data.cohort ?? null, kind: e.data.kind } } },
      }))
      .with({ type: 'ParticipantEnrolled' }, (e) => withSession(state, e.data.sessionId, (s) => ({ ...s, enrolled: [...s.enrolled, e.data.participantId] })))
      .with({ type: 'EnrolmentWithdrawn' }, (e) =>
        withSession(state, e.data.sessionId, (s) => {
          const at = s.enrolled.lastIndexOf(e.data.participantId);
          return at < 0 ? s : { ...s, enrolled: [...s.enrolled.slice(0, at), ...s.enrolled.slice(at + 1)] };
        }),
      )
      .with({ type: 'RecordCorrected' }, (e) => {
        const { correctedEventId: id, changes } = e.data;
        const sessions = Object.fromEntries(
          Object.entries(state.sessions).map(([sessionId, s]) => [
            sessionId,
            {
              ...s,
              scheduled: s.scheduled?.eventId === id ? corrected(s.scheduled, changes) : s.scheduled,
              held: s.held?.eventId === id ? corrected(s.held, changes) : s.held,
            },
          ]),
        );
        const participants = Object.fromEntries(
          Object.entries(state.participants).map(([participantId, p]) => [participantId, p.eventId === id ? corrected(p, changes) : p]),
        );
        return { sessions, participants };
      })
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
    const facts: SessionFacts | undefined = s.held?.data ?? s.scheduled?.data;
    if (!facts) continue;
    const cohortOf = (participantId: string) => state.participants[participantId]?.data.cohort ?? null;
    const cohorts = [...new Set([...(facts.cohorts ?? []), ...s.enrolled.map(cohortOf).filter((c): c is number => c !== null)])].sort((a, b) => a - b);
    const attendance = s.held?.data.attendance?.count ?? null;
    const judgesOnCourse = attendance === null && s.enrolled.length === 0 ? null : Math.max(attendance ?? 0, s.enrolled.length);
    for (const cohort of cohorts) {
      placements.push({
        cohort,
        sessionId,
        title: facts.title,
        kind: facts.kind,
        partners: facts.partners,
        status: s.held ? 'held' : s.cancelled ? 'cancelled' : 'planned',
        date: s.held?.data.heldOn ?? s.scheduled!.data.plannedFor,
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
