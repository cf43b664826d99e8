import { attendanceSchema, multilingualTextSchema, type MultilingualText, type PartialDate } from '@taawun/domain';
import { z } from 'zod';
import type { ModelReader } from '../engine/model-reader.js';
import type { IndexEntry } from '../engine/projection.js';
import { modelChanged } from '../engine/model-reader.js';
import { countSchema } from './counts.js';
import { dateView, dateViewSchema, FOLLOWS_MARK, SORT_SEPARATOR } from './dates.js';
import { correctionsOf, correctionViewSchema, sourcesOf } from './facts.js';
import { instituteTimeline, loadInstitutes } from './names.js';
import { nameRefSchema, PageRecordsBuilder, partnerRefSchema, type PageRecords } from './page-records.js';
import { chronologicalEntries, chronologicalPage, chronologicalSort, type Page } from './ordered.js';
import { agreementKindLabels, peopleByRole, peopleByRoleSchema, publicationKindLabels, sessionKindLabels, type PersonRole } from './people.js';
import {
  recordKey,
  recordOfStream,
  RecordSet,
  type AgreementRecord,
  type ProgrammeRecord,
  type PublicationRecord,
  type RecordDocument,
  type SessionRecord,
  type VisitRecord,
} from './record-book.js';
import { summarisePublication, summariseSession, summariseVisit, type SessionSummary } from './summaries.js';

/*
 * Activities: what a record (agreement, programme, session, study visit,
 * publication) says happened, as dated entries. A partner's history lists the
 * entries of its records; the registers of sessions, study visits and
 * publications list them by kind. One record gives its entries here, once.
 */

export const activityKindSchema = z.enum([
  'agreement-signed',
  'agreement-amended',
  'agreement-terminated',
  'programme-launched',
  'programme-closed',
  'session',
  'study-visit',
  'publication-prepared',
  'publication-planned',
  'publication-published',
]);
export type ActivityKind = z.infer<typeof activityKindSchema>;

export const entryCountsSchema = z
  .object({
    sessions: countSchema.optional().meta({ description: 'Training sessions held that the record stands for ("6 regional sessions"; "several": at least 2)' }),
    meetings: countSchema.optional().meta({ description: 'Meetings held (introductory, preparatory): not training sessions' }),
    attendance: attendanceSchema.nullable().optional(),
    namedTrainees: z.number().int().optional().meta({ description: 'Named trainees enrolled (and not withdrawn)' }),
    peopleTrained: countSchema.optional().meta({ description: 'Training kinds only, when held: max(attendance total, named trainees) per session' }),
    trainers: countSchema.optional().meta({ description: 'Training of trainers, when held: the trainers who benefited (also counted as trained)' }),
    peopleAttended: countSchema.optional().meta({ description: 'Meetings only, when held: people present, not trained' }),
    participants: countSchema.optional().meta({ description: "Outgoing study visits: the institute's people who took part" }),
    hosted: countSchema.optional().meta({ description: 'Hosted study visits: visitors received' }),
  })
  .meta({ id: 'EntryCounts' });
export type EntryCounts = z.infer<typeof entryCountsSchema>;

export const activityEntrySchema = z
  .object({
    kind: activityKindSchema,
    record: z.object({ type: z.enum(['agreement', 'programme', 'session', 'study-visit', 'publication']), id: z.string() }),
    status: z.string().nullable().meta({ description: 'Sessions: held / planned / cancelled; study visits: completed / planned / cancelled; else null' }),
    statusCertain: z
      .boolean()
      .optional()
      .meta({ description: 'Through a lens: false when the event that changes the status may or may not be by `asOf` (`status` is then the status certainly reached); absent: certain' }),
    statusCandidates: z.array(z.string()).optional().meta({ description: 'With `statusCertain: false`: every status the entry may have by `asOf`, the certain one first ("planned", "held")' }),
    date: dateViewSchema,
    orderCertain: z.boolean().meta({ description: "False when the date overlaps another entry's, so the record cannot tell which came first" }),
    what: z.string().meta({ description: 'What happened, in English: "Agreement signed", "Course held", "Hosted study visit completed"' }),
    title: multilingualTextSchema.nullable(),
    partners: z.array(partnerRefSchema).meta({ description: "Every partner of the record, named as at the entry's date (acronym and names in the answer's `records.partners`)" }),
    instituteName: nameRefSchema.meta({ description: "The institute's name: as stated on the agreement, else as in force at the entry's date (names in the answer's `records.institute`)" }),
    counts: entryCountsSchema.nullable(),
    people: peopleByRoleSchema.meta({ description: "Enrolled (not withdrawn) / named visit participants, by role, each by id (kind and cohort in the answer's `records.people`)" }),
    details: z.record(z.string(), z.unknown()),
    corrections: z.array(correctionViewSchema),
    sourceRefs: z.array(z.string()),
  })
  .meta({ id: 'ActivityEntry' });
