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
export type {
  CommitChange,
  GenerationInfo,
  IndexPosition,
  IndexRange,
  IndexRow,
  KeyRange,
  ReadModelStorage,
  StoredDocument,
  StoredIndexEntry,
} from './engine/storage.js';
export { activeGeneration, currentGeneration } from './engine/storage.js';
export { InMemoryReadModelStorage } from './engine/in-memory-storage.js';
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
export { ProjectionRunner, foldInMemory, replay, type Progress, type RunResult, type RunnerOptions, type RunnerStatus } from './engine/runner.js';
export {
  LensFilter,
  collectCorrections,
  correctedBusinessDate,
  replayThroughLens,
  resolveLens,
  type CorrectionChanges,
  type LensReport,
  type NotCountedEvent,
  type ResolvedLens,
  type TimeLens,
} from './engine/temporal.js';

// The shared model the read models derive their answers from.
export type { Count, CountGap, GapReason } from './model/counts.js';
export { compareByCompletion, completionSortKey, dateView, orderCertainty, periodOf, type DateView, type Period } from './model/dates.js';
export type { CorrectionView, Fact } from './model/facts.js';
export type { NameAtTime, PartnerAtTime } from './model/names.js';
export type { PersonInvolved } from './model/people.js';
export type { Page } from './model/ordered.js';
export {
  evolveRecord,
  recordIds,
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
export { partnerHistoryPage, partnerHistoryProjection, partnerHistoryView, type EntryCounts, type HistoryEntry, type HistoryEntryKind, type PartnerHistory, type PartnerProfile } from './read-models/partner-history.js';
export { agreementsRegisterPage, agreementsRegisterProjection, agreementsRegisterView, type AgreementEntry, type AgreementParty, type AgreementsRegister } from './read-models/agreements-register.js';
export {
  yearlyActivityReportPage,
  yearlyActivityReportProjection,
  yearlyActivityReportView,
  type ActivityFigures,
  type PeriodReport,
  type ReportedPublication,
  type ReportedSession,
  type ReportedVisit,
  type YearlyActivityReport,
} from './read-models/yearly-report.js';
export { participantRecordProjection, participantRecordView, type ParticipantRecordView } from './read-models/participant-record.js';
export { auditTrailOf, auditTrailParams, recordTypes, type AuditEntry, type AuditTrail, type AuditTrailParams, type RecordType } from './read-models/audit-trail.js';
export {
  isReadModelName,
  projections,
  queryAgreementsRegister,
  queryAuditTrail,
  queryParticipantRecord,
  queryPartnerHistory,
  queryReadModel,
  queryYearlyActivityReport,
  readModels,
  type Answer,
  type AnswerPage,
  type AnswerSource,
  type QueryError,
  type ReadModelDefinition,
  type ReadModelName,
  type ReadModelSource,
} from './read-models/registry.js';

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
export { changesOf, rowsToWrite, type Dependencies, type ModelChanges, type RowsToWrite, type TablesShown } from './tables/rows-to-write.js';
export { agreementsRegisterTables, participantRecordTables, partnerHistoryTables, readModelTableNames, readModelTables, yearlyActivityReportTables } from './tables/index.js';
