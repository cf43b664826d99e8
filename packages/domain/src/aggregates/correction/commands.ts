import { z } from 'zod';
import { defineCommand } from '../../schema/define.js';
import { eventIdSchema } from '../../values/ids.js';
import { reasonSchema } from '../vocabulary.js';

export const correctRecord = defineCommand(
  'CorrectRecord',
  {
    stream: z.string().min(1).max(200).meta({ description: 'Stream of the event to correct, e.g. "session-giz-attaches-2018"' }),
    eventId: eventIdSchema.meta({ description: 'Id of the event to correct' }),
    changes: z
      .record(z.string(), z.unknown())
      .refine((c) => Object.keys(c).length > 0, 'name at least one field to change')
      .meta({ description: 'New values of top-level data fields; null removes an optional field' }),
    reason: reasonSchema,
  },
  'Correct fields of an earlier event; the original stays in the log beside the correction',
);
export type CorrectRecord = z.infer<typeof correctRecord>;
