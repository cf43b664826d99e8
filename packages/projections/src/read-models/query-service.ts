import type { EventStore, Result } from '@taawun/domain';
import { z } from 'zod';
import { isProjectionError, type ProjectionError } from '../engine/errors.js';
import { storedModel, type ModelReader } from '../engine/model-reader.js';
import type { AnyProjection } from '../engine/projection.js';
import { ProjectionRunner, replay } from '../engine/runner.js';
import { activeGeneration, type GenerationInfo, type ReadModelStorage } from '../engine/storage.js';
import { widenedByWidest } from './lens-ranges.js';
import { replayThroughLens, resolveLens, type LensReport, type LensScope, type TimeLens } from '../engine/temporal.js';
import { recordStreamsProjection } from '../engine/record-streams.js';
import { answerThroughStreams, type StreamsPlan } from './lens-answers.js';
import { CatalogueReads } from '../engine/catalogue-reads.js';
import type { Page } from '../model/ordered.js';
import { storedStamp, type Answer, type AnswerPage, type AnswerSource } from './answer.js';
import { compareResults, type AnswerComparison } from './compare.js';
import { projectionsOf, type AnyReadModel, type LogReadModel, type ParamsOf, type ReadModel, type ResultOf } from './define.js';

/** Where queries read from: the log, and the stored read models when there are any. */
export interface ReadModelSource {
  readonly store: EventStore;
  /** Without it (or when a model is not built at this version) the log is replayed in memory. */
  readonly storage?: ReadModelStorage;
}

export interface QueryError {
  /** `replays-busy`: the answer needs a replay of the log and the gate (`QueryOptions.replays`) had no room. */
  /** `unknown-key`: a parameter names a partner, period or record the record does not hold; `valid` lists the keys it may take. */
  readonly code: 'invalid-query' | 'not-found' | 'unknown-read-model' | 'replays-busy' | 'unknown-key';
  readonly message: string;
  readonly fields?: readonly string[];
  readonly valid?: readonly string[];
  /** `unknown-key`: what was looked for (`partner`, `period`) and the value given; `unknown-read-model`: the report asked for (`report`). */
  readonly key?: { readonly what: string; readonly value: string; readonly near?: readonly string[] };
  /** `invalid-query`: the parameters the read model takes, so a page or a command can say what to give. */
  readonly parameters?: readonly string[];
  /** `not-found`: the read model asked and its parameters, so the error can be said in the reader's language. */
  readonly asked?: { readonly readModel: string; readonly params: Readonly<Record<string, unknown>> };
}

export interface QueryOptions {
  readonly lens?: TimeLens;
  /** A page of the answer's list; without it the whole list. */
  readonly page?: Page;
  /**
   * Where replays of the log run, when the answer needs one (a time lens, no
   * stored model at the code's version): a server caps how many run at once.
   */
  readonly replays?: ReplayGate;
}

/** Runs a replay now, or says there is no room for one (`busy`). */
export interface ReplayGate {
  run<T>(work: () => Promise<T>): Promise<{ readonly busy: true } | { readonly busy: false; readonly value: T }>;
}

/** Where an answer will come from: a stored generation, or a replay (and why). */
type Plan =
  | { readonly kind: 'stored'; readonly info: GenerationInfo }
  | StreamsPlan
  | { readonly kind: 'replay'; readonly reason: string };

const noGate: ReplayGate = { run: async (work) => ({ busy: false, value: await work() }) };
const busyReplays = { ok: false, error: { code: 'replays-busy', message: 'the answer needs a replay of the log, and as many replays as allowed are running: try again in a moment' } } as const;

