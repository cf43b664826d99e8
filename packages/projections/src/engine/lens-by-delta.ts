import type { StoredEvent } from '@taawun/domain';
import { LensNotServed, type RecordsReads, type StreamsRead, type StreamsSource, type WidestCompletion } from './lens-from-streams.js';
import type { ModelIndexEntry, ModelReader } from './model-reader.js';
import type { AnyProjection } from './projection.js';
import { unreadThroughLens, wholeThroughLens } from './record-streams.js';
import type { IndexRange, KeyRange, KeySpan } from './storage.js';
import { shareOf, type DocumentShare } from './shares.js';
import { subLogOf } from './sub-log.js';
import { replayThroughLens, resolveLens, type LensReport, type TimeLens } from './temporal.js';

/*
 * A time lens on a whole-log answer (a yearly report, every partner, every
 * agreement) without a replay: the stored model, less what the streams the
 * lens changes gave it, plus what they give through the lens.
 *
 * Each document is the record of one stream (`keyOf(event)` is its stream), so
 * a stream the lens lets through whole (`wholeThroughLens`) has its stored
 * document as its fold through the lens, and its index entries and counters are
 * the stored ones. The streams it does not let through (found in the
 * catalogue's `lens-bounds` index, not by reading every stream) are read and
 * folded through the lens in one sub-log, exactly as a replay folds them, but
 * two kinds, only taken off: those first recorded after `asKnownOn` (nothing of
 * them is delivered), and, where the read model's records give entries and
 * counters only once dated (`undatedGiveNoEntries`), those whose dated events
 * are all certainly after `asOf` (folded when a view reads their documents,
 * `OnDemandFolds`). A read of the model then takes their documents from the
 * folds; an index, the stored entries but theirs, merged with the fold's; a
 * counter, the stored sum with their stored contributions taken off and the
 * fold's added.
 *
 * A lens that changes more than `maxShare` of the log's events is replayed
 * instead (`LensNotServed`): reading those streams and their stored documents
 * would cost more than the replay.
 */

/** What the streams a lens changes gave the stored model: their documents' keys, index entries and counters. */
interface StoredShare {
  /** The keys of theirs the stored model holds. */
  readonly keys: ReadonlySet<string>;
  /** How many entries of each `(index, key)` are theirs. */
  readonly entries: ReadonlyMap<string, number>;
  /** Their sums, per counter document. */
  readonly counters: ReadonlyMap<string, Readonly<Record<string, number>>>;
}

