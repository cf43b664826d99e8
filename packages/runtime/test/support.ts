import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newEventId, type CommandContext } from '@taawun/domain';
import pg from 'pg';

/** The real PostgreSQL server of the machine; each test works in schemas of its own, dropped afterwards. */
export const DATABASE_URL = process.env['TAAWUN_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

export const uniqueSchema = (label: string): string => `taawun_runtime_${label}_${process.pid}_${randomBytes(4).toString('hex')}`;

/** Runs one query on the test server, outside any store (inspection, clean-up). */
export async function onServer<T extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: DATABASE_URL, application_name: 'taawun-runtime-test' });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

export const schemaExists = async (schema: string): Promise<boolean> =>
  (await onServer('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [schema])).length > 0;

export const dropSchema = (schema: string) => onServer(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);

/** Fresh temporary folders, each removed by `removeAll`. */
export function temporaryFolders() {
  const made: string[] = [];
  return {
    async make(label: string): Promise<string> {
      const path = await mkdtemp(join(tmpdir(), `taawun-runtime-${label}-`));
      made.push(path);
      return path;
    },
    async removeAll(): Promise<void> {
      await Promise.all(made.splice(0).map((path) => rm(path, { recursive: true, force: true })));
    },
  };
}

/** A loopback port nobody listens on: the kernel refuses connections at once. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const clerk = (actor = 'registrar:salma'): Omit<CommandContext, 'idempotencyKey' | 'sourceRef'> => ({ actor, now: () => new Date(), newId: newEventId });
