import { z } from 'zod';
import { defineEvent } from '../../schema/define.js';
import { recordIdSchema } from '../../values/ids.js';
import { multilingualTextSchema } from '../../values/multilingual-text.js';
import { partialDateSchema } from '../../values/partial-date.js';
import { partnerListSchema, reasonSchema, themeListSchema } from '../vocabulary.js';

export const programmeLaunched = defineEvent(
  'ProgrammeLaunched',
  1,
  z.object({
    programmeId: recordIdSchema,
    title: multilingualTextSchema,
    partners: partnerListSchema,
    themes: themeListSchema.default([]),
    startedOn: partialDateSchema,
    // Absent when the source does not say: "once" is not assumed (events recorded with the old default keep it).
    recurrence: z.enum(['once', 'annual']).optional().meta({ description: 'once or annual; absent when the source does not say' }),
    description: multilingualTextSchema.optional(),
    agreementId: recordIdSchema.optional(),
  }),
  { occurredOn: (d) => d.startedOn, description: 'A cooperation programme started' },
);

export const programmeClosed = defineEvent(
  'ProgrammeClosed',
  1,
  z.object({ programmeId: recordIdSchema, closedOn: partialDateSchema, reason: reasonSchema.optional() }),
  { occurredOn: (d) => d.closedOn, description: 'A cooperation programme ended' },
);
