import { isDomainEventType, slugSchema, type DomainEventType, type RecordedEvent } from '@taawun/domain';
import { ProjectionError } from './errors.js';

/** A recorded (decoded, upcast) event of one of the given types. */
export type EventOfType<T extends DomainEventType> = Extract<RecordedEvent, { type: T }>;

export interface ProjectionDefinition<S, T extends DomainEventType> {
  /** Stable name: a slug such as `partner-history`. Storage and registries key on it. */
  readonly name: string;
  /** Bump it whenever `evolve` or the state's shape changes: the read model is then rebuilt into fresh storage. */
  readonly version: number;
  readonly description?: string;
  /**
   * The event types `evolve` handles. The runner asks the store for these types
   * only, so every other event is skipped where it lies (an SQL filter on SQLite
   * and PostgreSQL) and never decoded.
   */
  readonly handles: readonly T[];
  /** Plain JSON (no Map, Date, bigint, undefined-vs-missing distinctions): it is stored as JSON text. */
  readonly initialState: S;
  /** Pure: the next state, from the state and one event. Match `event.type` with ts-pattern's `.exhaustive()`. */
  readonly evolve: (state: S, event: EventOfType<T>) => S;
  /**
   * Types that apply whatever the time lens (`asOf`, `asKnownOn`): an erasure of
   * personal data is an obligation, not history, so it holds in every view.
   */
  readonly alwaysApply?: readonly T[];
}

export interface Projection<S = unknown, T extends DomainEventType = DomainEventType> extends ProjectionDefinition<S, T> {
  readonly alwaysApply: readonly T[];
  /** Is this event type one `evolve` handles? */
  readonly handlesType: (type: string) => type is T;
}

/** A projection of any state over any event types, as registries and runners hold them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyProjection = Projection<any, any>;

/**
 * Define a projection: a named, versioned left fold over the event types it handles.
 *
 * ```ts
 * const sessionsPerPartner = defineProjection({
 *   name: 'sessions-per-partner', version: 1,
 *   handles: ['SessionHeld'],
 *   initialState: {} as Record<string, number>,
 *   evolve: (state, event) => match(event)
 *     .with({ type: 'SessionHeld' }, ({ data }) => ({ ...state, ...Object.fromEntries(data.partners.map((p) => [p, (state[p] ?? 0) + 1])) }))
 *     .exhaustive(),
 * });
 * ```
 */
export function defineProjection<S, const T extends DomainEventType>(definition: ProjectionDefinition<S, T>): Projection<S, T> {
  const where = `projection ${JSON.stringify(definition.name)}`;
  if (!slugSchema.safeParse(definition.name).success) {
    throw new ProjectionError('invalid-projection', `${where}: the name must be a slug such as "partner-history"`);
  }
  if (!Number.isInteger(definition.version) || definition.version < 1) {
    throw new ProjectionError('invalid-projection', `${where}: the version must be an integer from 1 (got ${String(definition.version)})`);
  }
  if (definition.handles.length === 0) throw new ProjectionError('invalid-projection', `${where}: it handles no event type`);
  const handled = new Set<string>(definition.handles);
  if (handled.size !== definition.handles.length) throw new ProjectionError('invalid-projection', `${where}: an event type is listed twice in handles`);
  for (const type of handled) {
    if (!isDomainEventType(type)) throw new ProjectionError('invalid-projection', `${where}: ${type} is not an event type of the domain`);
  }
  const alwaysApply = definition.alwaysApply ?? [];
  for (const type of alwaysApply) {
    if (!handled.has(type)) throw new ProjectionError('invalid-projection', `${where}: alwaysApply lists ${type}, which it does not handle`);
  }
  assertPlainJson(definition.initialState, `${where}: initialState`);
  return {
    ...definition,
    alwaysApply,
    handlesType: (type: string): type is T => handled.has(type),
  };
}

/** Serialise a state to JSON text, refusing what JSON cannot carry back unchanged. */
export function stateToJson(state: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(state);
  } catch (cause) {
    throw new ProjectionError('state-not-json', `${what} is not plain JSON: ${(cause as Error).message}`, { cause });
  }
  if (text === undefined) throw new ProjectionError('state-not-json', `${what} is not plain JSON (undefined or a function)`);
  return text;
}

function assertPlainJson(value: unknown, what: string): void {
  const text = stateToJson(value, what);
  if (JSON.stringify(JSON.parse(text)) !== text) throw new ProjectionError('state-not-json', `${what} does not survive a JSON round trip`);
  const walk = (v: unknown, path: string): void => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new ProjectionError('state-not-json', `${what}${path} is ${v}, which JSON cannot hold`);
      return;
    }
    if (Array.isArray(v)) return v.forEach((x, i) => walk(x, `${path}[${i}]`));
    if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      for (const [k, x] of Object.entries(v as object)) walk(x, `${path}.${k}`);
      return;
    }
    throw new ProjectionError('state-not-json', `${what}${path} is a ${Object.prototype.toString.call(v)}, not plain JSON`);
  };
  walk(value, '');
}
