import type { EventStore } from '@taawun/domain';
import type { DecodingLogReader } from './decoded-log.js';
import type { GenerationInfo, ReadModelStorage } from './storage.js';

/** What a `ProjectionRunner` is given, and what its runs report. */
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
  /**
   * During a rebuild or catch-up, at each commit: a full garbage collection when
   * the heap holds more than this many bytes above what the last one left
   * (default 32 MiB; `Infinity` leaves it to V8, which lets garbage grow to about
   * four times what is live). Following the live log never collects.
   */
  readonly heapMarginBytes?: number;
  /** Events per page read from the store (default: the store's own). Documents of a page's events are fetched in one read. */
  readonly pageSize?: number;
  /**
   * Reads and decodes the log for rebuilds and catch-ups (default: `store.readAll`
   * and `decodeEvent` on the runner's thread). It must read `store`'s log as
   * `store` gives it: the SQLite adapter's `sqliteDecodingReader(store)` reads
   * the same file in a worker thread while the runner folds and writes. Following
   * the live log always decodes on the runner's thread.
   */
  readonly decodingReader?: DecodingLogReader;
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
  /** The model was rebuilt because of this correction, recorded after the event it corrects was folded. */
  readonly rebuiltFor?: CorrectionRebuild;
}

/** A correction that made a stored model stale: it changes fields the projection reads of an event already folded. */
export interface CorrectionRebuild {
  /** The `RecordCorrected` event. */
  readonly correctionId: string;
  readonly correctedEventId: string;
  readonly correctedEventType: string;
  /** The changed fields the projection reads. */
  readonly fields: readonly string[];
}

export interface RunnerStatus {
  readonly active?: GenerationInfo;
  /** An unfinished build of this projection's version, if any (it will be resumed). */
  readonly building?: GenerationInfo;
  /** True when the active generation is this projection's version. */
  readonly current: boolean;
}
