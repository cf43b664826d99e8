import fc from 'fast-check';
import { newEventId } from '@taawun/domain';
import { loadInstituteRecord } from '@taawun/example-institute-record';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type KeyName, type TestServer } from './support/server.js';

/**
 * The API under generated hostile input (issue 18): requests made from the
 * OpenAPI document (which is generated from the domain's zod schemas): valid
 * and mutated bodies, query strings, headers, content types, ETags, methods,
 * and keys of each role (or none, or a wrong one), sent one after another to a
 * real server on a loopback port. Whatever is sent: no answer of 500 or more;
 * every error is application/problem+json; no answer names a file or shows a
 * stack frame; a refused request leaves the log as it was, and at the end the
 * log holds exactly the events the accepted commands reported, event by event.
 */

const REQUESTS = Number(process.env['TAAWUN_FUZZ_REQUESTS'] ?? 5_000);
// A fixed seed by default, so that a run in CI can be repeated exactly; set TAAWUN_FUZZ_SEED to explore others.
const SEED = Number(process.env['TAAWUN_FUZZ_SEED'] ?? 18);

type Schema = Record<string, unknown>;
type Doc = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };
type Operation = { parameters?: { name: string; in: string; required?: boolean; schema: Schema }[]; requestBody?: { content: Record<string, { schema: Schema }> } };

/** Values a JSON Schema accepts (most of the time: patterns, bounds and enums are followed; strings kept short). Built once per schema. */
function valuesOf(doc: Doc): (schema: Schema, depth?: number) => fc.Arbitrary<unknown> {
  const built = new Map<Schema, fc.Arbitrary<unknown>>();
  const valueOf = (schema: Schema, depth = 0): fc.Arbitrary<unknown> => {
    const known = built.get(schema);
    if (known && depth > 0) return known;
    const made = make(schema, depth);
    if (depth > 0) built.set(schema, made);
    return made;
  };
  const make = (schema: Schema, depth: number): fc.Arbitrary<unknown> => {
    if (depth > 8) return fc.constant(null);
    if (typeof schema.$ref === 'string') return valueOf(doc.components.schemas[schema.$ref.split('/').pop()!]!, depth + 1);
    if (Array.isArray(schema.anyOf ?? schema.oneOf)) return fc.oneof(...((schema.anyOf ?? schema.oneOf) as Schema[]).map((s) => valueOf(s, depth + 1)));
    if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
    if ('const' in schema) return fc.constant(schema.const);
    const type = Array.isArray(schema.type) ? (schema.type as string[]).find((t) => t !== 'null') : schema.type;
    switch (type) {
      case 'string': {
        const examples = Array.isArray(schema.examples) ? (schema.examples as string[]) : [];
        let values: fc.Arbitrary<string>;
        if (typeof schema.pattern === 'string') values = fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length <= Number(schema.maxLength ?? 200) && s.length >= Number(schema.minLength ?? 0));
        else if (schema.format === 'uuid') values = fc.uuid();
        else if (schema.format === 'email') values = fc.emailAddress();
        else if (schema.format === 'date-time') values = fc.date({ min: new Date('2000-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
        else values = fc.string({ minLength: Math.max(1, Number(schema.minLength ?? 0)), maxLength: Math.min(Number(schema.maxLength ?? 30), 30), unit: 'grapheme' });
        return examples.length > 0 ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...examples) }, values) : values;
      }
      case 'integer':
        return fc.integer({ min: Math.max(Number(schema.minimum ?? -1_000), -1_000), max: Math.min(Number(schema.maximum ?? 10_000), 10_000) });
      case 'number':
        return fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });
      case 'boolean':
        return fc.boolean();
      case 'array':
        return fc.array(valueOf((schema.items ?? {}) as Schema, depth + 1), { minLength: Number(schema.minItems ?? 0), maxLength: Math.min(Number(schema.maxItems ?? 3), 3) });
      case 'object': {
        const properties = (schema.properties ?? {}) as Record<string, Schema>;
        const record: Record<string, fc.Arbitrary<unknown>> = {};
        for (const [name, property] of Object.entries(properties)) record[name] = valueOf(property, depth + 1);
        const required = ((schema.required ?? []) as string[]).filter((k) => k in record);
        // Multilingual text needs one language at least: ask for the first.
        return fc.record(record, { requiredKeys: required.length > 0 || Object.keys(record).length === 0 ? required : [Object.keys(record)[0]!] });
      }
      default:
        return fc.jsonValue({ maxDepth: 2 });
    }
  };
  return valueOf;
}

