import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPostgresEventStore, type PostgresEventStore, type PostgresEventStoreOptions } from '../event-store.js';

/** The server the tests use; each test file works in schemas of its own, dropped afterwards. */
export const TEST_DATABASE_URL = process.env['TAAWUN_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

export const uniqueSchema = (label: string): string => `taawun_test_${label}_${process.pid}_${randomBytes(4).toString('hex')}`;

/** A plain client for the test's own raw SQL (tampering, inspection), outside the store. */
export async function adminClient(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, application_name: 'taawun-test-admin' });
  await client.connect();
  return client;
}

/** Opens stores in fresh schemas and drops every one of them at the end. */
export function schemaPool(label: string) {
  const schemas: string[] = [];
  const stores: PostgresEventStore[] = [];
  return {
    /** A store in a fresh schema (or the one given), on its own pool; `config` adds pool settings. */
    async open(options: PostgresEventStoreOptions = {}, config: pg.PoolConfig = {}): Promise<PostgresEventStore> {
      const schema = options.schema ?? uniqueSchema(label);
      if (!schemas.includes(schema)) schemas.push(schema);
      const store = await openPostgresEventStore({ connectionString: TEST_DATABASE_URL, ...config }, { ...options, schema });
      stores.push(store);
      return store;
    },
    fresh(): string {
      const schema = uniqueSchema(label);
      schemas.push(schema);
      return schema;
    },
    async dropAll(): Promise<void> {
      await Promise.all(stores.map((s) => s.close()));
      const admin = await adminClient();
      try {
        for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}

/** A client as a report tool uses it: `bigint` figures read as numbers (the tests' figures are small). */
export async function reportClient(): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: TEST_DATABASE_URL,
    application_name: 'taawun-test-report',
    types: { getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === 20 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) },
  });
  await client.connect();
  return client;
}

/** SQL as a report tool runs it: a client of its own, `schema` on the search path. */
export const reportSql =
  (schema: string) =>
  async <R extends pg.QueryResultRow = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<R[]> => {
    const client = await reportClient();
    try {
      await client.query(`SET search_path TO ${pg.escapeIdentifier(schema)}`);
      return (await client.query<R>(text, values)).rows;
    } finally {
      await client.end();
    }
  };
