import { z } from 'zod';
import type { PartialDate } from '../values/partial-date.js';

/**
 * One event type: its name, current schema version, the zod schema of its data,
 * and what the rest of the system needs to know about it (which field is the
 * business date, which fields hold personal data). Types come from the schema.
 */
export interface EventDefinition<T extends string = string, D extends z.ZodObject = z.ZodObject> {
  readonly type: T;
  readonly schemaVersion: number;
  readonly data: D;
  /** `{ type, data }`: the event as deciders emit it. */
  readonly schema: z.ZodObject<{ type: z.ZodLiteral<T>; data: D }>;
  /** The business date the event records, copied into metadata `occurredOn`. */
  readonly occurredOn: (data: z.infer<D>) => PartialDate | undefined;
  /** Top-level data fields holding personal data (encrypted and erasable). */
  readonly personalFields: readonly string[];
  /** Plans may be dated in the future; facts may not. */
  readonly isPlan: boolean;
  /** Fields that say which record the event is about: a correction cannot change them. */
  readonly identityFields: readonly string[];
}

export function defineEvent<T extends string, D extends z.ZodObject>(
  type: T,
  schemaVersion: number,
  data: D,
  options: {
    occurredOn?: (data: z.infer<D>) => PartialDate | undefined;
    personalFields?: readonly (keyof z.infer<D> & string)[];
    isPlan?: boolean;
    /** Default: the first field (the record's id). */
    identityFields?: readonly (keyof z.infer<D> & string)[];
    description?: string;
  } = {},
): EventDefinition<T, D> {
  return {
    type,
    schemaVersion,
    data,
    schema: z.object({ type: z.literal(type), data }).meta({ id: type, ...(options.description ? { description: options.description } : {}) }),
    occurredOn: options.occurredOn ?? (() => undefined),
    personalFields: options.personalFields ?? [],
    isPlan: options.isPlan ?? false,
    identityFields: options.identityFields ?? Object.keys(data.shape).slice(0, 1),
  };
}

export type EventOf<Def> = Def extends EventDefinition<infer T, infer D> ? { type: T; data: z.infer<D> } : never;

/**
 * One command type: a `type` literal plus its fields, with the schema used for
 * validation at every edge (HTTP bodies, CLI, imports) and for the OpenAPI document.
 */
export function defineCommand<T extends string, S extends z.ZodRawShape>(type: T, shape: S, description?: string) {
  return z
    .object({ type: z.literal(type), ...shape })
    .strict()
    .meta({ id: type, ...(description ? { description } : {}) });
}

/** Any command schema made by `defineCommand`: a strict object whose `type` is a literal. */
export type CommandSchema = z.ZodObject<{ type: z.ZodLiteral<string> } & z.ZodRawShape, z.core.$strict>;

/** The command type a schema validates (`RegisterPartner`). */
export type CommandTypeOf<S extends CommandSchema> = S['shape']['type'] extends z.ZodLiteral<infer T extends string> ? T : never;

export const commandTypeOf = <S extends CommandSchema>(schema: S): CommandTypeOf<S> => schema.shape.type.value as CommandTypeOf<S>;
