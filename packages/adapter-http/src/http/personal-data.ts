import { eventDefinition, storedEventToJson, type StoredEvent } from '@taawun/domain';
import { z } from '@hono/zod-openapi';
import type { Principal, Role } from '../security/api-keys.js';

/**
 * Participants' personal data (the fields an event definition marks personal)
 * is shown only to keys that record it (admin, clerk), and only when asked
 * (`personalData=show`); by default, and always for auditors, it is replaced
 * by a marker. The record of what happened stays whole.
 */
export const REDACTED = '[personal data]';
export const rolesSeeingPersonalData: readonly Role[] = ['admin', 'clerk'];

export const personalDataParam = z
  .enum(['redact', 'show'])
  .optional()
  .meta({ description: "Participants' personal data: `redact` (default) or `show` (admin and clerk keys only)" });

export const maySeePersonalData = (principal: Principal | undefined): boolean =>
  principal !== undefined && rolesSeeingPersonalData.includes(principal.role);

export function redactPersonalData(event: StoredEvent): StoredEvent {
  const fields = eventDefinition(event.type)?.personalFields ?? [];
  if (fields.length === 0 || typeof event.data !== 'object' || event.data === null) return event;
  const data = Object.fromEntries(Object.entries(event.data).map(([k, v]) => [k, fields.includes(k) ? REDACTED : v]));
  return { ...event, data };
}

export const eventToJson = (event: StoredEvent, show: boolean) => storedEventToJson(show ? event : redactPersonalData(event));
