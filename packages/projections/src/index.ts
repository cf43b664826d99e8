// The engine: define a projection, run it, store it, look at the log through time.
export { defineProjection, stateToJson, type AnyProjection, type EventOfType, type Projection, type ProjectionDefinition } from './engine/projection.js';
export { ProjectionError, isProjectionError, type ProjectionErrorCode } from './engine/errors.js';
export type { CommitChange, GenerationInfo, ReadModelStorage, StoredGeneration } from './engine/storage.js';
export { InMemoryReadModelStorage } from './engine/in-memory-storage.js';
export { ProjectionRunner, replay, type Progress, type RunResult, type RunnerOptions, type RunnerStatus } from './engine/runner.js';
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
export { compareByCompletion, dateView, orderCertainty, periodOf, type DateView, type Period } from './model/dates.js';
export type { CorrectionView, Fact } from './model/facts.js';
export type { NameAtTime, PartnerAtTime } from './model/names.js';
export type { PersonInvolved } from './model/people.js';
export { emptyRecordBook, evolveRecordBook, recordIds, type RecordBook } from './model/record-book.js';
export { tableEntries, tableGet, type Table } from './model/table.js';

// The read models.
export { partnerHistoryProjection, partnerHistoryView, type EntryCounts, type HistoryEntry, type HistoryEntryKind, type PartnerHistory, type PartnerProfile } from './read-models/partner-history.js';
export { agreementsRegisterProjection, agreementsRegisterView, type AgreementEntry, type AgreementParty, type AgreementsRegister } from './read-models/agreements-register.js';
export {
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
  type AnswerSource,
  type QueryError,
  type ReadModelDefinition,
  type ReadModelName,
  type ReadModelSource,
} from './read-models/registry.js';
