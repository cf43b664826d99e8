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

/** Someone named on a page: kind and cohort, no personal data. */
export interface PersonOnPage {
  readonly kind: PersonInvolved['kind'];
  readonly cohort: PersonInvolved['cohort'];
}

/**
 * The people a page names, once each, grouped by kind and cohort (in the order
 * the page first names someone of each group, each group's ids in the order
 * the page names them): most people are named on one entry of a page, so a
 * record of its own each would cost more than it saves.
 */
export const peopleOnPageSchema = z
  .array(z.object({ kind: participantKindSchema.nullable(), cohort: z.number().int().nullable(), participantIds: z.array(z.string()) }))
  .meta({ id: 'PeopleOnPage', description: 'Each person the entries name, once, by participant id, grouped by kind and cohort (no personal data: names live only in the participant record)' });
export type PeopleOnPage = z.infer<typeof peopleOnPageSchema>;

/** People with their kind and cohort, in the order given, grouped by kind and cohort. */
export function groupPeopleOnPage(people: Iterable<readonly [string, PersonOnPage]>): PeopleOnPage {
  const groups = new Map<string, PeopleOnPage[number]>();
  for (const [participantId, { kind, cohort }] of people) {
    const key = `${kind}\u0000${cohort}`;
    const group = groups.get(key) ?? groups.set(key, { kind, cohort, participantIds: [] }).get(key)!;
    group.participantIds.push(participantId);
  }
  return [...groups.values()];
}

/** Each person of a page with their kind and cohort, in the order of the page's groups. */
export const peopleOfPage = (people: PeopleOnPage): [string, PersonOnPage][] =>
  people.flatMap(({ kind, cohort, participantIds }) => participantIds.map((id): [string, PersonOnPage] => [id, { kind, cohort }]));

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

const peopleIndexes = new WeakMap<PeopleOnPage, Map<string, PersonOnPage>>();

/** The people of an entry, each with kind, cohort and role, from the answer's `records.people` (by role: trainees, trainers, participants). */
export function peopleOfEntry(people: PeopleByRole, records: { readonly people: PeopleOnPage }): PersonInvolved[] {
  const index = peopleIndexes.get(records.people) ?? peopleIndexes.set(records.people, new Map(peopleOfPage(records.people))).get(records.people)!;
  return personRoleSchema.options.flatMap((role) =>
    (people[role] ?? []).map((participantId) => ({ participantId, kind: index.get(participantId)?.kind ?? null, cohort: index.get(participantId)?.cohort ?? null, role })),
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
