import type { EventStore, StoredEvent } from '@taawun/domain';
import type { ModelIndexEntry, ModelReader } from './model-reader.js';
import type { AnyProjection } from './projection.js';
import { unreadThroughLens, wholeThroughLens, type StreamCatalogue, type StreamEntry, type UnreadTally } from './record-streams.js';
import { subLogOf } from './sub-log.js';
import { replayThroughLens, resolveLens, type LensReport, type LensScope, type ResolvedLens, type TimeLens } from './temporal.js';
import type { IndexRange, KeyRange, KeySpan } from './storage.js';

/*
 * A time lens without a replay of the log: the answer's records are found in
 * the stored catalogue of streams (`record-streams.ts`), their streams are read
 * whole, and folded through the lens exactly as a replay would fold them (the
 * same filter and fold, `replayThroughLens`, over a log of those streams only).
 * Documents a view reads beyond them (a co-partner's names, a participant's
 * cohort) are folded the same way when first read.
 *
 * A read model says which records its lens answers are about
 * (`LensStreams`); what it does not say (a listing of every key, an index it
 * does not map, counters) cannot be answered this way: the read is refused
 * with `LensNotServed`, and the query service replays the log instead.
 */

/** Which streams a read model's answers through a lens read, in terms of the catalogue. */
export interface LensStreams<P> {
  /**
   * The streams the lens report is about, as catalogue names (`partner:giz`:
   * every stream that ever named the partner) and stream prefixes (every
   * institute stream): a superset of those `lensScope` keeps. `undefined`: the
   * whole log (the answer is replayed).
   */
  scope(params: P): { readonly names: readonly string[]; readonly prefixes: readonly string[] } | undefined;
  /** For an index the view reads, the catalogue name listing every stream that may give it entries under `key`; `undefined`: not served. */
  index(index: string, key: string): string | undefined;
  /** The key prefixes a view may list (`keys({ prefix })`); each record's key is its stream's name. */
  readonly keyPrefixes: readonly string[];
  /**
   * Whether `(index, key)` is the index the answer's paged list is read from
   * (the page being the read with a limit). When given, the answer over the
   * widest completion (count ranges, `lensRanges`) lists only the records the
   * page read: each count of the page is matched with the item of the same
   * identity (the same record), which its record alone decides.
   */
  isList?(params: P, index: string, key: string): boolean;
  /**
   * A record gives index entries only once a dated event of its stream has
   * reached its document (every event that opens a record is dated). A stream
   * whose dated events an `asOf` lens all leaves out then gives none, and is
   * not read for the lists and the lens report (`unreadThroughLens`); its
   * document is still folded when a view reads it.
   */
  readonly undatedGiveNoEntries?: boolean;
  /**
   * The records every answer's view reads as documents (the partner's own, the
   * institute's), by key and by key prefix. Those among the scope's streams
   * are folded with them, in the one fold, instead of being left unread for the
   * lists and folded on their own when the view first reads them.
   */
  documents?(params: P): { readonly keys: readonly string[]; readonly prefixes: readonly string[] } | undefined;
}

/**
 * A few turns of the microtask queue: the reads a view makes together (`Promise.all`) reach the fold within a
 * few turns of each other when the store and the storage answer without waiting on I/O (SQLite, in memory).
 * Not a turn of the event loop: the answer is not held behind other work, and nothing else runs inside it.
 */
const nextTurn = async (): Promise<void> => {
  for (let turn = 0; turn < 16; turn++) await Promise.resolve();
};

/** A read this way of answering cannot make exactly: the query replays the log instead. */
export class LensNotServed extends Error {
  override readonly name = 'LensNotServed';
}

export const isLensNotServed = (e: unknown): e is LensNotServed => e instanceof Error && e.name === 'LensNotServed';

