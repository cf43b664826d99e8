import type { DomainEventType, EventStore, StoredEvent } from '@taawun/domain';
import { ProjectionError } from './errors.js';
import { decodeFor } from './events.js';
import { DocumentFolder } from './document-folder.js';
import { InMemoryReadModelStorage } from './in-memory-storage.js';
import { storedModel, type ModelReader } from './model-reader.js';
import type { EventOfType, Projection } from './projection.js';
import type { GenerationInfo, ReadModelStorage } from './storage.js';

export interface RunnerOptions {
  readonly store: EventStore;
  readonly storage: ReadModelStorage;
  /**
   * Commit the changed documents + checkpoint after exactly this many applied
   * events. Without it, a rebuild or catch-up commits about every
   * `commitIntervalMs` of work (stretched so that commits take at most a fifth
   * of the time), or sooner when `maxDirtyDocuments` documents wait to be written.
   */
  readonly batchSize?: number;
  /** Without `batchSize`: the work between two commits, in milliseconds (default 2000). */
  readonly commitIntervalMs?: number;
  /** Without `batchSize`: commit once this many documents have changed since the last commit (default 250): memory stays bounded. */
  readonly maxDirtyDocuments?: number;
  /** Clean documents kept in memory (least recently used evicted first; default 500). */
  readonly cacheSize?: number;
  /** Events per page read from the store (default: the store's own). Documents of a page's events are fetched in one read. */
  readonly pageSize?: number;
  /** Called after every commit and when a run ends. */
  readonly onProgress?: (progress: Progress) => void;
  /** Called after every commit, e.g. to tell live readers the model moved on. */
  readonly onCommit?: (info: GenerationInfo) => void;
  /** Milliseconds clock for rates (default `performance.now`). */
  readonly clock?: () => number;
}

/**
 * How far a run has got. Counts are in log positions, which are event counts on
 * stores with gap-free positions (in-memory, SQLite, PostgreSQL); events the
 * projection does not handle are covered without being read.
 */
export interface Progress {
  readonly projection: string;
  readonly version: number;
  readonly generation: number;
  readonly phase: 'rebuild' | 'catch-up' | 'live';
  /** Log positions covered since the run started. */
  readonly eventsDone: number;
  /** Log positions between the checkpoint the run started from and the head of the log when it started. */
  readonly eventsTotal: number;
  /** Events this run applied to the state (the handled ones). */
  readonly eventsApplied: number;
  readonly position: bigint | undefined;
  readonly headPosition: bigint | undefined;
  /** `eventsDone` per second since the run started. */
  readonly eventsPerSecond: number;
  readonly elapsedMs: number;
  readonly done: boolean;
}

export interface RunResult {
  readonly projection: string;
  readonly version: number;
  readonly generation: number;
  readonly phase: 'rebuild' | 'catch-up' | 'live';
  /** The checkpoint after the run. */
  readonly position: bigint | undefined;
  /** Events applied by this run. */
  readonly eventsApplied: number;
  /** A rebuild resumed an interrupted one from this checkpoint. */
  readonly resumedFrom?: bigint | undefined;
  /** The generation was swapped in as the active one at the end of this run. */
  readonly activated: boolean;
  /** False when the run was stopped (signal, `maxEvents`) before reaching the head of the log. */
  readonly complete: boolean;
  readonly elapsedMs: number;
}

export interface RunnerStatus {
  readonly active?: GenerationInfo;
  /** An unfinished build of this projection's version, if any (it will be resumed). */
  readonly building?: GenerationInfo;
  /** True when the active generation is this projection's version. */
  readonly current: boolean;
}

const positionSpan = (from: bigint | undefined, to: bigint | undefined): number =>
  to === undefined ? 0 : Number(to - (from ?? 0n));

/** Events decoded and their documents fetched together, in one read. */
const CHUNK = 500;

/**
 * A turn of the event loop. Synchronous storage (better-sqlite3) resolves every
 * await at once, so without this a rebuild inside a server would keep its
 * requests waiting until the end: one turn per chunk lets them in.
 */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Runs one projection against a store and a read-model storage: rebuild from the
 * first event, catch up from the stored checkpoint, follow the live log. The
 * documents changed since the last commit and the checkpoint are committed
 * together, in one transaction, at regular points, so a run that is killed
 * resumes exactly where its last commit left it.
 */
