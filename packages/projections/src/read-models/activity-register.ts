import { pageRecordsSchema } from '../model/page-records.js';
import { slugSchema, type DomainEventType, type SessionKind } from '@taawun/domain';
import { z } from 'zod';
import type { ModelReader } from '../engine/model-reader.js';
import { defineProjection, type IndexEntry } from '../engine/projection.js';
import { activityEntrySchema, activityIndexEntries, activityPage, draftTail, recordDrafts, type ActivityRecordType } from '../model/activities.js';
import { periodOf } from '../model/dates.js';
import { sessionKindFigures } from '../model/figures.js';
import { chronologicalEntries, isChronologicalIndex } from '../model/ordered.js';
import { namedRecord } from '../engine/record-streams.js';
import { evolveRecord, lensKeyPrefixes, partnerLensDocuments, partnerLensScope, partnerLensStreams, recordKeyOf, RecordSet, type RecordDocument } from '../model/record-book.js';
import { defineReadModel, type Viewed } from './define.js';
import { checkPartner, checkPeriod, countedPeriods } from './keys.js';

const handles = [
  'InstituteRegistered', 'InstituteRenamed',
  'PartnerRegistered', 'PartnerRenamed', 'PartnerDetailsCorrected',
  'SessionScheduled', 'SessionRescheduled', 'SessionCancelled', 'SessionHeld', 'AttendanceRecorded', 'ParticipantEnrolled', 'EnrolmentWithdrawn',
  'ParticipantRegistered',
  'StudyVisitPlanned', 'StudyVisitCompleted', 'StudyVisitCancelled',
  'PublicationPrepared', 'PublicationPlanned', 'PublicationPublished',
  'RecordCorrected',
] as const satisfies readonly DomainEventType[];

/**
 * Entries by list (`session`, `meeting`), by list and partner (`session|giz`),
 * by list and period (`session||2018`) and by all three, in date order.
 */
const REGISTER_INDEX = 'register';
type ListName = ActivityRecordType | 'meeting';
const listKey = (list: ListName, partnerId?: string, period?: string) =>
  period === undefined ? (partnerId === undefined ? list : `${list}|${partnerId}`) : `${list}|${partnerId ?? ''}|${period}`;
/** The partner a list key names (`session|giz`, `session|giz|2018`), if any. */
const partnerOfListKey = (key: string): string | undefined => key.split('|')[1] || undefined;
const listed = new Set<ActivityRecordType>(['session', 'study-visit', 'publication']);
/** How many entries each period has: an unknown period is named with the valid ones. */
const PERIODS = 'periods';

/**
 * The registers of sessions, study visits and publications: every entry such a
 * record gives (a session held, planned or cancelled; a visit; a publication
 * prepared, planned, published), in date order, over all partners and per
 * partner. Keeps no personal data: people appear by id, kind and cohort.
 */
export const activityRegisterProjection = defineProjection({
  name: 'activity-register',
  // 2: figures by what they mean (figures.ts); a session not held counts nothing; "several" is at least 2.
  // 3: entries that did not take place (plans, what was cancelled) marked in the index (activityIndexEntries), as the partners' histories.
  version: 3,
  description: 'Every session, study visit and publication, in date order, over all partners and per partner',
  handles,
  initialState: null as RecordDocument,
  keyOf: recordKeyOf,
  evolve: (record: RecordDocument, event) => evolveRecord(record, event, { personalData: false }),
  indexes: (key, record): IndexEntry[] => {
    const { partnerIds, drafts } = recordDrafts(key, record);
    const type = drafts[0]?.record.type;
    if (type === undefined || !listed.has(type)) return [];
    // Meetings (figures.ts) are a list of their own besides the sessions.
    const kind = drafts[0]!.details.sessionKind as SessionKind | undefined;
    const lists: ListName[] = kind !== undefined && sessionKindFigures[kind].held === 'meetings' ? [type, 'meeting'] : [type];
    const partners = [undefined, ...new Set(partnerIds)];
    return lists.flatMap((list) =>
      partners.flatMap((partnerId) => [
        ...activityIndexEntries(REGISTER_INDEX, listKey(list, partnerId), drafts),
        // Each entry also under its period: the ordinal stays the record's, so a page finds its entry.
        ...drafts.flatMap((d, i) => chronologicalEntries(REGISTER_INDEX, listKey(list, partnerId, periodOf(d.on).key), d.on, draftTail(d, i))),
      ]),
    );
  },
  counters: (key, record) => {
    const { drafts } = recordDrafts(key, record);
    const type = drafts[0]?.record.type;
    if (type === undefined || !listed.has(type)) return [];
    const values: Record<string, number> = {};
    for (const d of drafts) values[periodOf(d.on).key] = (values[periodOf(d.on).key] ?? 0) + 1;
    return [{ counters: PERIODS, values }];
  },
});

