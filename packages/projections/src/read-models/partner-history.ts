import type { Attendance, DomainEventType, MultilingualText, PartialDate } from '@taawun/domain';
import { modelChanged, type ModelReader } from '../engine/model-reader.js';
import { defineProjection, type IndexEntry } from '../engine/projection.js';
import { type Count } from '../model/counts.js';
import { compareByCompletion, dateView, SORT_SEPARATOR, type DateView } from '../model/dates.js';
import { correctionsOf, sourcesOf, type CorrectionView } from '../model/facts.js';
import { currentName, instituteTimeline, loadInstitutes, nameAt, partnerAt, partnerDetails, partnerTimeline, statedName, type NameAtTime, type PartnerAtTime } from '../model/names.js';
import { chronologicalEntries, chronologicalPage, chronologicalSort, type Page } from '../model/ordered.js';
import { agreementKindLabels, personInvolved, publicationKindLabels, sessionKindLabels, type PersonInvolved } from '../model/people.js';
import {
  evolveRecord,
  recordKey,
  recordKeyOf,
  recordOfStream,
  RecordSet,
  type AgreementRecord,
  type PartnerRecord,
  type ProgrammeRecord,
  type PublicationRecord,
  type RecordDocument,
  type SessionRecord,
  type VisitRecord,
} from '../model/record-book.js';
import { summarisePublication, summariseSession, summariseVisit } from '../model/summaries.js';

const handles = [
  'InstituteRegistered', 'InstituteRenamed',
  'PartnerRegistered', 'PartnerRenamed', 'PartnerDetailsCorrected',
  'AgreementSigned', 'AgreementAmended', 'AgreementTerminated',
  'ProgrammeLaunched', 'ProgrammeClosed',
  'SessionScheduled', 'SessionRescheduled', 'SessionCancelled', 'SessionHeld', 'AttendanceRecorded', 'ParticipantEnrolled', 'EnrolmentWithdrawn',
  'ParticipantRegistered',
  'StudyVisitPlanned', 'StudyVisitCompleted', 'StudyVisitCancelled',
  'PublicationPrepared', 'PublicationPlanned', 'PublicationPublished',
  'RecordCorrected',
] as const satisfies readonly DomainEventType[];

/** The index of every partner's history: one entry per history entry, in chronological order. */
export const HISTORY_INDEX = 'history';

/**
 * Per-partner history. Keeps no personal data: people appear by id, kind and
 * cohort. One document per record; each activity record (agreement, programme,
 * session, study visit, publication) gives index entries under each of its
 * partners, so a page of a partner's history reads that page's records only.
 */
export const partnerHistoryProjection = defineProjection({
  name: 'partner-history',
  version: 2,
  description: 'Everything each partner took part in, in date order, with names as they were at the time',
  handles,
  initialState: null as RecordDocument,
  keyOf: recordKeyOf,
  evolve: (record: RecordDocument, event) => evolveRecord(record, event, { personalData: false }),
  indexes: (key, record) => {
    const { partnerIds, drafts } = recordDrafts(key, record);
    const entries: IndexEntry[] = [];
    for (const partnerId of new Set(partnerIds)) {
      drafts.forEach((d, i) => entries.push(...chronologicalEntries(HISTORY_INDEX, partnerId, d.on, draftTail(d, i))));
    }
    return entries;
  },
});

export interface PartnerProfile {
  readonly partnerId: string;
  /** The latest name. */
  readonly name: MultilingualText | null;
  readonly acronym: string | null;
  readonly kind: string | null;
  readonly country: string | null;
  /** The registered name, then each rename with the date it took effect. */
  readonly names: readonly { readonly name: MultilingualText; readonly effectiveOn: DateView | null }[];
  readonly corrections: readonly CorrectionView[];
  readonly sourceRefs: readonly string[];
}

export type HistoryEntryKind =
  | 'agreement-signed'
  | 'agreement-amended'
  | 'agreement-terminated'
  | 'programme-launched'
  | 'programme-closed'
  | 'session'
  | 'study-visit'
  | 'publication-prepared'
  | 'publication-planned'
  | 'publication-published';

