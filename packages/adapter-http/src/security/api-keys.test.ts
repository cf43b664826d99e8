import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiKeyRing, createApiKey, generateApiKey, hashApiKey } from './api-keys.js';
import { FixedWindowRateLimiter } from './rate-limit.js';

describe('API keys', () => {
  it('stores only the SHA-256 of a key and recognises the key itself', () => {
    const { key, entry } = createApiKey('clerk-rabat', 'clerk');
    expect(key).toMatch(/^taawun_[A-Za-z0-9_-]{43}$/);
    expect(entry).toEqual({ name: 'clerk-rabat', role: 'clerk', sha256: hashApiKey(key) });
    expect(JSON.stringify(entry)).not.toContain(key.slice(7));
    const ring = new ApiKeyRing([entry, createApiKey('auditor', 'auditor').entry]);
    expect(ring.authenticate(key)).toEqual({ name: 'clerk-rabat', role: 'clerk' });
    expect(ring.authenticate(entry.sha256)).toBeUndefined();
  });

  it('never accepts a key that is not configured', () => {
    const ring = new ApiKeyRing([createApiKey('admin', 'admin').entry]);
    fc.assert(fc.property(fc.string(), (presented) => ring.authenticate(presented) === undefined));
    expect(ring.authenticate(generateApiKey())).toBeUndefined();
  });

  it('refuses two keys with one name (names are the actors on events) and malformed digests', () => {
    const a = createApiKey('clerk', 'clerk').entry;
    expect(() => new ApiKeyRing([a, { ...createApiKey('clerk', 'admin').entry }])).toThrow(/configured twice/);
    expect(() => new ApiKeyRing([{ ...a, sha256: 'abc' }])).toThrow();
  });
});

describe('rate limiter', () => {
  it('allows the limit per window per client, then reports when to retry', () => {
    let now = 1_000_000;
    const limiter = new FixedWindowRateLimiter(2, 60_000, () => now);
    expect(limiter.take('a')).toEqual({ allowed: true, limit: 2, remaining: 1, resetSeconds: 60 });
    expect(limiter.take('a').remaining).toBe(0);
    now += 45_000;
    expect(limiter.take('a')).toEqual({ allowed: false, limit: 2, remaining: 0, resetSeconds: 15 });
    expect(limiter.take('b').allowed).toBe(true);
    now += 15_000;
    expect(limiter.take('a')).toMatchObject({ allowed: true, remaining: 1 });
  });
});
