import { slugSchema, type EventStore, type Result } from '@taawun/domain';
import { z } from 'zod';
import { isProjectionError } from '../engine/errors.js';
import { storedModel, type ModelReader } from '../engine/model-reader.js';
import type { AnyProjection } from '../engine/projection.js';
import { replay } from '../engine/runner.js';
import { activeGeneration, currentGeneration, type ReadModelStorage } from '../engine/storage.js';
import { replayThroughLens, resolveLens, type LensReport, type TimeLens } from '../engine/temporal.js';
import type { Page } from '../model/ordered.js';
import { agreementsRegisterPage, agreementsRegisterProjection, type AgreementsRegister } from './agreements-register.js';
import { auditTrailOf, auditTrailParams, type AuditTrail, type AuditTrailParams } from './audit-trail.js';
import { participantRecordProjection, participantRecordView, type ParticipantRecordView } from './participant-record.js';
import { partnerHistoryPage, partnerHistoryProjection, type PartnerHistory } from './partner-history.js';
import { yearlyActivityReportPage, yearlyActivityReportProjection, type YearlyActivityReport } from './yearly-report.js';

/** Where queries read from: the log, and the stored read models when there are any. */
export interface ReadModelSource {
  readonly store: EventStore;
  /** Without it (or when a model is not built at this version) the log is replayed in memory. */
  readonly storage?: ReadModelStorage;
}

export interface QueryError {
  readonly code: 'invalid-query' | 'not-found' | 'unknown-read-model';
  readonly message: string;
  readonly fields?: readonly string[];
}

/** Where an answer came from. */
export type AnswerSource =
  | { readonly kind: 'stored'; readonly generation: number; readonly position: string | null }
  | { readonly kind: 'replayed'; readonly reason: string; readonly position: string | null }
  | { readonly kind: 'log'; readonly position: string | null };

/** Which page of the answer's main list (`list`) was given, out of how many items. */
export interface AnswerPage {
  readonly list: string;
  readonly offset: number;
  readonly limit: number;
  readonly total: number;
  /** Offset of the next page; null on the last. */
  readonly nextOffset: number | null;
}

/** Every answer: the read model, the time lens and what it left out, where it came from, and the result. */
export interface Answer<R> {
  readonly readModel: string;
  readonly version: number | null;
  readonly asOf: string | null;
  readonly asKnownOn: string | null;
  /** With a time lens: what it did not count, and why. */
  readonly lens: LensReport | null;
  readonly source: AnswerSource;
  /** When a page was asked for: which part of the main list `result` holds. */
  readonly page: AnswerPage | null;
  readonly result: R;
}

/** A view's answer: the result and, when it paged its main list itself, how long the whole list is. */
interface Viewed<R> {
  readonly result: R;
  readonly total?: number;
}

interface ProjectedReadModel<P extends z.ZodType, R> {
  readonly kind: 'projected';
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly params: P;
  /** The main list of the result, which a page applies to. */
  readonly list: string;
  readonly projection: AnyProjection;
  /** The answer from a model; `page` is honoured natively when it gives `total`, else the list is sliced. */
  view(model: ModelReader, params: z.output<P>, page: Page): Promise<Viewed<R> | undefined>;
  notFound(params: z.output<P>): string;
}

interface LogReadModel<P extends z.ZodType, R> {
  readonly kind: 'log';
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly params: P;
  readonly list: string;
  run(store: EventStore, params: z.output<P>, lens: TimeLens): Promise<{ result: R; lens: LensReport | null }>;
}

export type ReadModelDefinition = ProjectedReadModel<z.ZodType, unknown> | LogReadModel<z.ZodType, unknown>;

const projected = <P extends z.ZodType, R>(definition: Omit<ProjectedReadModel<P, R>, 'kind'>): ProjectedReadModel<P, R> => ({ kind: 'projected', ...definition });

/**
 * Every read model, by name: what the CLI and the HTTP adapter list and serve.
 * `params` is the zod schema of each one's parameters (for validation and OpenAPI).
 */
