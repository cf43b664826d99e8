import { slugSchema, type EventStore, type Result } from '@taawun/domain';
import { z } from 'zod';
import { isProjectionError } from '../engine/errors.js';
import type { AnyProjection } from '../engine/projection.js';
import { replay } from '../engine/runner.js';
import type { ReadModelStorage } from '../engine/storage.js';
import { replayThroughLens, resolveLens, type LensReport, type TimeLens } from '../engine/temporal.js';
import type { RecordBook } from '../model/record-book.js';
import { agreementsRegisterProjection, agreementsRegisterView, type AgreementsRegister } from './agreements-register.js';
import { auditTrailOf, auditTrailParams, type AuditTrail, type AuditTrailParams } from './audit-trail.js';
import { participantRecordProjection, participantRecordView, type ParticipantRecordView } from './participant-record.js';
import { partnerHistoryProjection, partnerHistoryView, type PartnerHistory } from './partner-history.js';
import { yearlyActivityReportProjection, yearlyActivityReportView, type YearlyActivityReport } from './yearly-report.js';

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

/** Every answer: the read model, the time lens and what it left out, where it came from, and the result. */
export interface Answer<R> {
  readonly readModel: string;
  readonly version: number | null;
  readonly asOf: string | null;
  readonly asKnownOn: string | null;
  /** With a time lens: what it did not count, and why. */
  readonly lens: LensReport | null;
  readonly source: AnswerSource;
  readonly result: R;
}

interface ProjectedReadModel<P extends z.ZodType, R> {
  readonly kind: 'projected';
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly params: P;
  readonly projection: AnyProjection;
  view(book: RecordBook, params: z.output<P>): R | undefined;
  notFound(params: z.output<P>): string;
}

