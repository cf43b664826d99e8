/** What the program that keeps the stored read models current says about each of them (`@taawun/runtime`'s followers). */
export interface ReadModelFollowerStatus {
  readonly name: string;
  /** The last log position committed to the generation in use (undefined: nothing yet). */
  readonly position: bigint | undefined;
  /** Being built from the start of the log (a new version, or a purge after an erasure): its answers are not current. */
  readonly rebuilding: boolean;
  /** Times the follower started again after a failure or a replaced generation. */
  readonly restarts: number;
  /** The last failure's first line, if any (never sent to clients). */
  readonly lastError: string | undefined;
  /** Stopped for good (a stored model newer than this code): queries replay the log instead. */
  readonly stopped: boolean;
}

export interface ReadModelHealth {
  readonly name: string;
  readonly position: string | null;
  readonly lag: number;
  readonly rebuilding: boolean;
  readonly stopped: boolean;
}

/** Each read model's lag behind the log head: events the head is ahead of the model. */
export function readModelHealth(statuses: readonly ReadModelFollowerStatus[], head: bigint | undefined): ReadModelHealth[] {
  return statuses.map((s) => ({
    name: s.name,
    position: s.position === undefined ? null : s.position.toString(),
    lag: head === undefined ? 0 : Number(head - (s.position ?? 0n) < 0n ? 0n : head - (s.position ?? 0n)),
    rebuilding: s.rebuilding,
    stopped: s.stopped,
  }));
}
