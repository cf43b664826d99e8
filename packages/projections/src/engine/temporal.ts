import { z } from 'zod';
import {
  certainlyAfter,
  certainlyOnOrBefore,
  dateBounds,
  describePartialDate,
  eventDefinition,
  parsePartialDate,
  type DomainEventType,
  type EventStore,
  type IsoDay,
  type RecordedEvent,
} from '@taawun/domain';
import { applyCorrection, changesByTarget, readCorrections, type CorrectionChanges } from './corrections.js';
import { ProjectionError } from './errors.js';
import { decodedPages, foldInMemory } from './in-memory-fold.js';
import type { ModelReader } from './model-reader.js';
import type { EventOfType, Projection } from './projection.js';

export type { CorrectionChanges } from './corrections.js';

/**
 * A time lens on the log.
 *
 * - `asOf`: the business date. Only events whose business date, as corrected,
 *   certainly lies on or before that day count: an event dated "2018" is not
 *   before 2018-06-01, an event whose year is unknown never counts. Events
 *   without a business date (registrations, attendance figures, corrections)
 *   always count.
 * - `asKnownOn`: the recording time. Only events recorded by then count, so a
 *   correction recorded later does not change what the record said then.
 */
export interface TimeLens {
  /** `YYYY-MM-DD`, or `YYYY-MM` / `YYYY` meaning the last day of that month or year. */
  readonly asOf?: string;
  /** An ISO 8601 instant, or `YYYY-MM-DD` meaning the end of that day (UTC). */
  readonly asKnownOn?: string;
}

export interface ResolvedLens {
  /** The last day that counts. */
  readonly asOf?: IsoDay;
  /** The last instant that counts, ISO 8601 UTC. */
  readonly asKnownOn?: string;
}

/** An event a lens left out, as the report names it. */
export const notCountedEventSchema = z
  .object({
    eventId: z.string(),
    type: z.string(),
    stream: z.string(),
    date: z.string().meta({ description: 'The business date (EDTF, as corrected)' }),
    label: z.string(),
    sourceRef: z.string().nullable(),
    partners: z.array(z.string()).meta({ description: "The partners of the event's record (from any event of its stream): what a partner's answer lists" }),
  })
  .meta({ id: 'NotCountedEvent' });
export type NotCountedEvent = z.infer<typeof notCountedEventSchema>;

/** What a lens left out, and why: the answer says what it does not know. */
export const lensReportSchema = z
  .object({
    asOf: z.string().nullable().meta({ description: 'The last day that counts (YYYY-MM-DD)' }),
    asKnownOn: z.string().nullable().meta({ description: 'The last recording instant that counts (ISO 8601, UTC)' }),
    eventsCounted: z.number().int().min(0),
    mayBe: z
      .array(notCountedEventSchema)
      .meta({ description: 'May have happened by `asOf` (a rename dated 1998–2016, seen as of 2010): taken in as "may be", so every name it may change is reported uncertain, with its candidates' }),
    notCounted: z.object({
      yearUnknown: z.array(notCountedEventSchema).meta({ description: 'Dated with an unknown year (`XXXX`, `XXXX-11-15/XXXX-11-25`): never counted as of a date' }),
      mayBeLater: z.array(notCountedEventSchema).meta({ description: 'May have happened after `asOf` (a date that straddles it, or is open towards it)' }),
      later: z.number().int().min(0).meta({ description: 'Certainly after `asOf`: counted only' }),
      recordedLater: z.number().int().min(0).meta({ description: 'Recorded after `asKnownOn`: counted only' }),
    }),
  })
  .meta({ id: 'LensReport' });
export type LensReport = z.infer<typeof lensReportSchema>;

const dayPattern = /^\d{4}(-\d{2}(-\d{2})?)?$/;

