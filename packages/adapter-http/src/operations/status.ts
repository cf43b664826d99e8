import type { ReadModelFollowerStatus } from '@taawun/projections';

export type { ReadModelFollowerStatus };

export interface ReadModelHealth {
  readonly name: string;
  readonly position: string | null;
  readonly lag: number;
  readonly rebuilding: boolean;
  readonly waitingTurn: boolean;
  readonly stopped: boolean;
}

/** Each read model's lag behind the log head: events the head is ahead of the model. */
export function readModelHealth(statuses: readonly ReadModelFollowerStatus[], head: bigint | undefined): ReadModelHealth[] {
  return statuses.map((s) => ({
    name: s.name,
    position: s.position === undefined ? null : s.position.toString(),
    lag: head === undefined ? 0 : Number(head - (s.position ?? 0n) < 0n ? 0n : head - (s.position ?? 0n)),
    rebuilding: s.rebuilding,
    waitingTurn: s.waitingTurn,
    stopped: s.stopped,
  }));
}