export class ProjectionRunner<S, T extends DomainEventType> {
  private readonly batchSize: number | undefined;
  private readonly commitIntervalMs: number;
  private readonly maxDirty: number;
  private readonly clock: () => number;

  constructor(
    readonly projection: Projection<S, T>,
    private readonly options: RunnerOptions,
  ) {
    this.batchSize = options.batchSize === undefined ? undefined : Math.max(1, Math.trunc(options.batchSize));
    this.commitIntervalMs = Math.max(0, options.commitIntervalMs ?? 2000);
    this.maxDirty = Math.max(1, options.maxDirtyDocuments ?? 250);
    this.clock = options.clock ?? (() => performance.now());
  }

  /** Decides when a run commits: every `batchSize` events, or by time and dirty documents (see `RunnerOptions.batchSize`). */
  private commitPolicy(folder: DocumentFolder<S, T>): { due: (pending: number) => boolean; committed: (tookMs: number) => void } {
    if (this.batchSize !== undefined) {
      const size = this.batchSize;
      return { due: (pending) => pending >= size, committed: () => undefined };
    }
    let last = this.clock();
    let interval = this.commitIntervalMs;
    return {
      due: (pending) => pending > 0 && (folder.dirtyCount >= this.maxDirty || this.clock() - last >= interval),
      committed: (tookMs) => {
        last = this.clock();
        interval = Math.max(this.commitIntervalMs, 4 * tookMs);
      },
    };
  }

  private get name(): string {
    return this.projection.name;
  }

  private folder(info: GenerationInfo): DocumentFolder<S, T> {
    return new DocumentFolder(this.projection, this.options.storage, info, this.options.cacheSize === undefined ? {} : { cacheSize: this.options.cacheSize });
  }

  async status(): Promise<RunnerStatus> {
    const generations = await this.options.storage.generations(this.name);
    const active = generations.find((g) => g.status === 'active');
    const building = generations.filter((g) => g.status === 'building' && g.version === this.projection.version).at(-1);
    return { ...(active ? { active } : {}), ...(building ? { building } : {}), current: active?.version === this.projection.version };
  }

  /** The active model when it is this projection's version (else `undefined`: not built yet, or being rebuilt). */
  async read(): Promise<ModelReader<S> | undefined> {
    const { active, current } = await this.status();
    return active && current ? storedModel<S>(this.options.storage, this.projection, active) : undefined;
  }

  /**
   * Build the read model from the first event into a new generation and swap it
   * in at the end. An interrupted rebuild of the same version is resumed from
   * its checkpoint, unless `fromScratch`.
   */
  async rebuild(options: { fromScratch?: boolean; signal?: AbortSignal } = {}): Promise<RunResult> {
    const { storage } = this.options;
    let building = (await this.status()).building;
    if (building && options.fromScratch) {
      await storage.drop(this.name, building.generation);
      building = undefined;
    }
    const info = building ?? (await storage.create(this.name, this.projection.version));
    const outcome = await this.run(info, 'rebuild', options);
    if (outcome.complete) await storage.activate(this.name, info.generation);
    return { ...outcome.result, activated: outcome.complete, ...(building ? { resumedFrom: building.position } : {}) };
  }

  /**
   * Bring the active model up to the head of the log. When there is none at this
   * projection's version (first run, or the version was bumped), rebuild instead.
   */
  async catchUp(options: { signal?: AbortSignal; maxEvents?: number } = {}): Promise<RunResult> {
    const { active, current } = await this.status();
    this.refuseNewer(active);
    if (!active || !current) return this.rebuild(options);
    const outcome = await this.run(active, 'catch-up', options);
    return { ...outcome.result, activated: false };
  }