export const readModels = {
  'partner-history': projected({
    name: 'partner-history',
    title: 'Per-partner history',
    description: partnerHistoryProjection.description!,
    params: z.object({ partnerId: slugSchema.meta({ description: 'The partner, e.g. "enm-france"' }) }).strict(),
    list: 'entries',
    projection: partnerHistoryProjection,
    view: async (model, p, page): Promise<Viewed<PartnerHistory> | undefined> => {
      const found = await partnerHistoryPage(model, p.partnerId, page);
      return found && { result: found.history, total: found.total };
    },
    notFound: (p) => `partner ${p.partnerId} is not in the record`,
  }),
  'agreements-register': projected({
    name: 'agreements-register',
    title: 'Agreements register',
    description: agreementsRegisterProjection.description!,
    params: z.object({ partnerId: slugSchema.optional().meta({ description: 'Only the agreements of this partner' }) }).strict(),
    list: 'agreements',
    projection: agreementsRegisterProjection,
    view: async (model, p, page): Promise<Viewed<AgreementsRegister>> => {
      const { register, total } = await agreementsRegisterPage(model, p, page);
      return { result: register, total };
    },
    notFound: () => 'no agreement',
  }),
  'yearly-activity-report': projected({
    name: 'yearly-activity-report',
    title: 'Yearly activity report',
    description: yearlyActivityReportProjection.description!,
    params: z
      .object({ period: z.string().min(1).optional().meta({ description: 'Only one period: "2018", "2016-2020", "by-2022", "from-2002", "year-unknown"' }) })
      .strict(),
    list: 'periods',
    projection: yearlyActivityReportProjection,
    view: async (model, p, page): Promise<Viewed<YearlyActivityReport>> => {
      const { report, total } = await yearlyActivityReportPage(model, p, page);
      return { result: report, total };
    },
    notFound: () => 'no activity',
  }),
  'participant-record': projected({
    name: 'participant-record',
    title: 'Participant record',
    description: participantRecordProjection.description!,
    params: z.object({ participantId: slugSchema.meta({ description: 'The participant\'s opaque id' }) }).strict(),
    list: 'sessions',
    projection: participantRecordProjection,
    view: async (model, p): Promise<Viewed<ParticipantRecordView> | undefined> => {
      const found = await participantRecordView(model, p.participantId);
      return found && { result: found };
    },
    notFound: (p) => `participant ${p.participantId} is not registered`,
  }),
  'audit-trail': {
    kind: 'log',
    name: 'audit-trail',
    title: 'Audit trail',
    description: 'The full history of one record: every event, who recorded it and when, its business date, source and reason, corrections beside what they correct',
    params: auditTrailParams,
    list: 'events',
    run: async (store: EventStore, p: z.output<typeof auditTrailParams>, lens: TimeLens) => {
      const { trail, lens: report } = await auditTrailOf(store, p, lens);
      return { result: trail, lens: report };
    },
  } satisfies LogReadModel<typeof auditTrailParams, AuditTrail>,
} as const;

export type ReadModelName = keyof typeof readModels;

/** The projections behind the read models, for runners (`taawun replay`, a server's live followers). */
export const projections = {
  [partnerHistoryProjection.name]: partnerHistoryProjection,
  [agreementsRegisterProjection.name]: agreementsRegisterProjection,
  [yearlyActivityReportProjection.name]: yearlyActivityReportProjection,
  [participantRecordProjection.name]: participantRecordProjection,
} as const satisfies Record<string, AnyProjection>;

export const isReadModelName = (name: string): name is ReadModelName => Object.hasOwn(readModels, name);

/** The model to answer from: the stored one when it is current and no lens applies, else a replay. */
async function modelFor(source: ReadModelSource, projection: AnyProjection, lens: TimeLens): Promise<{ model: ModelReader; report: LensReport | null; source: AnswerSource }> {
  const resolved = resolveLens(lens);
  const position = (await source.store.lastPosition())?.toString() ?? null;
  if (resolved.asOf !== undefined || resolved.asKnownOn !== undefined) {
    const { model, report } = await replayThroughLens(source.store, projection, lens);
    return { model, report, source: { kind: 'replayed', reason: 'a time lens replays the log', position } };
  }
  let reason = 'no read-model storage given';
  if (source.storage) {
    const current = await currentGeneration(source.storage, projection);
    if (current) return { model: storedModel(source.storage, projection, current), report: null, source: storedSource(current.generation, current.position) };
    const active = await activeGeneration(source.storage, projection.name);
    reason = active ? `the stored model is version ${active.version}; this code reads version ${projection.version}` : 'the model is not built yet';
  }
  return { model: await replay(source.store, projection), report: null, source: { kind: 'replayed', reason, position } };
}

/** The stored generation still at the position a query started from (else the query is asked again). */
async function unchanged(storage: ReadModelStorage | undefined, model: ModelReader): Promise<boolean> {
  if (!storage || !model.info || model.info.status !== 'active') return true;
  const now = await activeGeneration(storage, model.projection.name);
  return now !== undefined && now.generation === model.info.generation && now.position === model.info.position;
}

