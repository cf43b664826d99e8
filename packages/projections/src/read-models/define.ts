import { slugSchema, type EventStore, type IsoDay } from '@taawun/domain';
import { z } from 'zod';
import { ProjectionError } from '../engine/errors.js';
import { keysPage, type ModelReader } from '../engine/model-reader.js';
import type { AnyProjection, Projection } from '../engine/projection.js';
import type { LensStreams, RecordsReads } from '../engine/lens-from-streams.js';
import { recordStreamsProjection } from '../engine/record-streams.js';
import type { LensReport, LensScope, TimeLens } from '../engine/temporal.js';
import type { Page } from '../model/ordered.js';

/**
 * A read model: a question the record answers, with the zod schemas of its
 * parameters and of its result (for validation, types and the OpenAPI
 * document), and where its answer comes from: a projection's model (stored,
 * or replayed through a time lens) or the log itself (the audit trail).
 * The query service answers every one of them the same way: the CLI, the HTTP
 * API and the report only present the answer.
 */
interface ReadModelCommon<P extends z.ZodObject, R extends z.ZodObject> {
  /** A slug: `partner-history`. The HTTP path and the CLI's `taawun query <name>` use it. */
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly params: P;
  readonly result: R;
  /** The list of `result` a page applies to (`entries`); `null`: the answer is never paged. */
  readonly list: string | null;
  /**
   * Whether an answer holds participants' personal data: `always` (only the
   * roles that record people may read it), `never`, or depending on the
   * parameters (the audit trail with `personalData: 'show'`).
   */
  readonly personalData: 'always' | 'never' | ((params: z.output<P>) => boolean);
  /** The identity of an item of the list, when the conventional one (`identityOf`: a record, a period, an id field) does not fit. */
  readonly itemKey?: (item: unknown, position: number) => string;
  /**
   * Items of the list a page holds when the request names no limit, where the
   * server's default would make a page the whole record (the yearly report: a
   * page of periods, not every period with every figure). Default: the caller's.
   */
  readonly defaultPageSize?: number;
}

/** The two models a lens's answer is read from (`lensWiden`): what certainly lies by `asOf`, and everything that may. */
export interface LensCompletions {
  readonly certain: ModelReader;
  readonly widest: ModelReader;
  readonly asOf: IsoDay;
}

/** `T` with every array and object read-only: what a view may give (a user's interfaces are often read-only). */
export type ReadOnlyDeep<T> = T extends (infer U)[] ? readonly ReadOnlyDeep<U>[] : T extends object ? { readonly [K in keyof T]: ReadOnlyDeep<T[K]> } : T;

/** What a view gives: the result, and when it paged its list itself, how long the whole list is. */
export interface Viewed<R> {
  readonly result: ReadOnlyDeep<R>;
  /** Set when the view paged `result[list]` itself: the length of the whole list. */
  readonly total?: number;
}

export interface ProjectedReadModel<P extends z.ZodObject = z.ZodObject, R extends z.ZodObject = z.ZodObject, S = unknown> extends ReadModelCommon<P, R> {
  readonly kind: 'projected';
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly projection: Projection<S, any>;
  /** The answer from a model (`undefined`: what the parameters name is not in the record). Pages natively when it gives `total`. */
  view(model: ModelReader<S>, params: z.output<P>, page: Page): Promise<Viewed<z.output<R>> | undefined>;
  /** The one-line message when `view` found nothing. */
  notFound(params: z.output<P>): string;
  /**
   * The part of the log an answer is about (one partner's records), when it is
   * not the whole log: the lens report then lists and counts only those events.
   */
  readonly lensScope?: (params: z.output<P>) => LensScope | undefined;
  /**
   * Its counts are ranges as of a date: the answer is also read over the widest
   * completion (every event that may be by `asOf` let in) and each count becomes
   * the range between the two (`widenCounts`). It costs a second replay.
   */
  readonly lensRanges?: boolean;
  /**
   * With `lensRanges`, for a widest completion that differs from the lens's
   * own model only in some records (`differsIn`: the counters documents and
   * lists they give): the identities (`identityOf`) of the items of the
   * answer's list whose counts or statuses may differ. The others are widened
   * by themselves, not viewed again (the yearly report: the periods those
   * records count in). Without it, every item of the page is viewed again.
   */
  readonly lensItemsReading?: (reads: RecordsReads) => ReadonlySet<string>;
  /**
   * With `lensRanges`: the answer over every completion, when not count by
   * count from the widest completion's answer (`widenCounts`): given the lens's
   * own model (what certainly lies by `asOf`) and the widest completion's
   * (everything that may), read for the answer's items. The partners' first and
   * last activity: any mix of what may be by then may hold the first or last.
   * `asOf` is the lens's last day: nothing the answer is about lies after it.
   */
  readonly lensWiden?: (certain: ReadOnlyDeep<z.output<R>>, completions: LensCompletions) => Promise<ReadOnlyDeep<z.output<R>>>;
  /**
   * How an answer through a lens is read without a replay of the log: the
   * streams its records live in, found in the stored catalogue of streams
   * (`record-streams`), folded through the lens. Without it (or for parameters
   * it does not scope) a lens replays the log.
   */
  readonly lensStreams?: LensStreams<z.output<P>>;
  /**
   * Each document is the record of one stream (`keyOf(event)` is the event's
   * stream): a lens on the whole log is then read from the stored model with
   * only the streams the lens changes folded through it (`lens-by-delta.ts`),
   * not a replay.
   */
  readonly documentsByStream?: boolean;
  /**
   * With `documentsByStream`: a record gives index entries and counters only
   * once a dated event has reached it, so a stream whose dated events a lens
   * leaves all out gives nothing to the lists and counts, and is read only when
   * a view reads its document (`lensStreams.undatedGiveNoEntries` says the same
   * for a partner's lens, and is taken when this is not given).
   */
  readonly undatedGiveNoEntries?: boolean;
}

