import type { DecodeResult, DomainEventType } from '@taawun/domain';
import { correctedEvent, correctionOf, type CorrectionChanges } from './corrections.js';
import { ProjectionError } from './errors.js';
import { decodedFor, decodeFor } from './events.js';
import { decodingInProcess } from './decoded-log.js';
import { DocumentFolder } from './document-folder.js';
import { HeapBound } from './heap-bound.js';
import { CHUNK } from './in-memory-fold.js';
import { CorrectionsNote, correctionsForRun, rebuildFor } from './late-corrections.js';
import { storedModel, type ModelReader } from './model-reader.js';
import type { Projection } from './projection.js';
import type { CorrectionRebuild, Progress, RunResult, RunnerOptions, RunnerStatus } from './runner-options.js';
import type { GenerationInfo } from './storage.js';

export { decodedPages, foldInMemory, replay } from './in-memory-fold.js';
export type { CorrectionRebuild, Progress, RunResult, RunnerOptions, RunnerStatus } from './runner-options.js';

/** Where a decoded (or undecodable) event lies in the log. */
const positionOf = (decoded: DecodeResult): { readonly position: bigint; readonly type: string } => (decoded.ok ? decoded.value : decoded.error.event);

const positionSpan = (from: bigint | undefined, to: bigint | undefined): number =>
  to === undefined ? 0 : Number(to - (from ?? 0n));

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
    let info = building ?? (await storage.create(this.name, this.projection.version));
    let outcome = await this.run(info, 'rebuild', options);
    if ('stale' in outcome) {
      // A correction of an event the unfinished build folded: start again from the first event.
      await storage.drop(this.name, info.generation);
      building = undefined;
      info = await storage.create(this.name, this.projection.version);
      outcome = await this.run(info, 'rebuild', options);
      if ('stale' in outcome) throw new Error('a build from the first event cannot be stale');
    }
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
    // A correction of an event already folded, changing a field it reads: a new generation, swapped in at the end.
    if ('stale' in outcome) return { ...(await this.rebuild(options)), rebuiltFor: outcome.stale };
    return { ...outcome.result, activated: false };
  }

  /**
   * Catch up, then apply new events as they are committed until `signal` aborts.
   * Commits `commitDelayMs` (default 100) after the first uncommitted event,
   * or as soon as `batchSize` events are pending, when it is set. A correction
   * that changes a field the projection reads of an event already folded
   * rebuilds the model into a new generation (readers keep the old one until
   * the swap), then following goes on from it.
   */
  async follow(options: { signal: AbortSignal; commitDelayMs?: number }): Promise<RunResult> {
    const { signal } = options;
    const started = this.clock();
    let run = await this.catchUp({ signal });
    let rebuiltFor = run.rebuiltFor;
    let applied = 0;
    for (;;) {
      if (signal.aborted || !run.complete) return { ...run, ...(rebuiltFor ? { rebuiltFor } : {}) };
      const live = await this.followLive(run.generation, signal, options.commitDelayMs ?? 100, started);
      applied += live.applied;
      if (!live.stale) return { ...live.result, eventsApplied: applied, elapsedMs: this.clock() - started, ...(rebuiltFor ? { rebuiltFor } : {}) };
      rebuiltFor = live.stale;
      run = await this.rebuild({ fromScratch: true, signal });
    }
  }

  /** Follow the log into one generation until `signal` aborts, or until a correction makes it stale. */
  private async followLive(
    generationNumber: number,
    signal: AbortSignal,
    commitDelayMs: number,
    started: number,
  ): Promise<{ result: RunResult; applied: number; stale?: CorrectionRebuild }> {
    const { store, storage } = this.options;
    const generation = (await storage.generations(this.name)).find((g) => g.generation === generationNumber);
    if (!generation) throw new ProjectionError('generation-missing', `read model ${this.name}: generation ${generationNumber} no longer exists (another runner replaced it)`);
    const folder = this.folder(generation);
    const from = generation.position;
    let committed = generation;
    let position = committed.position;
    let pending = 0;
    /** Events passed over (corrections that change nothing it reads) since the last commit: the checkpoint moves past them too. */
    let covered = false;
    let applied = 0;
    let failure: unknown;
    let stale: CorrectionRebuild | undefined;
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
        if ((pending === 0 && !covered) || position === undefined) return;
        const count = pending;
        pending = 0;
        covered = false;
        committed = await folder.commit(position, committed.eventsApplied + count);
        this.options.onCommit?.(committed);
        this.report('live', committed, started, from, position, applied, false);
      });
    };

    // The store is asked for corrections too when the engine applies them: `evolve` never sees one.
    for await (const stored of store.follow({ ...(position === undefined ? {} : { after: position }), filter: { types: this.projection.storeTypes }, signal })) {
      if (failure) break;
      if (stored.type === 'RecordCorrected' && this.projection.correctionsBy === 'engine') {
        // Its event came before it, so it is folded already (uncorrected): stale, if it changes what the projection reads.
        stale = rebuildFor(this.projection, correctionOf(stored, this.projection.handlesType));
        if (stale) break;
        await enqueue(async () => {
          position = stored.position;
          covered = true;
        });
        timer ??= setTimeout(() => void flush(), commitDelayMs);
        continue;
      }
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
      else timer ??= setTimeout(() => void flush(), commitDelayMs);
    }
    await flush();
    if (failure) throw failure;
    const result: RunResult = {
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
    return { result, applied, ...(stale ? { stale } : {}) };
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
  ): Promise<{ complete: boolean; result: Omit<RunResult, 'activated'> } | { stale: CorrectionRebuild }> {
    const { store } = this.options;
    const started = this.clock();
    // Read the head first: every event at or below it is committed, so the pages read after see them all.
    const head = await store.lastPosition();
    const start = from.position;
    const behind = head !== undefined && (start === undefined || start < head);
    let corrections: CorrectionChanges | undefined;
    let noted = false;
    if (behind && this.projection.correctionsBy === 'engine') {
      const found = await correctionsForRun(this.projection, store, this.options.storage, from, head);
      if (found.stale) return { stale: found.stale };
      corrections = found.changes;
      noted = found.noted;
    }
    const note = behind ? new CorrectionsNote(corrections !== undefined, head, noted) : undefined;
    const reader = `projection ${this.name}`;
    const folder = this.folder(from);
    let committed = from;
    let position = start;
    let pending = 0;
    let applied = 0;
    let stopped = false;
    const policy = this.commitPolicy(folder);
    // What the run leaves behind is garbage, and V8 would let it grow with what is live: bounded at each commit.
    const heap = new HeapBound(this.options.heapMarginBytes);

    /**
     * A commit is started, not awaited: the next pages are read and folded while
     * the storage writes it (on PostgreSQL the server writes on one core while
     * the runner folds on the other). One at a time: the next commit, and the
     * end of the run, wait for it first, and its failure is thrown there. The
     * folder snapshots what it writes when the commit starts; documents folded
     * meanwhile stay dirty for the next one.
     */
    let inFlight: Promise<void> | undefined;
    const settled = async () => {
      const previous = inFlight;
      inFlight = undefined;
      await previous;
    };
    const commit = async () => {
      await settled();
      const began = this.clock();
      const appliedNow = applied;
      const writing = folder.commit(position!, from.eventsApplied + appliedNow, note?.at(position!));
      pending = 0;
      inFlight = writing.then((info) => {
        committed = info;
        policy.committed(this.clock() - began);
        heap.check();
        this.options.onCommit?.(committed);
        this.report(phase, committed, started, start, head, appliedNow, false);
      });
      // Handled when awaited; a failure while the runner is busy elsewhere is not unhandled meanwhile.
      inFlight.catch(() => undefined);
      // A storage that writes synchronously (SQLite, memory) has finished by the next turn: its commit is
      // reported before the next event is applied, as if awaited (an abort from onProgress stops there).
      await turn();
    };

    /** Take a decoded chunk, fetch its documents in one read, then apply event by event. */
    const apply = async (chunk: (DecodeResult | undefined)[]) => {
      const events = chunk.map((decoded) => {
        if (!this.projection.handlesType(positionOf(decoded!).type)) return undefined;
        const event = decodedFor(this.projection, decoded!);
        return corrections ? correctedEvent(event, corrections, reader) : event;
      });
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
        position = positionOf(chunk[i]!).position;
        // Let what is applied go: memory holds the documents, not the log.
        chunk[i] = undefined;
        events[i] = undefined;
        if (policy.due(pending)) await commit();
      }
    };

    if (behind) {
      // Read and decoded by the reader given (the SQLite adapter's does it in a worker thread), else here.
      const decoding = this.options.decodingReader ?? decodingInProcess(store, this.options.pageSize);
      const pages = decoding.read({ after: start, to: head!, types: this.projection.handles, pageSize: Math.max(1, this.options.pageSize ?? CHUNK) });
      try {
        for await (const page of pages) {
          await apply([...page]);
          if (stopped) break;
          await turn();
        }
      } catch (error) {
        // The run fails with its own error, once the commit on its way has ended (its outcome no longer matters).
        await settled().catch(() => undefined);
        throw error;
      }
      // Unhandled events after the last handled one are covered too: the next run starts past them.
      if (!stopped) position = head;
      await settled();
      if (position !== committed.position) {
        await commit();
        await settled();
      }
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
