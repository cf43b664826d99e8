import { z } from 'zod';
import { defineEvent } from '../../schema/define.js';
import { partnerIdSchema, recordIdSchema } from '../../values/ids.js';
import { multilingualTextSchema } from '../../values/multilingual-text.js';
import { partialDateSchema } from '../../values/partial-date.js';
import { agreementKindSchema, partnerListSchema, reasonSchema } from '../vocabulary.js';

/** Who signed, for which party. Signatories are public office holders acting for an institution, not participants. */
export const signatorySchema = z
  .object({
    party: z.union([z.literal('institute'), partnerIdSchema]).meta({ description: '"institute", or the partner id the signatory acted for' }),
    role: multilingualTextSchema,
    name: multilingualTextSchema.optional().meta({ description: 'Only when the source names the person' }),
  })
  .strict();

export const agreementSigned = defineEvent(
  'AgreementSigned',
  1,
  z.object({
    agreementId: recordIdSchema,
    kind: agreementKindSchema,
    title: multilingualTextSchema.optional(),
    partners: partnerListSchema,
    /** The institute's name on the document, as in force when it was signed. */
    instituteName: multilingualTextSchema.optional(),
    signatories: z.array(signatorySchema).max(50).default([]),
    place: multilingualTextSchema.optional(),
    signedOn: partialDateSchema,
    areas: z.array(multilingualTextSchema).max(100).default([]).meta({ description: 'Areas of cooperation the agreement covers' }),
  }),
  { occurredOn: (d) => d.signedOn, description: 'A cooperation agreement, convention, protocol or memorandum was signed' },
);

export const agreementAmended = defineEvent(
  'AgreementAmended',
  1,
  z.object({
    agreementId: recordIdSchema,
    amendedOn: partialDateSchema,
    summary: multilingualTextSchema,
    areasAdded: z.array(multilingualTextSchema).max(100).default([]),
    areasRemoved: z.array(multilingualTextSchema).max(100).default([]),
  }),
  { occurredOn: (d) => d.amendedOn, description: 'An agreement was amended' },
);

export const agreementTerminated = defineEvent(
  'AgreementTerminated',
  1,
  z.object({ agreementId: recordIdSchema, terminatedOn: partialDateSchema, reason: reasonSchema }),
  { occurredOn: (d) => d.terminatedOn, description: 'An agreement ended' },
);