const indexKey = (index: string, key: string) => `${index}\u0000${key}`;
const binaryOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** Documents (stored, or the catalogue's entries) read at a time: what they say is kept, not the documents. */
const SHARE_CHUNK = 500;

/**
 * What these streams' documents gave the model: from the share notes the
 * engine keeps beside them (`keepsShares`), else derived from the documents.
 */
async function storedShare(projection: AnyProjection, stored: ModelReader, streams: readonly string[]): Promise<StoredShare> {
  const keys = new Set<string>();
  const entries = new Map<string, number>();
  const counters = new Map<string, Record<string, number>>();
  const add = (key: string, share: DocumentShare) => {
    keys.add(key);
    for (const [index, byListKey] of Object.entries(share.entries)) {
      for (const [listKey, n] of Object.entries(byListKey)) entries.set(indexKey(index, listKey), (entries.get(indexKey(index, listKey)) ?? 0) + n);
    }
    for (const [name, values] of Object.entries(share.counters)) {
      const sums = counters.get(name) ?? {};
      counters.set(name, sums);
      for (const [counter, value] of Object.entries(values)) sums[counter] = (sums[counter] ?? 0) + value;
    }
  };
  for (let at = 0; at < streams.length; at += SHARE_CHUNK) {
    const chunk = streams.slice(at, at + SHARE_CHUNK);
    const kept = await stored.shares?.(chunk);
    if (kept) for (const [key, share] of kept) add(key, share);
    else for (const [key, document] of await stored.getMany(chunk)) add(key, shareOf(projection, key, document));
  }
  return { keys, entries, counters };
}

/**
 * The streams a fold over the widest completion may give otherwise than the
 * lens's own fold: those with an event whose date may or may not be by `asOf`
 * (`LensFilter` lets it in only when widest; a plan or an event taken as "may
 * be" then also lets in the plans it held). The lens's report names each such
 * event: left out (year unknown, may be later) or taken as "may be". Every
 * other stream's events are let in, held and left out alike by both folds,
 * in the same order, unless the projection applies some types always
 * (`alwaysApply`: one is delivered before a plan held by the lens's fold and
 * after it by the widest), and then every stream read is folded again.
 */
function mayFoldOtherwise(report: LensReport, projection: AnyProjection, read: readonly string[]): string[] {
  if (projection.alwaysApply.length > 0) return [...read];
  const { mayBe, notCounted } = report;
  return [...new Set([...mayBe, ...notCounted.yearUnknown, ...notCounted.mayBeLater].map((e) => e.stream))];
}

/** The counters documents and lists two shares of the same records give. */
function readsOf(...shares: StoredShare[]): RecordsReads {
  const lists = new Set(shares.flatMap((share) => [...share.entries.keys()]));
  return {
    counters: new Set(shares.flatMap((share) => [...share.counters.keys()])),
    lists: [...lists].map((at) => ({ index: at.slice(0, at.indexOf('\u0000')), key: at.slice(at.indexOf('\u0000') + 1) })),
  };
}

/** Whether the event goes to its own stream's document, or to none (an event as stored: one its key cannot be told from is not). */
function ownDocument(projection: AnyProjection, event: StoredEvent): boolean {
  try {
    return [projection.keyOf!(event as never) ?? []].flat().every((key) => key === event.stream);
  } catch {
    return false;
  }
}

/** The keys of `range` (prefix, after) among these. */
const within = (keys: Iterable<string>, range: KeySpan) =>
  [...keys].filter((k) => (range.prefix === undefined || k.startsWith(range.prefix)) && (range.after === undefined || k > range.after));

/**
 * Streams whose dated events a lens leaves all out, certainly later than `asOf`
 * (`unreadThroughLens`): their undated events give no index entry nor counter
 * (the read model's `undatedGiveNoEntries`), so they are read and folded only
 * when a view reads their documents, together, once each.
 */
class OnDemandFolds {
  private readonly folded = new Map<string, Promise<ModelReader>>();

  constructor(
    readonly streams: ReadonlySet<string>,
    private readonly fold: (streams: readonly string[]) => Promise<ModelReader>,
  ) {}

  /** The model holding each of these keys' fold (keys not among the streams are left out). */
  async readers(keys: readonly string[]): Promise<Map<string, ModelReader>> {
    const missing = [...new Set(keys)].filter((key) => this.streams.has(key) && !this.folded.has(key));
    if (missing.length > 0) {
      const once = this.fold(missing);
      for (const key of missing) this.folded.set(key, once);
    }
    const found = new Map<string, ModelReader>();
    for (const key of keys) if (this.streams.has(key)) found.set(key, await this.folded.get(key)!);
    return found;
  }

  /** The documents of these keys, through the lens. */
  async documents(keys: readonly string[]): Promise<Map<string, unknown>> {
    const byReader = new Map<ModelReader, string[]>();
    for (const [key, reader] of await this.readers(keys)) byReader.set(reader, [...(byReader.get(reader) ?? []), key]);
    const found = new Map<string, unknown>();
    for (const [reader, owned] of byReader) for (const [key, document] of await reader.getMany(owned)) found.set(key, document);
    return found;
  }
}

/** An array index as a property key: objects list such keys first, in numeric order, whatever order they were added in. */
const isArrayIndex = (key: string) => String(Number(key) >>> 0) === key && key !== '4294967295';

/**
 * Counter sums with a delta added, as the engine keeps them: none at zero, in
 * code-unit order (the stored ones are). A period's counters name every
 * partner's figures, thousands at 1M events, and a lens on the yearly report
 * merges every period's: the new names are merged into the stored order in
 * one pass, not sorted with them.
 */
export function withDelta(stored: Readonly<Record<string, number>>, delta: ReadonlyMap<string, number>): Record<string, number> {
  const added = [...delta.keys()].filter((counter) => !Object.hasOwn(stored, counter)).sort(binaryOrder);
  const sums: Record<string, number> = {};
  const put = (counter: string, value: number) => {
    if (value !== 0) sums[counter] = value;
  };
  let next = 0;
  for (const [counter, value] of Object.entries(stored)) {
    // Array indexes take their own place; every other new name goes before the first stored one after it.
    if (!isArrayIndex(counter)) for (; next < added.length && binaryOrder(added[next]!, counter) < 0; next++) put(added[next]!, delta.get(added[next]!)!);
    put(counter, value + (delta.get(counter) ?? 0));
  }
  for (; next < added.length; next++) put(added[next]!, delta.get(added[next]!)!);
  return sums;
}

/** The stored model with the streams a lens changes folded through it. */
class DeltaLensModel implements ModelReader {
  readonly info = undefined;
  /** The records the view read from its list with a limit (the page, and the item before it). */
  readonly listed = new Set<string>();
  /** For the widest completion: the entries of the certain page's records in the answer's list, by `(index, key)`. */
  private readonly restricted = new Map<string, Promise<ModelIndexEntry[]>>();
  private readonly counterSums = new Map<string, Promise<Readonly<Record<string, number>>>>();

  constructor(
    readonly projection: AnyProjection,
    private readonly stored: ModelReader,
    /** The streams the lens changes: their documents are the fold's. */
    private readonly changed: ReadonlySet<string>,
    private readonly folded: ModelReader,
    private readonly share: StoredShare,
    /** Is `(index, key)` the answer's paged list? */
    private readonly isList: (index: string, key: string) => boolean,
    /** The changed streams folded only when a view reads their documents. */
    private readonly later: OnDemandFolds,
    /** For the widest completion: the certain model, whose page's records its list keeps (as `lens-from-streams.ts` does). */
    private readonly certain?: DeltaLensModel,
  ) {}

  async get(key: string) {
    return (await this.getMany([key])).get(key);
  }

  async getMany(keys: readonly string[]) {
    const late = keys.filter((k) => this.later.streams.has(k));
    const theirs = keys.filter((k) => this.changed.has(k) && !this.later.streams.has(k));
    const others = keys.filter((k) => !this.changed.has(k));
    const [folded, stored, folds] = await Promise.all([
      theirs.length > 0 ? this.folded.getMany(theirs) : new Map(),
      others.length > 0 ? this.stored.getMany(others) : new Map(),
      late.length > 0 ? this.later.documents(late) : new Map(),
    ]);
    return new Map([...stored, ...folded, ...folds]);
  }

  /** The streams folded on demand within a span that have a document through the lens (each is folded to know). */
  private async laterKeys(span: KeySpan): Promise<string[]> {
    const inSpan = within(this.later.streams, span);
    return inSpan.length === 0 ? [] : [...(await this.later.documents(inSpan)).keys()];
  }

  async keys(range: KeyRange = {}) {
    const span: KeySpan = { ...(range.prefix === undefined ? {} : { prefix: range.prefix }), ...(range.after === undefined ? {} : { after: range.after }) };
    const offset = Math.max(0, range.offset ?? 0);
    // At most this many of the stored keys read are theirs: reading as many more gives the page.
    const theirs = within(this.share.keys, span).length;
    const stored = await this.stored.keys({ ...span, ...(range.limit === undefined ? {} : { limit: offset + range.limit + theirs }) });
    const merged = [...stored.filter((k) => !this.changed.has(k)), ...(await this.folded.keys(span)), ...(await this.laterKeys(span))].sort(binaryOrder);
    return merged.slice(offset, range.limit === undefined ? undefined : offset + range.limit);
  }

  async keyCount(range: KeySpan = {}) {
    const [stored, folded, later] = await Promise.all([this.stored.keyCount(range), this.folded.keyCount(range), this.laterKeys(range)]);
    return stored - within(this.share.keys, range).length + folded + later.length;
  }

  async index<V>(index: string, key: string, range: IndexRange = {}): Promise<ModelIndexEntry<V>[]> {
    if (this.restricts(index, key)) {
      const entries = (await this.listedEntries(index, key)).filter((e) => range.after === undefined || e.sort > range.after) as ModelIndexEntry<V>[];
      const offset = Math.max(0, range.offset ?? 0);
      return entries.slice(offset, range.limit === undefined ? undefined : offset + range.limit);
    }
    const found = await this.merged<V>(index, key, range);
    if (!this.certain && range.limit !== undefined && this.isList(index, key)) for (const e of found) this.listed.add(e.document);
    return found;
  }

  /** This model's reads for another model layered on it (the widest completion): its page's records left as the view read them. */
  asBase(): ModelReader {
    return {
      projection: this.projection,
      info: undefined,
      get: (key) => this.get(key),
      getMany: (keys) => this.getMany(keys),
      keys: (range) => this.keys(range),
      keyCount: (range) => this.keyCount(range),
      index: (index, key, range = {}) => this.merged(index, key, range),
      indexSize: (index, key) => this.indexSize(index, key),
      counters: (name) => this.counters(name),
      state: () => this.state(),
      export: () => this.export(),
    };
  }

  /** The widest completion's list holds the records the certain page read (an empty page restricts nothing). */
  private restricts(index: string, key: string): boolean {
    return this.certain !== undefined && this.certain.listed.size > 0 && this.isList(index, key);
  }

  /** Every entry of the certain page's records in the list: the fold's for the streams the lens changes, the others' from their stored documents. */
  private listedEntries(index: string, key: string): Promise<ModelIndexEntry[]> {
    const at = indexKey(index, key);
    const kept = this.restricted.get(at);
    if (kept) return kept;
    const entries = (async () => {
      const listed = this.certain!.listed;
      const unchanged = [...listed].filter((d) => !this.changed.has(d));
      const fromStored = [...(await this.stored.getMany(unchanged))].flatMap(([document, state]) =>
        (this.projection.indexes?.(document, state) ?? [])
          .filter((e) => e.index === index && e.key === key)
          // As the storage gives it back: plain JSON.
          .map((e) => ({ sort: e.sort, document, value: e.value === undefined ? null : (JSON.parse(JSON.stringify(e.value)) as unknown) })),
      );
      const fromFold = (await this.folded.index(index, key)).filter((e) => listed.has(e.document));
      return [...fromStored, ...fromFold].sort((a, b) => binaryOrder(a.sort, b.sort));
    })();
    this.restricted.set(at, entries);
    return entries;
  }

  private async merged<V>(index: string, key: string, range: IndexRange): Promise<ModelIndexEntry<V>[]> {
    const theirs = this.share.entries.get(indexKey(index, key)) ?? 0;
    const folded = await this.folded.index<V>(index, key, range.after === undefined ? {} : { after: range.after });
    if (theirs === 0 && folded.length === 0) return this.stored.index<V>(index, key, range);
    const offset = Math.max(0, range.offset ?? 0);
    const after = range.after === undefined ? {} : { after: range.after };
    const stored = await this.stored.index<V>(index, key, { ...after, ...(range.limit === undefined ? {} : { limit: offset + range.limit + theirs }) });
    const merged = [...stored.filter((e) => !this.changed.has(e.document)), ...folded].sort((a, b) => binaryOrder(a.sort, b.sort));
    return merged.slice(offset, range.limit === undefined ? undefined : offset + range.limit);
  }

  async indexSize(index: string, key: string) {
    if (this.restricts(index, key)) return (await this.listedEntries(index, key)).length;
    const [stored, folded] = await Promise.all([this.stored.indexSize(index, key), this.folded.indexSize(index, key)]);
    return stored - (this.share.entries.get(indexKey(index, key)) ?? 0) + folded;
  }

  counters(name: string): Promise<Readonly<Record<string, number>>> {
    // Merged once per answer: a report reads a period's counters for each of its scopes' figures.
    let sums = this.counterSums.get(name);
    if (!sums) this.counterSums.set(name, (sums = this.mergedCounters(name)));
    return sums;
  }

  private async mergedCounters(name: string): Promise<Readonly<Record<string, number>>> {
    const [stored, folded] = await Promise.all([this.stored.counters(name), this.folded.counters(name)]);
    // What the streams the lens changes give through it, less what they gave the stored sums: often nothing
    // (a period they count the same either way), and then the stored sums are the answer as they are.
    const delta = new Map<string, number>();
    for (const [counter, value] of Object.entries(this.share.counters.get(name) ?? {})) delta.set(counter, -value);
    for (const [counter, value] of Object.entries(folded)) delta.set(counter, (delta.get(counter) ?? 0) + value);
    for (const [counter, value] of delta) if (value === 0) delta.delete(counter);
    if (delta.size === 0) return stored;
    return withDelta(stored, delta);
  }

  async state(): Promise<never> {
    throw new LensNotServed(`${this.projection.name}: the one document of a model through a lens`);
  }

  async export(): Promise<never> {
    throw new LensNotServed(`${this.projection.name}: an export through a lens`);
  }
}

/**
 * Open a projection's whole model through a lens from its stored model at the
 * head and the streams the lens changes; with `widest()`, the model over the
 * widest completion (count ranges). `LensNotServed` when the stored model or
 * the catalogue is not at the head, or when the lens changes too much of the log.
 */
export async function lensByDelta(
  source: StreamsSource,
  projection: AnyProjection,
  lens: TimeLens,
  options: {
    readonly maxShare?: number;
    readonly isList?: (index: string, key: string) => boolean;
    /** A record gives index entries and counters only once a dated event has reached it (`LensStreams.undatedGiveNoEntries`). */
    readonly undatedGiveNoEntries?: boolean;
  } = {},
): Promise<{ model: ModelReader; report: LensReport; widest: () => Promise<WidestCompletion | undefined>; read: StreamsRead }> {
  const { maxShare = 0.5, isList = () => false, undatedGiveNoEntries = false } = options;
  const { stored, catalogue, store, head } = source;
  if (!projection.keyOf) throw new LensNotServed(`${projection.name}: one document, not one a stream`);
  if (!stored || !catalogue.atHead) throw new LensNotServed(`${projection.name}: a lens on the whole log needs the stored model and the catalogue at the head`);
  const resolved = resolveLens(lens);
  const handles = (type: string) => projection.handlesType(type);
  const handledEvents = await catalogue.eventsHolding(handles);
  const past = await catalogue.streamsPast(resolved);
  const changed: string[] = [];
  /** Of those, the streams first recorded after `asKnownOn`: nothing of them is delivered, so they are not read, only taken off. */
  const notYetRecorded: string[] = [];
  /** Of those, the streams with an event the projection takes besides corrections: each has a stored document of its own. */
  const ownRecords: string[] = [];
  /** Of those, the streams whose dated events are all certainly after `asOf`: folded only when a view reads their documents. */
  const laterOnly: string[] = [];
  let changedEvents = 0;
  /** What the streams not read leave counted, later, recorded later. */
  const unread = { counted: 0, later: 0, recordedLater: 0 };
  // Their entries a chunk at a time: a lens far back is known to be replayed before every entry is read.
  for (let at = 0; at < past.length; at += SHARE_CHUNK) {
    const chunk = past.slice(at, at + SHARE_CHUNK);
    const entries = await catalogue.entries(chunk);
    for (const stream of chunk) {
      const entry = entries.get(stream);
      const handled = entry === undefined ? 0 : Object.entries(entry.types).reduce((n, [type, count]) => n + (handles(type) ? count : 0), 0);
      if (handled === 0 || wholeThroughLens(entry!, resolved, handles)) continue;
      changed.push(stream);
      changedEvents += handled;
      const tally = unreadThroughLens(entry!, resolved, projection, undatedGiveNoEntries);
      if (!tally) continue;
      unread.counted += tally.counted;
      unread.later += tally.later;
      unread.recordedLater += tally.recordedLater;
      if (tally.recordedLater === 0) {
        laterOnly.push(stream);
        continue;
      }
      notYetRecorded.push(stream);
      // A record of its own (a correction alone amends a record the projection may not keep).
      if (Object.keys(entry!.types).some((type) => handles(type) && type !== 'RecordCorrected')) ownRecords.push(stream);
    }
    if (changedEvents > maxShare * handledEvents) throw new LensNotServed(`the lens changes at least ${changedEvents} of the log's ${handledEvents} events, more than the share a lens folds (${maxShare})`);
  }
  const events = new Map<string, readonly StoredEvent[]>();
  const notRead = new Set([...notYetRecorded, ...laterOnly]);
  const folded = changed.filter((s) => !notRead.has(s));
  const read: StreamsRead = { streams: 0, events: 0, folds: 0 };
  /** These streams read (once each) and folded through the lens in one sub-log. */
  const foldOf = async (streams: readonly string[], widest: boolean) => {
    const unreadYet = streams.filter((s) => !events.has(s));
    const sub = await subLogOf(store, streams, head, events);
    read.streams += unreadYet.length;
    read.events += unreadYet.reduce((n, s) => n + events.get(s)!.length, 0);
    read.folds++;
    // A document fed by another stream's events would miss those the sub-log does not hold. Only the events read are checked:
    // one of a stream let through whole that goes to a changed stream's document is not seen (`documentsByStream` is the read model's word).
    for (const stream of streams) for (const event of events.get(stream) ?? []) if (handles(event.type) && !ownDocument(projection, event)) {
      throw new LensNotServed(`${projection.name}: an event of ${event.stream} goes to another document`);
    }
    return replayThroughLens(sub.log, projection, lens, { widest });
  };
  // Their stored documents are read once, for what they gave: not kept for the answer (up to half the model).
  const [certain, share] = await Promise.all([foldOf(folded, false), storedShare(projection, source.storedUnremembered ?? stored, changed)]);
  // Not read, so not checked event by event: a stream with events the projection takes has a stored document of its own, or the documents are not one a stream.
  const orphan = ownRecords.find((stream) => !share.keys.has(stream));
  if (orphan !== undefined) throw new LensNotServed(`${projection.name}: the stream ${orphan} has events it takes but no document of its own`);
  const changedSet = new Set(changed);
  // The streams let through whole count every event the projection takes; those first recorded after `asKnownOn`, none.
  const { notCounted } = certain.report;
  const report: LensReport = {
    ...certain.report,
    eventsCounted: certain.report.eventsCounted + handledEvents - changedEvents + unread.counted,
    notCounted: { ...notCounted, later: notCounted.later + unread.later, recordedLater: notCounted.recordedLater + unread.recordedLater },
  };
  const model = new DeltaLensModel(projection, stored, changedSet, certain.model, share, isList, new OnDemandFolds(new Set(laterOnly), async (streams) => (await foldOf(streams, false)).model));
  // Only a stream with an event the lens may or may not count folds otherwise over the widest completion.
  const uncertain = certain.report.notCounted.mayBeLater.length + certain.report.notCounted.yearUnknown.length > 0;
  return {
    model,
    report,
    // `undefined` when it would give the page's own counts, to be read after the page's view (its list keeps the page's records).
    widest: async () => {
      if (!uncertain) return undefined;
      // The lens model with the streams it may or may not count refolded over the widest completion: the others fold alike either way.
      const streams = mayFoldOtherwise(certain.report, projection, folded);
      const [widest, theirs] = await Promise.all([foldOf(streams, true), storedShare(projection, certain.model, streams)]);
      const given = await storedShare(projection, widest.model, streams);
      return {
        model: new DeltaLensModel(projection, model.asBase(), new Set(streams), widest.model, theirs, isList, new OnDemandFolds(new Set(), async () => widest.model), model),
        differsIn: readsOf(theirs, given),
      };
    },
    read,
  };
}
