import { participantKindSchema } from '@taawun/domain';
import { z } from 'zod';
import type { RecordSet } from './record-book.js';

/** Someone who took part, without personal data (names live only in the participant record). */
export const personInvolvedSchema = z
  .object({
    participantId: z.string(),
    kind: participantKindSchema.nullable(),
    cohort: z.number().int().nullable(),
    role: z.enum(['trainee', 'trainer', 'participant']),
  })
  .meta({ id: 'PersonInvolved' });
export type PersonInvolved = z.infer<typeof personInvolvedSchema>;

/** Someone who took part; their record must have been fetched into `records`. */
export function personInvolved(records: RecordSet, participantId: string, role: PersonInvolved['role']): PersonInvolved {
  const registered = records.get('participants', participantId)?.registered?.data;
  return { participantId, kind: registered?.kind ?? null, cohort: registered?.cohort ?? null, role };
}

export const sessionKindLabels = {
  'training-of-trainers': 'Training of trainers',
  'training-session': 'Training session',
  'regional-session': 'Regional session',
  course: 'Course',
  'introductory-meeting': 'Introductory meeting',
  'specialised-session': 'Specialised session',
  'preparatory-meeting': 'Preparatory meeting',
  workshop: 'Workshop',
  other: 'Session',
} as const;

export const agreementKindLabels = { convention: 'Convention', protocol: 'Protocol', memorandum: 'Memorandum', agreement: 'Agreement' } as const;
export const publicationKindLabels = { guide: 'Guide', curriculum: 'Curriculum', module: 'Module' } as const;