export type ActivityEntry = z.infer<typeof activityEntrySchema>;

export type ActivityRecordType = ActivityEntry['record']['type'];

/** Same date: agreements first, then what they frame (programmes), then visits (hosting frames the sessions held for the visitors), sessions, publications. */
const typeRank = { agreement: 0, programme: 1, 'study-visit': 2, session: 3, publication: 4 } as const;

export type Draft = Omit<ActivityEntry, 'orderCertain' | 'date' | 'partners' | 'instituteName' | 'people'> & {
  readonly on: PartialDate;
  readonly partnerIds: readonly string[];
  readonly statedInstituteName?: MultilingualText | undefined;
  readonly people: readonly { readonly participantId: string; readonly role: PersonRole }[];
};

/**
 * Same date: by record type, record, kind, then the order the record gives them
 * (amendments, plans). A session the record says followed another (`follows`)
 * sorts as `<followed>` FOLLOWS_MARK `<itself>`: right after the one it followed
 * when both have the same date (F3: the regional sessions after the
 * training-of-trainers sessions, both "2018"), and the list's readers find the
 * stated order in the sort key without reading the records.
 */
export const draftTail = (d: Draft, ordinal: number): string =>
  [typeRank[d.record.type], recordPart(d), d.kind, String(ordinal).padStart(6, '0')].join(SORT_SEPARATOR);

const recordPart = (d: Draft): string => {
  const follows = d.kind === 'session' ? d.details['follows'] : undefined;
  return typeof follows === 'string' && follows !== d.record.id ? `${follows}${FOLLOWS_MARK}${d.record.id}` : d.record.id;
};

/** The record an entry sorted at `sort` stands for, and the record it follows (from `draftTail`'s fields). */
export function statedOrderOfSort(sort: string): { record: string; follows: string | undefined } {
  const fields = sort.split(SORT_SEPARATOR);
  const part = fields[fields.length - 3] ?? '';
  const at = part.indexOf(FOLLOWS_MARK);
  return at < 0 ? { record: part, follows: undefined } : { record: part.slice(at + 1), follows: part.slice(0, at) };
}

/**
 * The stated orders among the items of a chronological list of activity
 * entries (from their sort keys): the items each item is stated to follow.
 */
export function statedOrderAmong(sorts: readonly string[]): { before: (i: number) => number[] } {
  const parsed = sorts.map(statedOrderOfSort);
  const at = new Map<string, number[]>();
  parsed.forEach((p, i) => at.set(p.record, [...(at.get(p.record) ?? []), i]));
  return { before: (i) => (parsed[i]!.follows === undefined ? [] : (at.get(parsed[i]!.follows!) ?? [])) };
}

/** Whether an entry stands for what took place: not a plan (a session scheduled, a visit planned, a publication planned for), nor what was cancelled. */
export const tookPlace = (d: Pick<Draft, 'kind' | 'status'>): boolean => d.kind !== 'publication-planned' && d.status !== 'planned' && d.status !== 'cancelled';

/** The two index entries (see `chronologicalEntries`) of each entry a record gives, in the list `(index, key)`, those that did not take place marked. */
export const activityIndexEntries = (index: string, key: string, drafts: readonly Draft[]): IndexEntry[] =>
  drafts.flatMap((d, i) => chronologicalEntries(index, key, d.on, draftTail(d, i), !tookPlace(d)));

/**
 * A page of the chronological list `(index, key)` of activity entries, each
 * built from its record (partners and the institute named as at its date, by
 * reference into the page's `records`), with `extend` adding what the list's
 * own view needs (given the page's records, to name more in them).
 */
