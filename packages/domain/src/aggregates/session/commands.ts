import { z } from 'zod';
import { defineCommand } from '../../schema/define.js';
import {
  attendanceRecorded,
  enrolmentWithdrawn,
  participantEnrolled,
  sessionCancelled,
  sessionDetails,
  sessionHeld,
  sessionRescheduled,
  sessionScheduled,
} from './events.js';

export const scheduleSession = defineCommand('ScheduleSession', sessionScheduled.data.shape, 'Plan a training session');
export const rescheduleSession = defineCommand('RescheduleSession', sessionRescheduled.data.shape, 'Move a planned session');
export const cancelSession = defineCommand('CancelSession', sessionCancelled.data.shape, 'Cancel a planned session');
/** A session held without being planned first gives all its details; a planned one may give only what changed. */
export const sessionDetailOverrides = z.object(sessionDetails).partial();
export const recordSessionHeld = defineCommand(
  'RecordSessionHeld',
  { ...sessionHeld.data.shape, ...sessionDetailOverrides.shape },
  'Record that a session took place, with its attendance figure when known',
);
export const recordAttendance = defineCommand('RecordAttendance', attendanceRecorded.data.shape, 'Record the attendance figure of a held session');
export const enrolParticipant = defineCommand('EnrolParticipant', participantEnrolled.data.shape, 'Enrol a registered participant in a planned session');
export const withdrawEnrolment = defineCommand('WithdrawEnrolment', enrolmentWithdrawn.data.shape, 'Withdraw an enrolment before the session is held');
