// The engine: define a projection, run it, store it, look at the log through time.
export {
  COUNTERS_PREFIX,
  SINGLE_DOCUMENT,
  defineProjection,
  stateToJson,
  type AnyProjection,
  type CounterContribution,
  type EventOfType,
  type IndexEntry,
  type Projection,
  type ProjectionDefinition,
} from './engine/projection.js';
export { ProjectionError, isProjectionError, type ProjectionErrorCode } from './engine/errors.js';
export type { ReadModelFollowerStatus } from './engine/follower-status.js';
export type {
  CommitChange,
  GenerationInfo,
  IndexPosition,
  IndexRange,
  IndexRow,
  KeyRange,
  KeySpan,
  ReadModelStorage,
  StoredDocument,
  StoredIndexEntry,
} from './engine/storage.js';
export { activeGeneration, currentGeneration } from './engine/storage.js';
export { InMemoryReadModelStorage } from './engine/in-memory-storage.js';
export { SealedReadModelStorage, sealPersonalData } from './engine/sealed-storage.js';
export {
  GENERATION_COLUMNS,
  StorageGuard,
  callDescriptions,
  concurrentRunner,
  generationInfo,
  generationMissing,
  prefixEnd,
  type GenerationRow,
} from './engine/storage-support.js';
export { exportActiveModel, exportModel, storedModel, type ModelIndexEntry, type ModelReader, type ReadModelReads } from './engine/model-reader.js';
export { auditStoredModel, type ModelAudit } from './engine/model-audit.js';
export { rebuildModelsHoldingPersonalData } from './engine/personal-data-purge.js';
export { recordStreamsProjection, recordsNamedIn, namedRecord, NAMED_IN_INDEX, type StreamEntry } from './engine/record-streams.js';
export { type LensStreams } from './engine/lens-from-streams.js';
export { HEAP_MARGIN_BYTES, HeapBound, nodeHeap, type Heap } from './engine/heap-bound.js';
export { ProjectionRunner, foldInMemory, replay, type Progress, type RunResult, type RunnerOptions, type RunnerStatus } from './engine/runner.js';
export { decodingInProcess, type DecodedLogRequest, type DecodingLogReader } from './engine/decoded-log.js';
export {
  LensFilter,
  collectCorrections,
  correctedBusinessDate,
  replayThroughLens,
  lensReportSchema,
  notCountedEventSchema,
  resolveLens,
  type CorrectionChanges,
  type LensReport,
  type NotCountedEvent,
  type LensScope,
  type ResolvedLens,
  type TimeLens,
} from './engine/temporal.js';
export { widenCounts } from './read-models/lens-ranges.js';

// The shared model the read models derive their answers from.
export { atLeast, between, countGapSchema, countSchema, exactly, gapReasonSchema, sumCounts, upperBound, type Count, type CountGap, type GapReason } from './model/counts.js';
export { compareByCompletion, completionSortKey, dateView, dateViewSchema, orderCertainty, periodOf, periodSchema, type DateView, type Period } from './model/dates.js';
export { correctionViewSchema, type CorrectionView, type Fact } from './model/facts.js';
export { nameAtTimeSchema, partnerAtTimeSchema, type NameAtTime, type PartnerAtTime } from './model/names.js';
export {
  emptyPageRecords,
  instituteNameOfRef,
  nameOfRef,
  nameRefSchema,
  pageRecordsSchema,
  PageRecordsMerger,
  partnerOfRef,
  partnerRefSchema,
  type NameRef,
  type PageRecords,
  type PartnerRef,
} from './model/page-records.js';
export { peopleByRoleSchema, peopleOfEntry, peopleOfPage, peopleOnPageSchema, personInvolvedSchema, type PeopleByRole, type PeopleOnPage, type PersonInvolved, type PersonOnPage } from './model/people.js';
export { extremes, type Extreme, type Page } from './model/ordered.js';
export {
  evolveRecord,
  partnerLensScope,
  recordIds,
  recordIdsPage,
  recordKey,
  recordKeyOf,
  recordOfStream,
  type AgreementRecord,
  type InstituteRecord,
  type ParticipantRecord,
  type PartnerRecord,
  type ProgrammeRecord,
  type PublicationRecord,
  type RecordDocument,
  type Section,
  type SessionRecord,
  type VisitRecord,
} from './model/record-book.js';