  /**
   * Catch up, then apply new events as they are committed until `signal` aborts.
   * Commits `commitDelayMs` (default 100) after the first uncommitted event,
   * or as soon as `batchSize` events are pending, when it is set.
   */
  async follow(options: { signal: AbortSignal; commitDelayMs?: number }): Promise<RunResult> {
    const { signal } = options;
    const first = await this.catchUp({ signal });
    if (signal.aborted || !first.complete) return first;
    const { store, storage } = this.options;
    const started = this.clock();
    const generation = (await storage.generations(this.name)).find((g) => g.generation === first.generation);
    if (!generation) throw new ProjectionError('generation-missing', `read model ${this.name}: generation ${first.generation} no longer exists (another runner replaced it)`);
    const folder = this.folder(generation);
    let committed = generation;
    let position = committed.position;
    let pending = 0;
    let applied = 0;
    let failure: unknown;
    let chain: Promise<void> = Promise.resolve();
    let timer: ReturnType<typeof setTimeout> | undefined;

    // Folds and commits run one after another on one chain: a commit never sees a fold half done.
    const enqueue = (work: () => Promise<void>): Promise<void> =>
      (chain = chain.then(work).catch((e: unknown) => {
        failure ??= e;
      }));
    const flush = (): Promise<void> => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      return enqueue(async () => {
        if (pending === 0 || position === undefined) return;
        const count = pending;
        pending = 0;
        committed = await folder.commit(position, committed.eventsApplied + count);
        this.options.onCommit?.(committed);
        this.report('live', committed, started, first.position, position, applied, false);
      });
    };

    for await (const stored of store.follow({ ...(position === undefined ? {} : { after: position }), filter: { types: this.projection.handles }, signal })) {
      if (failure) break;
      if (!this.projection.handlesType(stored.type)) continue;
      const event = decodeFor(this.projection, stored);
      await enqueue(async () => {
        const loading = folder.apply(event);
        if (loading) await loading;
        position = stored.position;
        pending++;
        applied++;
      });
      if (this.batchSize !== undefined && pending >= this.batchSize) await flush();
      else timer ??= setTimeout(() => void flush(), options.commitDelayMs ?? 100);
    }
    await flush();
    if (failure) throw failure;
    return {
      projection: this.name,
      version: this.projection.version,
      generation: committed.generation,
      phase: 'live',
      position: committed.position,
      eventsApplied: applied,
      activated: false,
      complete: true,
      elapsedMs: this.clock() - started,
    };
  }

  private refuseNewer(active: GenerationInfo | undefined): void {
    if (active && active.version > this.projection.version) {
      throw new ProjectionError(
        'invalid-projection',
        `read model ${this.name} is stored at version ${active.version}, newer than this code's version ${this.projection.version}: upgrade taawun instead of rebuilding it back`,
      );
    }
  }

  /** Apply every handled event after the generation's checkpoint up to the head of the log as it was when the run started. */
  private async run(
    from: GenerationInfo,
    phase: 'rebuild' | 'catch-up',
    limits: { signal?: AbortSignal; maxEvents?: number },
  ): Promise<{ complete: boolean; result: Omit<RunResult, 'activated'> }> {
    const { store } = this.options;
    const started = this.clock();
    // Read the head first: every event at or below it is committed, so the pages read after see them all.
    const head = await store.lastPosition();
    const start = from.position;
    const folder = this.folder(from);
    let committed = from;
    let position = start;
    let pending = 0;
    let applied = 0;
    let stopped = false;
    const policy = this.commitPolicy(folder);

    const commit = async () => {
      const began = this.clock();
      committed = await folder.commit(position!, committed.eventsApplied + pending);
      pending = 0;
      policy.committed(this.clock() - began);
      this.options.onCommit?.(committed);
      this.report(phase, committed, started, start, head, applied, false);
    };

    /** Decode a chunk, fetch its documents in one read, then apply event by event. */
    const apply = async (chunk: (StoredEvent | undefined)[]) => {
      const events = chunk.map((stored) => (this.projection.handlesType(stored!.type) ? decodeFor(this.projection, stored!) : undefined));
      const keys = events.map((e) => (e === undefined ? [] : this.projection.keysOf(e)));
      await folder.prefetch(keys.flat());
      for (let i = 0; i < chunk.length; i++) {
        if (limits.signal?.aborted || (limits.maxEvents !== undefined && applied >= limits.maxEvents)) {
          stopped = true;
          return;
        }
        const event = events[i];
        if (event) {
          const loading = folder.apply(event, keys[i]);
          if (loading) await loading;
          pending++;
          applied++;
        }
        position = chunk[i]!.position;
        // Let what is applied go: memory holds the documents, not the log.
        chunk[i] = undefined;
        events[i] = undefined;
        if (policy.due(pending)) await commit();
      }
    };

    if (head !== undefined && (start === undefined || start < head)) {
      const pages: AsyncIterable<StoredEvent> = store.readAll({
        ...(start === undefined ? {} : { after: start }),
        filter: { types: this.projection.handles },
        ...(this.options.pageSize ? { pageSize: this.options.pageSize } : {}),
      });
      const size = Math.max(1, this.options.pageSize ?? CHUNK);
      let chunk: (StoredEvent | undefined)[] = [];
      for await (const stored of pages) {
        if (stored.position > head) break;
        chunk.push(stored);
        if (chunk.length >= size) {
          await apply(chunk);
          chunk = [];
          if (stopped) break;
          await turn();
        }
      }
      if (!stopped && chunk.length > 0) await apply(chunk);
      // Unhandled events after the last handled one are covered too: the next run starts past them.
      if (!stopped) position = head;
      if (position !== committed.position) await commit();
    }
    this.report(phase, committed, started, start, head, applied, true);
    return {
      complete: !stopped,
      result: {
        projection: this.name,
        version: this.projection.version,
        generation: committed.generation,
        phase,
        position: committed.position,
        eventsApplied: applied,
        complete: !stopped,
        elapsedMs: this.clock() - started,
      },
    };
  }

  private report(
    phase: Progress['phase'],
    info: GenerationInfo,
    started: number,
    start: bigint | undefined,
    head: bigint | undefined,
    applied: number,
    done: boolean,
  ): void {
    if (!this.options.onProgress) return;
    const elapsedMs = this.clock() - started;
    const eventsDone = positionSpan(start, info.position);
    this.options.onProgress({
      projection: this.name,
      version: this.projection.version,
      generation: info.generation,
      phase,
      eventsDone,
      eventsTotal: Math.max(eventsDone, positionSpan(start, head)),
      eventsApplied: applied,
      position: info.position,
      headPosition: head,
      eventsPerSecond: elapsedMs > 0 ? (eventsDone * 1000) / elapsedMs : 0,
      elapsedMs,
      done,
    });
  }
}

