import { z } from 'zod';
import { aggregates, type DomainAggregate } from '../aggregates/index.js';
import { commandTypeOf, type CommandTypeOf } from '../schema/define.js';

type CommandSchemasOf<A> = A extends { readonly commands: infer M } ? M[keyof M] : never;
type AnyCommandSchema = CommandSchemasOf<DomainAggregate>;
type CommandSchemas = { readonly [S in AnyCommandSchema as CommandTypeOf<S>]: S };

/** Every command, by type: the schema each edge (HTTP, CLI, import) validates with. In the order of the aggregates. */
export const commandSchemas = Object.fromEntries(
  aggregates.flatMap((a) => Object.values(a.commands).map((schema) => [commandTypeOf(schema), schema])),
) as unknown as CommandSchemas;

export type CommandType = keyof typeof commandSchemas;
export type Command = { [K in CommandType]: z.infer<(typeof commandSchemas)[K]> }[CommandType];
export type CommandOf<T extends CommandType> = z.infer<(typeof commandSchemas)[T]>;
/** A command as a caller writes it: fields with defaults may be left out. */
export type CommandInput = { [K in CommandType]: z.input<(typeof commandSchemas)[K]> }[CommandType];
export type CommandInputOf<T extends CommandType> = z.input<(typeof commandSchemas)[T]>;

const schemaList = Object.values(commandSchemas);
export const commandSchema = z.discriminatedUnion(
  'type',
  schemaList as unknown as [(typeof schemaList)[number], ...(typeof schemaList)[number][]],
);
export const commandTypes = Object.keys(commandSchemas) as CommandType[];