// The read models.
export {
  HISTORY_INDEX,
  partnerHistoryPage,
  partnerHistoryProjection,
  partnerHistoryReadModel,
  partnerHistorySchema,
  partnerHistoryView,
  partnerProfile,
  partnersReadModel,
  partnerSummarySchema,
  historyEntrySchema,
  partnerProfileSchema,
  type HistoryEntry,
  type PartnerHistory,
  type PartnerProfile,
  type PartnerSummary,
} from './read-models/partner-history.js';
export {
  activityEntrySchema,
  activityKindSchema,
  entryCountsSchema,
  type ActivityEntry,
  type ActivityKind,
  type ActivityKind as HistoryEntryKind,
  type EntryCounts,
} from './model/activities.js';
export {
  agreementsRegisterPage,
  agreementsRegisterProjection,
  agreementsRegisterReadModel,
  agreementsRegisterSchema,
  agreementsRegisterView,
  type AgreementEntry,
  type AgreementParty,
  type AgreementsRegister,
} from './read-models/agreements-register.js';
export {
  DEFAULT_LINES,
  DEFAULT_PARTNERS,
  lineCountsSchema,
  MAX_LINES,
  MAX_PARTNERS,
  TOTAL_GAPS,
  yearlyActivityReportPage,
  yearlyActivityReportProjection,
  yearlyActivityReportReadModel,
  yearlyActivityReportSchema,
  yearlyActivityReportView,
  type ActivityFigures,
  type LineCounts,
  type LineWindow,
  type PartnerWindow,
  type PeriodReport,
  type ReportedPublication,
  type ReportedSession,
  type ReportedVisit,
  type YearlyActivityReport,
} from './read-models/yearly-report.js';
export {
  participantRecordProjection,
  participantRecordReadModel,
  participantRecordView,
  participantRecordViewSchema,
  participantsReadModel,
  type ParticipantRecordView,
} from './read-models/participant-record.js';
export { activityRegisterProjection, publicationsReadModel, sessionsReadModel, studyVisitsReadModel } from './read-models/activity-register.js';
export {
  auditTrailOf,
  auditTrailParams,
  auditTrailReadModel,
  auditTrailSchema,
  recordTypes,
  type AuditEntry,
  type AuditTrail,
  type AuditTrailParams,
  type RecordType,
} from './read-models/audit-trail.js';

// The read side: one query service for every read model.
export {
  defineLogReadModel,
  defineReadModel,
  projectionsOf,
  readModelOfProjection,
  type AnyReadModel,
  type LogReadModel,
  type ParamsOf,
  type ProjectedReadModel,
  type ReadModel,
  type ResultOf,
  type Viewed,
} from './read-models/define.js';
export { answerPageSchema, answerSchemaOf, answerSourceSchema, storedStamp, storedStampOf, type Answer, type AnswerPage, type AnswerSource } from './read-models/answer.js';
export { answerComparisonSchema, compareResults, differences, identityOf, type AnswerComparison } from './read-models/compare.js';
export { QueryService, type QueryError, type QueryOptions, type QueryServiceOptions, type ReadModelInfo, type ReadModelSource, type ReplayGate } from './read-models/query-service.js';
export { answerPages, type AnswerPagesOptions, type PagedAnswer } from './read-models/answer-pages.js';
export {
  builtInReadModels,
  isReadModelName,
  projections,
  queryAgreementsRegister,
  queryAuditTrail,
  queryParticipantRecord,
  queryParticipants,
  queryPartnerHistory,
  queryPartners,
  queryPublications,
  queryReadModel,
  querySessions,
  queryService,
  queryStudyVisits,
  queryMeetings,
  queryPublicationStatus,
  queryYearlyActivityReport,
  readModels,
  type ReadModelName,
} from './read-models/built-in.js';


// Read models as relational tables, for report tools: their columns and rows (a storage lays them out and writes the rows).
export {
  column,
  commented,
  nullable,
  table,
  unique,
  type Column,
  type ColumnType,
  type ColumnValue,
  type Columns,
  type RowOf,
  type TableDescription,
  type TableRow,
  type ValueOfType,
} from './tables/columns.js';
export {
  countColumns,
  countRow,
  multilingualColumns,
  multilingualRow,
  nameAtTimeColumns,
  nameAtTimeRow,
  partialDateColumns,
  partialDateRow,
  yearColumns,
  yearRow,
} from './tables/values.js';
export { allRows, defineReadModelTables, unitPerRecord, wholeModel, type AnyReadModelTables, type ReadModelTables, type RowsOf } from './tables/read-model-tables.js';
export { changesOf, rowsToWrite, rowsToWriteInBatches, type Dependencies, type ModelChanges, type RowsToWrite, type RowsToWriteInBatches, type TablesShown } from './tables/rows-to-write.js';
export { agreementsRegisterTables, participantRecordTables, partnerHistoryTables, readModelTableNames, readModelTables, yearlyActivityReportTables } from './tables/index.js';
