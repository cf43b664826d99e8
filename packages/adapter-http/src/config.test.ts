import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addApiKey, ConfigError, ensureAdminKey, loadServerConfig, revokeApiKey } from './config.js';
import { ApiKeyRing, createApiKey } from './security/api-keys.js';

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'taawun-config-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

describe('server configuration', () => {
  it('defaults to loopback, port 8787, data/taawun.db, no keys', () => {
    const config = loadServerConfig({ env: {} });
    expect(config).toMatchObject({ host: '127.0.0.1', port: 8787, corsOrigins: [], keys: [] });
    expect(config.database).toBe(join(process.cwd(), 'data/taawun.db'));
    expect(config.limits.maxPageSize).toBe(1000);
  });

  it('reads the file (paths relative to it), and environment variables override it', () => {
    const file = join(folder, 'taawun.json');
    const clerk = createApiKey('clerk', 'clerk').entry;
    writeFileSync(file, JSON.stringify({ host: '0.0.0.0', port: 9000, database: 'db/events.db', keys: [clerk], limits: { maxPageSize: 200, transport: { maxArrayItems: 50 } } }));
    const auditor = createApiKey('auditor', 'auditor').entry;
    const config = loadServerConfig({
      env: { TAAWUN_CONFIG: file, TAAWUN_PORT: '0', TAAWUN_API_KEYS: `${auditor.name}:${auditor.role}:${auditor.sha256}`, TAAWUN_REQUESTS_PER_MINUTE: '30' },
    });
    expect(config).toMatchObject({ host: '0.0.0.0', port: 0, database: join(folder, 'db/events.db'), configFile: file });
    expect(config.keys).toEqual([clerk, auditor]);
    expect(config.limits).toMatchObject({ maxPageSize: 200, defaultPageSize: 100, requestsPerMinute: 30 });
    expect(config.limits.transport).toMatchObject({ maxArrayItems: 50, maxStringLength: 10_000 });
  });

  it("paces the heap's growth by default (twice what is live), which the file may change or leave to V8 (0); a pace past 1,000 is refused", () => {
    expect(loadServerConfig({ env: {} }).limits.heapGrowingPercent).toBe(100);
    const file = join(folder, 'taawun.json');
    writeFileSync(file, JSON.stringify({ limits: { heapGrowingPercent: 0 } }));
    expect(loadServerConfig({ env: {}, file }).limits.heapGrowingPercent).toBe(0);
    writeFileSync(file, JSON.stringify({ limits: { heapGrowingPercent: 5_000 } }));
    expect(() => loadServerConfig({ env: {}, file })).toThrow(/limits\.heapGrowingPercent/);
  });

  it("reads the institute's name for the report's letterhead from the file, TAAWUN_INSTITUTE overriding it", () => {
    const file = join(folder, 'taawun.json');
    writeFileSync(file, JSON.stringify({ institute: 'Institut supérieur de la magistrature' }));
    expect(loadServerConfig({ env: { TAAWUN_CONFIG: file } }).institute).toBe('Institut supérieur de la magistrature');
    expect(loadServerConfig({ env: { TAAWUN_CONFIG: file, TAAWUN_INSTITUTE: 'المعهد العالي للقضاء' } }).institute).toBe('المعهد العالي للقضاء');
    expect(loadServerConfig({ env: {} }).institute).toBeUndefined();
  });

  it('names the file, field or variable at fault', () => {
    const file = join(folder, 'bad.json');
    writeFileSync(file, JSON.stringify({ port: 'eighty', keys: [{ name: 'x', role: 'root', sha256: 'zz' }] }));
    expect(() => loadServerConfig({ env: {}, file })).toThrow(ConfigError);
    expect(() => loadServerConfig({ env: {}, file })).toThrow(/bad\.json is invalid: port: .*keys\.0\.role/);
    writeFileSync(file, '{ not json');
    expect(() => loadServerConfig({ env: {}, file })).toThrow(/bad\.json is not valid JSON/);
    expect(() => loadServerConfig({ env: {}, file: join(folder, 'missing.json') })).toThrow(/cannot read the config file .*missing\.json: ENOENT/);
    expect(() => loadServerConfig({ env: { TAAWUN_PORT: '70000' } })).toThrow(/TAAWUN_PORT=70000/);
    expect(() => loadServerConfig({ env: { TAAWUN_API_KEYS: 'alice:superuser:abc' } })).toThrow(/TAAWUN_API_KEYS entry 1/);
  });
});

describe('key management in the config file', () => {
  it('creates a first admin key once, shown once, stored hashed in a private file', () => {
    const file = join(folder, 'taawun.json');
    const first = ensureAdminKey(file);
    expect(first?.entry).toMatchObject({ name: 'admin', role: 'admin' });
    expect(ensureAdminKey(file)).toBeUndefined();
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(first!.key);
    expect(statSync(file).mode & 0o077).toBe(0);
    const ring = new ApiKeyRing(loadServerConfig({ env: {}, file }).keys);
    expect(ring.authenticate(first!.key)).toEqual({ name: 'admin', role: 'admin' });
  });

  it('adds and revokes named keys', () => {
    const file = join(folder, 'taawun.json');
    const clerk = addApiKey(file, 'clerk-rabat', 'clerk');
    expect(() => addApiKey(file, 'clerk-rabat', 'auditor')).toThrow(/already has a key named "clerk-rabat"/);
    expect(new ApiKeyRing(loadServerConfig({ env: {}, file }).keys).authenticate(clerk.key)?.role).toBe('clerk');
    expect(revokeApiKey(file, 'clerk-rabat')).toBe(true);
    expect(revokeApiKey(file, 'clerk-rabat')).toBe(false);
    expect(new ApiKeyRing(loadServerConfig({ env: {}, file }).keys).authenticate(clerk.key)).toBeUndefined();
  });
});
