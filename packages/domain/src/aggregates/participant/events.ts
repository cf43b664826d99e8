import { z } from 'zod';
import { defineEvent } from '../../schema/define.js';
import { countryCodeSchema, participantIdSchema } from '../../values/ids.js';
import { multilingualTextSchema } from '../../values/multilingual-text.js';
import { safeText } from '../../values/text.js';
import { participantKindSchema, reasonSchema } from '../vocabulary.js';

/**
 * A participant's personal data. It lives only in the `personal` field of the
 * events below (marked personal), never in ids, stream names, types or metadata,
 * so it can be encrypted and later erased without rewriting the log.
 */
export const personalDataSchema = z
  .object({
    fullName: multilingualTextSchema.optional(),
    email: z.email().max(254).optional(),
    phone: safeText(40).min(3).optional(),
  })
  .strict()
  .meta({ description: 'Personal data: encrypted at rest when a key store is configured, erasable' });
export type PersonalData = z.infer<typeof personalDataSchema>;

export const participantRegistered = defineEvent(
  'ParticipantRegistered',
  1,
  z.object({
    participantId: participantIdSchema,
    kind: participantKindSchema,
    cohort: z.number().int().min(1).max(10_000).optional().meta({ description: 'Judicial attachés\' cohort number' }),
    nationality: countryCodeSchema.optional(),
    personal: personalDataSchema.optional().meta({ description: 'Absent when the source does not name the person' }),
  }),
  { personalFields: ['personal'], description: 'A person who takes part in sessions or visits was registered' },
);

export const participantPersonalDataCorrected = defineEvent(
  'ParticipantPersonalDataCorrected',
  1,
  z.object({ participantId: participantIdSchema, personal: personalDataSchema, reason: reasonSchema }),
  { personalFields: ['personal'], description: 'A participant\'s personal data was corrected (replaces it whole)' },
);

export const participantDataErased = defineEvent(
  'ParticipantDataErased',
  1,
  z.object({ participantId: participantIdSchema, reason: reasonSchema }),
  { description: 'A participant\'s personal data was erased; the record of what they took part in stays' },
);