/** Check and normalise a lens; `ProjectionError('invalid-query')` names the bad field. */
export function resolveLens(lens: TimeLens = {}): ResolvedLens {
  const resolved: { asOf?: IsoDay; asKnownOn?: string } = {};
  if (lens.asOf !== undefined) {
    const parsed = dayPattern.test(lens.asOf) ? parsePartialDate(lens.asOf) : undefined;
    if (!parsed?.ok) throw new ProjectionError('invalid-query', `asOf: "${lens.asOf}" is not a day (YYYY-MM-DD), a month (YYYY-MM) or a year (YYYY)`);
    resolved.asOf = dateBounds(lens.asOf).latest!;
  }
  if (lens.asKnownOn !== undefined) {
    const text = lens.asKnownOn;
    const isDay = /^\d{4}-\d{2}-\d{2}$/.test(text) && parsePartialDate(text).ok;
    const instant = isDay ? Date.parse(`${text}T23:59:59.999Z`) : /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : Number.NaN;
    if (Number.isNaN(instant)) throw new ProjectionError('invalid-query', `asKnownOn: "${text}" is not an ISO 8601 instant (2024-03-01T09:30:00Z) or a day (2024-03-01)`);
    resolved.asKnownOn = new Date(instant).toISOString();
  }
  return resolved;
}

/** The corrections recorded by `asKnownOn` (all when undefined), read from the log by type. */
export async function collectCorrections(store: EventStore, asKnownOn: string | undefined): Promise<CorrectionChanges> {
  return changesByTarget(await readCorrections(store, { recordedBy: asKnownOn }));
}

/** An event's business date once its corrections are applied (`undefined`: it has none). */
export function correctedBusinessDate(event: Pick<RecordedEvent, 'id' | 'type' | 'data'>, corrections: CorrectionChanges): string | undefined {
  const definition = eventDefinition(event.type);
  if (!definition) return undefined;
  let data = event.data as Record<string, unknown>;
  for (const changes of corrections.get(event.id) ?? []) data = applyCorrection(data, changes);
  return definition.occurredOn(data as never);
}

/**
 * Events whose effect the views place by the event's own date, whichever side
 * of `asOf` it falls: a rename changes the name from its effective date on, so
 * the name at a day before `asOf` depends on it exactly when the rename may be
 * before that day. One that may be on or before `asOf` is therefore delivered
 * (and listed under `mayBe`), not left out: leaving it out would make the former
 * name certain where the record cannot tell (the institute's name on the Dijon
 * agreement of 2006, seen as of 2010). A rename certainly after `asOf` changes
 * nothing seen through the lens and is left out.
 */
export const takenAsMayBe: ReadonlySet<string> = new Set(['InstituteRenamed', 'PartnerRenamed']);

/** The partners an event's data names (`partners`, or `partnerId`). */
function partnersNamed(data: unknown): string[] {
  const d = data as { partners?: unknown; partnerId?: unknown } | null;
  if (Array.isArray(d?.partners)) return d.partners.filter((p): p is string => typeof p === 'string');
  return typeof d?.partnerId === 'string' ? [d.partnerId] : [];
}

/**
 * The participants an event's data names (`participantId`, `participantIds`), a
 * correction's changes included: whose record the stream's events belong to.
 */
export function participantsNamed(data: unknown): string[] {
  const named = new Set<string>();
  const visit = (fields: unknown) => {
    if (typeof fields !== 'object' || fields === null) return;
    const { participantId, participantIds } = fields as { participantId?: unknown; participantIds?: unknown };
    for (const id of [participantId, ...(Array.isArray(participantIds) ? participantIds : [])]) if (typeof id === 'string') named.add(id);
  };
  visit(data);
  visit((data as { changes?: unknown } | null)?.changes);
  return [...named];
}

/** Which streams a scoped lens report keeps: a stream, the partners and the participants its events name. */
export type LensScope = (stream: string, partners: ReadonlySet<string>, participants: ReadonlySet<string>) => boolean;

