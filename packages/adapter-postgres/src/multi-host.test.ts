import { newTestEvent } from '@taawun/domain/testing';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { schemaPool, TEST_DATABASE_URL } from './test-support/database.js';

const schemas = schemaPool('multihost');
afterAll(() => schemas.dropAll());

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The test database's URL with `hosts` in place of its host and port. */
const withHosts = (hosts: string, query: string) => TEST_DATABASE_URL.replace(/@[^/]+\//, `@${hosts}/`) + query;

describe('a multi-host connection string (failover)', () => {
  it('target_session_attrs=read-write: a server that is down is passed over for the next one that accepts writes', async () => {
    const live = /@[^/]+\//.exec(TEST_DATABASE_URL)![0].slice(1, -1);
    const store = await schemas.open({}, { connectionString: withHosts(`127.0.0.1:${await closedPort()},${live}`, '?target_session_attrs=read-write') });
    await store.append('partner-multihost', [newTestEvent('Noted')], { expectedRevision: 'no-stream' });
    expect((await store.readStream('partner-multihost')).length).toBe(1);
    const { rows } = await store.pool.query<{ port: number }>('SELECT inet_server_port() AS port');
    expect(String(rows[0]!.port)).toBe(live.split(':')[1] ?? '5432');
  });

  it('no server answers: unavailable, naming each and why', async () => {
    const [a, b] = [await closedPort(), await closedPort()];
    const failure = await schemas.open({}, { connectionString: withHosts(`127.0.0.1:${a},127.0.0.1:${b}`, '?target_session_attrs=read-write') }).catch((e: unknown) => e as Error & { code: string });
    expect(failure).toMatchObject({ code: 'unavailable' });
    expect((failure as Error).message).toContain(`no server of 127.0.0.1:${a},127.0.0.1:${b} accepts writes`);
  });
});
