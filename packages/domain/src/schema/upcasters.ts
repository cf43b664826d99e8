import { z } from 'zod';
import { attendanceSchema } from '../aggregates/session/events.js';
import { eventDefinition } from './events.js';

/**
 * Old schema versions are upcast on read, one version at a time; stored events
 * are never rewritten. Each upcaster parses the old shape with its own schema,
 * so a malformed old event fails loudly instead of being half-converted.
 */
export interface Upcaster {
  readonly type: string;
  readonly fromVersion: number;
  upcast(data: unknown): unknown;
}

/** SessionHeld v1 (before format and attendance basis existed): `remote: boolean`, `attendance: number`. */
export const sessionHeldV1Schema = z.looseObject({
  remote: z.boolean(),
  attendance: z.number().int().min(0).optional(),
});

const sessionHeldV1ToV2: Upcaster = {
  type: 'SessionHeld',
  fromVersion: 1,
  upcast(data) {
    const { remote, attendance, ...rest } = sessionHeldV1Schema.parse(data);
    const upgraded: Record<string, unknown> = { ...rest, format: remote ? 'remote' : 'in-person' };
    if (attendance !== undefined) upgraded.attendance = attendanceSchema.parse({ count: attendance, basis: 'total' });
    return upgraded;
  },
};

export const upcasters: readonly Upcaster[] = [sessionHeldV1ToV2];

export type UpcastResult = { ok: true; data: unknown } | { ok: false; message: string };

/** Bring data of `type` at `version` to the current schema version. */
export function upcast(type: string, version: number, data: unknown): UpcastResult {
  const current = eventDefinition(type)?.schemaVersion;
  if (current === undefined) return { ok: false, message: `unknown event type ${type}` };
  if (version > current) return { ok: false, message: `${type} v${version} is newer than this library knows (v${current}): upgrade taawun` };
  let value = data;
  for (let v = version; v < current; v++) {
    const step = upcasters.find((u) => u.type === type && u.fromVersion === v);
    if (!step) return { ok: false, message: `no upcaster for ${type} v${v} to v${v + 1}` };
    try {
      value = step.upcast(value);
    } catch (cause) {
      return { ok: false, message: `${type} v${v} could not be upcast: ${(cause as Error).message}` };
    }
  }
  return { ok: true, data: value };
}
