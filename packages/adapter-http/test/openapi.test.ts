import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandPath, routedCommandTypes } from '../src/index.js';
import { startTestServer, type TestServer } from './support/server.js';

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const spectralBin = resolve(packageRoot, '../../node_modules/.bin/spectral');
const redoclyBin = resolve(packageRoot, '../../node_modules/.bin/redocly');
const ruleset = join(packageRoot, 'spectral.owasp.yaml');

interface Finding {
  code: string;
  severity: number;
  path: string[];
  message: string;
}

/** Spectral's CLI on a document, as a child process: its findings. */
async function lint(document: unknown): Promise<Finding[]> {
  const folder = mkdtempSync(join(tmpdir(), 'taawun-spectral-'));
  try {
    const file = join(folder, 'openapi.json');
    writeFileSync(file, JSON.stringify(document, null, 2));
    const output = await promisify(execFile)(spectralBin, ['lint', file, '--ruleset', ruleset, '--format', 'json', '--fail-severity', 'error', '--quiet'], {
      maxBuffer: 64 * 1024 * 1024,
    }).catch((e: { stdout?: string; code?: number }) => {
      // Exit code 1 means "findings at the fail severity": the JSON is still on stdout.
      if (e.code === 1 && e.stdout) return { stdout: e.stdout };
      throw e;
    });
    return JSON.parse(output.stdout) as Finding[];
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Redocly's CLI (`lint`, its recommended rules) on a document: its problems. */
async function redoclyLint(document: unknown): Promise<{ totals: { errors: number; warnings: number }; problems: { ruleId: string; severity: string; message: string }[] }> {
  const folder = mkdtempSync(join(tmpdir(), 'taawun-redocly-'));
  try {
    const file = join(folder, 'openapi.json');
    writeFileSync(file, JSON.stringify(document, null, 2));
    const output = await promisify(execFile)(redoclyBin, ['lint', file, '--format', 'json'], { cwd: folder, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } }).catch((e: { stdout?: string; code?: number }) => {
      if (e.stdout) return { stdout: e.stdout };
      throw e;
    });
    return JSON.parse(output.stdout.slice(output.stdout.indexOf('{')));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

let t: TestServer;
let doc: {
  openapi: string;
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { $ref: string } }> }; responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, { description?: string; properties: Record<string, { examples?: unknown[]; description?: string; maxLength?: number }> }> };
};
beforeAll(async () => {
  // With a key store, so that the document has every route, the erasure route included.
  t = await startTestServer({ personalData: true });
  const response = await t.request('/openapi.json', { as: null });
  expect(response.status).toBe(200);
  doc = await response.json();
});
afterAll(async () => t.close());

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with one POST per command, its body the command schema without `type`', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/events', '/events/stream', '/read-models/partner-history', '/participants/{participantId}/erasure']));
    for (const type of routedCommandTypes) {
      const operation = doc.paths[commandPath(type)]?.post;
      expect(operation, type).toBeDefined();
      expect(operation!.requestBody!.content['application/json']!.schema.$ref).toBe(`#/components/schemas/${type}Body`);
      expect(doc.components.schemas[`${type}Body`]!.properties).not.toHaveProperty('type');
      expect(Object.keys(operation!.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '409', '412', '422', '429']));
    }
  });

  it('has no generic route for EraseParticipantData: the erasure route is the way (it also purges the read models)', () => {
    expect(routedCommandTypes).not.toContain('EraseParticipantData');
    expect(doc.paths).not.toHaveProperty('/commands/erase-participant-data');
    expect(doc.components.schemas).not.toHaveProperty('EraseParticipantDataBody');
    expect(doc.paths['/participants/{participantId}/erasure']?.post).toBeDefined();
  });

  it("carries the domain schemas' descriptions and examples (zod .meta())", () => {
    const sign = doc.components.schemas.SignAgreementBody!;
    expect(sign.description).toBe('Record the signature of an agreement with one or more partners');
    expect(sign.properties.signedOn!.examples).toContain('2018-11-07/2018-11-08');
    expect(sign.properties.signedOn!.description).toMatch(/EDTF/);
    expect(sign.properties.agreementId!.description).toBe('Record id, a slug or uuid');
    // The domain's own limits are kept; the transport limit only fills in where the domain set none.
    expect(sign.properties.signedOn!.maxLength).toBe(40);
    expect(sign.properties.agreementId!.maxLength).toBe(80);
    expect(doc.components.schemas.CorrectRecordBody!.properties.reason!.maxLength).toBe(2000);
  });

  it('passes Spectral (spectral:oas and the OWASP API security ruleset) with no error and no warning', async () => {
    const findings = await lint(doc);
    const counts = { errors: findings.filter((f) => f.severity === 0).length, warnings: findings.filter((f) => f.severity === 1).length };
    console.log(`Spectral (spectral:oas + OWASP): ${counts.errors} errors, ${counts.warnings} warnings`);
    expect(findings.filter((f) => f.severity <= 1).map((e) => `${e.code} at ${e.path.join('.')}: ${e.message}`)).toEqual([]);
  }, 120_000);

  it("passes Redocly's recommended rules with no error and no warning", async () => {
    const { totals, problems } = await redoclyLint(doc);
    console.log(`Redocly lint (recommended): ${totals.errors} errors, ${totals.warnings} warnings`);
    expect(problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message}`)).toEqual([]);
    expect(totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 120_000);

  it('states the character set of every string: a pattern, format, enum or const', () => {
    const loose: string[] = [];
    const visit = (node: unknown, path: string): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => visit(n, `${path}.${i}`));
      if (typeof node !== 'object' || node === null) return;
      const schema = node as Record<string, unknown>;
      if (schema.type === 'string' && !['pattern', 'format', 'enum', 'const'].some((k) => k in schema)) loose.push(path);
      for (const [key, value] of Object.entries(schema)) visit(value, `${path}.${key}`);
    };
    visit(doc, '$');
    expect(loose).toEqual([]);
    expect(doc.components.schemas.RegisterPartnerBody!.properties.name).toMatchObject({ properties: { fr: { pattern: expect.stringContaining('\\u202A-\\u202E') } } });
  });

  it('would fail Spectral if a request string had no limit', async () => {
    const broken = structuredClone(doc);
    delete broken.components.schemas.SignAgreementBody!.properties.signedOn!.maxLength;
    const errors = (await lint(broken)).filter((f) => f.severity === 0);
    expect(errors.map((e) => e.code)).toEqual(['owasp:api4:2023-string-limit']);
  }, 120_000);
});

describe('the docs and the problem types', () => {
  it('serves a docs page built from /openapi.json', async () => {
    const response = await t.request('/docs', { as: null });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toMatch(/swagger-ui/i);
    expect(html).toContain('/openapi.json');
    // Served from the package, not a CDN.
    expect(html).not.toMatch(/https?:\/\//);
    for (const asset of ['/docs/assets/swagger-ui-dist/swagger-ui.css', '/docs/assets/swagger-ui-dist/swagger-ui-bundle.js']) {
      expect(html).toContain(asset);
      const file = await t.request(asset, { as: null });
      expect(file.status).toBe(200);
      expect((await file.text()).length).toBeGreaterThan(10_000);
    }
    expect((await t.request('/docs/assets/swagger-ui-dist/package.json', { as: null })).status).toBe(404);
  });

  it('dereferences a problem type', async () => {
    const response = await t.request('/problems/session-full', { as: null });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ type: '/problems/session-full', code: 'session-full', status: 409 });
    expect((await t.request('/problems/no-such-problem', { as: null })).status).toBe(404);
  });
});
