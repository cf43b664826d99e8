/**
 * The read-model storage port: where a projection's state and its checkpoint
 * live. Small on purpose: in-memory and SQLite implement it here and in
 * `@taawun/adapter-sqlite`; PostgreSQL implements it in `@taawun/adapter-postgres`.
 * Every implementation passes `readModelStorageContract` from `@taawun/projections/testing`.
 *
 * A read model is kept in **generations**. A generation is one build of one
 * projection version: its state (JSON text, as the engine serialised it) and
 * its checkpoint (the log position of the last event applied), which always
 * change together. At most one generation per name is `active` (the one
 * readers use); a rebuild writes a new `building` generation beside it and
 * `activate` swaps it in, so readers never see a half-built model.
 */
export interface ReadModelStorage {
  /** Every generation kept for the read model `name`, oldest first. */
  generations(name: string): Promise<GenerationInfo[]>;

  /**
   * Start a new `building` generation of `version`, holding `initialState` and
   * no checkpoint. Its number is greater than every generation kept for `name`.
   */
  create(name: string, version: number, initialState: string): Promise<GenerationInfo>;

  /** A generation's state and checkpoint, read together (one consistent snapshot). `undefined` when it does not exist. */
  load(name: string, generation: number): Promise<StoredGeneration | undefined>;

  /**
   * Replace the generation's state and checkpoint in **one atomic write**: after a
   * crash either both changed or neither did, so an event is never applied twice
   * nor skipped. Compare-and-set: the stored checkpoint must still be
   * `expectedPosition` (else `ProjectionError('concurrent-runner')`: another runner
   * wrote first); a missing generation is `ProjectionError('generation-missing')`.
   */
  commit(name: string, generation: number, change: CommitChange): Promise<GenerationInfo>;

  /**
   * Atomically make `generation` the active one and delete every other generation
   * of `name` (the one it replaces, and abandoned builds). Readers see the old
   * model until this returns and the new one after.
   */
  activate(name: string, generation: number): Promise<void>;

  /** Delete a generation (an abandoned build). Deleting one that does not exist does nothing. */
  drop(name: string, generation: number): Promise<void>;
}

export interface GenerationInfo {
  readonly name: string;
  /** 1, 2, 3, ... per name; a rebuild gets a greater number than what it replaces. */
  readonly generation: number;
  /** The projection version that builds it. */
  readonly version: number;
  readonly status: 'building' | 'active';
  /** The checkpoint: position of the last event applied (or covered); `undefined` before the first commit. */
  readonly position: bigint | undefined;
  /** Events applied to this generation's state since it was created. */
  readonly eventsApplied: number;
  /** ISO 8601 instant of the last change. */
  readonly updatedAt: string;
}

export interface StoredGeneration {
  readonly info: GenerationInfo;
  /** The state as JSON text, exactly as last committed. */
  readonly state: string;
}

export interface CommitChange {
  /** The new state, as JSON text. */
  readonly state: string;
  /** The new checkpoint. Never smaller than the stored one. */
  readonly position: bigint;
  readonly eventsApplied: number;
  /** The checkpoint this change was computed from (`undefined`: none yet). */
  readonly expectedPosition: bigint | undefined;
}
