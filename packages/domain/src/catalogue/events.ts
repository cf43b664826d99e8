import { z } from 'zod';
import { aggregates, type DomainAggregate } from '../aggregates/index.js';
import type { EventDefinition, EventOf } from '../schema/define.js';

type DomainEventDefinition = DomainAggregate['events'][number];

/** Every event type of the domain, at its current schema version, in the order of the aggregates. */
export const eventDefinitions: readonly DomainEventDefinition[] = aggregates.flatMap((a): readonly DomainEventDefinition[] => a.events);

export type DomainEvent = EventOf<(typeof eventDefinitions)[number]>;
export type DomainEventType = DomainEvent['type'];
export type EventData<T extends DomainEventType> = Extract<DomainEvent, { type: T }>['data'];

type EventSchema = z.ZodObject<{ type: z.ZodLiteral<DomainEventType>; data: z.ZodObject }>;
export const domainEventSchema = z.discriminatedUnion('type', eventDefinitions.map((d) => d.schema) as unknown as [EventSchema, ...EventSchema[]]);

const byType = new Map<string, EventDefinition>(eventDefinitions.map((d) => [d.type, d as unknown as EventDefinition]));

export const eventTypes = eventDefinitions.map((d) => d.type) as readonly DomainEventType[];

export function eventDefinition(type: string): EventDefinition | undefined {
  return byType.get(type);
}

export const isDomainEventType = (type: string): type is DomainEventType => byType.has(type);
