import type { Result } from '@taawun/domain';
import type { AnyProjection } from '../engine/projection.js';
import type { TimeLens } from '../engine/temporal.js';
import type { Page } from '../model/ordered.js';
import { meetingsReadModel, publicationsReadModel, sessionsReadModel, studyVisitsReadModel } from './activity-register.js';
import { agreementsRegisterReadModel } from './agreements-register.js';
import type { Answer } from './answer.js';
import { auditTrailReadModel } from './audit-trail.js';
import { publicationStatusReadModel } from './publication-status.js';
import { projectionsOf, type AnyReadModel, type ParamsOf, type ResultOf } from './define.js';
import { participantRecordReadModel, participantsReadModel } from './participant-record.js';
import { partnerHistoryReadModel, partnersReadModel } from './partner-history.js';
import { QueryService, type QueryError, type QueryServiceOptions, type ReadModelSource } from './query-service.js';
import { yearlyActivityReportReadModel } from './yearly-report.js';

/** The read models taawun answers out of the box, in the order listings show them. */
export const builtInReadModels = [
  partnersReadModel,
  partnerHistoryReadModel,
  agreementsRegisterReadModel,
  yearlyActivityReportReadModel,
  sessionsReadModel,
  meetingsReadModel,
  studyVisitsReadModel,
  publicationsReadModel,
  publicationStatusReadModel,
  participantsReadModel,
  participantRecordReadModel,
  auditTrailReadModel,
] as const satisfies readonly AnyReadModel[];

export type ReadModelName = (typeof builtInReadModels)[number]['name'];

/** The built-in read models by name. */
export const readModels = Object.fromEntries(builtInReadModels.map((m) => [m.name, m])) as { readonly [N in ReadModelName]: Extract<(typeof builtInReadModels)[number], { name: N }> };

export const isReadModelName = (name: string): name is ReadModelName => Object.hasOwn(readModels, name);

/** The query service over the built-in read models, with the user's own after them. */
export const queryService = (source: ReadModelSource, extra: readonly AnyReadModel[] = [], options: QueryServiceOptions = {}): QueryService =>
  new QueryService(source, [...builtInReadModels, ...extra], options);

/** The projections behind the built-in read models, by name: what runners build (`taawun replay`, a server's followers). */
export const projections: Readonly<Record<string, AnyProjection>> = Object.fromEntries(projectionsOf(builtInReadModels).map((p) => [p.name, p]));

type Query<M extends AnyReadModel> = (source: ReadModelSource, params: ParamsOf<M>, lens?: TimeLens, page?: Page) => Promise<Result<Answer<ResultOf<M>>, QueryError>>;
const typed =
  <M extends AnyReadModel>(model: M): Query<M> =>
  (source, params, lens, page) =>
    queryService(source).query(model, params, { ...(lens ? { lens } : {}), ...(page ? { page } : {}) });

/** Answer a built-in read model by name (see `QueryService.query`). */
export const queryReadModel = (source: ReadModelSource, name: string, params: unknown = {}, lens: TimeLens = {}, page?: Page): Promise<Result<Answer<unknown>, QueryError>> =>
  queryService(source).query(name, params, { lens, ...(page ? { page } : {}) });

export const queryPartnerHistory = typed(partnerHistoryReadModel);
export const queryPartners = typed(partnersReadModel);
export const queryAgreementsRegister = typed(agreementsRegisterReadModel);
export const queryYearlyActivityReport = typed(yearlyActivityReportReadModel);
export const querySessions = typed(sessionsReadModel);
export const queryStudyVisits = typed(studyVisitsReadModel);
export const queryMeetings = typed(meetingsReadModel);
export const queryPublicationStatus = typed(publicationStatusReadModel);
export const queryPublications = typed(publicationsReadModel);
export const queryParticipants = typed(participantsReadModel);
export const queryParticipantRecord = typed(participantRecordReadModel);
export const queryAuditTrail = typed(auditTrailReadModel);
