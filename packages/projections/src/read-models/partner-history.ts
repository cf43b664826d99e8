import { multilingualTextSchema, slugSchema, type DomainEventType, type IsoDay } from '@taawun/domain';
import { z } from 'zod';
import { unknownKey } from '../engine/errors.js';
import { modelChanged, type ModelIndexEntry, type ModelReader } from '../engine/model-reader.js';
import { defineProjection, type IndexEntry } from '../engine/projection.js';
import { activityEntrySchema, activityIndexEntries, activityPage, draftTail, recordDrafts, statedOrderAmong } from '../model/activities.js';
import { compareByCompletion, dateView, dateViewSchema, type DateView } from '../model/dates.js';
import { correctionsOf, correctionViewSchema, sourcesOf, type CorrectionView } from '../model/facts.js';
import { currentName, partnerDetails, partnerTimeline } from '../model/names.js';
import { nameRefSchema, pageRecordsSchema, partnerRefSchema } from '../model/page-records.js';
import { chronologicalSort, extremes, extremesOverWorlds, isChronologicalIndex, isNotDone, toBounds, type Extreme, type Page } from '../model/ordered.js';
import type { OrderBounds } from '../model/dates.js';
import { namedRecord } from '../engine/record-streams.js';
import { evolveRecord, lensKeyPrefixes, recordIds, recordIdsPage, recordKey, recordKeyOf, partnerLensScope, partnerLensDocuments, partnerLensStreams, RecordSet, type PartnerRecord, type RecordDocument } from '../model/record-book.js';
import { defineReadModel, type LensCompletions, type ReadOnlyDeep } from './define.js';

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
  // 3: figures by what they mean (figures.ts); a session not held counts nothing; "several" is at least 2.
  // 4: entries that did not take place (plans, what was cancelled) marked in the index, for the first and last activity.
  version: 4,
  description: 'Everything each partner took part in, in date order, with names as they were at the time',
  handles,
  initialState: null as RecordDocument,
  keyOf: recordKeyOf,
  evolve: (record: RecordDocument, event) => evolveRecord(record, event, { personalData: false }),
  indexes: (key, record): IndexEntry[] => {
    const { partnerIds, drafts } = recordDrafts(key, record);
    return [...new Set(partnerIds)].flatMap((partnerId) => activityIndexEntries(HISTORY_INDEX, partnerId, drafts));
  },
});

export const partnerProfileSchema = z
  .object({
    partnerId: z.string(),
    name: multilingualTextSchema.nullable().meta({ description: 'The latest name' }),
    acronym: z.string().nullable(),
    kind: z.string().nullable(),
    country: z.string().nullable(),
    names: z
      .array(z.object({ name: multilingualTextSchema, effectiveOn: dateViewSchema.nullable() }))
      .meta({ description: 'The registered name, then each rename with the date it took effect' }),
    corrections: z.array(correctionViewSchema),
    sourceRefs: z.array(z.string()),
  })
  .meta({ id: 'PartnerProfile' });
export type PartnerProfile = z.infer<typeof partnerProfileSchema>;

export const historyEntrySchema = activityEntrySchema
  .extend({
    partners: z.array(partnerRefSchema).meta({ description: "Every partner of the record (this one included), named as at the entry's date (acronym and names in `records.partners`)" }),
    sharedWith: z.array(z.string()).meta({ description: 'The other partners, when the activity was shared' }),
    partnerName: nameRefSchema.meta({ description: "This partner's name at the entry's date (its names in `records.partners`)" }),
  })
  .meta({ id: 'HistoryEntry' });
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

export const partnerHistorySchema = z
  .object({ partner: partnerProfileSchema, entries: z.array(historyEntrySchema), records: pageRecordsSchema })
  .meta({ id: 'PartnerHistory', description: "A partner's profile and its history, in date order, and the records the entries name (once)" });