export interface QueryServiceOptions {
  /**
   * Before answering from a stored model, bring it up to the head of the log
   * (rebuild it when its version changed). For programs that run no followers
   * (the CLI); a server's followers keep its models current instead. When
   * another runner is writing the model at that moment, the answer is replayed.
   * A model behind a read model of personal data (`personalData: 'always'`) is
   * written by a query only when the storage seals personal data
   * (`sealsPersonalData`): names never reach the file in clear.
   */
  readonly catchUp?: boolean;
  /** The storage keeps personal fields sealed under participants' keys (`sealPersonalData`; the runtime's, when it has keys). */
  readonly sealsPersonalData?: boolean;
  /**
   * A lens on a whole-log answer folds the streams it changes into the stored
   * model (`lens-by-delta.ts`) while they hold at most this share of the log's
   * events (default 0.5); past it, the log is replayed, which then costs less.
   */
  readonly wholeLogLensShare?: number;
}

/** What a read model is, as a listing shows it. */
export interface ReadModelInfo {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly list: string | null;
  readonly personalData: 'always' | 'never' | 'depends';
  /** `projected`: from a projection's model; `log`: read from the log itself. */
  readonly kind: 'projected' | 'log';
}

const invalid = (error: z.ZodError, model: AnyReadModel): QueryError => ({
  code: 'invalid-query',
  message: error.issues.map((i) => `${i.path.join('.') || '(parameters)'}: ${i.message}`).join('; '),
  fields: [...new Set(error.issues.map((i) => i.path.join('.')))],
  parameters: parameterNames(model),
});

