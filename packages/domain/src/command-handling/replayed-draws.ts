import type { CommandContext } from './context.js';

/** A context whose clock readings and new ids can be drawn again, in the same order. */
export interface ReplayedDraws {
  readonly context: CommandContext;
  /** From now on, hand out again what was drawn, then draw on. */
  rewind(): void;
}

/**
 * The attempt on a kept state that comes to nothing (a refusal to confirm, a
 * stream that moved) is not an attempt the caller sees: the attempt on the
 * stream as read that follows gets the same instant and the same ids, so the
 * stored events are what they would have been without it.
 */
export function replayedDraws(context: CommandContext): ReplayedDraws {
  const now = replayable(context.now);
  const newId = replayable(context.newId);
  return {
    context: { ...context, now: now.draw, newId: newId.draw },
    rewind: () => {
      now.rewind();
      newId.rewind();
    },
  };
}

function replayable<T>(draw: () => T): { draw: () => T; rewind: () => void } {
  const drawn: T[] = [];
  let next = 0;
  return {
    draw: () => {
      if (next === drawn.length) drawn.push(draw());
      return drawn[next++]!;
    },
    rewind: () => {
      next = 0;
    },
  };
}
