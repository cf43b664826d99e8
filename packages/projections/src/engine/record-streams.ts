import { dateBounds, eventDefinition, eventTypes, type DomainEventType, type EventStore, type StoredEvent } from '@taawun/domain';
import type { ModelReader } from './model-reader.js';
import { defineProjection } from './projection.js';
import { participantsNamed, type ResolvedLens } from './temporal.js';

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

/**
 * What a stream's events name: partners (`partners`, `partnerId`), agreements
 * (`agreementId`), programmes (`programmeId`), participants (`participantId`,
 * `participantIds`: opaque ids, never a personal field).
 */
const namingFields = {
  partners: 'partner', partnerId: 'partner', agreementId: 'agreement', programmeId: 'programme', participantId: 'participant', participantIds: 'participant',
} as const;

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

/**
 * The index of streams by how late they reach: under `recorded`, by when their
 * latest event was recorded; under `dated`, by the latest day any of their
 * events may have happened on (`~`, after every day, when a date is unbounded
 * or a correction changed partners). A lens on the whole log reads from it the
 * streams it may not let through whole (`streamsPast`), not every stream.
 */
export const LENS_BOUNDS_INDEX = 'lens-bounds';
/** Sorts after every ISO 8601 day and instant. */
const UNBOUNDED = '~';
/** Between a bound and the stream's name: sorts before every character of a day or an instant. */
const BOUND_SEPARATOR = ' ';
/** The counters of event types over every stream: how many events a lens lets through the streams it does not read. */
export const EVENT_TYPES_COUNTERS = 'event-types';

function lensBounds(stream: string, entry: StreamEntry): { index: string; key: string; sort: string }[] {
  const bounds: { index: string; key: string; sort: string }[] = [];
  const recorded = entry.lastRecordedAt === null ? Number.NaN : Date.parse(entry.lastRecordedAt);
  // An instant that does not parse (a row changed outside the store: `verify` names it) is never after a lens's, as `wholeThroughLens` reads it.
  if (!Number.isNaN(recorded)) bounds.push({ index: LENS_BOUNDS_INDEX, key: 'recorded', sort: `${new Date(recorded).toISOString()}${BOUND_SEPARATOR}${stream}` });
  const dated = entry.unboundedDate || entry.partnersCorrected ? UNBOUNDED : entry.latestDay;
  if (dated !== null) bounds.push({ index: LENS_BOUNDS_INDEX, key: 'dated', sort: `${dated}${BOUND_SEPARATOR}${stream}` });
  return bounds;
}

/** The index range of the streams past a bound: their sort is after every one the bound itself starts. */
const pastBound = (bound: string): string => `${bound}${BOUND_SEPARATOR}\uffff`;
const streamOfBound = (sort: string): string => sort.slice(sort.indexOf(BOUND_SEPARATOR) + 1);

export interface StreamEntry {
  readonly events: number;
  readonly names: readonly string[];
  /** How many events of each type the stream holds: a lens skips the streams that hold none its projection handles. */
  readonly types: Readonly<Record<string, number>>;
  /** The partners the events of each type name (`partners`, `partnerId`, as recorded): whom a lens report's scope keeps. */
  readonly partnersByType: Readonly<Record<string, readonly string[]>>;
  /** The participants the events of each type name (`participantId`, `participantIds`, a correction's changes included): whom a participant's lens report keeps. */
  readonly participantsByType: Readonly<Record<string, readonly string[]>>;
  /** How many events of each type have no business date: a lens counts them whatever its `asOf`. */
  readonly undated: Readonly<Record<string, number>>;
  /** When its first and its latest event were recorded. */
  readonly firstRecordedAt: string | null;
  readonly lastRecordedAt: string | null;
  /** The earliest and the latest day any of its events may have happened on (as recorded, and as any correction dated them); `null` when none is dated. */
  readonly earliestDay: string | null;
  readonly latestDay: string | null;
  /** Some event's date has no latest day (an unknown year, an open end). */
  readonly unboundedDate: boolean;
  /** Some event's date has no earliest day (an unknown year, an open start). */
  readonly openStart: boolean;
  /** A correction was recorded in it (it may change a date). */
  readonly corrected: boolean;
  /** A correction changed the partners of one of its events (whom a lens report keeps). */
  readonly partnersCorrected: boolean;
}

