import { decodeEvent, eventDefinition, type EventStore, type RecordedEvent, type StoredEvent } from '@taawun/domain';
import { ProjectionError } from './errors.js';

/**
 * A correction's changes over an event's data: top-level fields replaced, and a
 * `null` removing the field, as the domain means a correction. The one
 * definition: the record book's facts, the lenses' business dates and the
 * engine's corrected events all apply corrections through it.
 */
export function applyCorrection<D>(data: D, changes: Readonly<Record<string, unknown>>): D {
  const merged: Record<string, unknown> = { ...(data as Record<string, unknown>), ...changes };
  for (const [field, value] of Object.entries(merged)) if (value === null) delete merged[field];
  return merged as D;
}

/** Corrections by the id of the event they correct, in log order: each one's changed fields. */
export type CorrectionChanges = Map<string, Record<string, unknown>[]>;

/** A `RecordCorrected` event as the engine keeps it while it folds: where it lies, what it corrects, how. */
export interface RecordedCorrection {
  readonly id: string;
  readonly stream: string;
  readonly position: bigint;
  readonly recordedAt: string;
  readonly correctedEventId: string;
  readonly correctedEventType: string;
  readonly changes: Readonly<Record<string, unknown>>;
}

export interface CorrectionsRead {
  /** Only corrections after this position. */
  readonly after?: bigint | undefined;
  /** Only corrections at or before this position (the head a run started from). */
  readonly upTo?: bigint | undefined;
  /** Only corrections recorded by this instant (ISO 8601): the `asKnownOn` lens. */
  readonly recordedBy?: string | undefined;
  /** Only corrections of these event types (the ones a projection handles); every type when undefined. */
  readonly ofTypes?: (type: string) => boolean;
}

/**
 * The corrections of the log, in order: one read of the store filtered by type
 * (an SQL filter on SQLite and PostgreSQL, so a log without corrections costs a
 * scan that returns nothing). A correction of a type not asked for is skipped
 * before it is decoded; the others are decoded like every event read back.
 */
export async function readCorrections(store: EventStore, options: CorrectionsRead = {}): Promise<RecordedCorrection[]> {
  const limit = options.recordedBy === undefined ? undefined : Date.parse(options.recordedBy);
  const found: RecordedCorrection[] = [];
  for await (const stored of store.readAll({ ...(options.after === undefined ? {} : { after: options.after }), filter: { types: ['RecordCorrected'] } })) {
    if (options.upTo !== undefined && stored.position > options.upTo) break;
    if (limit !== undefined && Date.parse(stored.recordedAt) > limit) continue;
    const correction = correctionOf(stored, options.ofTypes);
    if (correction) found.push(correction);
  }
  return found;
}

/**
 * A stored `RecordCorrected` read as a correction, when it corrects an event of
 * a type asked for (`undefined` otherwise, or when it is no correction: a store
 * that ignores the filter is still read right). Skipped ones are not decoded.
 */
export function correctionOf(stored: StoredEvent, ofTypes?: (type: string) => boolean): RecordedCorrection | undefined {
  if (stored.type !== 'RecordCorrected') return undefined;
  const type = (stored.data as { correctedEventType?: unknown } | null)?.correctedEventType;
  if (ofTypes && !(typeof type === 'string' && ofTypes(type))) return undefined;
  const decoded = decodeEvent(stored);
  if (!decoded.ok || decoded.value.type !== 'RecordCorrected') {
    throw new ProjectionError('undecodable-event', `cannot read the correction at position ${stored.position} (in ${stored.stream}): ${decoded.ok ? 'not a correction' : decoded.error.message}`);
  }
  const { data } = decoded.value;
  return {
    id: stored.id,
    stream: stored.stream,
    position: stored.position,
    recordedAt: stored.recordedAt,
    correctedEventId: data.correctedEventId,
    correctedEventType: data.correctedEventType,
    changes: data.changes,
  };
}

/** The corrections by the event they correct, in log order. */
export function changesByTarget(corrections: readonly RecordedCorrection[]): CorrectionChanges {
  const byTarget: CorrectionChanges = new Map();
  for (const c of corrections) {
    const list = byTarget.get(c.correctedEventId);
    if (list) list.push(c.changes);
    else byTarget.set(c.correctedEventId, [c.changes]);
  }
  return byTarget;
}

/**
 * An event as its corrections leave it, validated against its type's schema
 * (a correction written for an older schema version must still make a valid
 * event). The event itself when nothing corrects it.
 */
export function correctedEvent<E extends RecordedEvent>(event: E, corrections: CorrectionChanges, reader: string): E {
  const changes = corrections.get(event.id);
  if (changes === undefined) return event;
  let data = event.data as Record<string, unknown>;
  for (const change of changes) data = applyCorrection(data, change);
  const parsed = eventDefinition(event.type)!.data.safeParse(data);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`).join('; ');
    throw new ProjectionError('undecodable-event', `${reader} cannot read the event at position ${event.position} (${event.type} in ${event.stream}) as corrected: ${detail}`);
  }
  return { ...event, data: parsed.data } as E;
}

/** Where the events corrected by these corrections lie: one read of each stream concerned. */
export async function positionsOfCorrected(store: EventStore, corrections: readonly RecordedCorrection[]): Promise<Map<string, bigint>> {
  const positions = new Map<string, bigint>();
  const wanted = new Set(corrections.map((c) => c.correctedEventId));
  for (const stream of new Set(corrections.map((c) => c.stream))) {
    const events: StoredEvent[] = await store.readStream(stream);
    for (const e of events) if (wanted.has(e.id)) positions.set(e.id, e.position);
  }
  return positions;
}
