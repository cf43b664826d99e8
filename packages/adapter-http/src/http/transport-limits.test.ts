import { commandSchemas, commandTypes, type CommandType } from '@taawun/domain';
import { instituteRecord } from '@taawun/example-institute-record';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parsePreconditions, etagOf } from './preconditions.js';
import { withTransportLimits } from './transport-limits.js';

const limits = { maxStringLength: 10, maxArrayItems: 2, maxInteger: 100, maxRecordKeys: 2 };

describe('transport limits', () => {
  const schema = z
    .object({
      name: z.string().min(1).meta({ description: 'a name' }),
      id: z.string().max(5),
      tags: z.array(z.string()).min(1).optional(),
      count: z.number().int().min(0),
      ratio: z.number(),
      changes: z.record(z.string(), z.unknown()),
    })
    .strict();
  const bounded = withTransportLimits(schema, limits);
  const valid = { name: 'n', id: 'abc', tags: ['a'], count: 3, ratio: 1e9, changes: { a: 1 } };

  it('adds limits where there are none, keeps the ones there are, and the checks and metadata', () => {
    expect(bounded.parse(valid)).toEqual(valid);
    expect(bounded.safeParse({ ...valid, name: 'x'.repeat(11) }).success).toBe(false);
    expect(bounded.safeParse({ ...valid, name: '' }).success).toBe(false);
    expect(bounded.safeParse({ ...valid, id: 'abcdef' }).success).toBe(false);
    expect(bounded.safeParse({ ...valid, tags: ['a', 'b', 'c'] }).success).toBe(false);
    expect(bounded.safeParse({ ...valid, tags: ['x'.repeat(11)] }).success).toBe(false);
    expect(bounded.safeParse({ ...valid, count: 101 }).success).toBe(false);
    expect(bounded.safeParse({ ...valid, changes: { a: 1, b: 2, c: 3 } }).success).toBe(false);
    expect(bounded.safeParse({ ...valid, extra: 1 }).success).toBe(false);
    const json = z.toJSONSchema(bounded) as { properties: Record<string, Record<string, unknown>> };
    expect(json.properties.name).toMatchObject({ maxLength: 10, minLength: 1, description: 'a name' });
    expect(json.properties.id).toMatchObject({ maxLength: 5 });
    expect(json.properties.count).toMatchObject({ maximum: 100, minimum: 0, format: 'int32' });
  });

  it('bounds string formats and the options of a discriminated union, keeping their types', () => {
    const schema = z.object({
      id: z.uuid(),
      at: z.iso.datetime(),
      choice: z.discriminatedUnion('kind', [z.object({ kind: z.literal('text'), text: z.string() }), z.object({ kind: z.literal('count'), count: z.int() })]),
    });
    const json = z.toJSONSchema(withTransportLimits(schema, limits)) as { properties: { id: object; at: object; choice: { oneOf?: object[]; anyOf?: object[] } } };
    expect(json.properties.id).toMatchObject({ format: 'uuid', maxLength: 10 });
    expect(json.properties.at).toMatchObject({ format: 'date-time', maxLength: 10 });
    expect(json.properties.choice.oneOf ?? json.properties.choice.anyOf).toMatchObject([{ properties: { text: { maxLength: 10 } } }, { properties: { count: { maximum: 100 } } }]);
    const value = { id: '0190a1b2-3c4d-7e5f-8a6b-7c8d9e0f1a2b', at: '2024-03-01T09:30:00Z', choice: { kind: 'count', count: 3 } } as const;
    expect(withTransportLimits(schema, limits).safeParse(value).error?.issues.map((i) => i.path.join('.'))).toEqual(['id', 'at']);
    const parsed: { choice: { kind: 'text'; text: string } | { kind: 'count'; count: number } } = withTransportLimits(schema, { ...limits, maxStringLength: 40 }).parse(value);
    expect(parsed.choice).toEqual({ kind: 'count', count: 3 });
  });

  it("accepts every command of the institute's record, unchanged", () => {
    for (const { command } of instituteRecord) {
      const { type, ...body } = command as { type: CommandType };
      const schema = withTransportLimits((commandSchemas[type] as z.ZodObject).omit({ type: true }));
      expect(schema.safeParse(body).success, type).toBe(true);
    }
    expect(commandTypes.length).toBeGreaterThan(20);
  });
});

describe('preconditions', () => {
  it('reads ETags back as expected revisions', () => {
    expect(parsePreconditions(etagOf(3), undefined)).toEqual({ ok: true, expected: 3 });
    expect(parsePreconditions('*', undefined)).toEqual({ ok: true, expected: 'stream-exists' });
    expect(parsePreconditions(undefined, '*')).toEqual({ ok: true, expected: 'no-stream' });
    expect(parsePreconditions(undefined, undefined)).toEqual({ ok: true });
    for (const bad of ['3', '"3', 'W/3', '"a b"']) expect(parsePreconditions(bad, undefined).ok, bad).toBe(false);
    for (const never of ['W/"3"', '"3", "4"', '"-1"', '"abc"', '"03"']) expect(parsePreconditions(never, undefined), never).toMatchObject({ ok: true, neverMatches: expect.any(String) });
    expect(parsePreconditions('"1"', '*').ok).toBe(false);
  });
});
