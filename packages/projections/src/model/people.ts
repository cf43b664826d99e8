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

export const personRoleSchema = personInvolvedSchema.shape.role;
export type PersonRole = z.infer<typeof personRoleSchema>;

/** Someone named on a page, once per page (`records.people`): kind and cohort, no personal data. */
export const personOnPageSchema = z
  .object({ kind: participantKindSchema.nullable(), cohort: z.number().int().nullable() })
  .meta({ id: 'PersonOnPage', description: 'Someone a page names, once: kind and cohort (no personal data: names live only in the participant record)' });
export type PersonOnPage = z.infer<typeof personOnPageSchema>;

/** The people of an entry by role, each by id (their kind and cohort in the answer's `records.people`); a role with no one is left out. */
export const peopleByRoleSchema = z
  .object({
    trainee: z.array(z.string()).optional(),
    trainer: z.array(z.string()).optional(),
    participant: z.array(z.string()).optional(),
  })
  .meta({ id: 'PeopleByRole', description: "The entry's people by role, each by participant id, in the record's order; kind and cohort in the answer's `records.people`" });
export type PeopleByRole = z.infer<typeof peopleByRoleSchema>;

/** Someone who took part; their record must have been fetched into `records`. */
export function personOnPage(records: RecordSet, participantId: string): PersonOnPage {
  const registered = records.get('participants', participantId)?.registered?.data;
  return { kind: registered?.kind ?? null, cohort: registered?.cohort ?? null };
}

/** People with their roles, grouped by role (each role's ids in the order given). */
export function peopleByRole(people: readonly { readonly participantId: string; readonly role: PersonRole }[]): PeopleByRole {
  const byRole: { -readonly [R in PersonRole]?: string[] } = {};
  for (const p of people) (byRole[p.role] ??= []).push(p.participantId);
  return byRole;
}

/** The people of an entry, each with kind, cohort and role, from the answer's `records.people` (by role: trainees, trainers, participants). */
export function peopleOfEntry(people: PeopleByRole, records: { readonly people: Readonly<Record<string, PersonOnPage>> }): PersonInvolved[] {
  return personRoleSchema.options.flatMap((role) =>
    (people[role] ?? []).map((participantId) => ({ participantId, kind: records.people[participantId]?.kind ?? null, cohort: records.people[participantId]?.cohort ?? null, role })),
  );
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