export async function activityPage<E>(
  model: ModelReader,
  records: RecordSet,
  list: { readonly index: string; readonly key: string; readonly page?: Page },
  extend: (entry: ActivityEntry, draft: Draft, named: PageRecordsBuilder) => E,
): Promise<{ entries: E[]; records: PageRecords; total: number; offset: number }> {
  const found = await chronologicalPage(model, list.index, list.key, list.page ?? {});
  await records.load(found.entries.map((e) => e.document));
  const drafts = found.entries.map((entry) => {
    const { drafts: all } = recordDrafts(entry.document, records.byKey(entry.document));
    const draft = all.find((d, i) => chronologicalSort(d.on, draftTail(d, i)) === entry.sort);
    if (!draft) throw modelChanged(`${model.projection.name}: ${entry.document} gives no entry sorted at ${JSON.stringify(entry.sort)}`);
    return draft;
  });
  const [institutes] = await Promise.all([
    loadInstitutes(records),
    records.load(drafts.flatMap((d) => [...d.partnerIds.map((id) => recordKey('partners', id)), ...d.people.map((p) => recordKey('participants', p.participantId))])),
  ]);
  const named = new PageRecordsBuilder(records, instituteTimeline(institutes));
  const entries = drafts.map((draft, i) => {
    const { on, partnerIds, statedInstituteName, people, ...rest } = draft;
    const entry: ActivityEntry = {
      kind: rest.kind,
      record: rest.record,
      status: rest.status,
      date: dateView(on),
      orderCertain: found.certain[i]!,
      what: rest.what,
      title: rest.title,
      partners: partnerIds.map((id) => named.partnerAt(id, on)),
      instituteName: named.instituteAt(on, statedInstituteName),
      counts: rest.counts,
      people: peopleByRole(named.people(people)),
      details: rest.details,
      corrections: rest.corrections,
      sourceRefs: rest.sourceRefs,
    };
    return extend(entry, draft, named);
  });
  return { entries, records: named.build(), total: found.total, offset: found.offset };
}

const noDrafts = { partnerIds: [] as readonly string[], drafts: [] as Draft[] };

/** The history entries one record gives, in the order it gives them, and the partners whose history they belong to. */
export function recordDrafts(key: string, doc: RecordDocument): { partnerIds: readonly string[]; drafts: Draft[] } {
  const where = recordOfStream(key);
  if (!where || doc === null) return noDrafts;
  const { section, id } = where;
  if (section === 'agreements') return agreementDrafts(id, doc as AgreementRecord);
  if (section === 'programmes') return programmeDrafts(id, doc as ProgrammeRecord);
  if (section === 'sessions') return sessionDrafts(id, doc as SessionRecord);
  if (section === 'visits') return visitDrafts(id, doc as VisitRecord);
  if (section === 'publications') return publicationDrafts(id, doc as PublicationRecord);
  return noDrafts;
}

const base = { counts: null, people: [], details: {}, status: null } as const;

function agreementDrafts(id: string, r: AgreementRecord) {
  const signed = r.signed?.data;
  if (!signed) return noDrafts;
  const drafts: Draft[] = [];
  const record = { type: 'agreement' as const, id };
  drafts.push({
    ...base,
    kind: 'agreement-signed',
    record,
    on: signed.signedOn,
    partnerIds: signed.partners,
    statedInstituteName: signed.instituteName,
    what: `${agreementKindLabels[signed.kind]} signed`,
    title: signed.title ?? null,
    status: r.terminated ? 'terminated' : 'signed',
    details: { agreementKind: signed.kind, place: signed.place ?? null, signatories: signed.signatories, areas: signed.areas },
    corrections: correctionsOf(r.signed),
    sourceRefs: sourcesOf(r.signed),
  });
  for (const amendment of r.amendments) {
    drafts.push({
      ...base,
      kind: 'agreement-amended',
      record,
      on: amendment.data.amendedOn,
      partnerIds: signed.partners,
      what: `${agreementKindLabels[signed.kind]} amended`,
      title: signed.title ?? null,
      details: { summary: amendment.data.summary, areasAdded: amendment.data.areasAdded, areasRemoved: amendment.data.areasRemoved },
      corrections: correctionsOf(amendment),
      sourceRefs: sourcesOf(amendment),
    });
  }
  if (r.terminated) {
    drafts.push({
      ...base,
      kind: 'agreement-terminated',
      record,
      on: r.terminated.data.terminatedOn,
      partnerIds: signed.partners,
      what: `${agreementKindLabels[signed.kind]} terminated`,
      title: signed.title ?? null,
      details: { reason: r.terminated.data.reason },
      corrections: correctionsOf(r.terminated),
      sourceRefs: sourcesOf(r.terminated),
    });
  }
  return { partnerIds: signed.partners, drafts };
}

function programmeDrafts(id: string, r: ProgrammeRecord) {
  const launched = r.launched?.data;
  if (!launched) return noDrafts;
  const record = { type: 'programme' as const, id };
  const drafts: Draft[] = [
    {
      ...base,
      kind: 'programme-launched',
      record,
      on: launched.startedOn,
      partnerIds: launched.partners,
      what: launched.recurrence === 'annual' ? 'Annual programme started' : 'Programme started',
      title: launched.title,
      details: { recurrence: launched.recurrence ?? null, themes: launched.themes, description: launched.description ?? null, agreementId: launched.agreementId ?? null },
      corrections: correctionsOf(r.launched),
      sourceRefs: sourcesOf(r.launched),
    },
  ];
  if (r.closed) {
    drafts.push({
      ...base,
      kind: 'programme-closed',
      record,
      on: r.closed.data.closedOn,
      partnerIds: launched.partners,
      what: 'Programme closed',
      title: launched.title,
      details: { reason: r.closed.data.reason ?? null },
      corrections: correctionsOf(r.closed),
      sourceRefs: sourcesOf(r.closed),
    });
  }
  return { partnerIds: launched.partners, drafts };
}