const pageOf = <R>(result: R, list: string, offset: number, limit: number | undefined, total: number | undefined) => {
  const items = (result as Record<string, unknown>)[list];
  const all = Array.isArray(items) ? items : [];
  const count = total ?? all.length;
  const sliced = total === undefined ? all.slice(offset, limit === undefined ? undefined : offset + limit) : all;
  const shownLimit = limit ?? Math.max(0, count - offset);
  return {
    result: (total === undefined ? { ...(result as Record<string, unknown>), [list]: sliced } : result) as R,
    page: { list, offset, limit: shownLimit, total: count, nextOffset: offset + shownLimit < count ? offset + shownLimit : null },
  };
};

const storedSource = (generation: number, position: bigint | undefined): AnswerSource => ({ kind: 'stored', generation, position: position?.toString() ?? null });

/**
 * Answer a query on a read model by name, with an optional time lens. Invalid
 * parameters, an unknown name or record are values; store and storage failures throw.
 */
export async function queryReadModel(
  source: ReadModelSource,
  name: string,
  params: unknown = {},
  lens: TimeLens = {},
  page?: Page,
): Promise<Result<Answer<unknown>, QueryError>> {
  if (!isReadModelName(name)) {
    return { ok: false, error: { code: 'unknown-read-model', message: `no read model ${name}; there are: ${Object.keys(readModels).join(', ')}` } };
  }
  const model: ReadModelDefinition = readModels[name];
  const parsed = model.params.safeParse(params ?? {});
  if (!parsed.success) {
    return {
      ok: false,
      error: {
        code: 'invalid-query',
        message: parsed.error.issues.map((i) => `${i.path.join('.') || '(parameters)'}: ${i.message}`).join('; '),
        fields: [...new Set(parsed.error.issues.map((i) => i.path.join('.')))],
      },
    };
  }
  try {
    const resolved = resolveLens(lens);
    const frame = { readModel: name, asOf: resolved.asOf ?? null, asKnownOn: resolved.asKnownOn ?? null };
    const offset = Math.max(0, Math.trunc(page?.offset ?? 0));
    const limit = page?.limit === undefined ? undefined : Math.max(0, Math.trunc(page.limit));
    const paged = <R>(result: R, total?: number) => (page ? pageOf(result, model.list, offset, limit, total) : { result, page: null });
    if (model.kind === 'log') {
      const { result, lens: report } = await model.run(source.store, parsed.data, lens);
      return { ok: true, value: { ...frame, version: null, lens: report, source: { kind: 'log', position: (await source.store.lastPosition())?.toString() ?? null }, ...paged(result) } };
    }
    // A stored model read while a runner commits is read again: every answer comes from one commit.
    for (let attempt = 1; ; attempt++) {
      const { model: read, report, source: from } = await modelFor(source, model.projection, lens);
      try {
        const viewed = await model.view(read, parsed.data, { offset, ...(limit === undefined ? {} : { limit }) });
        if (attempt < 5 && !(await unchanged(source.storage, read))) continue;
        if (viewed === undefined) return { ok: false, error: { code: 'not-found', message: model.notFound(parsed.data) } };
        return { ok: true, value: { ...frame, version: model.projection.version, lens: report, source: from, ...paged(viewed.result, viewed.total) } };
      } catch (e) {
        if (attempt < 5 && isProjectionError(e) && (e.code === 'model-changed' || e.code === 'generation-missing')) continue;
        throw e;
      }
    }
  } catch (e) {
    if (isProjectionError(e) && e.code === 'invalid-query') return { ok: false, error: { code: 'invalid-query', message: e.message, fields: [e.message.split(':')[0]!] } };
    if (e instanceof z.ZodError) return { ok: false, error: { code: 'invalid-query', message: e.message } };
    throw e;
  }
}

type Query<P, R> = (source: ReadModelSource, params: P, lens?: TimeLens, page?: Page) => Promise<Result<Answer<R>, QueryError>>;
const typed =
  <P, R>(name: ReadModelName): Query<P, R> =>
  (source, params, lens, page) =>
    queryReadModel(source, name, params, lens, page) as Promise<Result<Answer<R>, QueryError>>;

export const queryPartnerHistory: Query<{ partnerId: string }, PartnerHistory> = typed('partner-history');
export const queryAgreementsRegister: Query<{ partnerId?: string }, AgreementsRegister> = typed('agreements-register');
export const queryYearlyActivityReport: Query<{ period?: string }, YearlyActivityReport> = typed('yearly-activity-report');
export const queryParticipantRecord: Query<{ participantId: string }, ParticipantRecordView> = typed('participant-record');
export const queryAuditTrail: Query<AuditTrailParams, AuditTrail> = typed('audit-trail');
