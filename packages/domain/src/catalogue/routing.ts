import { createHash } from 'node:crypto';
import { aggregates, type DomainAggregate } from '../aggregates/index.js';
import type { Decision, DecisionContext } from '../aggregates/decider.js';
import type { AnyAggregate, Reference } from '../aggregates/define.js';
import type { Command } from './commands.js';
import type { Upcaster } from '../schema/upcasting.js';
import { upcasters, type RecordedEvent } from './decoding.js';
import { eventDefinition, type DomainEvent } from './events.js';

/** Where a command goes: its stream, what it refers to, and the decision over that stream's events. */
export interface CommandRoute {
  readonly stream: string;
  readonly references: readonly Reference[];
  decide(events: readonly RecordedEvent[], context: DecisionContext): Decision<DomainEvent>;
  /** The decider's fold, apart, so a state folded once can be kept and carried forward (`StateCache`). */
  readonly fold: StreamFold;
  /** Decide the command over a state folded by `fold`. */
  decideOn(state: unknown, context: DecisionContext): Decision<DomainEvent>;
}

/** How a stream's state is folded, and the version a kept state must carry to be used again. */
export interface StreamFold {
  readonly initialState: unknown;
  evolve(state: unknown, event: RecordedEvent): unknown;
  /** The aggregate, its decider's version and every upcaster of the domain: a state folded under another version is not used. */
  readonly version: string;
}

/** A map that refuses a key twice: two aggregates claiming one command type, event type or stream prefix is a mistake. */
function uniqueIndex<T>(entries: readonly (readonly [string, T])[], what: string): Map<string, T> {
  const index = new Map<string, T>();
  for (const [key, value] of entries) {
    if (index.has(key)) throw new Error(`${what} ${key} is claimed by two aggregates`);
    index.set(key, value);
  }
  return index;
}

// Aggregates side by side, through their loosely typed face: each one's functions were type-checked in its own folder.
const all: readonly AnyAggregate[] = aggregates;
const byCommandType = uniqueIndex(all.flatMap((a) => Object.keys(a.commands).map((type) => [type, a] as const)), 'command type');
const byEventType = uniqueIndex(all.flatMap((a) => a.events.map((d) => [d.type, a] as const)), 'event type');
const byStreamPrefix = uniqueIndex(aggregates.flatMap((a) => (a.streams ? [[a.streams.prefix, a] as const] : [])), 'stream prefix');

const aggregateOfCommand = (command: Command): AnyAggregate => byCommandType.get(command.type)!;

const eventSignature = all.flatMap((a) => a.events.map((d) => `${d.type}.${d.schemaVersion}`)).join(',');

/**
 * The version a state folded for `aggregate` carries: its name and decider
 * version, every event type's schema version, and every upcaster (any one
 * added or changed changes how old events read, so it changes every fold).
 */
export function foldVersion(aggregate: AnyAggregate, withUpcasters: readonly Upcaster[] = upcasters): string {
  const upcasterSignature = withUpcasters.map((u) => `${u.type}.${u.fromVersion}`).join(',');
  // A digest keeps the cache's keys short; the name and version stay readable.
  return `${aggregate.name}@${aggregate.version}#${createHash('sha256').update(`${eventSignature}|${upcasterSignature}`).digest('hex').slice(0, 16)}`;
}

const folds = new Map<AnyAggregate, StreamFold>(
  all.map((a) => [a, { initialState: a.decider.initialState, evolve: (state: unknown, event: RecordedEvent) => a.decider.evolve(state, event), version: foldVersion(a) }]),
);

export function routeCommand(command: Command): CommandRoute {
  const aggregate = aggregateOfCommand(command);
  return {
    stream: aggregate.streamOfCommand(command),
    references: aggregate.references(command),
    decide: (events, context) => aggregate.decide(command, events, { ...context, eventDefinition }) as Decision<DomainEvent>,
    fold: folds.get(aggregate)!,
    decideOn: (state, context) => aggregate.decider.decide(command, state, { ...context, eventDefinition }) as Decision<DomainEvent>,
  };
}

/**
 * The stream an event belongs in, from its own data: what an import checks so a
 * file cannot file an event under another record. A correction lives in the
 * stream of the event it corrects, which its data does not name: `undefined`.
 * One map lookup and the aggregate's own function: a rebuild calls it per event.
 */
export function streamOfEvent(event: DomainEvent): string | undefined {
  return byEventType.get(event.type)!.streamOfEvent(event);
}

/** The aggregate whose stream this is, and the record's id, from the stream's prefix; `undefined` for a stream no aggregate names. */
export function aggregateOfStream(stream: string): { readonly aggregate: DomainAggregate; readonly id: string } | undefined {
  const prefix = stream.slice(0, stream.indexOf('-') + 1);
  const aggregate = prefix ? byStreamPrefix.get(prefix) : undefined;
  if (!aggregate || stream.length === prefix.length) return undefined;
  return { aggregate, id: stream.slice(prefix.length) };
}
