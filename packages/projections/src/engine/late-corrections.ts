import type { DomainEventType, EventStore } from '@taawun/domain';
import { changesByTarget, positionsOfCorrected, readCorrections, type CorrectionChanges, type RecordedCorrection } from './corrections.js';
import { CORRECTIONS_KNOWN_TO, type Projection } from './projection.js';
import type { CorrectionRebuild } from './runner-options.js';
import type { GenerationInfo, ReadModelStorage } from './storage.js';

/*
 * Corrections that arrive after the event they correct was folded into a
 * stored model. A fold cannot be undone event by event: such a correction,
 * when it changes a field the projection reads, calls for a rebuild.
 */

/** The rebuild a correction of an already folded event calls for: when it changes fields the projection reads (`undefined` otherwise). */
export function rebuildFor<S, T extends DomainEventType>(projection: Projection<S, T>, correction: RecordedCorrection | undefined): CorrectionRebuild | undefined {
  if (!correction) return undefined;
  const fields = projection.fieldsRead(correction.correctedEventType, Object.keys(correction.changes));
  if (fields.length === 0) return undefined;
  return { correctionId: correction.id, correctedEventId: correction.correctedEventId, correctedEventType: correction.correctedEventType, fields };
}

/** What a run from a generation's checkpoint is to do about corrections. */
export interface RunCorrections {
  /** The corrections to apply as the run folds their events (none: `undefined`). */
  readonly changes?: CorrectionChanges;
  /** The generation is stale: rebuild instead of running. */
  readonly stale?: CorrectionRebuild;
  /** The generation holds a note of corrections read ahead of its checkpoint. */
  readonly noted: boolean;
}

/**
 * The corrections a run from `from` up to `head` applies, read first (one read
 * by type), or the correction that makes the generation stale: one after its
 * checkpoint that changes a field the projection reads of an event folded at
 * or before it, and that no earlier run read (a run applies every correction up
 * to its head, and notes that head while its checkpoint is behind it).
 */
export async function correctionsForRun<S, T extends DomainEventType>(
  projection: Projection<S, T>,
  store: EventStore,
  storage: ReadModelStorage,
  from: GenerationInfo,
  head: bigint,
): Promise<RunCorrections> {
  const start = from.position;
  const found = await readCorrections(store, { after: start, upTo: head, ofTypes: (type) => projection.handlesType(type) });
  let noted = false;
  if (start !== undefined) {
    const candidates = found.flatMap((c) => {
      const stale = rebuildFor(projection, c);
      return stale ? [[c, stale] as const] : [];
    });
    if (candidates.length > 0) {
      const note = (await storage.documents(projection.name, from.generation, [CORRECTIONS_KNOWN_TO])).get(CORRECTIONS_KNOWN_TO);
      noted = note !== undefined;
      const knownTo = note === undefined ? start : BigInt(JSON.parse(note) as string);
      const unknown = candidates.filter(([c]) => c.position > knownTo);
      const positions = unknown.length > 0 ? await positionsOfCorrected(store, unknown.map(([c]) => c)) : new Map<string, bigint>();
      for (const [c, stale] of unknown) {
        const at = positions.get(c.correctedEventId);
        // Not found beside its correction: taken as folded (a rebuild is never wrong).
        if (at === undefined || at <= start) return { stale, noted };
      }
    }
  }
  return { ...(found.length > 0 ? { changes: changesByTarget(found) } : {}), noted };
}

/**
 * While a run's checkpoint is behind the head it started from, the model may
 * hold corrections recorded after the checkpoint (those of events the run
 * folded): a note of the head up to which they were read, committed with the
 * documents, tells the next run, which would otherwise take them for late ones
 * and rebuild. Removed when the run reaches the head (a note left behind is
 * harmless: it never claims more than was read).
 */
export class CorrectionsNote {
  private written = false;

  constructor(
    /** The run applies corrections read up to `head`. */
    private readonly applying: boolean,
    private readonly head: bigint,
    /** The generation holds a note already. */
    private noted: boolean,
  ) {}

  /** The engine's documents to commit with a checkpoint at `position`. */
  at(position: bigint): { key: string; value: string | null }[] {
    if (this.applying && position < this.head) {
      if (this.written) return [];
      this.written = true;
      return [{ key: CORRECTIONS_KNOWN_TO, value: JSON.stringify(this.head.toString()) }];
    }
    if (position < this.head || !(this.written || this.noted)) return [];
    this.written = this.noted = false;
    return [{ key: CORRECTIONS_KNOWN_TO, value: null }];
  }
}
