import { z } from 'zod';
import { agreementAmended, agreementSigned, agreementTerminated } from '../aggregates/agreement/events.js';
import { recordCorrected } from '../aggregates/correction/events.js';
import { instituteRegistered, instituteRenamed } from '../aggregates/institute/events.js';
import { participantDataErased, participantPersonalDataCorrected, participantRegistered } from '../aggregates/participant/events.js';
import { partnerDetailsCorrected, partnerRegistered, partnerRenamed } from '../aggregates/partner/events.js';
import { programmeClosed, programmeLaunched } from '../aggregates/programme/events.js';
import { publicationPlanned, publicationPrepared, publicationPublished } from '../aggregates/publication/events.js';
import {
  attendanceRecorded,
  enrolmentWithdrawn,
  participantEnrolled,
  sessionCancelled,
  sessionHeld,
  sessionRescheduled,
  sessionScheduled,
} from '../aggregates/session/events.js';
import { studyVisitCancelled, studyVisitCompleted, studyVisitPlanned } from '../aggregates/study-visit/events.js';
import type { EventDefinition, EventOf } from './define.js';

/** Every event type of the domain, at its current schema version. */
export const eventDefinitions = [
  instituteRegistered,
  instituteRenamed,
  partnerRegistered,
  partnerRenamed,
  partnerDetailsCorrected,
  agreementSigned,
  agreementAmended,
  agreementTerminated,
  programmeLaunched,
  programmeClosed,
  sessionScheduled,
  sessionRescheduled,
  sessionCancelled,
  sessionHeld,
  attendanceRecorded,
  participantEnrolled,
  enrolmentWithdrawn,
  participantRegistered,
  participantPersonalDataCorrected,
  participantDataErased,
  studyVisitPlanned,
  studyVisitCompleted,
  studyVisitCancelled,
  publicationPrepared,
  publicationPlanned,
  publicationPublished,
  recordCorrected,
] as const;

export type DomainEvent = EventOf<(typeof eventDefinitions)[number]>;
export type DomainEventType = DomainEvent['type'];
export type EventData<T extends DomainEventType> = Extract<DomainEvent, { type: T }>['data'];

export const domainEventSchema = z.discriminatedUnion(
  'type',
  eventDefinitions.map((d) => d.schema) as unknown as [z.ZodObject<{ type: z.ZodLiteral<DomainEventType>; data: z.ZodObject }>, ...z.ZodObject<{ type: z.ZodLiteral<DomainEventType>; data: z.ZodObject }>[]],
);

const byType = new Map<string, EventDefinition>(eventDefinitions.map((d) => [d.type, d as unknown as EventDefinition]));

export const eventTypes = eventDefinitions.map((d) => d.type) as readonly DomainEventType[];

export function eventDefinition(type: string): EventDefinition | undefined {
  return byType.get(type);
}

export const isDomainEventType = (type: string): type is DomainEventType => byType.has(type);
