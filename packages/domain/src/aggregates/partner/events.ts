import { z } from 'zod';
import { safeText } from '../../values/text.js';
import { defineEvent } from '../../schema/define.js';
import { countryCodeSchema, partnerIdSchema } from '../../values/ids.js';
import { multilingualTextSchema } from '../../values/multilingual-text.js';
import { partialDateSchema } from '../../values/partial-date.js';
import { partnerKindSchema, reasonSchema } from '../vocabulary.js';

const partnerDetails = {
  name: multilingualTextSchema,
  kind: partnerKindSchema,
  country: countryCodeSchema.optional(),
  /** Short form used in reports (GIZ, AECID, ENM). */
  acronym: safeText(20).optional(),
};

export const partnerRegistered = defineEvent(
  'PartnerRegistered',
  1,
  z.object({ partnerId: partnerIdSchema, ...partnerDetails }),
  { description: 'A partner school, agency, embassy, ministry or research centre was registered' },
);

export const partnerRenamed = defineEvent(
  'PartnerRenamed',
  1,
  z.object({ partnerId: partnerIdSchema, name: multilingualTextSchema, effectiveOn: partialDateSchema }),
  { occurredOn: (d) => d.effectiveOn, description: 'The partner took a new name from a date; earlier records keep the old one' },
);

export const partnerDetailsCorrected = defineEvent(
  'PartnerDetailsCorrected',
  1,
  z.object({
    partnerId: partnerIdSchema,
    changes: z
      .object(partnerDetails)
      .partial()
      .strict()
      .refine((c) => Object.keys(c).length > 0, 'correct at least one detail'),
    reason: reasonSchema,
  }),
  { description: 'The partner\'s registered details were wrong and are corrected (not a rename)' },
);