/**
 * Whether a lens lets every event of the stream through, in order: every one
 * recorded by `asKnownOn`, and (with `asOf`) every one dated certainly on or
 * before it, as recorded and as corrected, and no partner corrected (the
 * report keeps the stream by its partners as recorded), or every one the projection handles undated
 * (and none a correction may date: it handles no other type than the
 * corrections themselves, which have no date). Its fold through the lens is
 * then its fold without one: the stored document.
 */
export function wholeThroughLens(entry: StreamEntry, lens: ResolvedLens, handles: (type: string) => boolean): boolean {
  if (lens.asKnownOn !== undefined && (entry.lastRecordedAt === null || Date.parse(entry.lastRecordedAt) > Date.parse(lens.asKnownOn))) return false;
  if (lens.asOf === undefined) return true;
  if (!entry.partnersCorrected && !entry.unboundedDate && (entry.latestDay === null || entry.latestDay <= lens.asOf)) return true;
  const handled = Object.keys(entry.types).filter(handles);
  return handled.every((type) => entry.undated[type] === entry.types[type] && (!entry.corrected || type === 'RecordCorrected'));
}

/** What a lens leaves of a stream's handled events, told from its entry alone: how many it counts, and why it leaves the others out. */
export interface UnreadTally {
  readonly counted: number;
  readonly later: number;
  readonly recordedLater: number;
}

/**
 * A stream a lens may leave unread, and its tally (`undefined`: it must be
 * read). Every event recorded after `asKnownOn` (the first one was): nothing
 * of it is delivered. With `asOf`, every dated event certainly after the day
 * (none corrected, all recorded by `asKnownOn`): the dated ones are counted
 * later, the undated ones delivered, which give no list entries when the read
 * model says so (`undatedGiveNoEntries`: a record opens with a dated event).
 * A type the projection always applies is delivered whatever the lens: such a
 * stream is read.
 */
export function unreadThroughLens(
  entry: StreamEntry,
  lens: ResolvedLens,
  projection: { handlesType(type: string): boolean; readonly alwaysApply: readonly string[] },
  undatedGiveNoEntries: boolean,
): UnreadTally | undefined {
  const handled = Object.keys(entry.types).filter((type) => projection.handlesType(type));
  if (handled.length === 0 || handled.some((type) => projection.alwaysApply.includes(type))) return undefined;
  const count = (of: Readonly<Record<string, number>>) => handled.reduce((n, type) => n + (of[type] ?? 0), 0);
  const limit = lens.asKnownOn === undefined ? undefined : Date.parse(lens.asKnownOn);
  if (limit !== undefined && entry.firstRecordedAt !== null && Date.parse(entry.firstRecordedAt) > limit) return { counted: 0, later: 0, recordedLater: count(entry.types) };
  if (lens.asOf === undefined || !undatedGiveNoEntries || entry.corrected || entry.openStart || entry.earliestDay === null || entry.earliestDay <= lens.asOf) return undefined;
  if (limit !== undefined && (entry.lastRecordedAt === null || Date.parse(entry.lastRecordedAt) > limit)) return undefined;
  const undated = count(entry.undated);
  return { counted: undated, later: count(entry.types) - undated, recordedLater: 0 };
}

const catalogued = eventTypes as DomainEventType[];

/** The days an event's business date allows (`undefined`: it has none; a bound `null`: unbounded). */
function daysOf(type: string, data: unknown): { earliest: string | null; latest: string | null } | undefined {
  const date = eventDefinition(type)?.occurredOn(data as never);
  if (date === undefined) return undefined;
  const bounds = dateBounds(date);
  return bounds.yearUnknown ? { earliest: null, latest: null } : { earliest: bounds.earliest ?? null, latest: bounds.latest ?? null };
}