export interface HistoryEntry {
  readonly kind: HistoryEntryKind;
  readonly record: { readonly type: 'agreement' | 'programme' | 'session' | 'study-visit' | 'publication'; readonly id: string };
  /** Sessions: held / planned / cancelled; study visits: completed / planned / cancelled; else null. */
  readonly status: string | null;
  readonly date: DateView;
  /** False when the date overlaps another entry's, so the record cannot tell which came first. */
  readonly orderCertain: boolean;
  /** What happened, in English: "Agreement signed", "Course held", "Hosted study visit completed". */
  readonly what: string;
  readonly title: MultilingualText | null;
  /** Every partner of the record (this one included), named as at the entry's date. */
  readonly partners: readonly PartnerAtTime[];
  /** The other partners, when the activity was shared. */
  readonly sharedWith: readonly string[];
  /** This partner's name at the entry's date. */
  readonly partnerName: NameAtTime;
  /** The institute's name: as stated on the agreement, else as in force at the entry's date. */
  readonly instituteName: NameAtTime;
  readonly counts: EntryCounts | null;
  readonly people: readonly PersonInvolved[];
  readonly details: Readonly<Record<string, unknown>>;
  readonly corrections: readonly CorrectionView[];
  readonly sourceRefs: readonly string[];
}

export interface EntryCounts {
  /** Sessions the record stands for ("6 regional sessions"). */
  readonly sessions?: Count;
  readonly attendance?: Attendance | null;
  /** Named trainees enrolled (and not withdrawn). */
  readonly namedTrainees?: number;
  /** max(attendance total, named trainees) per session. */
  readonly peopleTrained?: Count;
  /** Study visits: people who took part. */
  readonly participants?: Count;
}

export interface PartnerHistory {
  readonly partner: PartnerProfile;
  readonly entries: readonly HistoryEntry[];
}

/** Same date: agreements first, then what they frame (programmes), then visits (hosting frames the sessions held for the visitors), sessions, publications. */
const typeRank = { agreement: 0, programme: 1, 'study-visit': 2, session: 3, publication: 4 } as const;

type Draft = Omit<HistoryEntry, 'orderCertain' | 'date' | 'partners' | 'sharedWith' | 'partnerName' | 'instituteName' | 'people'> & {
  readonly on: PartialDate;
  readonly partnerIds: readonly string[];
  readonly statedInstituteName?: MultilingualText | undefined;
  readonly people: readonly { readonly participantId: string; readonly role: PersonInvolved['role'] }[];
};

/** Same date: by record type, record, kind, then the order the record gives them (amendments, plans). */
const draftTail = (d: Draft, ordinal: number): string =>
  [typeRank[d.record.type], d.record.id, d.kind, String(ordinal).padStart(6, '0')].join(SORT_SEPARATOR);

/** A page of a partner's history; `total` counts every entry. */
export interface PartnerHistoryPage {
  readonly history: PartnerHistory;
  readonly total: number;
  readonly offset: number;
}

/** The partner's history (a page of its entries, all by default), or undefined when the partner is not in the record. */
export async function partnerHistoryView(model: ModelReader, partnerId: string, page: Page = {}): Promise<PartnerHistory | undefined> {
  return (await partnerHistoryPage(model, partnerId, page))?.history;
}

