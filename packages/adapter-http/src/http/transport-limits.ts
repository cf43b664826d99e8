import { z } from 'zod';

/**
 * Size limits the HTTP edge adds to the domain's schemas where the domain sets
 * none, so that no request field is unbounded (OWASP API4: unrestricted
 * resource consumption). They are applied to the very zod schema that
 * validates the request, so the OpenAPI document states exactly what is enforced.
 * The domain's own limits (an id's 80 characters) are kept as they are.
 */
export interface TransportLimits {
  /** Longest string, in UTF-16 code units. */
  readonly maxStringLength: number;
  /** Most items in an array. */
  readonly maxArrayItems: number;
  /** Largest integer magnitude: integers are 32-bit. */
  readonly maxInteger: number;
  /** Most keys in an open-ended object (a record). */
  readonly maxRecordKeys: number;
}

/** What an answer may hold: a page is at most `maxPageSize` items, but one record may name a million people and figures reach billions. */
export const responseLimits: TransportLimits = {
  maxStringLength: 1_000_000,
  maxArrayItems: 1_000_000,
  maxInteger: Number.MAX_SAFE_INTEGER,
  maxRecordKeys: 10_000,
};

export const defaultTransportLimits: TransportLimits = {
  maxStringLength: 10_000,
  maxArrayItems: 1_000,
  maxInteger: 2_147_483_647,
  maxRecordKeys: 100,
};

type AnySchema = z.core.$ZodType;
type Def = AnySchema['_zod']['def'] & Record<string, unknown>;

/** A copy of the schema with a new definition that keeps its checks and inherits its metadata (not its id). */
const rebuild = <S extends AnySchema>(schema: S, def: Record<string, unknown>): S =>
  (schema as unknown as z.ZodType).clone(def as never, { parent: true }) as unknown as S;

const hasCheck = (schema: AnySchema, kinds: readonly string[]): boolean =>
  (schema._zod.def.checks ?? []).some((check) => kinds.includes((check._zod.def as { check: string }).check));


/**
 * The schema with limits added wherever it has none. Walks objects, arrays,
 * records, unions, optionals, defaults and pipes; anything else is returned as is.
 */
export function withTransportLimits<S extends AnySchema>(schema: S, limits: TransportLimits = defaultTransportLimits): S {
  return bound(schema, limits) as S;
}

/**
 * The limits a response can reach, for the OpenAPI document (a client knows
 * every integer's width and every list's bound): the schema with limits added
 * wherever it has none, a named schema (a zod `id`, e.g. `DateView`) kept as
 * the same named component, bounded once.
 */
export function withResponseLimits<S extends AnySchema>(schema: S, limits: TransportLimits): S {
  const named = new Map<AnySchema, AnySchema>();
  const walk = (s: AnySchema): AnySchema => {
    const id = z.globalRegistry.get(s)?.id;
    if (id === undefined) return bound(s, limits, walk);
    const known = named.get(s);
    if (known) return known;
    const { id: _id, ...meta } = z.globalRegistry.get(s) ?? {};
    const copy = (bound(s, limits, walk) as z.ZodType).openapi(id, meta);
    named.set(s, copy);
    return copy;
  };
  return walk(schema) as S;
}

function bound(schema: AnySchema, limits: TransportLimits, inner: (s: AnySchema) => AnySchema = (s) => bound(s, limits)): AnySchema {
  const def = schema._zod.def as Def;
  switch (def.type) {
    case 'string': {
      const hasMax = hasCheck(schema, ['max_length', 'length_equals']);
      return hasMax ? schema : (schema as z.ZodString).max(limits.maxStringLength);
    }
    case 'number': {
      const number = schema as z.ZodNumber;
      if (!number.isInt) return schema;
      let bounded = number;
      if (number.maxValue === null || number.maxValue > limits.maxInteger) bounded = bounded.max(limits.maxInteger);
      if (number.minValue === null || number.minValue < -limits.maxInteger) bounded = bounded.min(-limits.maxInteger);
      // Stated so that clients (and the OWASP rules) know the integer's width; written out even where
      // they are the safe-integer bounds every zod integer has (the generator leaves those implicit).
      return bounded.meta({ format: limits.maxInteger > 2_147_483_647 ? 'int64' : 'int32', minimum: bounded.minValue!, maximum: bounded.maxValue! });
    }
    case 'array': {
      const element = inner(def.element as AnySchema);
      const rebuilt = rebuild(schema, { ...def, element });
      return hasCheck(schema, ['max_size', 'size_equals', 'max_length', 'length_equals'])
        ? rebuilt
        : (rebuilt as unknown as z.ZodArray).max(limits.maxArrayItems);
    }
    case 'object': {
      const shape = Object.fromEntries(Object.entries(def.shape as Record<string, AnySchema>).map(([k, v]) => [k, inner(v)]));
      const catchall = def.catchall as AnySchema | undefined;
      return rebuild(schema, { ...def, shape, ...(catchall ? { catchall: inner(catchall) } : {}) });
    }
    case 'record': {
      const rebuilt = rebuild(schema, { ...def, keyType: inner(def.keyType as AnySchema), valueType: inner(def.valueType as AnySchema) });
      const maxKeys = limits.maxRecordKeys;
      return (rebuilt as unknown as z.ZodType)
        .refine((value) => Object.keys(value as object).length <= maxKeys, `at most ${maxKeys} keys`)
        .meta({ maxProperties: maxKeys });
    }
    case 'union':
      return rebuild(schema, { ...def, options: (def.options as AnySchema[]).map((o) => inner(o)) });
    case 'intersection':
      return rebuild(schema, { ...def, left: inner(def.left as AnySchema), right: inner(def.right as AnySchema) });
    case 'tuple':
      return rebuild(schema, { ...def, items: (def.items as AnySchema[]).map((i) => inner(i)) });
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'nonoptional':
    case 'catch':
      return rebuild(schema, { ...def, innerType: inner(def.innerType as AnySchema) });
    case 'pipe':
      return rebuild(schema, { ...def, in: inner(def.in as AnySchema), out: inner(def.out as AnySchema) });
    default:
      return schema;
  }
}
