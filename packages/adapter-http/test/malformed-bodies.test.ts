import { commandSchemas, type CommandType } from '@taawun/domain';
import { instituteRecord, partners } from '@taawun/example-institute-record';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { z } from 'zod';
import { commandPath, routedCommandTypes } from '../src/index.js';
import { startTestServer, type TestServer } from './support/server.js';

/**
 * Random malformed bodies, sent to every command route, never get a 5xx and
 * never store an event. Each JSON body carries at least one certain defect (a
 * field no command has, or a field set to null, which no command accepts), so
 * no run can be a valid command by chance; around it, the rest of the body is
 * random or taken from a real command of the institute's record.
 */

const realBodies: Partial<Record<CommandType, Record<string, unknown>[]>> = {};
for (const { command } of [...instituteRecord, ...Object.values(partners).map((command) => ({ command }))]) {
  const { type, ...body } = command as { type: CommandType };
  (realBodies[type] ??= []).push(body);
}

const fieldsOf = (type: CommandType) => Object.keys((commandSchemas[type] as z.ZodObject).shape).filter((k) => k !== 'type');

const poisoned = (type: CommandType) => {
  const fields = fieldsOf(type);
  const base = fc.oneof(
    fc.dictionary(fc.constantFrom(...fields), fc.jsonValue({ maxDepth: 3 }), { maxKeys: fields.length }),
    ...(realBodies[type] ? [fc.constantFrom(...realBodies[type]!)] : []),
  );
  const poison = fc.oneof(
    fc.string({ minLength: 1, maxLength: 20 }).filter((k) => !fields.includes(k) && k !== '__proto__').map((k) => ({ [k]: 'unexpected' })),
    fc.constantFrom(...fields).map((k) => ({ [k]: null })),
  );
  return fc.tuple(base, poison).map(([b, p]) => JSON.stringify({ ...b, ...p }));
};

const notAnObject = fc.oneof(fc.constant('null'), fc.jsonValue().filter((v) => v === null || typeof v !== 'object' || Array.isArray(v)).map((v) => JSON.stringify(v) ?? 'null'));
const notJson = fc.string({ maxLength: 200 }).filter((s) => {
  try {
    JSON.parse(s);
    return false;
  } catch {
    return true;
  }
});

const malformedRequest = fc.constantFrom(...routedCommandTypes).chain((type) =>
  fc.record({ type: fc.constant(type), body: fc.oneof(poisoned(type), poisoned(type), notAnObject, notJson) }),
);

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ limits: { requestsPerMinute: 1_000_000 } });
});
afterAll(async () => t.close());

it('never answers a malformed command with a 5xx, and never stores an event', async () => {
  const seen = new Set<string>();
  await fc.assert(
    fc.asyncProperty(malformedRequest, async ({ type, body }) => {
      const response = await t.request(commandPath(type), { as: 'admin', method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const problem = (await response.json()) as { code: string };
      seen.add(problem.code);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(['invalid-command', 'malformed-json']).toContain(problem.code);
    }),
    { numRuns: 600 },
  );
  expect(seen).toEqual(new Set(['invalid-command', 'malformed-json']));
  expect(await t.allEvents()).toEqual([]);
  expect(t.logs).toEqual([]);
});