/** Where a lens reads: the log up to `head`, the catalogue, and the projection's stored model when it and the catalogue are at `head`. */
export interface StreamsSource {
  readonly store: EventStore;
  readonly head: bigint | undefined;
  readonly catalogue: StreamCatalogue;
  /** At `head` (as the catalogue): the documents of the streams a lens lets through whole. */
  readonly stored?: ModelReader | undefined;
  /** The same model, read without remembering what it gave: for reads made once per answer and not kept (`lens-by-delta.ts`). */
  readonly storedUnremembered?: ModelReader | undefined;
}

/** What was read to answer: for the answer's `source`. */
export interface StreamsRead {
  streams: number;
  events: number;
  /** Folds through the lens (the scope's, then those of what the view read besides). */
  folds: number;
}

/** What the records a widest completion folds again give a model: the counters documents they add to and the `(index, key)` lists they hold entries of. */
export interface RecordsReads {
  readonly counters: ReadonlySet<string>;
  readonly lists: readonly { readonly index: string; readonly key: string }[];
}

/**
 * The model over the widest completion of a lens (count ranges). `differsIn`:
 * when it is the lens's own model with some records folded again, what those
 * records give either model; nothing else of it differs.
 */
export interface WidestCompletion {
  readonly model: ModelReader;
  readonly differsIn?: RecordsReads;
}

/**
 * A model seen through a lens, folded from the streams its reads need: documents
 * keyed by their stream's name (the record book's), as `replayThroughLens`
 * would give them.
 */
class StreamLensModel implements ModelReader {
  readonly info = undefined;
  private readonly owner = new Map<string, ModelReader>();
  /** Streams with an event the lens may or may not count (listed as may be later, or of unknown year): their fold over the widest completion differs. */
  private readonly uncertain = new Set<string>();
  private readonly indexes = new Map<string, ModelIndexEntry[]>();
  /** Streams the lens lets through whole: their documents are the stored ones, not read from the log. */
  readonly whole = new Map<string, StreamEntry>();
  /** Streams the lists and the report need not read (`unreadThroughLens`), with what the lens leaves of them; shared with the widest completion. */
  readonly unread: Map<string, { entry: StreamEntry; tally: UnreadTally }>;
  /** The records the view read from its list with a limit: the page, and the item before it. */
  readonly listed = new Set<string>();
  private readonly resolved: ResolvedLens;
  /** The streams the view's reads made together ask to fold, and their one fold (`foldTogether`). */
  private batch: { readonly streams: Set<string>; folded: Promise<void> } | undefined;

  constructor(
    readonly projection: AnyProjection,
    private readonly source: StreamsSource,
    private readonly lens: TimeLens,
    private readonly declared: LensStreams<unknown>,
    private readonly widest: boolean,
    readonly read: StreamsRead,
    /** The streams' events, shared with the fold over the widest completion: each stream is read once. */
    private readonly events: Map<string, readonly StoredEvent[]>,
    /**
     * For the widest completion: the certain model, whose folds it takes for the streams that had no uncertain event
     * (there the two filters let the same events through, in the same order).
     */
    private readonly certain?: StreamLensModel,
    /** Is `(index, key)` the answer's list? For the widest completion, the list keeps the records the certain page read. */
    private readonly isList: (index: string, key: string) => boolean = () => false,
  ) {
    this.resolved = resolveLens(lens);
    this.unread = certain?.unread ?? new Map();
  }

  /**
   * Fold the streams not folded yet, with those asked for by the view's other reads made at the same time (one
   * sub-log for all of them: `foldTogether`). `forLists`: for the lists and the report only, so the streams
   * `unreadThroughLens` leaves unread stay so, but those `viewed` (the view reads their documents).
   */
  async ensure(streams: readonly string[], forLists = false, viewed: ReadonlySet<string> = new Set()): Promise<void> {
    const missing = await this.toFold(streams, forLists, viewed);
    if (missing.length > 0) await this.foldTogether(missing);
  }

  /** The scope's streams, folded on their own (one sub-log), so that the lens report is theirs. */
  async foldScope(streams: readonly string[], viewed: ReadonlySet<string>): Promise<{ report: LensReport; scoped: (keep: LensScope) => LensReport } | undefined> {
    const missing = await this.toFold(streams, true, viewed);
    return missing.length === 0 ? undefined : this.fold(missing);
  }

