import { describe, expect, it } from 'vitest';
import { CliError } from '../src/errors.js';
import { DEFAULT_STORE_URL, parseStoreUrl, redact } from '../src/store-url.js';

describe('parseStoreUrl', () => {
  it('reads SQLite paths relative to the working folder, and absolute ones as they are', () => {
    expect(DEFAULT_STORE_URL).toBe('sqlite:./data/taawun.db');
    expect(parseStoreUrl(DEFAULT_STORE_URL, '/srv/institute')).toEqual({ kind: 'sqlite', file: '/srv/institute/data/taawun.db' });
    expect(parseStoreUrl('sqlite:/var/lib/taawun.db', '/srv')).toEqual({ kind: 'sqlite', file: '/var/lib/taawun.db' });
    expect(parseStoreUrl('sqlite:///var/lib/taawun.db', '/srv')).toEqual({ kind: 'sqlite', file: '/var/lib/taawun.db' });
  });

  it('knows memory:, PostgreSQL and EventStoreDB URLs', () => {
    expect(parseStoreUrl('memory:')).toEqual({ kind: 'memory' });
    expect(parseStoreUrl('postgres://postgres@127.0.0.1:5432/test')).toEqual({ kind: 'postgres', connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
    expect(parseStoreUrl('postgresql://u:p@db/taawun?schema=court&sslmode=require')).toEqual({
      kind: 'postgres',
      connectionString: 'postgresql://u:p@db/taawun?sslmode=require',
      schema: 'court',
    });
    expect(parseStoreUrl('eventstoredb:esdb://localhost:2113?tls=false')).toEqual({ kind: 'eventstoredb', connectionString: 'esdb://localhost:2113?tls=false' });
    expect(parseStoreUrl('esdb://a:2113,b:2113')).toEqual({ kind: 'eventstoredb', connectionString: 'esdb://a:2113,b:2113' });
    expect(parseStoreUrl('esdb+discover://cluster.example')).toEqual({ kind: 'eventstoredb', connectionString: 'esdb+discover://cluster.example' });
  });

  it('refuses anything else as bad usage (exit 2), never showing a password', () => {
    for (const bad of ['sqlite:', 'mysql://root:secret@db/x', 'eventstoredb:http://x', './taawun.db', 'postgres://u:secret@:x']) {
      let thrown: unknown;
      try {
        parseStoreUrl(bad);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(CliError);
      expect((thrown as CliError).exitCode).toBe(2);
      expect((thrown as CliError).message).not.toContain('secret');
    }
  });

  it('redacts passwords', () => {
    expect(redact('postgres://user:s3cret@host/db')).toBe('postgres://user:***@host/db');
  });
});
