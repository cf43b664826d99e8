import type { z } from 'zod';
import { commandTypeOf, type CommandSchema, type CommandTypeOf, type EventDefinition, type EventOf } from '../schema/define.js';
import type { RecordedEventOf } from '../schema/decoding.js';
import type { Upcaster } from '../schema/upcasting.js';
import type { RecordCorrected } from './correction/events.js';
import type { Decision, DecisionContext } from './decider.js';

/**
 * One aggregate described once: the folder `aggregates/<name>/` exports one
 * value made by `defineAggregate`, and everything else (the schema lists, the
 * command router, `streamOfEvent`, the upcasters) is derived from the list of
 * these values in `aggregates/index.ts`.
 */

/** How an aggregate names its streams: `${prefix}${id}`. */
export interface StreamNaming {
  readonly prefix: string;
  readonly stream: (id: string) => string;
}

/** Stream naming for a prefix such as `session-`. */
export function streamNaming(prefix: string): StreamNaming {
  if (!/^[a-z]+-$/.test(prefix)) throw new Error(`a stream prefix is lower-case letters and a hyphen ("session-"), not "${prefix}"`);
  return { prefix, stream: (id) => `${prefix}${id}` };
}

/** A stream the command refers to, which must exist, and the command field that names it. */
export interface Reference {
  readonly field: string;
  readonly stream: string;
}

/** What the command handler gives an aggregate's decision besides its stream: the day, and the domain's event types. */
export interface AggregateDecisionContext extends DecisionContext {
  /** Any event type's definition: the correction aggregate checks a corrected event against it. */
  readonly eventDefinition: (type: string) => EventDefinition | undefined;
}

/** The events an aggregate's stream holds: its own, and corrections of them. */
export type StreamEventOf<Def extends EventDefinition> = EventOf<Def> | RecordCorrected;

/** What an aggregate's folder states about it; `defineAggregate` checks it against itself and adds the rest. */
export interface AggregateSpec<Name extends string, Naming extends StreamNaming | undefined, Def extends EventDefinition, Cmd extends CommandSchema, S> {
  readonly name: Name;
  /** `undefined` for an aggregate whose events live in other aggregates' streams (the correction). */
  readonly streams: Naming;
  /** Every event type the aggregate emits, at its current version. */
  readonly events: readonly Def[];
  readonly commands: readonly Cmd[];
  /**
   * The decider. Function properties (not methods), so the types are checked
   * both ways: it must fold every event of `events` and decide every command
   * of `commands`, and it may emit nothing but them.
   */
  readonly decider: {
    readonly initialState: S;
    readonly evolve: (state: S, event: RecordedEventOf<StreamEventOf<Def>>) => S;
    readonly decide: (command: z.infer<Cmd>, state: S, context: AggregateDecisionContext) => Decision<StreamEventOf<Def>>;
  };
  /** The stream a command goes to. */
  readonly streamOfCommand: (command: z.infer<Cmd>, streams: Naming) => string;
  /** The stream an event belongs in, from its own data; `undefined` when its data does not say. */
  readonly streamOfEvent: (event: EventOf<Def>, streams: Naming) => string | undefined;
  /** The records of other aggregates a command names, which must exist before it is decided. */
  readonly references?: (command: z.infer<Cmd>) => readonly Reference[];
  /** Upcasters of the aggregate's own event types' older versions. */
  readonly upcasters?: readonly Upcaster<Def['type']>[];
  /**
   * The decider's version (default 1). Raise it when `evolve` or the state's
   * shape changes: states the command handler cached under another version are
   * then folded again from the stream's first event.
   */
  readonly version?: number;
}

/** A decider as an aggregate holds it: it folds `In` (recorded events) and emits `Out`. */
export interface AggregateDecider<C, In, Out, S> {
  readonly initialState: S;
  evolve(state: S, event: In): S;
  decide(command: C, state: S, context: AggregateDecisionContext): Decision<Out>;
}

/** An aggregate: its spec's facts, its commands by type, and the decision over a stream's recorded events. */
export interface Aggregate<Name extends string, Naming extends StreamNaming | undefined, Def extends EventDefinition, Cmd extends CommandSchema, S> {
  readonly name: Name;
  readonly streams: Naming;
  readonly events: readonly Def[];
  readonly commands: { readonly [C in Cmd as CommandTypeOf<C>]: C };
  readonly decider: AggregateDecider<z.infer<Cmd>, RecordedEventOf<StreamEventOf<Def>>, StreamEventOf<Def>, S>;
  readonly upcasters: readonly Upcaster<Def['type']>[];
  /** The decider's version: part of the key of a cached state (see `StateCache`). */
  readonly version: number;
  streamOfCommand(command: z.infer<Cmd>): string;
  streamOfEvent(event: EventOf<Def>): string | undefined;
  references(command: z.infer<Cmd>): readonly Reference[];
  /** Fold the stream's recorded events and decide the command over the state. */
  decide(command: z.infer<Cmd>, events: readonly RecordedEventOf<StreamEventOf<Def>>[], context: AggregateDecisionContext): Decision<StreamEventOf<Def>>;
}

/** Any aggregate, as the catalogue handles them side by side (methods are bivariant, so each aggregate fits). */
export type AnyAggregate = Aggregate<string, StreamNaming | undefined, EventDefinition, CommandSchema, any>;

const noReferences = (): readonly Reference[] => [];

export function defineAggregate<const Name extends string, Naming extends StreamNaming | undefined, Def extends EventDefinition, Cmd extends CommandSchema, S>(
  spec: AggregateSpec<Name, Naming, Def, Cmd, S>,
): Aggregate<Name, Naming, Def, Cmd, S> {
  const { decider, streams } = spec;
  return {
    name: spec.name,
    streams,
    events: spec.events,
    commands: Object.fromEntries(spec.commands.map((schema) => [commandTypeOf(schema), schema])) as Aggregate<Name, Naming, Def, Cmd, S>['commands'],
    decider,
    upcasters: spec.upcasters ?? [],
    version: spec.version ?? 1,
    streamOfCommand: (command) => spec.streamOfCommand(command, streams),
    streamOfEvent: (event) => spec.streamOfEvent(event, streams),
    references: spec.references ?? noReferences,
    decide: (command, events, context) => {
      let state = decider.initialState;
      for (const event of events) state = decider.evolve(state, event);
      return decider.decide(command, state, context);
    },
  };
}

/** Fields that name records of another aggregate: an id (`programmeId: programme`) or a list of ids (`partners: [partner]`). */
export type ReferenceFields = Readonly<Record<string, StreamNaming | readonly [StreamNaming]>>;

/**
 * The references in the named fields of a command (or of a correction's
 * changes, under `path`), in the order the fields are given. A field that is
 * absent, or not of the declared shape, names nothing.
 */
export function referencesIn(source: object, fields: ReferenceFields, path = ''): Reference[] {
  const values = source as Record<string, unknown>;
  const found: Reference[] = [];
  for (const [field, naming] of Object.entries(fields)) {
    const value = values[field];
    if (isList(naming)) {
      if (Array.isArray(value)) value.forEach((id, i) => found.push({ field: `${path}${field}.${i}`, stream: naming[0].stream(String(id)) }));
    } else if (typeof value === 'string') {
      found.push({ field: `${path}${field}`, stream: naming.stream(value) });
    }
  }
  return found;
}

const isList = (naming: StreamNaming | readonly [StreamNaming]): naming is readonly [StreamNaming] => Array.isArray(naming);
