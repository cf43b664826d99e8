import { match } from 'ts-pattern';
import { z } from 'zod';
import type { EventOf } from '../../schema/define.js';
import type { recordCorrected } from '../correction/events.js';
import { decided, notInFuture, rejected, type Decider, type Decision } from '../decider.js';
import type {
  cancelSession,
  enrolParticipant,
  recordAttendance,
  recordSessionHeld,
  rescheduleSession,
  scheduleSession,
  withdrawEnrolment,
} from './commands.js';
import {
  sessionDetails,
  sessionHeld,
  type attendanceRecorded,
  type enrolmentWithdrawn,
  type participantEnrolled,
  type sessionCancelled,
  type sessionRescheduled,
  type sessionScheduled,
} from './events.js';

export type SessionEvent =
  | EventOf<typeof sessionScheduled>
  | EventOf<typeof sessionRescheduled>
  | EventOf<typeof sessionCancelled>
  | EventOf<typeof sessionHeld>
  | EventOf<typeof attendanceRecorded>
  | EventOf<typeof participantEnrolled>
  | EventOf<typeof enrolmentWithdrawn>
  | EventOf<typeof recordCorrected>;

export type SessionCommand =
  | z.infer<typeof scheduleSession>
  | z.infer<typeof rescheduleSession>
  | z.infer<typeof cancelSession>
  | z.infer<typeof recordSessionHeld>
  | z.infer<typeof recordAttendance>
  | z.infer<typeof enrolParticipant>
  | z.infer<typeof withdrawEnrolment>;

const sessionDetailsSchema = z.object(sessionDetails);
export type SessionDetails = z.infer<typeof sessionDetailsSchema>;
const detailKeys = Object.keys(sessionDetails) as (keyof SessionDetails)[];

export interface SessionState {
  readonly status: 'none' | 'scheduled' | 'held' | 'cancelled';
  readonly details?: SessionDetails;
  /** Participants currently enrolled, in enrolment order. */
  readonly enrolled: readonly string[];
}

/** The session-detail fields of an object, and only those that are set. */
const pickDetails = (source: Record<string, unknown>): Partial<SessionDetails> =>
  Object.fromEntries(detailKeys.filter((k) => source[k] !== undefined && source[k] !== null).map((k) => [k, source[k]])) as Partial<SessionDetails>;

/** Details after a correction: changed fields replaced, fields corrected to `null` removed. */
function correctedDetails(details: SessionDetails, changes: Record<string, unknown>): SessionDetails {
  const next: Record<string, unknown> = { ...details, ...pickDetails(changes) };
  for (const key of detailKeys) if (changes[key] === null) delete next[key];
  return next as SessionDetails;
}

const closedTo = (state: SessionState, action: string, sessionId: string): Decision<never> | undefined => {
  if (state.status === 'none') return rejected('not-found', `session ${sessionId} is not recorded`, ['sessionId']);
  if (state.status === 'held') return rejected('session-already-held', `session ${sessionId} was already held: cannot ${action}`, ['sessionId']);
  if (state.status === 'cancelled') return rejected('session-cancelled', `session ${sessionId} was cancelled: cannot ${action}`, ['sessionId']);
  return undefined;
};

function decideHeld(command: z.infer<typeof recordSessionHeld>, state: SessionState, today: string): Decision<SessionEvent> {
  if (state.status === 'held') return rejected('session-already-held', `session ${command.sessionId} was already recorded as held`, ['sessionId']);
  if (state.status === 'cancelled') return rejected('session-cancelled', `session ${command.sessionId} was cancelled, so it cannot have been held`, ['sessionId']);
  const { type: _, ...given } = command;
  const merged = { ...state.details, ...given, ...pickDetails(given) };
  const parsed = sessionHeld.data.safeParse(merged);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.'));
    const hint = state.status === 'none' ? ' (the session was not planned, so give all its details)' : '';
    return rejected('invalid-command', `missing or invalid: ${fields.join(', ')}${hint}`, fields);
  }
  return notInFuture({ heldOn: parsed.data.heldOn }, today) ?? decided<SessionEvent>({ type: 'SessionHeld', data: parsed.data });
}

