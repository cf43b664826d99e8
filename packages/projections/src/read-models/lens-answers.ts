import type { EventStore } from '@taawun/domain';
import type { CatalogueReads } from '../engine/catalogue-reads.js';
import { lensByDelta } from '../engine/lens-by-delta.js';
import { isLensNotServed, lensFromStreams, type StreamsSource } from '../engine/lens-from-streams.js';
import { storedModel } from '../engine/model-reader.js';
import { rememberedReads } from '../engine/remembered-reads.js';
import { catalogueAt, recordStreamsProjection } from '../engine/record-streams.js';
import { activeGeneration, type GenerationInfo, type ReadModelStorage } from '../engine/storage.js';
import { resolveLens, type LensReport, type LensScope, type TimeLens } from '../engine/temporal.js';
import type { Page } from '../model/ordered.js';
import type { AnswerSource } from './answer.js';
import type { AnyReadModel } from './define.js';
import { widenedByItself, widenedByWidest } from './lens-ranges.js';

/*
 * A time lens answered from the records' streams, not a replay of the log
 * (`engine/lens-from-streams.ts`): the query service's plan when the read model
 * says how (`lensStreams`) and the catalogue of streams is built.
 */

/** The query service's plan for a lens from the streams. */
export interface StreamsPlan {
  readonly kind: 'streams';
  readonly catalogue: GenerationInfo;
  /** The projection's own stored model at the code's version, if any: the documents of the streams a lens lets through whole. */
  readonly stored: GenerationInfo | undefined;
  /** The records the answer is about; `undefined`: the whole log (the stored model with the streams the lens changes folded through it). */
  readonly scope: { readonly names: readonly string[]; readonly prefixes: readonly string[] } | undefined;
  readonly keep: LensScope | undefined;
  /** For the whole log: the largest share of its events the streams a lens changes may hold (else the log is replayed). */
  readonly wholeLogShare: number;
}

type ProjectedModel = Extract<AnyReadModel, { kind: 'projected' }>;
type Answered<M extends ProjectedModel> = { viewed: Awaited<ReturnType<M['view']>>; report: LensReport; source: AnswerSource };
/** Why the streams did not serve the answer: the replay's reason. */
type NotServed = { readonly notServed: string };

/**
 * The answer through a lens from the records' streams, as of the log's head;
 * `undefined` when a read of the view is not served that way (the caller
 * replays). Read while a runner committed (the catalogue or the stored
 * documents moved past the head read), it is asked again.
 */
export async function answerThroughStreams<M extends ProjectedModel>(
  source: { readonly store: EventStore; readonly storage: ReadModelStorage; readonly catalogueReads: CatalogueReads },
  model: M,
  params: unknown,
  lens: TimeLens,
  page: Page,
  plan: StreamsPlan,
): Promise<Answered<M> | NotServed> {
  const { store, storage, catalogueReads } = source;
  const unchanged = async (info: GenerationInfo | undefined, name: string) => {
    const now = await activeGeneration(storage, name);
    return info === undefined || (now?.generation === info.generation && now.position === info.position);
  };
  for (let attempt = 1; attempt <= 3; attempt++) {
    const [catalogueInfo, storedInfo] =
      attempt === 1 ? [plan.catalogue, plan.stored] : await Promise.all([activeGeneration(storage, recordStreamsProjection.name), activeGeneration(storage, model.projection.name)]);
    if (catalogueInfo?.version !== recordStreamsProjection.version) return { notServed: 'a time lens replays the log until the catalogue of streams is built' };
    const head = await store.lastPosition();
    const catalogue = await catalogueAt(store, catalogueReads.at(storage, catalogueInfo), catalogueInfo.position, head, undefined, storedModel(storage, recordStreamsProjection, catalogueInfo));
    if (!catalogue) return { notServed: 'the catalogue of streams is too far behind the log: a time lens replays it' };
    const atHead = catalogue.atHead && storedInfo?.version === model.projection.version && storedInfo.position === head;
    // Read once for the page and its widest completion.
    const storedUnremembered = atHead ? storedModel(storage, model.projection, storedInfo) : undefined;
    const stored = storedUnremembered && rememberedReads(storedUnremembered);
    const answered = await viewedThroughStreams(model, params, lens, page, plan, { store, head, catalogue, stored, storedUnremembered });
    if ('notServed' in answered) return answered;
    if ((await unchanged(catalogueInfo, recordStreamsProjection.name)) && (stored === undefined || (await unchanged(storedInfo, model.projection.name)))) return answered;
  }
  return { notServed: 'the stored models kept changing while the lens was read: replayed instead' };
}

async function viewedThroughStreams<M extends ProjectedModel>(model: M, params: unknown, lens: TimeLens, page: Page, plan: StreamsPlan, streams: StreamsSource): Promise<Answered<M> | NotServed> {
  try {
    const opened =
      plan.scope === undefined || plan.keep === undefined
        ? await lensByDelta(streams, model.projection, lens, {
            maxShare: plan.wholeLogShare,
            isList: (index, key) => model.lensStreams?.isList?.(params, index, key) ?? false,
            undatedGiveNoEntries: model.undatedGiveNoEntries ?? model.lensStreams?.undatedGiveNoEntries ?? false,
          })
        : await lensFromStreams(streams, model.projection, lens, model.lensStreams!, plan.scope, plan.keep, params);
    let viewed = await model.view(opened.model, params, page);
    const { asOf } = resolveLens(lens);
    if (viewed !== undefined && model.lensRanges && asOf !== undefined) {
      // Counts as ranges: up to what the widest completion of the partial dates gives; the page's own when no stream read may differ there.
      const widest = await opened.widest();
      const widened =
        widest === undefined
          ? widenedByItself(viewed.result)
          : await widenedByWidest(model, params, viewed.result, { widest: widest.model, certain: opened.model, asOf, ...(widest.differsIn ? { differsIn: widest.differsIn } : {}) });
      viewed = { ...viewed, result: widened };
    }
    const source: AnswerSource = { kind: 'streams', position: streams.head?.toString() ?? null, streamsRead: opened.read.streams, eventsRead: opened.read.events };
    return { viewed: viewed as Awaited<ReturnType<M['view']>>, report: opened.report, source };
  } catch (e) {
    if (isLensNotServed(e)) return { notServed: `not served from the stored streams (${e.message}): the log is replayed` };
    throw e;
  }
}
