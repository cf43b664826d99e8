import { eventDefinition, isDomainEventType, slugSchema, type DomainEventType, type EventData, type RecordedEvent } from '@taawun/domain';
import { ProjectionError } from './errors.js';

/** A recorded (decoded, upcast) event of one of the given types. */
export type EventOfType<T extends DomainEventType> = Extract<RecordedEvent, { type: T }>;

/**
 * An entry of a secondary index, derived from one document. Queries read an
 * index by `(index, key)`, in `sort` order (binary order of the UTF-16 code
 * units), a page at a time. `sort` must be unique within `(index, key)`: end it
 * with the document's key, or another tiebreaker, when two documents may tie.
 */
export interface IndexEntry {
  readonly index: string;
  readonly key: string;
  readonly sort: string;
  /** Plain JSON the query needs without loading the document (optional). */
  readonly value?: unknown;
}

/**
 * What one document adds to a counter document: named numbers, summed over every
 * document of the model. When a document changes its contribution before and
 * after the change is applied as a delta, so totals stay exact through corrections.
 */
export interface CounterContribution {
  /** The counter document's name (e.g. `period-2018`). */
  readonly counters: string;
  readonly values: Readonly<Record<string, number>>;
}

/**
 * The data fields a projection's `evolve` and `keyOf` read, per handled event
 * type. A type left out reads every field. Copying `event.data` whole into a
 * document reads every field.
 */
export type FieldsRead<T extends DomainEventType> = { readonly [K in Exclude<T, 'RecordCorrected'>]?: readonly (keyof EventData<K> & string)[] };

/** Who applies corrections: `evolve` (it handles `RecordCorrected` itself) or the engine, before `evolve` sees an event. */
export type CorrectionsBy = 'evolve' | 'engine';

export interface ProjectionDefinition<S, T extends DomainEventType> {
  /** Stable name: a slug such as `partner-history`. Storage and registries key on it. */
  readonly name: string;
  /** Bump it whenever `evolve`, the documents' shape, `keyOf`, `indexes` or `counters` change: the read model is then rebuilt into fresh storage. */
  readonly version: number;
  readonly description?: string;
  /**
   * The event types `evolve` handles. The runner asks the store for these types
   * only, so every other event is skipped where it lies (an SQL filter on SQLite
   * and PostgreSQL) and never decoded. With `RecordCorrected` among them,
   * `evolve` applies corrections itself; without it, the engine does (`reads`).
   */
  readonly handles: readonly T[];
  /** The document every key starts from. Plain JSON (no Map, Date, bigint, undefined-vs-missing distinctions): documents are stored as JSON text. */
  readonly initialState: S;
  /**
   * The document(s) an event folds into. Without it the model is one document
   * (key `""`): the whole state, as a classic left fold. With it, memory and
   * storage stay per document: a runner holds a bounded cache of documents and
   * writes only those that changed.
   * `undefined` or `[]`: the event changes nothing.
   */
  readonly keyOf?: (event: EventOfType<T>) => string | readonly string[] | undefined;
  /** Pure: the next document, from the document and one event. Return the same document when nothing changes. Match `event.type` with ts-pattern's `.exhaustive()`. */
  readonly evolve: (state: S, event: EventOfType<T>, key: string) => S;
  /** Index entries derived from one document (and its key); the engine replaces them when the document changes. */
  readonly indexes?: (key: string, document: S) => readonly IndexEntry[];
  /** Counter contributions derived from one document; the engine keeps their sums. */
  readonly counters?: (key: string, document: S) => readonly CounterContribution[];
  /**
   * Keep each document's share of the index entries and counters (how many
   * entries it gives each list, what it adds to each counters document) beside
   * it, as an engine note written when the share changes: a time lens on the
   * whole model takes a stream's share off the stored sums by reading its
   * note, not by parsing its document. For models whose documents are large
   * and whose lens answers run over the whole log (the yearly report).
   */
  readonly keepsShares?: boolean;
  /**
   * Types that apply whatever the time lens (`asOf`, `asKnownOn`): an erasure of
   * personal data is an obligation, not history, so it holds in every view.
   */
  readonly alwaysApply?: readonly T[];
  /**
   * Per handled event type, the data fields `evolve` and `keyOf` read. Only for
   * a projection that does not handle `RecordCorrected`: the engine then hands
   * `evolve` each event as corrected, and a correction recorded after its event
   * was folded rebuilds the model only when it changes a field listed here.
   * Without it (or for a type it leaves out) every field counts as read.
   */
  readonly reads?: NoInfer<'RecordCorrected' extends T ? never : FieldsRead<T>>;
}