function sessionDrafts(id: string, r: SessionRecord) {
  const s = summariseSession(id, r);
  if (!s) return noDrafts;
  const draft: Draft = {
    kind: 'session',
    record: { type: 'session', id },
    status: s.status,
    on: s.date,
    partnerIds: s.details.partners,
    what: `${sessionKindLabels[s.details.kind]} ${s.status}`,
    title: s.details.title,
    counts: sessionCounts(s),
    people: s.enrolled,
    details: {
      sessionKind: s.details.kind,
      format: s.format,
      occurrences: s.details.occurrences ?? 1,
      place: s.details.place ?? null,
      audience: s.details.audience ?? null,
      description: s.details.description ?? null,
      cohorts: s.details.cohorts ?? [],
      themes: s.details.themes ?? [],
      programmeId: s.details.programmeId ?? null,
      follows: s.details.follows ?? null,
    },
    corrections: s.corrections,
    sourceRefs: s.sourceRefs,
  };
  return { partnerIds: s.details.partners, drafts: [draft] };
}

/** A session's figures, each under the name its kind gives it (figures.ts); a session not held counts nothing. */
function sessionCounts(s: SessionSummary): EntryCounts {
  const counts: EntryCounts = { attendance: s.attendance, namedTrainees: s.enrolled.filter((e) => e.role === 'trainee').length };
  if (s.sessions === null || s.people === null) return counts;
  if (s.figures.held === 'meetings') return { ...counts, meetings: s.sessions, peopleAttended: s.people };
  return { ...counts, sessions: s.sessions, peopleTrained: s.people, ...(s.figures.trainers ? { trainers: s.people } : {}) };
}

function visitDrafts(id: string, r: VisitRecord) {
  const v = summariseVisit(id, r);
  if (!v?.plan) return noDrafts;
  const draft: Draft = {
    kind: 'study-visit',
    record: { type: 'study-visit', id },
    status: v.status,
    on: v.date,
    partnerIds: v.plan.partners,
    what: `${v.plan.direction === 'hosted' ? 'Hosted' : 'Outgoing'} study visit ${v.status}`,
    title: v.plan.title ?? null,
    counts: v.status !== 'completed' ? {} : v.figure === 'hosted' ? { hosted: v.participants } : { participants: v.participants },
    people: v.participantIds.map((participantId) => ({ participantId, role: 'participant' as const })),
    details: {
      direction: v.plan.direction,
      destination: v.plan.destination ?? null,
      purpose: v.plan.purpose ?? null,
      themes: v.plan.themes ?? [],
      programmeId: v.plan.programmeId ?? null,
    },
    corrections: v.corrections,
    sourceRefs: v.sourceRefs,
  };
  return { partnerIds: v.plan.partners, drafts: [draft] };
}

function publicationDrafts(id: string, r: PublicationRecord) {
  const p = summarisePublication(id, r);
  if (!p) return noDrafts;
  const drafts: Draft[] = [];
  const record = { type: 'publication' as const, id };
  const label = publicationKindLabels[p.prepared.kind];
  const common = { ...base, record, partnerIds: p.prepared.partners, title: p.prepared.title };
  const details = { publicationKind: p.prepared.kind, themes: p.prepared.themes ?? [], programmeId: p.prepared.programmeId ?? null };
  drafts.push({
    ...common,
    kind: 'publication-prepared',
    on: p.prepared.preparedOn,
    what: `${label} prepared`,
    details,
    corrections: correctionsOf(r.prepared),
    sourceRefs: sourcesOf(r.prepared),
  });
  for (const plan of r.plans) {
    drafts.push({
      ...common,
      kind: 'publication-planned',
      on: plan.data.plannedFor,
      what: `${label} planned for publication (not yet published)`,
      details: { ...details, note: plan.data.note ?? null },
      corrections: correctionsOf(plan),
      sourceRefs: sourcesOf(plan),
    });
  }
  if (r.published) {
    drafts.push({
      ...common,
      kind: 'publication-published',
      on: r.published.data.publishedOn,
      what: `${label} published`,
      details,
      corrections: correctionsOf(r.published),
      sourceRefs: sourcesOf(r.published),
    });
  }
  return { partnerIds: p.prepared.partners, drafts };
}