export async function partnerHistoryPage(model: ModelReader, partnerId: string, page: Page = {}): Promise<PartnerHistoryPage | undefined> {
  const records = new RecordSet(model as ModelReader<RecordDocument>);
  const [list] = await Promise.all([chronologicalPage(model, HISTORY_INDEX, partnerId, page), records.load([recordKey('partners', partnerId)])]);
  const record = records.get('partners', partnerId);
  if (!record?.registered && list.total === 0) return undefined;
  await records.load(list.entries.map((e) => e.document));
  const drafts = list.entries.map((entry) => {
    const { drafts: all } = recordDrafts(entry.document, records.byKey(entry.document));
    const found = all.find((d, i) => chronologicalSort(d.on, draftTail(d, i)) === entry.sort);
    if (!found) throw modelChanged(`partner-history: ${entry.document} gives no history entry sorted at ${JSON.stringify(entry.sort)}`);
    return found;
  });
  const [institutes] = await Promise.all([
    loadInstitutes(records),
    records.load(drafts.flatMap((d) => [...d.partnerIds.map((id) => recordKey('partners', id)), ...d.people.map((p) => recordKey('participants', p.participantId))])),
  ]);
  const institute = instituteTimeline(institutes);
  const entries = drafts.map(({ on, partnerIds, statedInstituteName, people, ...entry }, i): HistoryEntry => ({
    kind: entry.kind,
    record: entry.record,
    status: entry.status,
    date: dateView(on),
    orderCertain: list.certain[i]!,
    what: entry.what,
    title: entry.title,
    partners: partnerIds.map((id) => partnerAt(records, id, on)),
    sharedWith: partnerIds.filter((id) => id !== partnerId),
    partnerName: nameAt(partnerTimeline(record), on),
    instituteName: statedInstituteName ? statedName(statedInstituteName) : nameAt(institute, on),
    counts: entry.counts,
    people: people.map((p) => personInvolved(records, p.participantId, p.role)),
    details: entry.details,
    corrections: entry.corrections,
    sourceRefs: entry.sourceRefs,
  }));
  const details = partnerDetails(record);
  const timeline = partnerTimeline(record);
  const facts = [record?.registered, ...(record?.renames ?? []), ...(record?.detailCorrections ?? [])];
  return {
    total: list.total,
    offset: list.offset,
    history: {
      partner: {
        partnerId,
        name: currentName(timeline),
        acronym: details?.acronym ?? null,
        kind: details?.kind ?? null,
        country: details?.country ?? null,
        names: [
          ...(timeline.first ? [{ name: timeline.first, effectiveOn: null }] : []),
          ...[...timeline.renames].sort((a, b) => compareByCompletion(a.effectiveOn, b.effectiveOn)).map((r) => ({ name: r.name, effectiveOn: dateView(r.effectiveOn) })),
        ],
        corrections: [...correctionsOf(...facts), ...detailCorrectionViews(record)],
        sourceRefs: sourcesOf(...facts),
      },
      entries,
    },
  };
}

/** PartnerDetailsCorrected events, shown like corrections of the registration. */
function detailCorrectionViews(record: PartnerRecord | undefined): CorrectionView[] {
  if (!record?.registered) return [];
  let details: Record<string, unknown> = record.registered.data;
  return record.detailCorrections.map((c) => {
    const view: CorrectionView = {
      eventId: c.eventId,
      correctedEventId: record.registered!.eventId,
      recordedAt: c.recordedAt,
      recordedBy: c.recordedBy,
      reason: c.data.reason,
      changes: Object.entries(c.data.changes).map(([field, to]) => ({ field, from: details[field] ?? null, to })),
    };
    details = { ...details, ...c.data.changes };
    return view;
  });
}

const noDrafts = { partnerIds: [] as readonly string[], drafts: [] as Draft[] };

/** The history entries one record gives, in the order it gives them, and the partners whose history they belong to. */
function recordDrafts(key: string, doc: RecordDocument): { partnerIds: readonly string[]; drafts: Draft[] } {
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
      details: { recurrence: launched.recurrence, themes: launched.themes, description: launched.description ?? null, agreementId: launched.agreementId ?? null },
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
    counts: { sessions: s.sessions, attendance: s.attendance, namedTrainees: s.enrolled.filter((e) => e.role === 'trainee').length, peopleTrained: s.trained },
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
    },
    corrections: s.corrections,
    sourceRefs: s.sourceRefs,
  };
  return { partnerIds: s.details.partners, drafts: [draft] };
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
    counts: { participants: v.participants },
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