export interface Projection<S = unknown, T extends DomainEventType = DomainEventType> extends ProjectionDefinition<S, T> {
  readonly alwaysApply: readonly T[];
  /** Is this event type one `evolve` handles? */
  readonly handlesType: (type: string) => type is T;
  /** The keys of the documents an event folds into (`[""]` without `keyOf`). */
  readonly keysOf: (event: EventOfType<T>) => readonly string[];
  /** Does it handle an event type with personal fields? Such a read model may hold names, so an erasure purges it. */
  readonly holdsPersonalData: boolean;
  /** `evolve` when it handles `RecordCorrected` itself; `engine` when the engine applies corrections for it. */
  readonly correctionsBy: CorrectionsBy;
  /** The types a live runner follows: `handles`, and `RecordCorrected` when the engine applies corrections (it never hands one to `evolve`). */
  readonly storeTypes: readonly string[];
  /**
   * Of the fields a correction of a `correctedType` event changes, those this
   * projection reads (`[]`: the correction changes nothing it shows). Always
   * `[]` when `evolve` applies corrections itself or the type is not handled.
   */
  readonly fieldsRead: (correctedType: string, changed: readonly string[]) => readonly string[];
}

/** A projection of any state over any event types, as registries and runners hold them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyProjection = Projection<any, any>;

/** The key of the one document of a projection without `keyOf`. */
export const SINGLE_DOCUMENT = '';

const single: readonly string[] = [SINGLE_DOCUMENT];
const none: readonly string[] = [];

/**
 * Define a projection: a named, versioned left fold over the event types it
 * handles, into one document, or into documents chosen by a key.
 *
 * ```ts
 * const sessionsPerPartner = defineProjection({
 *   name: 'sessions-per-partner', version: 1,
 *   handles: ['SessionHeld'],
 *   initialState: 0,
 *   keyOf: (event) => event.data.partners,            // one document per partner
 *   evolve: (held, event) => match(event).with({ type: 'SessionHeld' }, () => held + 1).exhaustive(),
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
  const correctionsBy: CorrectionsBy = handled.has('RecordCorrected') ? 'evolve' : 'engine';
  const reads = checkReads(definition.reads as Readonly<Record<string, readonly string[]>> | undefined, handled, correctionsBy, where);
  const keyOf = definition.keyOf;
  const keysOf = keyOf
    ? (event: EventOfType<T>): readonly string[] => {
        const keys = keyOf(event);
        if (keys === undefined) return none;
        const list = typeof keys === 'string' ? [keys] : keys;
        for (const key of list) {
          if (typeof key !== 'string' || key.startsWith(COUNTERS_PREFIX)) {
            throw new ProjectionError('invalid-projection', `${where}: keyOf gave ${JSON.stringify(key)} for ${event.type}; a key is a string not starting with "${COUNTERS_PREFIX}"`);
          }
        }
        return list;
      }
    : () => single;
  return {
    ...definition,
    alwaysApply,
    handlesType: (type: string): type is T => handled.has(type),
    keysOf,
    holdsPersonalData: [...handled].some((type) => (eventDefinition(type)?.personalFields.length ?? 0) > 0),
    correctionsBy,
    storeTypes: correctionsBy === 'engine' ? [...definition.handles, 'RecordCorrected'] : definition.handles,
    fieldsRead: (correctedType, changed) => {
      if (correctionsBy === 'evolve' || !handled.has(correctedType)) return none;
      const read = reads.get(correctedType);
      return read === undefined ? changed : changed.filter((field) => read.has(field));
    },
  };
}

/** `reads` checked against the handled types and their schemas: the fields each type reads (absent: all of them). */
function checkReads(reads: Readonly<Record<string, readonly string[]>> | undefined, handled: ReadonlySet<string>, by: CorrectionsBy, where: string): Map<string, ReadonlySet<string>> {
  const fields = new Map<string, ReadonlySet<string>>();
  if (reads === undefined) return fields;
  if (by === 'evolve') throw new ProjectionError('invalid-projection', `${where}: it handles RecordCorrected itself, so the engine applies no correction for it and reads would mean nothing`);
  for (const [type, list] of Object.entries(reads)) {
    if (!handled.has(type)) throw new ProjectionError('invalid-projection', `${where}: reads lists ${type}, which it does not handle`);
    const shape = eventDefinition(type)!.data.shape as Record<string, unknown>;
    for (const field of list) {
      if (!Object.hasOwn(shape, field)) throw new ProjectionError('invalid-projection', `${where}: reads lists ${type}.${field}, which ${type} does not have`);
    }
    fields.set(type, new Set(list));
  }
  return fields;
}

/** Counter documents are stored beside the documents under keys with this prefix, which `keyOf` may not use. */
export const COUNTERS_PREFIX = '#';
/** No counter name starts with it, so every key of the engine's own block sorts before `COUNTERS_PREFIX + LAST_CODE_UNIT`. */
export const LAST_CODE_UNIT = '\uffff';

/**
 * The engine's own note in a generation (a counter name may not start with
 * `#`): the log position up to which the corrections the model holds were
 * read, while its checkpoint is behind it. Not part of the model: exports and
 * readers leave it out.
 */
export const CORRECTIONS_KNOWN_TO = `${COUNTERS_PREFIX}#corrections-known-to`;

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
