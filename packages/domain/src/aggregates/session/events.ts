import { z } from 'zod';
import { defineEvent } from '../../schema/define.js';
import { participantIdSchema, recordIdSchema } from '../../values/ids.js';
import { multilingualTextSchema } from '../../values/multilingual-text.js';
import { partialDateSchema } from '../../values/partial-date.js';
import { formatSchema, optionalProgrammeSchema, partnerListSchema, reasonSchema, sessionKindSchema, themeListSchema } from '../vocabulary.js';

/**
 * What a training session is. One record may stand for a series the source
 * counts as one ("6 regional sessions", "several training-of-trainers sessions").
 */
export const sessionDetails = {
  title: multilingualTextSchema,
  kind: sessionKindSchema,
  format: formatSchema.optional().meta({ description: 'in-person or remote; absent when the source does not say' }),
  partners: partnerListSchema,
  programmeId: optionalProgrammeSchema,
  themes: themeListSchema.optional(),
  place: multilingualTextSchema.optional(),
  audience: multilingualTextSchema.optional().meta({ description: 'Who the session was for, as the source says it' }),
  description: multilingualTextSchema.optional().meta({ description: 'What else the source says of it (who led it, why it was remote)' }),
  cohorts: z.array(z.number().int().min(1).max(10_000)).max(100).optional().meta({ description: 'Cohort numbers of the judicial attachés concerned' }),
  occurrences: z
    .union([z.number().int().min(1).max(10_000), z.literal('several')])
    .optional()
    .meta({ description: 'How many sessions this record stands for (absent: one); "several" when the source gives no number' }),
  capacity: z.number().int().min(1).max(100_000).optional().meta({ description: 'Most participants that may be enrolled' }),
  follows: recordIdSchema
    .optional()
    .meta({
      description:
        'The session this one came after, as the source states it, when the dates alone cannot tell (F3: the regional sessions followed the training-of-trainers sessions, both "2018"). Read models order the two with certainty',
    }),
};

/** An attendance figure: a total, or a figure for each of the record's occurrences ("20 judges each"). */
export const attendanceSchema = z
  .object({ count: z.number().int().min(0).max(1_000_000), basis: z.enum(['total', 'each-occurrence']).default('total') })
  .strict();
export type Attendance = z.infer<typeof attendanceSchema>;

export const sessionScheduled = defineEvent(
  'SessionScheduled',
  1,
  z.object({ sessionId: recordIdSchema, ...sessionDetails, plannedFor: partialDateSchema }),
  { occurredOn: (d) => d.plannedFor, isPlan: true, description: 'A training session was planned' },
);

export const sessionRescheduled = defineEvent(
  'SessionRescheduled',
  1,
  z.object({ sessionId: recordIdSchema, plannedFor: partialDateSchema, reason: reasonSchema.optional() }),
  { occurredOn: (d) => d.plannedFor, isPlan: true, description: 'A planned session moved to another date' },
);

export const sessionCancelled = defineEvent(
  'SessionCancelled',
  1,
  z.object({ sessionId: recordIdSchema, reason: reasonSchema }),
  { description: 'A planned session will not take place' },
);

/** Version 2: `format` replaced v1's `remote` flag, and attendance became a figure with a basis. */
export const sessionHeld = defineEvent(
  'SessionHeld',
  2,
  z.object({ sessionId: recordIdSchema, ...sessionDetails, heldOn: partialDateSchema, attendance: attendanceSchema.optional() }),
  { occurredOn: (d) => d.heldOn, description: 'A training session took place' },
);

export const attendanceRecorded = defineEvent(
  'AttendanceRecorded',
  1,
  z.object({ sessionId: recordIdSchema, attendance: attendanceSchema, note: multilingualTextSchema.optional() }),
  { description: 'The attendance figure of a held session, recorded or revised' },
);

export const enrolmentRoleSchema = z.enum(['trainee', 'trainer']);

export const participantEnrolled = defineEvent(
  'ParticipantEnrolled',
  1,
  z.object({
    sessionId: recordIdSchema,
    participantId: participantIdSchema,
    role: enrolmentRoleSchema.default('trainee'),
    enrolledOn: partialDateSchema.optional(),
  }),
  {
    occurredOn: (d) => d.enrolledOn,
    // An enrolment is who in which session: to fix the person, withdraw and enrol the right one.
    identityFields: ['sessionId', 'participantId'],
    description: 'A registered participant was enrolled in a session',
  },
);

export const enrolmentWithdrawn = defineEvent(
  'EnrolmentWithdrawn',
  1,
  z.object({ sessionId: recordIdSchema, participantId: participantIdSchema, reason: reasonSchema.optional() }),
  { identityFields: ['sessionId', 'participantId'], description: 'An enrolment was withdrawn before the session was held' },
);
