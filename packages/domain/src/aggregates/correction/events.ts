import { z } from 'zod';
import { defineEvent } from '../../schema/define.js';
import { eventIdSchema } from '../../values/ids.js';
import { reasonSchema } from '../vocabulary.js';

/**
 * A correction of an earlier event, appended to that event's stream. The log
 * keeps both: what was first recorded, and what it was corrected to, and why.
 */
export const recordCorrected = defineEvent(
  'RecordCorrected',
  1,
  z.object({
    correctedEventId: eventIdSchema,
    correctedEventType: z.string().min(1).max(100),
    /** The corrected fields' new values (top-level data fields). */
    changes: z.record(z.string(), z.unknown()),
    /** The same fields' values before this correction, for the audit trail. */
    previous: z.record(z.string(), z.unknown()),
    reason: reasonSchema,
  }),
  { description: 'An earlier event corrected: which one, which fields, their old and new values, and why' },
);

export type RecordCorrected = z.infer<typeof recordCorrected.schema>;

/** Apply a correction's changes to a state slice: later values replace earlier ones. */
export const applyChanges = <T extends object>(data: T, changes: Record<string, unknown>): T => ({ ...data, ...changes }) as T;
