import { z } from 'zod';
import { defineEvent } from '../../schema/define.js';
import { participantIdSchema, recordIdSchema } from '../../values/ids.js';
import { multilingualTextSchema } from '../../values/multilingual-text.js';
import { partialDateSchema } from '../../values/partial-date.js';
import { optionalProgrammeSchema, partnerListSchema, reasonSchema, themeListSchema, visitDirectionSchema } from '../vocabulary.js';

const participantIdsSchema = z.array(participantIdSchema).max(10_000).refine((ids) => new Set(ids).size === ids.length, 'a participant is listed twice');

/** What a study visit is: its direction, partners, where and why. */
const visitDetails = {
  direction: visitDirectionSchema.meta({ description: 'outgoing: the institute\'s people travel; hosted: the institute receives visitors' }),
  title: multilingualTextSchema.optional(),
  partners: partnerListSchema,
  programmeId: optionalProgrammeSchema,
  destination: multilingualTextSchema.optional(),
  purpose: multilingualTextSchema.optional(),
  themes: themeListSchema.optional(),
};

export const studyVisitPlanned = defineEvent(
  'StudyVisitPlanned',
  1,
  z.object({ visitId: recordIdSchema, ...visitDetails, plannedFor: partialDateSchema }),
  { occurredOn: (d) => d.plannedFor, isPlan: true, description: 'A study visit was planned' },
);

export const studyVisitCompleted = defineEvent(
  'StudyVisitCompleted',
  1,
  z
    .object({
      visitId: recordIdSchema,
      completedOn: partialDateSchema,
      participantIds: participantIdsSchema.default([]).meta({ description: 'Registered participants who took part' }),
      participantCount: z.number().int().min(0).max(1_000_000).optional().meta({ description: 'How many took part, named or not' }),
      // A visit the source reports only as done (F11) is recorded without a plan it never mentions: its details come with the completion.
      ...z.object(visitDetails).partial().shape,
    })
    .refine((d) => (d.direction === undefined) === (d.partners === undefined), {
      message: 'a visit recorded without a plan gives both its direction and its partners',
      path: ['direction'],
    })
    .refine((d) => d.participantCount === undefined || d.participantCount >= d.participantIds.length, {
      message: 'participantCount is smaller than the number of participants named',
      path: ['participantCount'],
    }),
  { occurredOn: (d) => d.completedOn, description: 'A study visit took place' },
);

export const studyVisitCancelled = defineEvent(
  'StudyVisitCancelled',
  1,
  z.object({ visitId: recordIdSchema, reason: reasonSchema }),
  { description: 'A planned study visit will not take place' },
);
