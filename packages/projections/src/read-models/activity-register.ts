import { slugSchema, type DomainEventType } from '@taawun/domain';
import { z } from 'zod';
import type { ModelReader } from '../engine/model-reader.js';
import { defineProjection, type IndexEntry } from '../engine/projection.js';
import { activityEntrySchema, activityIndexEntries, activityPage, recordDrafts, type ActivityRecordType } from '../model/activities.js';
import { evolveRecord, partnerLensScope, recordKeyOf, RecordSet, type RecordDocument } from '../model/record-book.js';
import { defineReadModel, type Viewed } from './define.js';

const handles = [
  'InstituteRegistered', 'InstituteRenamed',
  'PartnerRegistered', 'PartnerRenamed', 'PartnerDetailsCorrected',
  'SessionScheduled', 'SessionRescheduled', 'SessionCancelled', 'SessionHeld', 'AttendanceRecorded', 'ParticipantEnrolled', 'EnrolmentWithdrawn',
  'ParticipantRegistered',
  'StudyVisitPlanned', 'StudyVisitCompleted', 'StudyVisitCancelled',
  'PublicationPrepared', 'PublicationPlanned', 'PublicationPublished',
  'RecordCorrected',
] as const satisfies readonly DomainEventType[];

/** Entries by record type (`session`), and by record type and partner (`session|giz`), in date order. */
const REGISTER_INDEX = 'register';
const listKey = (type: ActivityRecordType, partnerId?: string) => (partnerId === undefined ? type : `${type}|${partnerId}`);
const listed = new Set<ActivityRecordType>(['session', 'study-visit', 'publication']);

/**
 * The registers of sessions, study visits and publications: every entry such a
 * record gives (a session held, planned or cancelled; a visit; a publication
 * prepared, planned, published), in date order, over all partners and per
 * partner. Keeps no personal data: people appear by id, kind and cohort.
 */
export const activityRegisterProjection = defineProjection({
  name: 'activity-register',
  version: 2,
  description: 'Every session, study visit and publication, in date order, over all partners and per partner',
  handles,
  initialState: null as RecordDocument,
  keyOf: recordKeyOf,
  evolve: (record: RecordDocument, event) => evolveRecord(record, event, { personalData: false }),
  indexes: (key, record): IndexEntry[] => {
    const { partnerIds, drafts } = recordDrafts(key, record);
    const type = drafts[0]?.record.type;
    if (type === undefined || !listed.has(type)) return [];
    return [undefined, ...new Set(partnerIds)].flatMap((partnerId) => activityIndexEntries(REGISTER_INDEX, listKey(type, partnerId), drafts));
  },
});

function registerOf<L extends string>(type: ActivityRecordType, name: string, list: L, title: string, description: string) {
  const result = z.object({ [list]: z.array(activityEntrySchema) } as Record<L, z.ZodArray<typeof activityEntrySchema>>);
  return defineReadModel({
    name,
    title,
    description,
    projection: activityRegisterProjection,
    params: z.object({ partnerId: slugSchema.optional().meta({ description: 'Only those of this partner' }) }).strict(),
    lensScope: (p) => (p.partnerId === undefined ? undefined : partnerLensScope(p.partnerId)),
    lensRanges: true,
    result,
    list,
    view: async (model, p, page) => {
      const records = new RecordSet(model as ModelReader<RecordDocument>);
      const found = await activityPage(model, records, { index: REGISTER_INDEX, key: listKey(type, p.partnerId), page }, (entry) => entry);
      return { result: { [list]: found.entries } as Viewed<z.output<typeof result>>['result'], total: found.total };
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
export const publicationsReadModel = registerOf(
  'publication',
  'publications',
  'publications',
  'Publications',
  'Every guide, curriculum and module: prepared, planned for publication, published, each in date order',
);
