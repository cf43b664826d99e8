import { z } from 'zod';
import { multilingualTextSchema } from '../values/multilingual-text.js';
import { safeText } from '../values/text.js';
import { partnerIdSchema, recordIdSchema, themeSchema } from '../values/ids.js';

/** The vocabulary shared by several aggregates. */
export const partnerKindSchema = z.enum(['school', 'agency', 'embassy', 'ministry', 'research-centre', 'court', 'other']);
export const agreementKindSchema = z.enum(['convention', 'protocol', 'memorandum', 'agreement']);
export const sessionKindSchema = z.enum([
  'training-of-trainers',
  'training-session',
  'regional-session',
  'course',
  'introductory-meeting',
  'specialised-session',
  'preparatory-meeting',
  'workshop',
  'other',
]);
export const formatSchema = z.enum(['in-person', 'remote']);
export const participantKindSchema = z.enum([
  'judge',
  'trainer-judge',
  'judicial-attache',
  'court-clerk',
  'foreign-trainee-judge',
  'expert',
]);
export const publicationKindSchema = z.enum(['guide', 'curriculum', 'module']);
export const visitDirectionSchema = z.enum(['outgoing', 'hosted']);

/** Partners an activity involves: at least one, no repeats. */
export const partnerListSchema = z
  .array(partnerIdSchema)
  .min(1, 'name at least one partner')
  .max(100)
  .refine((ids) => new Set(ids).size === ids.length, 'a partner is listed twice');

export const themeListSchema = z.array(themeSchema).max(50).refine((t) => new Set(t).size === t.length, 'a theme is listed twice');

export const reasonSchema = safeText(2000, { empty: 'say why' });
export const textSchema = multilingualTextSchema;
export const optionalProgrammeSchema = recordIdSchema.optional().meta({ description: 'Cooperation programme this belongs to' });

export type PartnerKind = z.infer<typeof partnerKindSchema>;
export type SessionKind = z.infer<typeof sessionKindSchema>;
export type Format = z.infer<typeof formatSchema>;
export type ParticipantKind = z.infer<typeof participantKindSchema>;
