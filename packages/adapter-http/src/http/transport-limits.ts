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
/** Bounds a child schema. Each schema keeps its own type: a limit is a check, it changes no shape. */
type Walk = <S extends AnySchema>(schema: S) => S;

const hasCheck = (schema: AnySchema, kinds: readonly string[]): boolean =>
  (schema._zod.def.checks ?? []).some((check) => kinds.includes(check._zod.def.check));

/**
 * The schema with limits added wherever it has none. Walks objects, arrays,
 * records, unions, optionals, defaults and pipes; anything else is returned as is.
 */
export function withTransportLimits<S extends AnySchema>(schema: S, limits: TransportLimits = defaultTransportLimits): S {
  const walk: Walk = (s) => bound(s, limits, walk);
  return walk(schema);
}

/**
 * The limits a response can reach, for the OpenAPI document (a client knows
 * every integer's width and every list's bound): the schema with limits added
 * wherever it has none, a named schema (a zod `id`, e.g. `DateView`) bounded
 * under the same name, so the document keeps it as one component.
 */
export function withResponseLimits<S extends AnySchema>(schema: S, limits: TransportLimits): S {
  const walk: Walk = (s) => {
    const { id, ...meta } = z.globalRegistry.get(s) ?? {};
    const copy = bound(s, limits, walk);
    // A copy inherits the metadata but not the id (two schemas cannot share one): it is named for the document instead.
    return id !== undefined && copy instanceof z.ZodType ? copy.openapi(id, meta) : copy;
  };
  return walk(schema);
}

function bound<S extends AnySchema>(schema: S, limits: TransportLimits, walk: Walk): S {
  if (schema instanceof z.ZodString || schema instanceof z.ZodStringFormat) {
    // Formats (uuid, datetime, ...) are strings too, but not of the class ZodString.
    return hasCheck(schema, ['max_length', 'length_equals']) ? schema : schema.max(limits.maxStringLength);
  }
  if (schema instanceof z.ZodNumber) {
    if (!schema.isInt) return schema;
    let bounded = schema;
    if (bounded.maxValue === null || bounded.maxValue > limits.maxInteger) bounded = bounded.max(limits.maxInteger);
    if (bounded.minValue === null || bounded.minValue < -limits.maxInteger) bounded = bounded.min(-limits.maxInteger);
    // Stated so that clients (and the OWASP rules) know the integer's width; written out even where
    // they are the safe-integer bounds every zod integer has (the generator leaves those implicit).
    return bounded.meta({ format: limits.maxInteger > 2_147_483_647 ? 'int64' : 'int32', minimum: bounded.minValue!, maximum: bounded.maxValue! });
  }
  if (schema instanceof z.ZodArray) {
    const rebuilt = schema.clone({ ...schema.def, element: walk(schema.def.element) }, { parent: true });
    return hasCheck(schema, ['max_size', 'size_equals', 'max_length', 'length_equals']) ? rebuilt : rebuilt.max(limits.maxArrayItems);
  }
  if (schema instanceof z.ZodObject) {
    const shape = Object.fromEntries(Object.entries(schema.def.shape).map(([key, field]) => [key, walk(field)]));
    const { catchall } = schema.def;
    return schema.clone({ ...schema.def, shape, ...(catchall ? { catchall: walk(catchall) } : {}) }, { parent: true });
  }
  if (schema instanceof z.ZodRecord) {
    const maxKeys = limits.maxRecordKeys;
    return schema
      .clone({ ...schema.def, keyType: walk(schema.def.keyType), valueType: walk(schema.def.valueType) }, { parent: true })
      .refine((value) => Object.keys(value).length <= maxKeys, `at most ${maxKeys} keys`)
      .meta({ maxProperties: maxKeys });
  }
  if (schema instanceof z.ZodUnion) return schema.clone({ ...schema.def, options: schema.def.options.map(walk) }, { parent: true });
  if (schema instanceof z.ZodIntersection) return schema.clone({ ...schema.def, left: walk(schema.def.left), right: walk(schema.def.right) }, { parent: true });
  if (schema instanceof z.ZodTuple) return schema.clone({ ...schema.def, items: schema.def.items.map(walk) }, { parent: true });
  if (schema instanceof z.ZodPipe) return schema.clone({ ...schema.def, in: walk(schema.def.in), out: walk(schema.def.out) }, { parent: true });
  // Wrappers (optional, default, ...): the same wrapper around the bounded inner schema.
  if (schema instanceof z.ZodOptional) return schema.clone({ ...schema.def, innerType: walk(schema.def.innerType) }, { parent: true });
  if (schema instanceof z.ZodNullable) return schema.clone({ ...schema.def, innerType: walk(schema.def.innerType) }, { parent: true });
  if (schema instanceof z.ZodDefault) return schema.clone({ ...schema.def, innerType: walk(schema.def.innerType) }, { parent: true });
  if (schema instanceof z.ZodPrefault) return schema.clone({ ...schema.def, innerType: walk(schema.def.innerType) }, { parent: true });
  if (schema instanceof z.ZodReadonly) return schema.clone({ ...schema.def, innerType: walk(schema.def.innerType) }, { parent: true });
  if (schema instanceof z.ZodNonOptional) return schema.clone({ ...schema.def, innerType: walk(schema.def.innerType) }, { parent: true });
  if (schema instanceof z.ZodCatch) return schema.clone({ ...schema.def, innerType: walk(schema.def.innerType) }, { parent: true });
  return schema;
}
