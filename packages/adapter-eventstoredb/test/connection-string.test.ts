import { EventStoreDBClient } from '@eventstore/db-client';
import { describe, expect, it } from 'vitest';
import { isEventStoreError } from '@taawun/domain';
import { openEventStoreDbStore, parseConnectionString, redactConnectionString, withClientDefaults } from '../src/index.js';

const failure = (work: () => unknown): { code: string; message: string } => {
  try {
    work();
  } catch (error) {
    if (isEventStoreError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a failure');
};

describe('connection strings', () => {
  it('esdb:// with one node: host, default port 2113, TLS on unless ?tls=false', () => {
    expect(parseConnectionString('esdb://localhost')).toEqual({ discover: false, hosts: [{ address: 'localhost', port: 2113 }], tls: true, description: 'EventStoreDB at localhost:2113' });
    expect(parseConnectionString('esdb://127.0.0.1:2114?tls=false')).toMatchObject({ hosts: [{ address: '127.0.0.1', port: 2114 }], tls: false });
    expect(parseConnectionString('esdb://db.example.org:2113/?tls=true&defaultDeadline=5000').tls).toBe(true);
  });

  it('esdb:// with a list of nodes is a three-node cluster found by gossip', () => {
    const target = parseConnectionString('esdb://admin:changeit@node1:2113,node2:2113,node3:2113?nodePreference=leader');
    expect(target.hosts.map((h) => `${h.address}:${h.port}`)).toEqual(['node1:2113', 'node2:2113', 'node3:2113']);
    expect(target.description).toBe('the EventStoreDB cluster node1:2113, node2:2113, node3:2113');
  });

  it('esdb+discover:// finds the cluster through DNS', () => {
    const target = parseConnectionString('esdb+discover://admin:changeit@cluster.example.org:2113');
    expect(target).toMatchObject({ discover: true, tls: true, description: 'the EventStoreDB cluster discovered through cluster.example.org:2113' });
  });

  it('never shows the password', () => {
    expect(redactConnectionString('esdb://admin:s3cret@node1:2113?tls=false')).toBe('esdb://admin:***@node1:2113?tls=false');
    expect(JSON.stringify(parseConnectionString('esdb://admin:s3cret@node1:2113'))).not.toContain('s3cret');
    expect(failure(() => parseConnectionString('esdb://admin:s3cret@node1:abc')).message).not.toContain('s3cret');
  });

  it.each([
    ['http://localhost:2113', /the scheme "http:\/\/" is not supported/],
    ['postgres://localhost/db', /the scheme "postgres:\/\/" is not supported/],
    ['tcp://localhost:1113', /the scheme "tcp:\/\/" is not supported/],
    ['localhost:2113', /does not start with a scheme/],
    ['', /does not start with a scheme/],
    ['esdb://', /names no host/],
    ['esdb://localhost:abc', /"abc" is not a port number/],
    ['esdb://localhost:70000', /"70000" is not a port number/],
    ['esdb://a:1:2', /"a:1:2" is not host or host:port/],
    ['esdb://localhost?tls=maybe', /tls must be true or false/],
    ['esdb://localhost?throwOnAppendFailure=false', /throwOnAppendFailure=false is not supported/],
  ])('refuses %j, naming the schemes it supports', (text, problem) => {
    const { code, message } = failure(() => parseConnectionString(text));
    expect(code).toBe('invalid-configuration');
    expect(message).toMatch(problem);
    expect(message).toContain('esdb:// (one node, or a comma-separated list of cluster nodes) or esdb+discover://');
    expect(message).toContain('esdb://localhost:2113?tls=false');
  });

  it('openEventStoreDbStore refuses a wrong string before any connection attempt', async () => {
    const error = await openEventStoreDbStore('https://localhost:2113').catch((e: unknown) => e);
    expect(isEventStoreError(error) && error.code).toBe('invalid-configuration');
    expect((error as Error).message).toMatch(/esdb\+discover:\/\//);
  });

  it('adds the store defaults the string does not set, and keeps those it sets (names compared as the client does)', () => {
    expect(withClientDefaults('esdb://localhost:2113', { defaultDeadline: 3000 })).toBe('esdb://localhost:2113?defaultDeadline=3000');
    expect(withClientDefaults('esdb://localhost:2113/', { defaultDeadline: 3000 })).toBe('esdb://localhost:2113?defaultDeadline=3000');
    expect(withClientDefaults('esdb://localhost:2113?tls=false', { defaultDeadline: 3000, keepAliveInterval: undefined })).toBe('esdb://localhost:2113?tls=false&defaultDeadline=3000');
    expect(withClientDefaults('esdb://localhost:2113?tls=false&default_deadline=500', { defaultDeadline: 3000 })).toBe('esdb://localhost:2113?tls=false&default_deadline=500');
    expect(withClientDefaults('esdb://h?DefaultDeadline=1', { defaultDeadline: 3000, keepAliveTimeout: 20000 })).toBe('esdb://h?DefaultDeadline=1&keepAliveTimeout=20000');
  });

  it('what it hands the client, the client accepts (one node, a cluster, discovery)', async () => {
    for (const text of ['esdb://localhost:2113?tls=false', 'esdb://admin:changeit@n1:2113,n2:2113,n3:2113', 'esdb+discover://cluster.example.org:2113', 'esdb://localhost:2113/']) {
      const client = EventStoreDBClient.connectionString(withClientDefaults(text, { defaultDeadline: 3000 }));
      expect(client).toBeInstanceOf(EventStoreDBClient);
      await client.dispose();
    }
  });
});