/**
 * The events a lens lets through, in order, with a tally of what it left out.
 *
 * Plans (events dated by when the planned thing should happen) count once their
 * date is certainly past. Before that, a plan is held back together with the
 * undated events that follow it in its stream, and released just before a later
 * dated event of the same stream that counts: a visit completed on 5 March 2019
 * brings its plan "2019" (its title and partners) into the view as of 1 June
 * 2019. At the end of the log, plans still held are reported as not counted and
 * the undated events held behind them are delivered without them.
 */
export class LensFilter {
  private readonly limit: number | undefined;
  private readonly held = new Map<string, RecordedEvent[]>();
  private counted = 0;
  private later = 0;
  private recordedLater = 0;
  private readonly yearUnknown: NotCountedEvent[] = [];
  private readonly mayBeLater: NotCountedEvent[] = [];
  private readonly mayBe: NotCountedEvent[] = [];
  /** Per stream: the partners and participants its events name, and its tallies (for a report scoped to one partner or participant). */
  private readonly streams = new Map<string, { partners: Set<string>; participants: Set<string>; counted: number; later: number; recordedLater: number }>();

  constructor(
    private readonly lens: ResolvedLens,
    private readonly corrections: CorrectionChanges,
    private readonly alwaysApply: ReadonlySet<string> = new Set(),
    /** Let through every event that may be on or before `asOf` (the year unknown included): the widest completion, for upper bounds. */
    private readonly widest = false,
  ) {
    this.limit = lens.asKnownOn === undefined ? undefined : Date.parse(lens.asKnownOn);
  }

  /** The events to deliver now, in order, for the next event of the log. */
  accept(event: RecordedEvent): RecordedEvent[] {
    const stream = this.streamOf(event.stream);
    for (const p of partnersNamed(event.data)) stream.partners.add(p);
    for (const p of participantsNamed(event.data)) stream.participants.add(p);
    if (this.alwaysApply.has(event.type)) return this.deliver([event]);
    if (this.limit !== undefined && Date.parse(event.recordedAt) > this.limit) {
      this.recordedLater++;
      stream.recordedLater++;
      return [];
    }
    const asOf = this.lens.asOf;
    if (asOf === undefined) return this.deliver([event]);
    const date = correctedBusinessDate(event, this.corrections);
    const held = this.held.get(event.stream);
    if (date === undefined) {
      if (held) {
        held.push(event);
        return [];
      }
      return this.deliver([event]);
    }
    if (certainlyOnOrBefore(date, asOf) || (this.widest && !certainlyAfter(date, asOf))) {
      this.held.delete(event.stream);
      return this.deliver([...(held ?? []), event]);
    }
    if (eventDefinition(event.type)?.isPlan ?? false) {
      this.held.set(event.stream, [...(held ?? []), event]);
      return [];
    }
    // The year unknown included: such a rename may be on any day.
    if (takenAsMayBe.has(event.type) && !certainlyAfter(date, asOf)) {
      this.mayBe.push(this.described(event, date));
      return this.deliver([event]);
    }
    this.note(event, date);
    return [];
  }

  private streamOf(name: string) {
    let found = this.streams.get(name);
    if (!found) this.streams.set(name, (found = { partners: new Set(), participants: new Set(), counted: 0, later: 0, recordedLater: 0 }));
    return found;
  }

  private described(event: RecordedEvent, date: string): NotCountedEvent {
    return { eventId: event.id, type: event.type, stream: event.stream, date, label: describePartialDate(date), sourceRef: event.metadata.sourceRef ?? null, partners: [] };
  }

  /**
   * The report of `finish`, kept to the streams `keep` names (a partner's own
   * events, and the institute's), so that one partner's answer lists what the
   * lens left out of that partner's record, not of the whole log.
   */
  scoped(report: LensReport, keep: LensScope): LensReport {
    const kept = (e: NotCountedEvent) => {
      const { partners, participants } = this.streamOf(e.stream);
      return keep(e.stream, partners, participants);
    };
    let counted = 0;
    let later = 0;
    let recordedLater = 0;
    for (const [name, s] of this.streams) {
      if (!keep(name, s.partners, s.participants)) continue;
      counted += s.counted;
      later += s.later;
      recordedLater += s.recordedLater;
    }
    return {
      ...report,
      eventsCounted: counted,
      mayBe: report.mayBe.filter(kept),
      notCounted: { yearUnknown: report.notCounted.yearUnknown.filter(kept), mayBeLater: report.notCounted.mayBeLater.filter(kept), later, recordedLater },
    };
  }