/** What hostile clients do to a body. */
const mutate = (value: unknown): fc.Arbitrary<string> => {
  const json = JSON.stringify(value) ?? 'null';
  const text = fc.string({ maxLength: 20, unit: 'binary' });
  return fc.oneof(
    { weight: 12, arbitrary: fc.constant(json) },
    fc.constant(json.slice(0, Math.max(1, Math.floor(json.length / 2)))), // truncated
    text, // not JSON, or odd JSON
    fc.constantFrom('', 'null', '[]', '{}', '1e999', '"x"', '{"__proto__":{"admin":true}}', '{"a":1,"a":2}'),
    fc.record({ key: fc.string({ maxLength: 10 }), junk: fc.jsonValue({ maxDepth: 2 }) }).map(({ key, junk }) => (value && typeof value === 'object' && !Array.isArray(value) ? JSON.stringify({ ...value, [key]: junk }) : json)),
    fc.constant(value && typeof value === 'object' && !Array.isArray(value) ? json.replace(/^\{/, `{${JSON.stringify(Object.keys(value)[0] ?? 'k')}:0,`) : json), // a key twice
    fc.constantFrom('\u0000', '\ud800', '\uffff', '\u202e', ' ', 'E\u0301').map((bad) => json.replace(/"([^"\\]{1,})"(?!:)/, (_m, s: string) => `"${s}${bad}"`)),
    fc.jsonValue({ maxDepth: 3 }).map((junk) => JSON.stringify(junk)),
    fc.constant(`{"x":"${'a'.repeat(12_000)}"}`),
  );
};

const contentTypes = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  fc.constantFrom('application/json;', 'application/json; foo', 'application/json ;charset=utf-8', 'application/json\t;charset=UTF-8', 'application/json; charset=utf-16',
    'application/json; charset=latin1', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/merge-patch+json', 'json', '', ';;;', 'application/json, text/plain', '*/*'),
);

const etags = fc.constantFrom(undefined, undefined, undefined, '"0"', '"1"', '"00"', 'W/"0"', '"0", "1"', '*', '"abc"', 'garbage', '"99999999999999999999"', '');

const queryValue = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('9223372036854775807', '9223372036854775808', '99999999999999999999', '-1', '0', '1e3', '2016', '2016-13-01', 'by-2022', 'show', 'redact', '%00', '../../etc/passwd'),
);

type Request = { method: string; path: string; query: string; headers: Record<string, string>; body?: string; as: KeyName | null | 'wrong' };

function requestsOf(doc: Doc): fc.Arbitrary<Request> {
  const valueOf = valuesOf(doc);
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ path, method: method.toUpperCase(), operation })));
  return fc.oneof(...operations.map(({ path, method, operation }) => {
    const params = operation.parameters ?? [];
    const pathParams = params.filter((p) => p.in === 'path');
    const queryParams = params.filter((p) => p.in === 'query');
    const headerParams = params.filter((p) => p.in === 'header' && p.name !== 'if-match'); // If-Match: from `etags`
    const pathArb = fc.tuple(...pathParams.map((p) => fc.oneof({ weight: 3, arbitrary: valueOf(p.schema, 1) }, queryValue))).map((values) =>
      pathParams.reduce((acc, p, i) => acc.replace(`{${p.name}}`, encodeURIComponent(String(values[i]))), path),
    );
    const queryArb = fc.tuple(
      ...queryParams.map((p) => fc.option(fc.oneof({ weight: 3, arbitrary: valueOf(p.schema, 1) }, queryValue), { freq: 2 })),
      fc.option(fc.tuple(fc.string({ maxLength: 6 }), queryValue), { freq: 4 }),
    ).map((values) => {
      const search = new URLSearchParams();
      queryParams.forEach((p, i) => {
        if (values[i] !== null) search.append(p.name, String(values[i]));
      });
      const extra = values[queryParams.length] as [string, string] | null;
      if (extra) search.append(extra[0], extra[1]);
      return search.toString();
    });
    const headerArb = fc.tuple(...headerParams.map((p) => fc.option(p.name === 'if-none-match' ? fc.constantFrom('*', '"0"', 'x') : fc.oneof({ weight: 3, arbitrary: valueOf(p.schema, 1) }, queryValue), { freq: 6 })), etags, fc.option(queryValue, { freq: 3 })).map((values) => {
      const headers: Record<string, string> = {};
      headerParams.forEach((p, i) => {
        if (values[i] !== null && values[i] !== undefined) headers[p.name] = String(values[i]).replace(/[\r\n\u0000-\u001f\u007f-\uffff]/g, '');
      });
      const etag = values[headerParams.length] as string | undefined;
      if (etag !== undefined) headers['if-match'] = etag;
      const lastEventId = values[headerParams.length + 1] as string | null;
      if (lastEventId !== null && path === '/events') headers['last-event-id'] = lastEventId.replace(/[^\x20-\x7e]/g, '');
      return headers;
    });
    const bodySchema = operation.requestBody?.content['application/json']?.schema;
    const bodyArb = bodySchema ? valueOf(bodySchema, 0).chain(mutate) : fc.option(fc.string({ maxLength: 20 }), { freq: 5 }).map((b) => b ?? undefined);
    const methodArb = fc.oneof({ weight: 12, arbitrary: fc.constant(method) }, fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'));
    const keyArb = fc.constantFrom<KeyName | null | 'wrong'>('admin', 'admin', 'clerk', 'clerk', 'auditor', null, 'wrong');
    return fc.record({ method: methodArb, path: pathArb, query: queryArb, headers: fc.tuple(headerArb, contentTypes).map(([h, type]) => ({ ...h, 'content-type': type })), body: bodyArb, as: keyArb }) as fc.Arbitrary<Request>;
  }));
}

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ personalData: true, limits: { requestsPerMinute: 1_000_000, maxBodyBytes: 8 * 1024 } });
  expect((await loadInstituteRecord(t.store, { actor: 'seed', now: () => new Date(), newId: newEventId })).failures).toEqual([]);
});
afterAll(async () => t.close());

const leak = /\/tmp\/|\/work\/|\/home\/|node_modules|\.(?:ts|js|mjs):\d+|\bat [\w.<>]+ \(|SqliteError|SQLITE_/;

it(`answers ${REQUESTS} generated hostile requests with no 5xx, problems for every error, no leak, and the log changed only by accepted commands`, async () => {
  const doc = (await (await t.request('/openapi.json', { as: null })).json()) as Doc;
  const generating = Date.now();
  const requests = fc.sample(requestsOf(doc), { numRuns: REQUESTS, seed: SEED });
  const generated = (Date.now() - generating) / 1000;
  const statuses = new Map<number, number>();
  const failures: string[] = [];
  const reported = new Map<string, string>(); // event id -> position, from accepted commands
  const seeded = await t.allEvents();
  let head = await t.store.lastPosition();
  const began = Date.now();
  for (const request of requests) {
    const url = `${request.path}${request.query ? `?${request.query}` : ''}`;
    const headers = { ...request.headers, ...(request.as === 'wrong' ? { authorization: 'Bearer taawun_not-a-key' } : {}) };
    const withBody = request.body !== undefined && request.method !== 'GET' && request.method !== 'HEAD';
    const controller = new AbortController();
    const response = await t.request(url, { method: request.method, headers, as: request.as === 'wrong' ? null : request.as, signal: controller.signal, ...(withBody ? { body: request.body } : {}) });
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    const what = `${request.method} ${url} as ${request.as} ${JSON.stringify(request.headers)} ${request.body?.slice(0, 200) ?? ''}`;
    const live = response.headers.get('content-type')?.startsWith('text/event-stream');
    const text = live ? '' : await response.text();
    if (live) controller.abort();
    if (response.status >= 500) failures.push(`${response.status} for ${what}: ${text.slice(0, 300)}`);
    if (response.status >= 400 && request.method !== 'HEAD' && response.headers.get('content-type') !== 'application/problem+json') failures.push(`${response.status} not a problem (${response.headers.get('content-type')}) for ${what}`);
    if (leak.test(text) && !url.startsWith('/docs')) failures.push(`leak in ${response.status} for ${what}: ${text.match(leak)![0]}`);
    const now = await t.store.lastPosition();
    if (response.status >= 400 && now !== head) failures.push(`the log moved (${head} -> ${now}) under a refused request: ${what}`);
    if (response.ok && request.method === 'POST' && /^application\/json/.test(response.headers.get('content-type') ?? '')) {
      const body = JSON.parse(text) as { events?: { id: string; position: string }[]; event?: { id: string; position: string } | null };
      for (const e of [...(body.events ?? []), ...(body.event ? [body.event] : [])]) reported.set(e.id, e.position);
    }
    head = now;
    if (failures.length > 20) break;
  }
  const seconds = (Date.now() - began) / 1000;
  // Event by event: the log is the seed plus exactly what accepted commands reported, in order.
  const after = await t.allEvents();
  expect(after.slice(0, seeded.length).map((e) => e.id)).toEqual(seeded.map((e) => e.id));
  expect(after.slice(seeded.length).map((e) => [e.id, e.position.toString()])).toEqual([...reported.entries()].filter(([id]) => !seeded.some((s) => s.id === id)));

  const histogram = [...statuses.entries()].sort(([a], [b]) => a - b).map(([status, count]) => `${status}: ${count}`).join(', ');
  console.log(`fuzz (seed ${SEED}): ${requests.length} requests generated in ${generated.toFixed(1)} s, sent in ${seconds.toFixed(1)} s; statuses ${histogram}; ${reported.size} events recorded by accepted commands`);
  if (failures.length > 0) console.log(`what the server logged:\n${t.logs.slice(0, 3).join('\n')}`);
  expect(failures, failures.slice(0, 10).join('\n')).toEqual([]);
  expect(requests.length).toBeGreaterThanOrEqual(Math.min(REQUESTS, 5_000));
}, 120_000);
