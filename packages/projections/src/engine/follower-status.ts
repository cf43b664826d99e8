/**
 * What the program that keeps a stored read model current (`@taawun/runtime`'s
 * followers) says about it: read by the HTTP server's `/metrics` and
 * `/health/ready`. Written once here, where both depend.
 */
export interface ReadModelFollowerStatus {
  readonly name: string;
  /** The last log position committed to the generation in use (undefined: nothing yet). */
  readonly position: bigint | undefined;
  /** Being built from the start of the log (a new version, or a purge after an erasure): its answers are not current. */
  readonly rebuilding: boolean;
  /** Waiting for another model's catch-up to end before its own starts (followers catch up one at a time). */
  readonly waitingTurn: boolean;
  /** Times the follower started again after a failure or a replaced generation. */
  readonly restarts: number;
  /** The last failure's first line, if any (never sent to clients). */
  readonly lastError: string | undefined;
  /** Stopped for good (a stored model newer than this code): queries replay the log instead. */
  readonly stopped: boolean;
}