export const sessionDecider: Decider<SessionCommand, SessionEvent, SessionState> = {
  initialState: { status: 'none', enrolled: [] },
  evolve: (state, event) =>
    match(event)
      .with({ type: 'SessionScheduled' }, ({ data }) => ({ ...state, status: 'scheduled' as const, details: sessionDetailsSchema.parse(pickDetails(data)) }))
      .with({ type: 'SessionRescheduled' }, () => state)
      .with({ type: 'SessionCancelled' }, () => ({ ...state, status: 'cancelled' as const }))
      .with({ type: 'SessionHeld' }, ({ data }) => ({ ...state, status: 'held' as const, details: sessionDetailsSchema.parse(pickDetails(data)) }))
      .with({ type: 'AttendanceRecorded' }, () => state)
      .with({ type: 'ParticipantEnrolled' }, ({ data }) => ({ ...state, enrolled: [...state.enrolled, data.participantId] }))
      .with({ type: 'EnrolmentWithdrawn' }, ({ data }) => ({ ...state, enrolled: state.enrolled.filter((p) => p !== data.participantId) }))
      .with({ type: 'RecordCorrected' }, ({ data }) =>
        state.details && (data.correctedEventType === 'SessionScheduled' || data.correctedEventType === 'SessionHeld')
          ? { ...state, details: correctedDetails(state.details, data.changes) }
          : state,
      )
      .exhaustive(),
  decide: (command, state, { today }) =>
    match(command)
      .with({ type: 'ScheduleSession' }, ({ type: _, ...data }) =>
        state.status !== 'none'
          ? rejected('already-exists', `session ${data.sessionId} is already recorded`, ['sessionId'])
          : decided<SessionEvent>({ type: 'SessionScheduled', data }),
      )
      .with({ type: 'RescheduleSession' }, ({ type: _, ...data }) =>
        closedTo(state, 'reschedule it', data.sessionId) ?? decided<SessionEvent>({ type: 'SessionRescheduled', data }),
      )
      .with({ type: 'CancelSession' }, ({ type: _, ...data }) =>
        closedTo(state, 'cancel it', data.sessionId) ?? decided<SessionEvent>({ type: 'SessionCancelled', data }),
      )
      .with({ type: 'RecordSessionHeld' }, (c) => decideHeld(c, state, today))
      .with({ type: 'RecordAttendance' }, ({ type: _, ...data }) =>
        state.status === 'held'
          ? decided<SessionEvent>({ type: 'AttendanceRecorded', data })
          : rejected('session-closed', `session ${data.sessionId} has not been held: attendance is recorded after it`, ['sessionId']),
      )
      .with({ type: 'EnrolParticipant' }, ({ type: _, ...data }) => {
        if (state.status === 'held') return rejected('session-closed', `session ${data.sessionId} was already held: no more enrolments`, ['sessionId']);
        const closed = closedTo(state, 'enrol anyone', data.sessionId);
        if (closed) return closed;
        if (state.enrolled.includes(data.participantId)) {
          return rejected('already-enrolled', `participant ${data.participantId} is already enrolled in session ${data.sessionId}`, ['participantId']);
        }
        const capacity = state.details?.capacity;
        if (capacity !== undefined && state.enrolled.length >= capacity) {
          return rejected('session-full', `session ${data.sessionId} is full (${capacity} places)`, ['sessionId']);
        }
        return notInFuture({ enrolledOn: data.enrolledOn }, today) ?? decided<SessionEvent>({ type: 'ParticipantEnrolled', data });
      })
      .with({ type: 'WithdrawEnrolment' }, ({ type: _, ...data }) => {
        const closed = closedTo(state, 'withdraw an enrolment', data.sessionId);
        if (closed) return closed;
        return state.enrolled.includes(data.participantId)
          ? decided<SessionEvent>({ type: 'EnrolmentWithdrawn', data })
          : rejected('not-enrolled', `participant ${data.participantId} is not enrolled in session ${data.sessionId}`, ['participantId']);
      })
      .exhaustive(),
};