  /** Of these streams, those to fold: not folded yet, not let through whole (the stored document), not left unread. */
  private async toFold(streams: readonly string[], forLists: boolean, viewed: ReadonlySet<string>): Promise<string[]> {
    const unneeded = (s: string) => this.owner.has(s) || (forLists && this.unread.has(s));
    let missing = [...new Set(streams)].filter((s) => !unneeded(s));
    if (this.certain) {
      await this.certain.ensure(missing, forLists);
      for (const stream of missing) {
        const folded = this.certain.owner.get(stream);
        if (folded && !this.certain.uncertain.has(stream)) this.owner.set(stream, folded);
      }
      missing = missing.filter((s) => !unneeded(s));
    }
    const { stored, catalogue } = this.source;
    if (missing.length > 0 && (stored || forLists) && !this.certain) {
      const entries = await catalogue.entries(missing);
      for (const stream of missing) {
        const entry = entries.get(stream);
        if (!entry) continue;
        // The streams the lens lets through whole are the stored documents: not read, not folded.
        if (stored && wholeThroughLens(entry, this.resolved, this.projection.handlesType)) {
          this.owner.set(stream, stored);
          this.whole.set(stream, entry);
          continue;
        }
        const tally = forLists && !viewed.has(stream) ? unreadThroughLens(entry, this.resolved, this.projection, this.declared.undatedGiveNoEntries ?? false) : undefined;
        if (tally) this.unread.set(stream, { entry, tally });
      }
      missing = missing.filter((s) => !unneeded(s));
    }
    return missing;
  }

  /**
   * Fold these streams with the others the view asks for before the fold starts: a view reads its
   * records' lists and documents together (`Promise.all` over an agreement's programmes), and each read
   * would otherwise fold on its own. A fold of several streams gives each its own fold's document (the
   * lens decides event by event within a stream, and a correction lives in the stream it corrects). The
   * fold waits for the reads made together to get this far (`nextTurn`); a read arriving later folds on its own.
   */
  private foldTogether(streams: readonly string[]): Promise<void> {
    if (!this.batch) {
      const batch = { streams: new Set<string>(), folded: Promise.resolve() };
      batch.folded = (async () => {
        await nextTurn();
        this.batch = undefined;
        const pending = [...batch.streams].filter((s) => !this.owner.has(s));
        if (pending.length > 0) await this.fold(pending);
      })();
      this.batch = batch;
    }
    for (const stream of streams) this.batch.streams.add(stream);
    return this.batch.folded;
  }

  /** Read these streams (each once per answer) and fold them through the lens, in one sub-log. */
  private async fold(missing: readonly string[]): Promise<{ report: LensReport; scoped: (keep: LensScope) => LensReport }> {
    const unread = missing.filter((s) => !this.events.has(s));
    const sub = await subLogOf(this.source.store, missing, this.source.head, this.events);
    this.read.streams += unread.length;
    this.read.events += unread.reduce((n, s) => n + this.events.get(s)!.length, 0);
    this.read.folds++;
    const folded = await replayThroughLens(sub.log, this.projection, this.lens, { widest: this.widest });
    const wanted = new Set(missing);
    // Each document must come from its own stream's events only: otherwise the streams read would not be all it needs.
    for (const key of await folded.model.keys()) if (!wanted.has(key)) throw new LensNotServed(`${this.projection.name}: the document ${key} is not its stream's own`);
    for (const stream of missing) this.owner.set(stream, folded.model);
    for (const e of [...folded.report.notCounted.mayBeLater, ...folded.report.notCounted.yearUnknown]) this.uncertain.add(e.stream);
    return folded;
  }