/**
 * Fold events into a fresh model in memory (documents, index entries and
 * counters as a stored generation would hold them), committed once at the end:
 * what replays and time lenses answer from.
 */
export async function foldInMemory<S, T extends DomainEventType>(
  projection: Projection<S, T>,
  events: AsyncIterable<readonly EventOfType<T>[]>,
): Promise<ModelReader<S>> {
  const storage = new InMemoryReadModelStorage();
  const info = await storage.create(projection.name, projection.version);
  // Nothing is evicted before the end: the one commit writes every document once.
  const folder = new DocumentFolder(projection, storage, info, { cacheSize: 1 });
  let applied = 0;
  for await (const page of events) {
    const keys = page.map((event) => projection.keysOf(event));
    await folder.prefetch(keys.flat());
    for (let i = 0; i < page.length; i++) await folder.apply(page[i]!, keys[i]);
    applied += page.length;
  }
  const committed = await folder.commit(0n, applied);
  await storage.activate(projection.name, info.generation);
  // A model of no stored generation: it has no `info`.
  return { ...storedModel<S>(storage, projection, { ...committed, status: 'active' }), info: undefined };
}

/** The handled events of the log, decoded, a page at a time. */
export async function* decodedPages<S, T extends DomainEventType>(store: EventStore, projection: Projection<S, T>, options: { pageSize?: number } = {}): AsyncGenerator<EventOfType<T>[]> {
  const size = Math.max(1, options.pageSize ?? CHUNK);
  let page: EventOfType<T>[] = [];
  for await (const stored of store.readAll({ filter: { types: projection.handles }, ...(options.pageSize ? { pageSize: options.pageSize } : {}) })) {
    if (!projection.handlesType(stored.type)) continue;
    page.push(decodeFor(projection, stored));
    if (page.length >= size) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}

/**
 * Fold the whole log through a projection into a model in memory (no durable
 * storage), page by page: what queries answer from when no stored model is at
 * the code's version. Its `info` is that of an in-memory generation.
 */
export async function replay<S, T extends DomainEventType>(store: EventStore, projection: Projection<S, T>, options: { pageSize?: number } = {}): Promise<ModelReader<S>> {
  return foldInMemory(projection, decodedPages(store, projection, options));
}
