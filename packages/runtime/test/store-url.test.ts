import { describe, expect, it } from 'vitest';
import { DEFAULT_STORE_URL, describeLocation, isRuntimeError, parseKeysUrl, parseStoreUrl, redact, type RuntimeError } from '../src/index.js';

const refusal = (work: () => unknown): RuntimeError => {
  try {
    work();
  } catch (error) {
    if (isRuntimeError(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
};

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
    // Several hosts, for failover (libpq's form, which WHATWG URLs refuse): taawun's ?schema= taken out, the rest kept.
    expect(parseStoreUrl('postgres://u@db1:5432,db2:5432/taawun?target_session_attrs=read-write&schema=court')).toEqual({
      kind: 'postgres',
      connectionString: 'postgres://u@db1:5432,db2:5432/taawun?target_session_attrs=read-write',
      schema: 'court',
    });
    expect(parseStoreUrl('eventstoredb:esdb://localhost:2113?tls=false')).toEqual({ kind: 'eventstoredb', connectionString: 'esdb://localhost:2113?tls=false' });
    expect(parseStoreUrl('esdb://a:2113,b:2113')).toEqual({ kind: 'eventstoredb', connectionString: 'esdb://a:2113,b:2113' });
    expect(parseStoreUrl('esdb+discover://cluster.example')).toEqual({ kind: 'eventstoredb', connectionString: 'esdb+discover://cluster.example' });
  });

  it('refuses anything else as an invalid store URL, never showing a password', () => {
    for (const bad of ['sqlite:', 'mysql://root:secret@db/x', 'eventstoredb:http://u:secret@x', './taawun.db', 'postgres://u:secret@:x', 'postgres://u:secret@db/x?schema=']) {
      const error = refusal(() => parseStoreUrl(bad));
      expect([bad, error.code]).toEqual([bad, 'invalid-store-url']);
      expect(error.message).not.toContain('secret');
    }
    expect(refusal(() => parseStoreUrl('mysql://root@db/x')).message).toBe(
      '"mysql://root@db/x" is not a store URL taawun knows: use sqlite:PATH, memory:, postgres://…, postgresql://…, eventstoredb:esdb://…, esdb://… or esdb+discover://…',
    );
  });

  it('reads key store URLs: a SQLite file of their own, or memory', () => {
    expect(parseKeysUrl('sqlite:keys.db', '/srv')).toEqual({ kind: 'sqlite', file: '/srv/keys.db' });
    expect(parseKeysUrl('memory:')).toEqual({ kind: 'memory' });
    expect(refusal(() => parseKeysUrl('postgres://db/keys')).code).toBe('invalid-keys-url');
  });

  it('names each store as messages say it, without the password', () => {
    expect(describeLocation(parseStoreUrl('sqlite:/srv/taawun.db'))).toBe('SQLite file /srv/taawun.db');
    expect(describeLocation({ kind: 'memory' })).toBe('the in-memory store');
    expect(describeLocation(parseStoreUrl('postgres://u:secret@db/x?schema=court'))).toBe('PostgreSQL postgres://u:***@db/x (schema court)');
    expect(describeLocation(parseStoreUrl('esdb://admin:changeit@node1:2113'))).toBe('EventStoreDB esdb://admin:***@node1:2113');
  });

  it('redacts passwords', () => {
    expect(redact('postgres://user:s3cret@host/db')).toBe('postgres://user:***@host/db');
    expect(redact('eventstoredb:esdb://admin:changeit@node1:2113')).toBe('eventstoredb:esdb://admin:***@node1:2113');
    expect(redact('sqlite:./data/taawun.db')).toBe('sqlite:./data/taawun.db');
  });
});