  /**
   * Whether a stream folded so far has an event the lens may or may not count.
   * When none has, the widest completion folds every stream the view read as
   * this model does (it takes these very folds), so its view of the same reads
   * gives the same records; what it reads besides (its list is the records of
   * the page, and the item before it) are records off the page, which
   * `widenCounts` does not match.
   */
  get anyUncertain(): boolean {
    return this.uncertain.size > 0;
  }

  async get(key: string) {
    await this.ensure([key]);
    return this.owner.get(key)!.get(key);
  }

  async getMany(keys: readonly string[]) {
    await this.ensure(keys);
    // One read per model that holds them.
    const byOwner = new Map<ModelReader, string[]>();
    for (const key of new Set(keys)) {
      const owner = this.owner.get(key)!;
      const owned = byOwner.get(owner);
      if (owned) owned.push(key);
      else byOwner.set(owner, [key]);
    }
    const found = new Map<string, unknown>();
    for (const [owner, owned] of byOwner) for (const [key, document] of await owner.getMany(owned)) found.set(key, document);
    return found;
  }

  async keys(range: KeyRange = {}) {
    const found = await this.keysWithin(range);
    const offset = Math.max(0, range.offset ?? 0);
    return found.slice(offset, range.limit === undefined ? undefined : offset + range.limit);
  }

  async keyCount(range: KeySpan = {}) {
    return (await this.keysWithin(range)).length;
  }

  /** The keys of a prefix the streams hold through the lens, after `after`: folded to know which exist (a lens reads them anyway). */
  private async keysWithin(range: KeySpan): Promise<string[]> {
    const { prefix } = range;
    if (prefix === undefined || !this.declared.keyPrefixes.includes(prefix)) throw new LensNotServed(`${this.projection.name}: a listing of keys ${prefix === undefined ? '' : `starting ${prefix} `}through a lens`);
    const streams = await this.source.catalogue.streamsWithPrefix(prefix);
    await this.ensure(streams);
    const held = await this.getMany(streams);
    const found = streams.filter((stream) => held.has(stream));
    return range.after === undefined ? found : found.filter((k) => k > range.after!);
  }

  private async entries(index: string, key: string): Promise<ModelIndexEntry[]> {
    const cacheKey = JSON.stringify([index, key]);
    const cached = this.indexes.get(cacheKey);
    if (cached) return cached;
    const name = this.declared.index(index, key);
    if (name === undefined) throw new LensNotServed(`${this.projection.name}: the index ${index} through a lens`);
    // An empty page restricts nothing (the widest answer is then the whole list, as a replay reads it).
    const restricted = this.certain !== undefined && this.certain.listed.size > 0 && this.isList(index, key);
    const named = await this.source.catalogue.streamsNaming(name, this.projection.handlesType);
    const streams = restricted ? named.filter((s) => this.certain!.listed.has(s)) : named;
    await this.ensure(streams, true);
    const bySort = new Map<string, ModelIndexEntry>();
    // Each document's entries from the model that holds its stream's fold; only the models holding one of these streams (no other stream gives entries here).
    const owners = new Set(streams.flatMap((s) => this.owner.get(s) ?? []));
    for (const model of owners) for (const entry of await model.index(index, key)) if (this.owner.get(entry.document) === model) bySort.set(entry.sort, entry);
    const sorted = [...bySort.values()].sort((a, b) => (a.sort < b.sort ? -1 : a.sort > b.sort ? 1 : 0));
    const merged = restricted ? sorted.filter((e) => this.certain!.listed.has(e.document)) : sorted;
    this.indexes.set(cacheKey, merged);
    return merged;
  }

  async index<V>(index: string, key: string, range: IndexRange = {}): Promise<ModelIndexEntry<V>[]> {
    const all = (await this.entries(index, key)) as ModelIndexEntry<V>[];
    const after = range.after === undefined ? all : all.filter((e) => e.sort > range.after!);
    const offset = Math.max(0, range.offset ?? 0);
    const found = after.slice(offset, range.limit === undefined ? undefined : offset + range.limit);
    // The page is what a read with a limit gives (a page, the item before it); the rest of the list read for order certainty is not.
    if (!this.certain && range.limit !== undefined && this.isList(index, key)) for (const e of found) this.listed.add(e.document);
    return found;
  }