  /** The end of the log: release what is held (without its plans) and report. */
  finish(): { events: RecordedEvent[]; report: LensReport } {
    const released: RecordedEvent[] = [];
    for (const events of this.held.values()) {
      for (const event of events) {
        const date = correctedBusinessDate(event, this.corrections);
        // Held events are undated ones, or plans not yet due.
        if (date !== undefined) this.note(event, date);
        else released.push(event);
      }
    }
    this.held.clear();
    this.deliver(released);
    // The partners of each listed event's record, now that the whole log has been seen.
    const withPartners = (list: NotCountedEvent[]) => list.map((e) => ({ ...e, partners: [...this.streamOf(e.stream).partners].sort() }));
    return {
      events: released,
      report: {
        asOf: this.lens.asOf ?? null,
        asKnownOn: this.lens.asKnownOn ?? null,
        eventsCounted: this.counted,
        mayBe: withPartners(this.mayBe),
        notCounted: { yearUnknown: withPartners(this.yearUnknown), mayBeLater: withPartners(this.mayBeLater), later: this.later, recordedLater: this.recordedLater },
      },
    };
  }

  private deliver(events: RecordedEvent[]): RecordedEvent[] {
    this.counted += events.length;
    for (const event of events) this.streamOf(event.stream).counted++;
    return events;
  }

  private note(event: RecordedEvent, date: string): void {
    if (certainlyAfter(date, this.lens.asOf!)) {
      this.later++;
      this.streamOf(event.stream).later++;
      return;
    }
    (dateBounds(date).yearUnknown ? this.yearUnknown : this.mayBeLater).push(this.described(event, date));
  }
}

/**
 * Fold the log through a projection as seen through a lens: a replay of the
 * handled events into a model in memory (documents, index entries and counters
 * like a stored one), so a lens query costs a replay of the log.
 *
 * The corrections are read first, once: they date the events (`asOf` takes an
 * event's corrected business date) and, for a projection whose corrections the
 * engine applies, correct the events `evolve` sees. Only those recorded by
 * `asKnownOn` count; under `asOf` alone, every one does (a correction has no
 * business date of its own).
 */
export async function replayThroughLens<S, T extends DomainEventType>(
  store: EventStore,
  projection: Projection<S, T>,
  lens: TimeLens,
  options: { pageSize?: number; widest?: boolean } = {},
): Promise<{ model: ModelReader<S>; report: LensReport; scoped: (keep: LensScope) => LensReport }> {
  const resolved = resolveLens(lens);
  const needed = resolved.asOf !== undefined || projection.correctionsBy === 'engine';
  const corrections: CorrectionChanges = needed ? await collectCorrections(store, resolved.asKnownOn) : new Map();
  const filter = new LensFilter(resolved, corrections, new Set(projection.alwaysApply), options.widest ?? false);
  let report: LensReport | undefined;
  async function* through(): AsyncGenerator<EventOfType<T>[]> {
    // Events come corrected (engine-applied corrections); the filter dates them through the same corrections, which apply idempotently.
    for await (const page of decodedPages(store, projection, { ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }), corrections })) {
      const accepted = page.flatMap((event) => filter.accept(event) as EventOfType<T>[]);
      if (accepted.length > 0) yield accepted;
    }
    const finished = filter.finish();
    report = finished.report;
    if (finished.events.length > 0) yield finished.events as EventOfType<T>[];
  }
  const model = await foldInMemory(projection, through());
  return { model, report: report!, scoped: (keep) => filter.scoped(report!, keep) };
}
