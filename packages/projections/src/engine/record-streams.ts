import { dateBounds, eventDefinition, eventTypes, type DomainEventType, type EventStore, type StoredEvent } from '@taawun/domain';
import type { ModelIndexEntry, ModelReader } from './model-reader.js';
import { defineProjection } from './projection.js';
import type { ResolvedLens } from './temporal.js';

/*
 * The catalogue of records a time lens reads instead of the log: one small
 * document per stream (how many events it holds, and every record its events
 * have ever named), and an index from each named record to the streams that
 * named it. A lens on one partner's answer then reads the streams that ever
 * named the partner, and folds them through the lens, instead of the whole log
 * (`lens-from-streams.ts`).
 *
 * "Ever named" is over every event and every correction of the stream, as
 * recorded, whatever the lens: a record that names a partner only before a
 * correction, or only after, is listed under it, so the streams found are
 * always all those the lens may need (a few more at worst, which the fold
 * through the lens then leaves out as the replay would).
 */

/** What a stream's events name: partners (`partners`, `partnerId`), agreements (`agreementId`), programmes (`programmeId`). */
const namingFields = { partners: 'partner', partnerId: 'partner', agreementId: 'agreement', programmeId: 'programme' } as const;

/** The catalogue name of a record another one may name: `partner:giz`, `agreement:italy-ssm-2022`. */
export const namedRecord = (what: (typeof namingFields)[keyof typeof namingFields], id: string): string => `${what}:${id}`;

/** The records a piece of event data names (a correction's changes included). */
export function recordsNamedIn(data: unknown): string[] {
  const names: string[] = [];
  const visit = (fields: unknown) => {
    if (typeof fields !== 'object' || fields === null) return;
    for (const [field, what] of Object.entries(namingFields)) {
      const value = (fields as Record<string, unknown>)[field];
      for (const id of Array.isArray(value) ? value : [value]) if (typeof id === 'string') names.push(namedRecord(what, id));
    }
  };
  visit(data);
  visit((data as { changes?: unknown } | null)?.changes);
  return names;
}

/** The index of streams by the records they name. */
export const NAMED_IN_INDEX = 'named-in';

export interface StreamEntry {
  readonly events: number;
  readonly names: readonly string[];
  /** How many events of each type the stream holds: a lens skips the streams that hold none its projection handles. */
  readonly types: Readonly<Record<string, number>>;
  /** The partners the events of each type name (`partners`, `partnerId`, as recorded): whom a lens report's scope keeps. */
  readonly partnersByType: Readonly<Record<string, readonly string[]>>;
  /** When its latest event was recorded. */
  readonly lastRecordedAt: string | null;
  /** The latest day any of its events may have happened on (its date as recorded); `null` when none is dated. */
  readonly latestDay: string | null;
  /** Some event's date has no latest day (an unknown year, an open end). */
  readonly unboundedDate: boolean;
  /** A correction was recorded in it (it may change a date). */
  readonly corrected: boolean;
}

/**
 * Whether a lens lets every event of the stream through, in order: every one
 * recorded by `asKnownOn`, and (with `asOf`) every one dated certainly on or
 * before it and none corrected. Its fold through the lens is then its fold
 * without one: the stored document.
 */
export function wholeThroughLens(entry: StreamEntry, lens: ResolvedLens): boolean {
  if (lens.asKnownOn !== undefined && (entry.lastRecordedAt === null || Date.parse(entry.lastRecordedAt) > Date.parse(lens.asKnownOn))) return false;
  if (lens.asOf === undefined) return true;
  return !entry.corrected && !entry.unboundedDate && (entry.latestDay === null || entry.latestDay <= lens.asOf);
}

const catalogued = eventTypes as DomainEventType[];

/** The latest day an event's business date allows (`undefined`: none; `null`: unbounded). */
function latestDayOf(type: string, data: unknown): string | null | undefined {
  const date = eventDefinition(type)?.occurredOn(data as never);
  if (date === undefined) return undefined;
  const bounds = dateBounds(date);
  return bounds.yearUnknown || bounds.latest === undefined ? null : bounds.latest;
}

