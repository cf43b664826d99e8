import { z } from 'zod';
import type { Upcaster } from '../../schema/upcasting.js';
import { attendanceSchema } from './events.js';

/** SessionHeld v1 (before format and attendance basis existed): `remote: boolean`, `attendance: number`. */
export const sessionHeldV1Schema = z.looseObject({
  remote: z.boolean(),
  attendance: z.number().int().min(0).optional(),
});

/** SessionHeld v1 → v2: `remote` becomes `format`, a bare attendance number a figure with basis `total`. */
export const sessionHeldV1ToV2: Upcaster<'SessionHeld'> = {
  type: 'SessionHeld',
  fromVersion: 1,
  upcast(data) {
    const { remote, attendance, ...rest } = sessionHeldV1Schema.parse(data);
    const upgraded: Record<string, unknown> = { ...rest, format: remote ? 'remote' : 'in-person' };
    if (attendance !== undefined) upgraded.attendance = attendanceSchema.parse({ count: attendance, basis: 'total' });
    return upgraded;
  },
};
