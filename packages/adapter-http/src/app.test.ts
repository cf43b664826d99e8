import { InMemoryEventStore } from '@taawun/domain';
import { describe, expect, it } from 'vitest';
import { createHttpApp } from './app.js';
import { createApiKey } from './security/api-keys.js';

describe('CORS', () => {
  const key = createApiKey('auditor', 'auditor');
  const { app } = createHttpApp({ store: new InMemoryEventStore(), keys: [key.entry], corsOrigins: ['https://intranet.example.org'] });

  it('lets a configured origin call with a bearer key, and no other', async () => {
    const preflight = await app.request('/events', {
      method: 'OPTIONS',
      headers: { origin: 'https://intranet.example.org', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://intranet.example.org');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/i);

    const read = await app.request('/events', { headers: { origin: 'https://intranet.example.org', authorization: `Bearer ${key.key}` } });
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-allow-origin')).toBe('https://intranet.example.org');
    expect(read.headers.get('access-control-expose-headers')).toMatch(/ETag/);

    const other = await app.request('/events', { headers: { origin: 'https://evil.example.com', authorization: `Bearer ${key.key}` } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sends no CORS header when no origin is configured', async () => {
    const plain = createHttpApp({ store: new InMemoryEventStore(), keys: [key.entry] }).app;
    const read = await plain.request('/events', { headers: { origin: 'https://intranet.example.org', authorization: `Bearer ${key.key}` } });
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
  });
});