/** The names of a read model's parameters (its params schema is an object). */
const parameterNames = (model: AnyReadModel): string[] => {
  const shape = (model.params as unknown as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
};

/** There is no such read model: the names there are, as the keys an unknown key lists. */
const unknownReadModel = (name: string, names: readonly string[]): QueryError => ({
  code: 'unknown-read-model',
  message: `no read model ${name}; there are: ${names.join(', ')}`,
  key: { what: 'report', value: name },
  valid: names,
});

const hasLens = (lens: TimeLens): boolean => lens.asOf !== undefined || lens.asKnownOn !== undefined;

/** The page of `result[list]`: sliced here unless the view paged it (gave `total`). */
function paged<R>(result: R, list: string | null, page: Page | undefined, total: number | undefined): { result: R; page: AnswerPage | null } {
  if (!page || list === null) return { result, page: null };
  const offset = Math.max(0, Math.trunc(page.offset ?? 0));
  const items = (result as Record<string, unknown>)[list];
  const all = Array.isArray(items) ? items : [];
  const count = total ?? all.length;
  const limit = page.limit === undefined ? Math.max(0, count - offset) : Math.max(0, Math.trunc(page.limit));
  const shown = total === undefined ? ({ ...(result as Record<string, unknown>), [list]: all.slice(offset, offset + limit) } as R) : result;
  return { result: shown, page: { list, offset, limit, total: count, nextOffset: offset + limit < count ? offset + limit : null } };
}

/**
 * The read side, once: every read model (the built-in ones and those a user
 * registers), answered the same way whoever asks. It validates the parameters,
 * picks the model to answer from (the stored generation at the code's version,
 * else a replay of the log; a time lens reads the streams of the records it is about when the read model says how, else replays), asks the read model's
 * view for the page, pages the list when the view did not, and gives the
 * answer with where it came from. A stored model read while a runner commits is
 * read again, so every answer comes from one commit. Invalid parameters, an
 * unknown name or record are values; store and storage failures throw.
 */
export class QueryService {
  private readonly models = new Map<string, AnyReadModel>();
  /** The catalogue of streams' reads, kept between lens answers while it stays at one commit. */
  private readonly catalogueReads = new CatalogueReads();

  constructor(
    readonly source: ReadModelSource,
    readModels: readonly AnyReadModel[] = [],
    private readonly options: QueryServiceOptions = {},
  ) {
    this.register(...readModels);
  }

  /** Add read models (a report written later). A name is registered once. */
  register(...readModels: readonly AnyReadModel[]): this {
    for (const model of readModels) {
      if (this.models.has(model.name)) throw new Error(`a read model named ${model.name} is already registered`);
      this.models.set(model.name, model);
    }
    return this;
  }

  get(name: string): AnyReadModel | undefined {
    return this.models.get(name);
  }

  /** Every read model, in the order they were registered. */
  readModels(): AnyReadModel[] {
    return [...this.models.values()];
  }

  list(): ReadModelInfo[] {
    return this.readModels().map((m) => ({
      name: m.name,
      title: m.title,
      description: m.description,
      list: m.list,
      personalData: typeof m.personalData === 'function' ? 'depends' : m.personalData,
      kind: m.kind,
    }));
  }

  /** The projections behind the read models, each once: what followers keep current and an erasure purges. */
  projections(): AnyProjection[] {
    return projectionsOf(this.models.values());
  }

  /** Whether answering would replay the log (a time lens the stored streams do not serve, no storage, no stored model at this version). */
  async willReplay(name: string, lens: TimeLens = {}, params: unknown = {}): Promise<boolean> {
    const model = this.models.get(name);
    if (!model || model.kind === 'log') return false;
    const parsed = model.params.safeParse(params ?? {});
    return (await this.plan(model.projection, lens, parsed.success ? { model, params: parsed.data } : undefined)).kind === 'replay';
  }

  /**
   * The stamp (`storedStampOf`) the answer of this read model would have if it
   * were asked now without a lens: one read of the generations. Undefined when
   * it would not come from a stored model (a lens, a replay, a read model of the
   * log, an unknown name). A server keeps encoded answers under it: the stamp
   * changes with every commit to the model, so an answer kept under it is the
   * one the query would give.
   */
  async storedStamp(name: string, lens: TimeLens = {}): Promise<string | undefined> {
    const model = this.models.get(name);
    if (!model || model.kind === 'log' || hasLens(lens)) return undefined;
    const plan = await this.plan(model.projection, lens);
    return plan.kind === 'stored' ? storedStamp(model.projection.version, plan.info.generation, plan.info.position?.toString() ?? null) : undefined;
  }

  /** Parse a time lens: a bad date is an `invalid-query` naming the field. */
  checkLens(lens: TimeLens): Result<TimeLens, QueryError> {
    try {
      resolveLens(lens);
      return { ok: true, value: lens };
    } catch (e) {
      if (isProjectionError(e)) return { ok: false, error: { code: 'invalid-query', message: e.message, fields: [e.message.split(':')[0]!] } };
      throw e;
    }
  }

  /** Answer a read model, by name or by its definition (then typed). */
  async query<M extends AnyReadModel>(model: M, params: ParamsOf<M>, options?: QueryOptions): Promise<Result<Answer<ResultOf<M>>, QueryError>>;
  async query(name: string, params?: unknown, options?: QueryOptions): Promise<Result<Answer<unknown>, QueryError>>;
  async query(which: string | AnyReadModel, params: unknown = {}, options: QueryOptions = {}): Promise<Result<Answer<unknown>, QueryError>> {
    const name = typeof which === 'string' ? which : which.name;
    const model = this.models.get(name);
    if (!model) {
      return { ok: false, error: unknownReadModel(name, [...this.models.keys()]) };
    }
    const parsed = model.params.safeParse(params ?? {});
    if (!parsed.success) return { ok: false, error: invalid(parsed.error, model) };
    const lens = options.lens ?? {};
    const checkedLens = this.checkLens(lens);
    if (!checkedLens.ok) return checkedLens;
    const resolved = resolveLens(lens);
    const frame = { readModel: name, asOf: resolved.asOf ?? null, asKnownOn: resolved.asKnownOn ?? null };
    try {
      if (model.kind === 'log') {
        const ran = await model.run(this.source.store, parsed.data, lens);
        if (!ran) {
          const unknown = await this.unknownKey(model, parsed.data);
          if (unknown) throw unknown;
          return { ok: false, error: { code: 'not-found', message: model.notFound(parsed.data), asked: { readModel: name, params: parsed.data as Record<string, unknown> } } };
        }
        const source: AnswerSource = { kind: 'log', position: await this.position() };
        return { ok: true, value: { ...frame, version: null, lens: ran.lens, source, ...paged(ran.result, model.list, options.page, undefined) } };
      }
      const { projection } = model;
      const page = options.page ?? {};
      const answer = (viewed: Awaited<ReturnType<typeof model.view>>, report: LensReport | null, source: AnswerSource): Result<Answer<unknown>, QueryError> =>
        viewed === undefined
          ? { ok: false, error: { code: 'not-found', message: model.notFound(parsed.data), asked: { readModel: name, params: parsed.data as Record<string, unknown> } } }
          : { ok: true, value: { ...frame, version: projection.version, lens: report, source, ...paged(viewed.result, model.list, options.page, viewed.total) } };
      for (let attempt = 1; ; attempt++) {
        const plan = await this.plan(projection, lens, { model, params: parsed.data });
        // Why a lens is replayed, when the streams do not serve it.
        let reason = plan.kind === 'replay' ? plan.reason : 'the stored streams do not serve this read through a lens';
        const throughStreams = async () => {
          if (plan.kind !== 'streams') return undefined;
          const served = await answerThroughStreams({ store: this.source.store, storage: this.source.storage!, catalogueReads: this.catalogueReads }, model, parsed.data, lens, page, plan);
          if ('notServed' in served) {
            reason = served.notServed;
            return undefined;
          }
          return answer(served.viewed, served.report, served.source);
        };
        // A lens on the records' streams: a few streams read, never capped.
        if (plan.kind === 'streams' && plan.scope !== undefined) {
          const served = await throughStreams();
          if (served) return served;
        }
        if (plan.kind !== 'stored') {
          // A replay, or a lens on the whole log (which may fold up to `wholeLogLensShare` of it, else replays): one place under the replays' cap.
          const ran = await (options.replays ?? noGate).run(async () => {
            const served = plan.kind === 'streams' && plan.scope === undefined ? await throughStreams() : undefined;
            if (served) return served;
            const { reader, report, source } = await this.replayed(projection, lens, reason, model.lensScope?.(parsed.data));
            const viewed = await model.view(reader, parsed.data, page);
            if (viewed === undefined || !model.lensRanges || resolved.asOf === undefined) return answer(viewed, report, source);
            // Counts as ranges: up to what the widest completion of the partial dates gives.
            const widestModel = (await replayThroughLens(this.source.store, projection, lens, { widest: true })).model;
            return answer({ ...viewed, result: await widenedByWidest(model, parsed.data, viewed.result, { widest: widestModel, certain: reader, asOf: resolved.asOf }) }, report, source);
          });
          return ran.busy ? busyReplays : ran.value;
        }
        // A stored model read while a runner commits is read again: every answer comes from one commit.
        const reader = storedModel(this.source.storage!, projection, plan.info);
        try {
          const viewed = await model.view(reader, parsed.data, page);
          if (attempt < 5 && !(await this.unchanged(reader))) continue;
          return answer(viewed, null, { kind: 'stored', generation: plan.info.generation, position: plan.info.position?.toString() ?? null });
        } catch (e) {
          if (attempt < 5 && isProjectionError(e) && (e.code === 'model-changed' || e.code === 'generation-missing')) continue;
          throw e;
        }
      }
    } catch (e) {
      if (isProjectionError(e) && e.code === 'unknown-key') {
        return { ok: false, error: { code: 'unknown-key', message: e.message, ...(e.field ? { fields: [e.field] } : {}), ...(e.valid ? { valid: e.valid } : {}), ...(e.key ? { key: e.key } : {}) } };
      }
      if (isProjectionError(e) && e.code === 'invalid-query') return { ok: false, error: { code: 'invalid-query', message: e.message, fields: [e.message.split(':')[0]!] } };
      if (e instanceof z.ZodError) return { ok: false, error: invalid(e, model) };
      throw e;
    }
  }

  /**
   * One read model as known on two dates (`knownOn`, e.g. two `asKnownOn` days):
   * the items added, corrected (each changed value by path) and withdrawn in
   * between, and the events recorded in between that it reads (corrections with
   * their reasons). An `asOf` applies to both answers.
   */
  async compare(name: string, params: unknown, options: { readonly knownOn: readonly [string, string]; readonly asOf?: string; readonly replays?: ReplayGate }): Promise<Result<AnswerComparison, QueryError>> {
    const model = this.models.get(name);
    if (!model) return { ok: false, error: unknownReadModel(name, [...this.models.keys()]) };
    const lenses = options.knownOn.map((asKnownOn) => ({ asKnownOn, ...(options.asOf === undefined ? {} : { asOf: options.asOf }) }));
    for (const lens of lenses) {
      const checked = this.checkLens(lens);
      if (!checked.ok) return checked;
    }
    const [from, to] = lenses.map((lens) => resolveLens(lens).asKnownOn!).sort() as [string, string];
    const answers: unknown[] = [];
    let unknownThen: Result<never, QueryError> | undefined;
    for (const asKnownOn of [from, to]) {
      const answer = await this.query(name, params, { lens: { asKnownOn, ...(options.asOf === undefined ? {} : { asOf: options.asOf }) }, ...(options.replays ? { replays: options.replays } : {}) });
      // A record not yet recorded (or no longer known) on one of the dates is absent then: all it holds was added (or withdrawn).
      if (!answer.ok && answer.error.code === 'unknown-key') {
        unknownThen ??= answer;
        answers.push(null);
        continue;
      }
      if (!answer.ok) return answer;
      answers.push(answer.value.result);
    }
    if (unknownThen && answers.every((answer) => answer === null)) return unknownThen;
    const types = model.kind === 'projected' ? [...new Set([...model.projection.handles, 'RecordCorrected'])] : undefined;
    const recorded: AnswerComparison['recorded'] = [];
    const [after, until] = [Date.parse(from), Date.parse(to)];
    for await (const e of this.source.store.readAll(types ? { filter: { types } } : {})) {
      const at = Date.parse(e.recordedAt);
      if (at <= after || at > until) continue;
      const data = e.data as { reason?: unknown; correctedEventId?: unknown };
      recorded.push({
        eventId: e.id,
        type: e.type,
        stream: e.stream,
        recordedAt: e.recordedAt,
        recordedBy: e.metadata.actor,
        sourceRef: e.metadata.sourceRef ?? null,
        reason: typeof data.reason === 'string' ? data.reason : null,
        corrects: typeof data.correctedEventId === 'string' ? data.correctedEventId : null,
      });
    }
    return {
      ok: true,
      value: { readModel: name, list: model.list, knownOn: [from, to], ...compareResults(answers[0], answers[1], model.list, model.itemKey), recorded },
    };
  }

  private async position(): Promise<string | null> {
    return (await this.source.store.lastPosition())?.toString() ?? null;
  }

  /** Where to answer from: the stored generation when it is current and no lens applies (one read of the generations), else a replay. */
  /** A log read model's miss checked against the keys a stored model holds; never a replay (a miss stays cheap). */
  private async unknownKey(model: LogReadModel, params: Record<string, unknown>): Promise<ProjectionError | undefined> {
    if (!model.unknownKey) return undefined;
    const plan = await this.plan(model.unknownKey.projection, {});
    if (plan.kind !== 'stored') return undefined;
    return model.unknownKey.check(params, storedModel(this.source.storage!, model.unknownKey.projection, plan.info));
  }

  private async plan(projection: AnyProjection, lens: TimeLens, asked?: { readonly model: AnyReadModel; readonly params: unknown }): Promise<Plan> {
    const { storage } = this.source;
    if (hasLens(lens)) return this.lensPlan(asked);
    if (!storage) return { kind: 'replay', reason: 'no read-model storage given' };
    const mayStore = this.options.sealsPersonalData === true || !this.holdsNames(projection);
    if (this.options.catchUp && mayStore && !(await this.caughtUp(projection, storage))) {
      return { kind: 'replay', reason: 'another runner is writing the stored model' };
    }
    const active = await activeGeneration(storage, projection.name);
    if (active?.version === projection.version) return { kind: 'stored', info: active };
    return { kind: 'replay', reason: active ? `the stored model is version ${active.version}; this code reads version ${projection.version}` : 'the model is not built yet' };
  }

  /**
   * A lens served from the records' streams: when the read model maps its reads
   * to the catalogue of streams (`lensStreams`), scopes these parameters, and
   * the catalogue is stored at its version (brought to the head first with
   * `catchUp`). Otherwise the lens replays the log.
   */
  private async lensPlan(asked: { readonly model: AnyReadModel; readonly params: unknown } | undefined): Promise<Plan> {
    const replay: Plan = { kind: 'replay', reason: 'a time lens replays the log' };
    const { storage } = this.source;
    if (!storage || asked?.model.kind !== 'projected') return replay;
    const scope = asked.model.lensStreams?.scope(asked.params);
    const keep = asked.model.lensScope?.(asked.params);
    const { projection } = asked.model;
    // The whole log: the stored model with the streams the lens changes folded through it, when each document is its stream's (`lens-by-delta.ts`).
    const whole = scope === undefined && keep === undefined && asked.model.documentsByStream === true;
    if (!whole && (scope === undefined || keep === undefined)) return { kind: 'replay', reason: 'a time lens on the whole log replays it' };
    if (this.options.catchUp && !(await this.caughtUp(recordStreamsProjection, storage))) return replay;
    const catalogue = await activeGeneration(storage, recordStreamsProjection.name);
    if (catalogue?.version !== recordStreamsProjection.version) return { kind: 'replay', reason: 'a time lens replays the log until the catalogue of streams is built' };
    // The model's own stored documents serve the streams a lens lets through whole (brought to the head first with catchUp, when it may be written).
    const mayStore = this.options.sealsPersonalData === true || !this.holdsNames(projection);
    if (this.options.catchUp && mayStore) await this.caughtUp(projection, storage);
    const stored = await activeGeneration(storage, projection.name);
    if (whole && stored?.version !== projection.version) return { kind: 'replay', reason: 'a time lens on the whole log replays it until the model is built' };
    return {
      kind: 'streams', catalogue, stored: stored?.version === projection.version ? stored : undefined,
      scope: whole ? undefined : scope, keep: whole ? undefined : keep, wholeLogShare: this.options.wholeLogLensShare ?? 0.5,
    };
  }

  /** The log folded through the projection in memory (through the lens, when one is given). */
  private async replayed(projection: AnyProjection, lens: TimeLens, reason: string, scope?: LensScope): Promise<{ reader: ModelReader; report: LensReport | null; source: AnswerSource }> {
    const position = await this.position();
    if (hasLens(lens)) {
      const { model, report, scoped } = await replayThroughLens(this.source.store, projection, lens);
      return { reader: model, report: scope ? scoped(scope) : report, source: { kind: 'replayed', reason, position } };
    }
    return { reader: await replay(this.source.store, projection), report: null, source: { kind: 'replayed', reason, position } };
  }

  /** Whether a read model of personal data reads this projection. */
  private holdsNames(projection: AnyProjection): boolean {
    return this.readModels().some((m) => m.kind === 'projected' && m.projection.name === projection.name && m.personalData === 'always');
  }

  /** Bring the stored model up to the log's head; false when another runner is writing it right now (the answer is then replayed). */
  private async caughtUp(projection: AnyProjection, storage: ReadModelStorage): Promise<boolean> {
    try {
      await new ProjectionRunner(projection, { store: this.source.store, storage }).catchUp();
      return true;
    } catch (error) {
      if (isProjectionError(error)) return false;
      throw error;
    }
  }

  /** The stored generation still at the position a query started from (else the query is asked again). */
  private async unchanged(model: ModelReader): Promise<boolean> {
    const { storage } = this.source;
    if (!storage || !model.info || model.info.status !== 'active') return true;
    const now = await activeGeneration(storage, model.projection.name);
    return now !== undefined && now.generation === model.info.generation && now.position === model.info.position;
  }
}

export type { ReadModel };
