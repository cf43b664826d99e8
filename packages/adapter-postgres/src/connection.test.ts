import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { describeTarget } from './connection.js';
import { openPostgresEventStore } from './event-store.js';
import { schemaPool } from './test-support/database.js';

const schemas = schemaPool('connection');
afterAll(() => schemas.dropAll());

/** A loopback port nothing listens on: bind one, note it, close it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A server that accepts connections and never says a word (a hung or firewalled database). */
async function silentServer(): Promise<{ port: number; server: Server; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server, sockets };
}

async function failureOf(promise: Promise<unknown>): Promise<{ error: Error & { code?: string }; ms: number }> {
  const started = Date.now();
  const error = await promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as Error & { code?: string },
  );
  return { error, ms: Date.now() - started };
}

describe('connecting', () => {
  it('a closed port: unavailable at once, naming host and port, one line, no stack', async () => {
    const port = await closedPort();
    const { error, ms } = await failureOf(openPostgresEventStore(`postgres://postgres@127.0.0.1:${port}/test`, { schema: 'never_created' }));
    expect(error).toMatchObject({ name: 'EventStoreError', code: 'unavailable' });
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.message).toContain('connection refused');
    expect(error.message).not.toMatch(/\n|\bat .*:\d+:\d+/);
    expect(ms).toBeLessThan(3_000);
  });

  it('a server that never answers: unavailable within the connection deadline', async () => {
    const { port, server, sockets } = await silentServer();
    try {
      const { error, ms } = await failureOf(
        openPostgresEventStore({ host: '127.0.0.1', port, user: 'postgres', database: 'test', connectionTimeoutMillis: 400 }, { schema: 'never_created' }),
      );
      expect(error).toMatchObject({ code: 'unavailable' });
      expect(error.message).toContain(`127.0.0.1:${port}`);
      expect(error.message).toMatch(/timeout/i);
      expect(ms).toBeGreaterThanOrEqual(350);
      expect(ms).toBeLessThan(3_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });

  it('a database that does not exist: unavailable, naming it', async () => {
    const { error } = await failureOf(openPostgresEventStore('postgres://postgres@127.0.0.1:5432/taawun_no_such_database', { schema: 'x' }));
    expect(error).toMatchObject({ code: 'unavailable' });
    expect(error.message).toContain('database "taawun_no_such_database"');
  });

  it('resolves host, port, database and user as pg will, without the password', () => {
    expect(describeTarget({ connectionString: 'postgres://clerk:secret@db.example:6543/registry' })).toEqual({ host: 'db.example', port: 6543, database: 'registry', user: 'clerk' });
  });

  it('exposes its pool and schema for the tables that live beside the log', async () => {
    const store = await schemas.open();
    const { rows } = await store.pool.query(`SELECT count(*)::int AS n FROM "${store.schema}".events`);
    expect(rows[0]).toEqual({ n: 0 });
    expect(store.target).toMatchObject({ host: '127.0.0.1', port: 5432, database: 'test' });
  });
});