/** Whether a correction changes whom its event names as partners. */
const correctsPartners = (data: unknown): boolean => {
  const { changes } = data as { changes: Record<string, unknown> };
  return 'partners' in changes || 'partnerId' in changes;
};

/** The days a correction dates the event it corrects (`undefined`: it changes no date). */
function correctedDays(data: unknown): ReturnType<typeof daysOf> {
  const { correctedEventType, changes } = data as { correctedEventType: string; changes: Record<string, unknown> };
  const date = eventDefinition(correctedEventType)?.occurredOn(changes as never);
  return typeof date === 'string' ? daysOf(correctedEventType, changes) : undefined;
}

const earlier = (a: string, b: string) => (Date.parse(a) <= Date.parse(b) ? a : b);

const defined = defineProjection({
  name: 'record-streams',
  // 4: undated events by type, first recording, earliest day (streams a lens leaves unread). 5: participants named (a participant's record through a lens).
  // 6: streams by how late they reach, event types counted (a lens on the whole log).
  version: 6,
  description: 'Each stream of the log, with the records its events have ever named: what time lenses read instead of the whole log',
  handles: catalogued,
  initialState: {
    events: 0, names: [], types: {}, partnersByType: {}, participantsByType: {}, undated: {}, firstRecordedAt: null, lastRecordedAt: null,
    earliestDay: null, latestDay: null, unboundedDate: false, openStart: false, corrected: false, partnersCorrected: false,
  } as StreamEntry,
  keyOf: (event) => event.stream,
  evolve: (entry: StreamEntry, event) => {
    // Sets: a visit may name thousands of participants.
    const named = new Set(entry.names);
    const added = recordsNamedIn(event.data).filter((name) => !named.has(name));
    const partners = partnersIn(event.data).filter((p) => !(entry.partnersByType[event.type] ?? []).includes(p));
    const participantsKnown = new Set(entry.participantsByType[event.type]);
    const participants = participantsNamed(event.data).filter((p) => !participantsKnown.has(p));
    const days = event.type === 'RecordCorrected' ? correctedDays(event.data) : daysOf(event.type, event.data);
    const [earliest, latest] = [days?.earliest, days?.latest];
    return {
      events: entry.events + 1,
      names: added.length === 0 ? entry.names : [...entry.names, ...new Set(added)].sort(),
      types: { ...entry.types, [event.type]: (entry.types[event.type] ?? 0) + 1 },
      partnersByType: partners.length === 0 ? entry.partnersByType : { ...entry.partnersByType, [event.type]: [...(entry.partnersByType[event.type] ?? []), ...new Set(partners)].sort() },
      participantsByType: participants.length === 0 ? entry.participantsByType : { ...entry.participantsByType, [event.type]: [...(entry.participantsByType[event.type] ?? []), ...participants].sort() },
      // A correction has no date of its own: the days it gives are those of the event it corrects.
      undated: days === undefined || event.type === 'RecordCorrected' ? { ...entry.undated, [event.type]: (entry.undated[event.type] ?? 0) + 1 } : entry.undated,
      firstRecordedAt: entry.firstRecordedAt === null ? event.recordedAt : earlier(entry.firstRecordedAt, event.recordedAt),
      lastRecordedAt: entry.lastRecordedAt !== null && Date.parse(entry.lastRecordedAt) >= Date.parse(event.recordedAt) ? entry.lastRecordedAt : event.recordedAt,
      earliestDay: earliest === undefined || earliest === null ? entry.earliestDay : entry.earliestDay === null || earliest < entry.earliestDay ? earliest : entry.earliestDay,
      latestDay: latest === undefined || latest === null ? entry.latestDay : entry.latestDay === null || latest > entry.latestDay ? latest : entry.latestDay,
      unboundedDate: entry.unboundedDate || latest === null,
      openStart: entry.openStart || earliest === null,
      corrected: entry.corrected || event.type === 'RecordCorrected',
      partnersCorrected: entry.partnersCorrected || (event.type === 'RecordCorrected' && correctsPartners(event.data)),
    };
  },
  indexes: (stream, entry) => [
    ...entry.names.map((name) => ({ index: NAMED_IN_INDEX, key: name, sort: stream, value: Object.keys(entry.types) })),
    ...lensBounds(stream, entry),
  ],
  counters: (_stream, entry) => [{ counters: EVENT_TYPES_COUNTERS, values: entry.types }],
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
  /**
   * When the catalogue is at the head: every stream recorded after the lens's
   * `asKnownOn`, or with an event that may be dated after its `asOf` (or whose
   * partners were corrected), in order. Every stream `wholeThroughLens` does not
   * let through is among them.
   */
  streamsPast(lens: ResolvedLens): Promise<string[]>;
  /** How many events of the types `holding` takes the log holds, when the catalogue is at the head. */
  eventsHolding(holding: (type: string) => boolean): Promise<number>;
}

/**
 * The stored catalogue (`stored`, checkpointed at `position`) completed by the
 * log's events after it up to `head`: the answer is as of the head, even when
 * the followers have not written the last events yet. A tail longer than
 * `maxTail` events is not read (`undefined`: the caller replays instead).
 */
export async function catalogueAt(
  store: EventStore,
  stored: ModelReader,
  position: bigint | undefined,
  head: bigint | undefined,
  maxTail = 10_000,
  /** The catalogue read without remembering: for the streams past a lens (a list of up to every stream, one per lens, not kept between answers). */
  unremembered: ModelReader = stored,
): Promise<StreamCatalogue | undefined> {
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
  const naming = new Map<string, Promise<string[]>>();
  const prefixed = new Map<string, Promise<string[]>>();
  const streamsNaming = async (name: string, holding: (type: string) => boolean) => {
    const entries = await stored.index<string[]>(NAMED_IN_INDEX, name);
    const named = new Set(entries.filter((e) => e.value?.some(holding) ?? true).map((e) => e.document));
    // A stream with events in the tail is taken when it names the record there or in the stored entry (whose types may be out of date).
    const storedNaming = new Set(entries.map((e) => e.document));
    for (const [stream, entry] of tail) if (entry.names.has(name) || storedNaming.has(stream)) named.add(stream);
    return [...named].sort();
  };
  // One list per name and filter for the whole answer (the page and its widest completion ask alike): read and filtered once.
  const filters = new Map<(type: string) => boolean, number>();
  return {
    async streamsNaming(name, holding) {
      if (!filters.has(holding)) filters.set(holding, filters.size);
      const at = `${filters.get(holding)}:${name}`;
      let listed = naming.get(at);
      if (!listed) naming.set(at, (listed = streamsNaming(name, holding)));
      return listed;
    },
    async streamsWithPrefix(prefix) {
      // Listed once per prefix for the whole answer (the page and its widest completion list the institutes alike).
      let listed = prefixed.get(prefix);
      if (!listed) prefixed.set(prefix, (listed = stored.keys({ prefix })));
      return merged(await listed, [...tail.keys()].filter((stream) => stream.startsWith(prefix)));
    },
    atHead: tail.size === 0 && position === head,
    async entries(streams) {
      return tail.size === 0 ? ((await stored.getMany(streams)) as Map<string, StreamEntry>) : new Map();
    },
    async streamsPast(lens) {
      if (tail.size > 0) throw new Error('the catalogue is not at the head: the streams past a lens are not known');
      const past = new Set<string>();
      const add = async (key: 'recorded' | 'dated', bound: string) => {
        for (const entry of await unremembered.index(LENS_BOUNDS_INDEX, key, { after: pastBound(bound) })) past.add(streamOfBound(entry.sort));
      };
      if (lens.asKnownOn !== undefined) await add('recorded', lens.asKnownOn);
      if (lens.asOf !== undefined) await add('dated', lens.asOf);
      return [...past].sort();
    },
    async eventsHolding(holding) {
      if (tail.size > 0) throw new Error('the catalogue is not at the head: its counts of events are not the log\'s');
      return Object.entries(await stored.counters(EVENT_TYPES_COUNTERS)).reduce((n, [type, count]) => n + (holding(type) ? count : 0), 0);
    },
  };
}