export type PartnerHistory = z.infer<typeof partnerHistorySchema>;

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
  await records.load([recordKey('partners', partnerId)]);
  const record = records.get('partners', partnerId);
  const list = await activityPage(model, records, { index: HISTORY_INDEX, key: partnerId, page }, (entry, draft, named): HistoryEntry => ({
    ...entry,
    sharedWith: draft.partnerIds.filter((id) => id !== partnerId),
    partnerName: named.partnerAt(partnerId, draft.on).name,
  }));
  // An unknown partner is named with those the record holds (unknown-key), not an empty history.
  if (!record?.registered && list.total === 0) throw unknownKey('partnerId', 'partner', partnerId, await recordIds(model, 'partners'));
  return { total: list.total, offset: list.offset, history: { partner: partnerProfile(partnerId, record), entries: list.entries, records: list.records } };
}

/** What the record says of a partner: its names through time, details as corrected, sources. */
export function partnerProfile(partnerId: string, record: PartnerRecord | undefined): PartnerProfile {
  const details = partnerDetails(record);
  const timeline = partnerTimeline(record);
  const facts = [record?.registered, ...(record?.renames ?? []), ...(record?.detailCorrections ?? [])];
  return {
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

export const partnerHistoryReadModel = defineReadModel({
  name: 'partner-history',
  title: 'Per-partner history',
  description: partnerHistoryProjection.description!,
  projection: partnerHistoryProjection,
  params: z.object({ partnerId: slugSchema.meta({ description: 'The partner, e.g. "enm-france"' }) }).strict(),
  result: partnerHistorySchema,
  list: 'entries',
  // Under a lens, what was left out of this partner's records (and the institute's, whose name each entry gives), not of the whole log.
  lensScope: (p) => partnerLensScope(p.partnerId),
  // Served from the streams that ever named the partner (and the institute's), not a replay.
  lensStreams: {
    scope: (p) => partnerLensStreams(p.partnerId),
    index: (index, key) => (isChronologicalIndex(index, HISTORY_INDEX) ? namedRecord('partner', key) : undefined),
    keyPrefixes: lensKeyPrefixes,
    isList: (p, index, key) => index === HISTORY_INDEX && key === p.partnerId,
    // Every record opens with a dated event (signed, launched, scheduled or held, planned, prepared).
    undatedGiveNoEntries: true,
    documents: (p) => partnerLensDocuments(p.partnerId),
  },
  lensRanges: true,
  view: async (model, p, page) => {
    const found = await partnerHistoryPage(model, p.partnerId, page);
    return found && { result: found.history, total: found.total };
  },
  notFound: (p) => `partner ${p.partnerId} is not in the record`,
});

/**
 * A partner's first (or last) activity over every ordering the record's partial
 * dates allow: `certain` when only one entry may be it, with that entry's date;
 * otherwise the days it certainly lies between ("by 8 November 2018") and every
 * entry that may be it.
 */
/** The candidates a summary names at most: a partner with thousands of same-day sessions has thousands of them, and a list of partners pages by partner. */
export const CANDIDATES_SHOWN = 20;

export const activityExtremeSchema = z
  .object({
    certain: z.boolean(),
    date: dateViewSchema.meta({ description: "Certain: the entry's date. Uncertain: the days the first (last) activity certainly lies between" }),
    candidates: z
      .array(z.object({ record: activityEntrySchema.shape.record, kind: activityEntrySchema.shape.kind, date: dateViewSchema }))
      .max(CANDIDATES_SHOWN)
      .meta({ description: `The entries that may be it (one when certain), in the history's order: the first ${CANDIDATES_SHOWN} when there are more` }),
    candidatesTotal: z.number().int().min(1).meta({ description: 'How many entries may be it, all of them: more than `candidates` holds when they are over ' + CANDIDATES_SHOWN }),
  })
  .meta({ id: 'ActivityExtreme' });
export type ActivityExtreme = z.infer<typeof activityExtremeSchema>;

/** A partner as the list of partners shows it: its profile, how many history entries it has, and its first and last activity. */
export const partnerSummarySchema = partnerProfileSchema
  .extend({
    entries: z.number().int().min(0).meta({ description: 'Entries in its history' }),
    firstDate: dateViewSchema.nullable().meta({ description: '`first.date`: the date of its first history entry, or the days it certainly lies between when the record cannot tell which entry came first' }),
    lastDate: dateViewSchema.nullable().meta({ description: '`last.date`, likewise' }),
    first: activityExtremeSchema.nullable(),
    last: activityExtremeSchema.nullable(),
  })
  .meta({ id: 'PartnerSummary' });
export type PartnerSummary = z.infer<typeof partnerSummarySchema>;

/** The history entry an index entry of a partner's history stands for. */
async function entryDraft(records: RecordSet, entry: { document: string; sort: string }) {
  await records.load([entry.document]);
  const { drafts } = recordDrafts(entry.document, records.byKey(entry.document));
  const draft = drafts.find((d, i) => chronologicalSort(d.on, draftTail(d, i)) === entry.sort);
  if (!draft) throw modelChanged(`partner-history: ${entry.document} gives no history entry sorted at ${JSON.stringify(entry.sort)}`);
  return draft;
}

const rangeView = (earliest: string | undefined, latest: string | undefined): DateView =>
  dateView(earliest === undefined && latest === undefined ? 'XXXX' : earliest === latest ? earliest! : `${earliest ?? '..'}/${latest ?? '..'}`);

type HistoryIndexEntry = ModelIndexEntry<Parameters<typeof isNotDone>[0]>;

/** The entries of a partner's history that took place: a plan's date is when something should happen, not an activity (Enabel's guide "to be printed at the end of 2022", F8). */
const activitiesOf = async (model: ModelReader, partnerId: string): Promise<HistoryIndexEntry[]> =>
  (await model.index<Parameters<typeof isNotDone>[0]>(HISTORY_INDEX, partnerId)).filter((e) => !isNotDone(e.value));

/** The first and last activity found (indexes into `entries`), each candidate shown described from its record, in the history's order. */
async function describedExtremes(found: { first: Extreme; last: Extreme }, entries: readonly { entry: HistoryIndexEntry; records: RecordSet }[]): Promise<{ first: ActivityExtreme; last: ActivityExtreme }> {
  const inOrder = (x: Extreme) => [...x.candidates].sort((a, b) => (entries[a]!.entry.sort < entries[b]!.entry.sort ? -1 : entries[a]!.entry.sort > entries[b]!.entry.sort ? 1 : 0));
  const shown = (x: Extreme) => inOrder(x).slice(0, CANDIDATES_SHOWN);
  // The records of the candidates shown, one read per model.
  const keys = new Map<RecordSet, Set<string>>();
  for (const i of [...shown(found.first), ...shown(found.last)]) keys.set(entries[i]!.records, (keys.get(entries[i]!.records) ?? new Set()).add(entries[i]!.entry.document));
  await Promise.all([...keys].map(([records, documents]) => records.load(documents)));
  const extreme = async (x: Extreme): Promise<ActivityExtreme> => {
    const candidates = [];
    for (const i of shown(x)) {
      const d = await entryDraft(entries[i]!.records, entries[i]!.entry);
      candidates.push({ record: d.record, kind: d.kind, date: dateView(d.on) });
    }
    return { certain: x.certain, date: x.certain ? candidates[0]!.date : rangeView(x.earliest, x.latest), candidates, candidatesTotal: x.candidates.length };
  };
  return { first: await extreme(found.first), last: await extreme(found.last) };
}

/** A partner's first and last activity (reads its history's index entries, and the records of the candidates). */
async function partnerExtremes(model: ModelReader, records: RecordSet, partnerId: string): Promise<{ first: ActivityExtreme; last: ActivityExtreme } | undefined> {
  const entries = await activitiesOf(model, partnerId);
  const found = extremes(entries.map((e) => toBounds(e.value)), statedOrderAmong(entries.map((e) => e.sort)));
  return found && describedExtremes(found, entries.map((entry) => ({ entry, records })));
}

export const partnersReadModel = defineReadModel({
  name: 'partners',
  title: 'Partners',
  description: 'Every partner in the record, with how many entries its history has and when it starts and ends',
  projection: partnerHistoryProjection,
  documentsByStream: true,
  // As the partner's own history says (`lensStreams`): every record opens with a dated event.
  undatedGiveNoEntries: true,
  params: z.object({}).strict(),
  result: z.object({ partners: z.array(partnerSummarySchema) }).meta({ id: 'PartnerList' }),
  list: 'partners',
  // As of a date, the first and last activity over every completion of the partial dates (`widenPartnerSummaries`).
  lensRanges: true,
  lensWiden: (certain, completions) => widenPartnerSummaries(certain, completions),
  view: async (model, _p, page) => {
    const { ids: shown, total } = await recordIdsPage(model, 'partners', page);
    const records = new RecordSet(model as ModelReader<RecordDocument>);
    await records.load(shown.map((id) => recordKey('partners', id)));
    const partners: PartnerSummary[] = [];
    for (const partnerId of shown) {
      const entries = await model.indexSize(HISTORY_INDEX, partnerId);
      const found = await partnerExtremes(model, records, partnerId);
      partners.push({
        ...partnerProfile(partnerId, records.get('partners', partnerId)),
        entries,
        firstDate: found?.first.date ?? null,
        lastDate: found?.last.date ?? null,
        first: found?.first ?? null,
        last: found?.last ?? null,
      });
    }
    return { result: { partners }, total };
  },
  notFound: () => 'no partner',
});


type Summaries = ReadOnlyDeep<{ partners: PartnerSummary[] }>;

/**
 * The partners as of a date, each one's first and last activity over every
 * world the lens allows: the entries both the lens's model (what certainly lies
 * by then) and the widest completion's (everything that may) give are in every
 * world; those only one gives are in some (an event that may be by then adds an
 * entry, or takes the partner off one), any mix of them (`extremesOverWorlds`),
 * never after the lens's day. GIZ as of 30 November 2018: its first activity may
 * be F4's sessions of 7–8 November or F2's guide or F3's sessions, and its last
 * any of them but F2's guide that F3's regional sessions do not follow.
 */
export async function widenPartnerSummaries(certain: Summaries, completions: LensCompletions): Promise<Summaries> {
  const { asOf } = completions;
  const lensRecords = new RecordSet(completions.certain as ModelReader<RecordDocument>);
  const widestRecords = new RecordSet(completions.widest as ModelReader<RecordDocument>);
  const clipped = (b: OrderBounds): OrderBounds => ({ earliest: b.earliest, latest: b.latest === undefined || b.latest > asOf ? asOf : b.latest });
  const partners = [];
  for (const summary of certain.partners) {
    const [lens, widest] = await Promise.all([activitiesOf(completions.certain, summary.partnerId), activitiesOf(completions.widest, summary.partnerId)]);
    const inLens = new Set(lens.map((e) => e.sort));
    const inWidest = new Set(widest.map((e) => e.sort));
    const sure = lens.filter((e) => inWidest.has(e.sort)).map((entry) => ({ entry, records: lensRecords }));
    const maybe = [
      ...lens.filter((e) => !inWidest.has(e.sort)).map((entry) => ({ entry, records: lensRecords })),
      ...widest.filter((e) => !inLens.has(e.sort)).map((entry) => ({ entry, records: widestRecords })),
    ];
    if (maybe.length === 0) {
      partners.push(summary);
      continue;
    }
    const found = extremesOverWorlds(
      sure.map((e) => toBounds(e.entry.value)),
      maybe.map((m) => clipped(toBounds(m.entry.value))),
      statedOrderAmong([...sure, ...maybe].map((e) => e.entry.sort)),
    );
    const described = found && (await describedExtremes(found, [...sure, ...maybe]));
    partners.push({ ...summary, first: described?.first ?? null, last: described?.last ?? null, firstDate: described?.first.date ?? null, lastDate: described?.last.date ?? null });
  }
  return { ...certain, partners };
}