export interface LogReadModel<P extends z.ZodObject = z.ZodObject, R extends z.ZodObject = z.ZodObject> extends ReadModelCommon<P, R> {
  readonly kind: 'log';
  /** The answer read from the log itself (one record's stream), through the lens. `undefined`: not found. */
  run(store: EventStore, params: z.output<P>, lens: TimeLens): Promise<{ readonly result: ReadOnlyDeep<z.output<R>>; readonly lens: LensReport | null } | undefined>;
  notFound(params: z.output<P>): string;
  /**
   * On a miss, the keys the params may take, read from a projection's stored
   * model (cheap: never a scan of the log): an `unknown-key` error naming them,
   * or `undefined` to answer `not-found`.
   */
  readonly unknownKey?: {
    readonly projection: AnyProjection;
    check(params: z.output<P>, model: ModelReader): Promise<ProjectionError | undefined>;
  };
}

export type ReadModel<P extends z.ZodObject = z.ZodObject, R extends z.ZodObject = z.ZodObject> = ProjectedReadModel<P, R> | LogReadModel<P, R>;
/** Any read model, as registries hold them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyReadModel = ProjectedReadModel<any, any, any> | LogReadModel<any, any>;

export type ParamsOf<M> = M extends { readonly params: infer P extends z.ZodObject } ? z.input<P> : never;
export type ResultOf<M> = M extends { readonly result: infer R extends z.ZodObject } ? z.output<R> : never;

type Definition<P extends z.ZodObject, R extends z.ZodObject, S> = Omit<ProjectedReadModel<P, R, S>, 'kind' | 'personalData' | 'list'> & {
  readonly personalData?: ProjectedReadModel<P, R, S>['personalData'];
  readonly list?: string | null;
};

function checked<M extends AnyReadModel>(model: M): M {
  if (!slugSchema.safeParse(model.name).success) throw new ProjectionError('invalid-projection', `read model ${JSON.stringify(model.name)}: the name must be a slug such as "partner-history"`);
  if (model.list !== null && !(model.list in model.result.shape)) {
    throw new ProjectionError('invalid-projection', `read model ${model.name}: its list "${model.list}" is not a field of its result`);
  }
  return model;
}

/** A read model answered from a projection's model (see `ProjectedReadModel`). */
export function defineReadModel<P extends z.ZodObject, R extends z.ZodObject, S>(definition: Definition<P, R, S>): ProjectedReadModel<P, R, S> {
  return checked({ ...definition, kind: 'projected', personalData: definition.personalData ?? 'never', list: definition.list ?? null });
}

/** A read model answered from the log itself (see `LogReadModel`). */
export function defineLogReadModel<P extends z.ZodObject, R extends z.ZodObject>(
  definition: Omit<LogReadModel<P, R>, 'kind' | 'list'> & { readonly list?: string | null },
): LogReadModel<P, R> {
  return checked({ ...definition, kind: 'log', list: definition.list ?? null });
}

/** The projections behind these read models, each once (by name), in order; the catalogue of streams last when a lens reads it. */
export function projectionsOf(readModels: Iterable<AnyReadModel>): AnyProjection[] {
  const byName = new Map<string, AnyProjection>();
  let lenses = false;
  for (const m of readModels) {
    if (m.kind === 'projected' && !byName.has(m.projection.name)) byName.set(m.projection.name, m.projection);
    if (m.kind === 'projected' && (m.lensStreams || m.documentsByStream)) lenses = true;
  }
  // The catalogue of streams the lenses of those read models read, kept current like the models.
  if (lenses && !byName.has(recordStreamsProjection.name)) byName.set(recordStreamsProjection.name, recordStreamsProjection);
  return [...byName.values()];
}

const documentSchema = z.object({ key: z.string(), document: z.unknown() });

/**
 * The read model of a projection nobody wrote a view for (a report written
 * later, loaded by `taawun replay` or registered with a server): its
 * documents as JSON. A projection without `keyOf` answers its one state; a
 * keyed one answers its documents in key order, a page at a time, or one of
 * them by `key`. Write a view with `defineReadModel` for anything better.
 */
export function readModelOfProjection(projection: AnyProjection, options: { title?: string; description?: string } = {}): AnyReadModel {
  const common = {
    name: projection.name,
    title: options.title ?? projection.name,
    description: options.description ?? projection.description ?? `The documents of the projection ${projection.name}`,
    projection,
  };
  if (!projection.keyOf) {
    return defineReadModel({
      ...common,
      params: z.object({}).strict(),
      result: z.object({ state: z.unknown().meta({ description: 'The projection\'s state, as folded' }) }),
      view: async (model) => ({ result: { state: await model.state() } }),
      notFound: () => 'nothing',
    });
  }
  return defineReadModel({
    ...common,
    params: z.object({ key: z.string().min(1).max(500).optional().meta({ description: 'Only the document with this key' }) }).strict(),
    result: z.object({ documents: z.array(documentSchema) }),
    list: 'documents',
    view: async (model, params, page) => {
      if (params.key !== undefined) {
        const document = await model.get(params.key);
        return document === undefined ? undefined : { result: { documents: [{ key: params.key, document }] }, total: 1 };
      }
      const { keys: shown, total } = await keysPage(model, page);
      const found = await model.getMany(shown);
      return { result: { documents: shown.map((key) => ({ key, document: found.get(key) })) }, total };
    },
    notFound: (params) => `${projection.name} has no document ${JSON.stringify(params.key)}`,
  });
}