  async indexSize(index: string, key: string) {
    return (await this.entries(index, key)).length;
  }

  async counters(): Promise<Readonly<Record<string, number>>> {
    if (this.projection.counters) throw new LensNotServed(`${this.projection.name}: counters through a lens`);
    return {};
  }

  async state(): Promise<never> {
    throw new LensNotServed(`${this.projection.name}: the one document of a model through a lens`);
  }

  async export(): Promise<never> {
    throw new LensNotServed(`${this.projection.name}: an export through a lens`);
  }
}

/**
 * Open a projection's model through a lens from the streams of `scope`: the
 * scope's streams are folded at once (one sub-log, so the lens report over them
 * is the replay's, scoped by `keep`), the rest when a view reads it. With
 * `widest`, also the model over the widest completion (for count ranges).
 */
export async function lensFromStreams(
  source: StreamsSource,
  projection: AnyProjection,
  lens: TimeLens,
  declared: LensStreams<unknown>,
  scope: { readonly names: readonly string[]; readonly prefixes: readonly string[] },
  keep: LensScope,
  params: unknown,
): Promise<{ model: ModelReader; report: LensReport; widest: () => Promise<WidestCompletion | undefined>; read: StreamsRead }> {
  const streams = new Set<string>();
  for (const name of scope.names) for (const s of await source.catalogue.streamsNaming(name, projection.handlesType)) streams.add(s);
  for (const prefix of scope.prefixes) for (const s of await source.catalogue.streamsWithPrefix(prefix)) streams.add(s);
  const read: StreamsRead = { streams: 0, events: 0, folds: 0 };
  const events = new Map<string, readonly StoredEvent[]>();
  const isList = (index: string, key: string) => declared.isList?.(params, index, key) ?? false;
  const model = new StreamLensModel(projection, source, lens, declared, false, read, events, undefined, isList);
  const documents = declared.documents?.(params) ?? { keys: [], prefixes: [] };
  const viewed = new Set(documents.keys);
  for (const prefix of documents.prefixes) for (const s of await source.catalogue.streamsWithPrefix(prefix)) viewed.add(s);
  const folded = await model.foldScope([...streams], viewed);
  const fromFolds = folded ? folded.scoped(keep) : (await replayThroughLens((await subLogOf(source.store, [], source.head)).log, projection, lens)).scoped(keep);
  // The streams not read: those let through whole count every event of a type the projection handles, the others what `unreadThroughLens` tallied.
  const unread = [...[...model.whole].map(([stream, entry]) => ({ stream, entry, tally: undefined })), ...[...model.unread].map(([stream, u]) => ({ stream, ...u }))];
  let [counted, later, recordedLater] = [0, 0, 0];
  for (const { stream, entry, tally } of unread) {
    const handled = Object.keys(entry.types).filter((type) => projection.handlesType(type));
    if (handled.length === 0) continue;
    const partners = new Set(handled.flatMap((type) => entry.partnersByType[type] ?? []));
    const participants = new Set(handled.flatMap((type) => entry.participantsByType[type] ?? []));
    if (!keep(stream, partners, participants)) continue;
    counted += tally?.counted ?? handled.reduce((n, type) => n + entry.types[type]!, 0);
    later += tally?.later ?? 0;
    recordedLater += tally?.recordedLater ?? 0;
  }
  const { notCounted } = fromFolds;
  const report = {
    ...fromFolds,
    eventsCounted: fromFolds.eventsCounted + counted,
    notCounted: { ...notCounted, later: notCounted.later + later, recordedLater: notCounted.recordedLater + recordedLater },
  };
  return {
    model,
    report,
    // `undefined` when it would give the page's own counts (`anyUncertain`), to be read after the page's view.
    widest: async () => (model.anyUncertain ? { model: new StreamLensModel(projection, source, lens, declared, true, read, events, model, isList) } : undefined),
    read,
  };
}