const defined = defineProjection({
  name: 'record-streams',
  version: 3,
  description: 'Each stream of the log, with the records its events have ever named: what time lenses read instead of the whole log',
  handles: catalogued,
  initialState: { events: 0, names: [], types: {}, partnersByType: {}, lastRecordedAt: null, latestDay: null, unboundedDate: false, corrected: false } as StreamEntry,
  keyOf: (event) => event.stream,
  evolve: (entry: StreamEntry, event) => {
    const added = recordsNamedIn(event.data).filter((name) => !entry.names.includes(name));
    const partners = partnersIn(event.data).filter((p) => !(entry.partnersByType[event.type] ?? []).includes(p));
    const latest = latestDayOf(event.type, event.data);
    return {
      events: entry.events + 1,
      names: added.length === 0 ? entry.names : [...entry.names, ...new Set(added)].sort(),
      types: { ...entry.types, [event.type]: (entry.types[event.type] ?? 0) + 1 },
      partnersByType: partners.length === 0 ? entry.partnersByType : { ...entry.partnersByType, [event.type]: [...(entry.partnersByType[event.type] ?? []), ...new Set(partners)].sort() },
      lastRecordedAt: entry.lastRecordedAt !== null && Date.parse(entry.lastRecordedAt) >= Date.parse(event.recordedAt) ? entry.lastRecordedAt : event.recordedAt,
      latestDay: latest === undefined || latest === null ? entry.latestDay : entry.latestDay === null || latest > entry.latestDay ? latest : entry.latestDay,
      unboundedDate: entry.unboundedDate || latest === null,
      corrected: entry.corrected || event.type === 'RecordCorrected',
    };
  },
  indexes: (stream, entry) => entry.names.map((name) => ({ index: NAMED_IN_INDEX, key: name, sort: stream, value: Object.keys(entry.types) })),
});

/**
 * The catalogue reads every event type, the participants' included, for when
 * their streams were last written; it keeps ids and dates, never a personal
 * field, so an erasure has nothing to purge in it.
 */
export const recordStreamsProjection: typeof defined = { ...defined, holdsPersonalData: false };

/** The partners an event's data names, as the lens report's scope reads them (`partners`, `partnerId`). */
function partnersIn(data: unknown): string[] {
  const d = data as { partners?: unknown; partnerId?: unknown } | null;
  if (Array.isArray(d?.partners)) return d.partners.filter((p): p is string => typeof p === 'string');
  return typeof d?.partnerId === 'string' ? [d.partnerId] : [];
}

/** The catalogue as stored up to its checkpoint, with the events of the log after it (up to `head`) taken in. */
export interface StreamCatalogue {
  /** Every stream that has named `name` and holds an event of a type `holding` takes, in order. */
  streamsNaming(name: string, holding: (type: string) => boolean): Promise<string[]>;
  /** Every stream whose name starts with `prefix`, in order. */
  streamsWithPrefix(prefix: string): Promise<string[]>;
  /** The entries of these streams, when the stored catalogue is at the head (no tail): what `wholeThroughLens` decides on. */
  entries(streams: readonly string[]): Promise<Map<string, StreamEntry>>;
  /** The catalogue holds every event up to the head (nothing was read from the tail). */
  readonly atHead: boolean;
}

/**
 * The stored catalogue (`stored`, checkpointed at `position`) completed by the
 * log's events after it up to `head`: the answer is as of the head, even when
 * the followers have not written the last events yet. A tail longer than
 * `maxTail` events is not read (`undefined`: the caller replays instead).
 */
export async function catalogueAt(store: EventStore, stored: ModelReader, position: bigint | undefined, head: bigint | undefined, maxTail = 10_000): Promise<StreamCatalogue | undefined> {
  const tail = new Map<string, { names: Set<string>; types: Set<string> }>();
  if (head !== undefined && (position === undefined || position < head)) {
    let read = 0;
    for await (const event of store.readAll({ ...(position === undefined ? {} : { after: position }), filter: { types: catalogued } }) as AsyncIterable<StoredEvent>) {
      if (event.position > head) break;
      if (++read > maxTail) return undefined;
      let entry = tail.get(event.stream);
      if (!entry) tail.set(event.stream, (entry = { names: new Set(), types: new Set() }));
      for (const name of recordsNamedIn(event.data)) entry.names.add(name);
      entry.types.add(event.type);
    }
  }
  const merged = (stored: readonly string[], extra: Iterable<string>) => [...new Set([...stored, ...extra])].sort();
  const naming = new Map<string, Promise<ModelIndexEntry<string[]>[]>>();
  return {
    async streamsNaming(name, holding) {
      // Read once per name for the whole answer.
      let read = naming.get(name);
      if (!read) naming.set(name, (read = stored.index<string[]>(NAMED_IN_INDEX, name)));
      const entries = await read;
      const named = new Set(entries.filter((e) => e.value?.some(holding) ?? true).map((e) => e.document));
      // A stream with events in the tail is taken when it names the record there or in the stored entry (whose types may be out of date).
      const storedNaming = new Set(entries.map((e) => e.document));
      for (const [stream, entry] of tail) if (entry.names.has(name) || storedNaming.has(stream)) named.add(stream);
      return [...named].sort();
    },
    async streamsWithPrefix(prefix) {
      return merged(await stored.keys({ prefix }), [...tail.keys()].filter((stream) => stream.startsWith(prefix)));
    },
    atHead: tail.size === 0 && position === head,
    async entries(streams) {
      return tail.size === 0 ? ((await stored.getMany(streams)) as Map<string, StreamEntry>) : new Map();
    },
  };
}
