import { defineAggregate, referencesIn, streamNaming } from '../define.js';
import { participantAggregate } from '../participant/index.js';
import { partnerAggregate } from '../partner/index.js';
import { programmeAggregate } from '../programme/index.js';
import {
  cancelSession,
  enrolParticipant,
  recordAttendance,
  recordSessionHeld,
  rescheduleSession,
  scheduleSession,
  withdrawEnrolment,
} from './commands.js';
import { sessionDecider } from './decider.js';
import {
  attendanceRecorded,
  enrolmentWithdrawn,
  participantEnrolled,
  sessionCancelled,
  sessionHeld,
  sessionRescheduled,
  sessionScheduled,
} from './events.js';
import { sessionHeldV1ToV2 } from './upcasters.js';

/** A training session (or a series the source counts as one), its enrolments and attendance. */
const sessionStreams = streamNaming('session-');
export const sessionAggregate = defineAggregate({
  name: 'session',
  streams: sessionStreams,
  events: [sessionScheduled, sessionRescheduled, sessionCancelled, sessionHeld, attendanceRecorded, participantEnrolled, enrolmentWithdrawn],
  commands: [scheduleSession, rescheduleSession, cancelSession, recordSessionHeld, recordAttendance, enrolParticipant, withdrawEnrolment],
  decider: sessionDecider,
  streamOfCommand: (command, streams) => streams.stream(command.sessionId),
  streamOfEvent: (event, streams) => streams.stream(event.data.sessionId),
  // A withdrawal names an enrolment, which the session's own events check: the participant need not be looked up.
  references: (command) =>
    command.type === 'WithdrawEnrolment'
      ? []
      : referencesIn(command, {
          partners: [partnerAggregate.streams],
          programmeId: programmeAggregate.streams,
          participantId: participantAggregate.streams,
          follows: sessionStreams,
        }),
  upcasters: [sessionHeldV1ToV2],
});
