import { z } from '@hono/zod-openapi';

/** The largest offset into a list: the storages find a page from it as a 32-bit integer. */
export const MAX_OFFSET = 2_147_483_647;

/**
 * An integer given in a query string: decimal digits only, then bounded. `Number()`
 * (and `z.coerce.number()`) would also take `0x10`, `0b11`, `1e1`, ` 1`, and an empty
 * value as 0. The document shows what is sent, digits, and says the bounds.
 */
export const queryInteger = (min: number, max: number, description: string) =>
  z
    .string()
    .max(16)
    .regex(/^\d{1,16}$/, 'decimal digits')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .meta({ description: `${description} (decimal digits, from ${min} to ${max})` });