function registerOf<L extends string>(type: ListName, name: string, list: L, title: string, description: string) {
  const result = z.object({ [list]: z.array(activityEntrySchema), records: pageRecordsSchema } as Record<L, z.ZodArray<typeof activityEntrySchema>> & { records: typeof pageRecordsSchema });
  return defineReadModel({
    name,
    title,
    description,
    projection: activityRegisterProjection,
    params: z
      .object({
        partnerId: slugSchema.optional().meta({ description: 'Only those of this partner' }),
        period: z.string().min(1).max(20).optional().meta({ description: 'Only those of one period: "2018", "2016-2020", "by-2022", "from-2002", "year-unknown"' }),
      })
      .strict(),
    lensScope: (p) => (p.partnerId === undefined ? undefined : partnerLensScope(p.partnerId)),
    // One partner's register (of a period too) is served from the streams that ever named it; the whole register from the stored model and the streams the lens changes.
    documentsByStream: true,
    lensStreams: {
      scope: (p) => (p.partnerId === undefined ? undefined : partnerLensStreams(p.partnerId)),
      index: (index, key) => {
        const partnerId = isChronologicalIndex(index, REGISTER_INDEX) ? partnerOfListKey(key) : undefined;
        return partnerId === undefined ? undefined : namedRecord('partner', partnerId);
      },
      keyPrefixes: lensKeyPrefixes,
      isList: (p, index, key) => index === REGISTER_INDEX && key === listKey(type, p.partnerId, p.period),
      // Every record opens with a dated event (scheduled or held, planned, prepared).
      undatedGiveNoEntries: true,
      documents: (p) => (p.partnerId === undefined ? undefined : partnerLensDocuments(p.partnerId)),
    },
    lensRanges: true,
    result,
    list,
    view: async (model, p, page) => {
      const records = new RecordSet(model as ModelReader<RecordDocument>);
      await checkPartner(model, records, p.partnerId);
      const found = await activityPage(model, records, { index: REGISTER_INDEX, key: listKey(type, p.partnerId, p.period), page }, (entry) => entry);
      // A list with entries is of a period the register counts: only an empty one asks whether the period exists at all (the
      // counters of the whole register, which one partner's streams do not hold: through a lens, that answer is replayed).
      if (p.period !== undefined && found.total === 0) checkPeriod(p.period, await countedPeriods(model, PERIODS));
      return { result: { [list]: found.entries, records: found.records } as Viewed<z.output<typeof result>>['result'], total: found.total };
    },
    notFound: () => `no ${name}`,
  });
}

export const sessionsReadModel = registerOf('session', 'sessions', 'sessions', 'Sessions', 'Every training session and meeting, held, planned or cancelled, in date order');
export const studyVisitsReadModel = registerOf(
  'study-visit',
  'study-visits',
  'studyVisits',
  'Study visits',
  'Every study visit, outgoing or hosted, completed, planned or cancelled, in date order',
);
export const meetingsReadModel = registerOf(
  'meeting',
  'meetings',
  'meetings',
  'Meetings',
  'Every meeting (introductory, preparatory): held, planned or cancelled, in date order; their people attended, they were not trained',
);
export const publicationsReadModel = registerOf(
  'publication',
  'publications',
  'publications',
  'Publications',
  'Every guide, curriculum and module: prepared, planned for publication, published, each in date order',
);