interface LogReadModel<P extends z.ZodType, R> {
  readonly kind: 'log';
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly params: P;
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
    projection: partnerHistoryProjection,
    view: (book, p): PartnerHistory | undefined => partnerHistoryView(book, p.partnerId),
    notFound: (p) => `partner ${p.partnerId} is not in the record`,
  }),
  'agreements-register': projected({
    name: 'agreements-register',
    title: 'Agreements register',
    description: agreementsRegisterProjection.description!,
    params: z.object({ partnerId: slugSchema.optional().meta({ description: 'Only the agreements of this partner' }) }).strict(),
    projection: agreementsRegisterProjection,
    view: (book, p): AgreementsRegister => agreementsRegisterView(book, p),
    notFound: () => 'no agreement',
  }),
  'yearly-activity-report': projected({
    name: 'yearly-activity-report',
    title: 'Yearly activity report',
    description: yearlyActivityReportProjection.description!,
    params: z
      .object({ period: z.string().min(1).optional().meta({ description: 'Only one period: "2018", "2016-2020", "by-2022", "from-2002", "year-unknown"' }) })
      .strict(),
    projection: yearlyActivityReportProjection,
    view: (book, p): YearlyActivityReport => yearlyActivityReportView(book, p),
    notFound: () => 'no activity',
  }),
  'participant-record': projected({
    name: 'participant-record',
    title: 'Participant record',
    description: participantRecordProjection.description!,
    params: z.object({ participantId: slugSchema.meta({ description: 'The participant\'s opaque id' }) }).strict(),
    projection: participantRecordProjection,
    view: (book, p): ParticipantRecordView | undefined => participantRecordView(book, p.participantId),
    notFound: (p) => `participant ${p.participantId} is not registered`,
  }),
  'audit-trail': {
    kind: 'log',
    name: 'audit-trail',
    title: 'Audit trail',
    description: 'The full history of one record: every event, who recorded it and when, its business date, source and reason, corrections beside what they correct',
    params: auditTrailParams,
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

const parsedStates = new WeakMap<ReadModelStorage, Map<string, { generation: number; position: bigint | undefined; state: unknown }>>();

/** The state to answer from: the stored model when it is current and no lens applies, else a replay. */
async function stateFor(source: ReadModelSource, projection: AnyProjection, lens: TimeLens) {
  const resolved = resolveLens(lens);
  const position = (await source.store.lastPosition())?.toString() ?? null;
  if (resolved.asOf !== undefined || resolved.asKnownOn !== undefined) {
    const { state, report } = await replayThroughLens(source.store, projection, lens);
    return { state, report, source: { kind: 'replayed', reason: 'a time lens replays the log', position } as AnswerSource };
  }
  let reason = 'no read-model storage given';
  if (source.storage) {
    const active = (await source.storage.generations(projection.name)).find((g) => g.status === 'active');
    if (active?.version === projection.version) {
      const cache = parsedStates.get(source.storage) ?? new Map();
      parsedStates.set(source.storage, cache);
      const cached = cache.get(projection.name);
      if (cached && cached.generation === active.generation && cached.position === active.position) {
        return { state: cached.state, report: null, source: storedSource(active.generation, active.position) };
      }
      const loaded = await source.storage.load(projection.name, active.generation);
      if (loaded) {
        const state: unknown = JSON.parse(loaded.state);
        cache.set(projection.name, { generation: active.generation, position: loaded.info.position, state });
        return { state, report: null, source: storedSource(active.generation, loaded.info.position) };
      }
    }
    reason = active ? `the stored model is version ${active.version}; this code reads version ${projection.version}` : 'the model is not built yet';
  }
  return { state: await replay(source.store, projection), report: null, source: { kind: 'replayed', reason, position } as AnswerSource };
}

const storedSource = (generation: number, position: bigint | undefined): AnswerSource => ({ kind: 'stored', generation, position: position?.toString() ?? null });

/**
 * Answer a query on a read model by name, with an optional time lens. Invalid
 * parameters, an unknown name or record are values; store and storage failures throw.
 */
export async function queryReadModel(source: ReadModelSource, name: string, params: unknown = {}, lens: TimeLens = {}): Promise<Result<Answer<unknown>, QueryError>> {
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
    if (model.kind === 'log') {
      const { result, lens: report } = await model.run(source.store, parsed.data, lens);
      return { ok: true, value: { ...frame, version: null, lens: report, source: { kind: 'log', position: (await source.store.lastPosition())?.toString() ?? null }, result } };
    }
    const { state, report, source: from } = await stateFor(source, model.projection, lens);
    const result = model.view(state as RecordBook, parsed.data);
    if (result === undefined) return { ok: false, error: { code: 'not-found', message: model.notFound(parsed.data) } };
    return { ok: true, value: { ...frame, version: model.projection.version, lens: report, source: from, result } };
  } catch (e) {
    if (isProjectionError(e) && e.code === 'invalid-query') return { ok: false, error: { code: 'invalid-query', message: e.message, fields: [e.message.split(':')[0]!] } };
    if (e instanceof z.ZodError) return { ok: false, error: { code: 'invalid-query', message: e.message } };
    throw e;
  }
}

type Query<P, R> = (source: ReadModelSource, params: P, lens?: TimeLens) => Promise<Result<Answer<R>, QueryError>>;
const typed = <P, R>(name: ReadModelName): Query<P, R> => (source, params, lens) => queryReadModel(source, name, params, lens) as Promise<Result<Answer<R>, QueryError>>;

export const queryPartnerHistory: Query<{ partnerId: string }, PartnerHistory> = typed('partner-history');
export const queryAgreementsRegister: Query<{ partnerId?: string }, AgreementsRegister> = typed('agreements-register');
export const queryYearlyActivityReport: Query<{ period?: string }, YearlyActivityReport> = typed('yearly-activity-report');
export const queryParticipantRecord: Query<{ participantId: string }, ParticipantRecordView> = typed('participant-record');
export const queryAuditTrail: Query<AuditTrailParams, AuditTrail> = typed('audit-trail');
