import { InMemoryEventStore, type ChainCheckpoint, type EventStore, type VerifyReport } from '@taawun/domain';
import { resolve } from 'node:path';
import { usageError } from './errors.js';

/** What you get when you configure nothing: the embedded SQLite file under the working folder. */
export const DEFAULT_STORE_URL = 'sqlite:./data/taawun.db';

export type StoreLocation =
  | { readonly kind: 'sqlite'; readonly file: string }
  | { readonly kind: 'memory' }
  | { readonly kind: 'postgres'; readonly connectionString: string; readonly schema?: string }
  | { readonly kind: 'eventstoredb'; readonly connectionString: string };

const SUPPORTED = 'sqlite:PATH, memory:, postgres://…, postgresql://…, eventstoredb:esdb://…, esdb://… or esdb+discover://…';

/**
 * Read a `--store` / `TAAWUN_STORE` value. Relative SQLite paths are resolved
 * against `cwd`. A PostgreSQL URL may carry `?schema=NAME` (taawun's own
 * parameter, removed before the URL reaches `pg`) to keep the log in that schema.
 */
export function parseStoreUrl(url: string, cwd = process.cwd()): StoreLocation {
  const text = url.trim();
  if (text === 'memory:' || text === 'memory://') return { kind: 'memory' };
  if (text.startsWith('sqlite:')) {
    let path = text.slice('sqlite:'.length);
    if (path.startsWith('//')) path = path.slice(2); // sqlite:///abs/path
    if (path.length === 0) throw usageError(`--store ${text}: give the SQLite file after "sqlite:", e.g. ${DEFAULT_STORE_URL}`);
    return { kind: 'sqlite', file: path === ':memory:' ? path : resolve(cwd, path) };
  }
  if (/^postgres(ql)?:\/\//.test(text)) return postgresLocation(text);
  if (text.startsWith('eventstoredb:')) {
    const connectionString = text.slice('eventstoredb:'.length);
    if (!/^esdb(\+discover)?:\/\//.test(connectionString)) {
      throw usageError(`--store ${text}: after "eventstoredb:" give an esdb:// or esdb+discover:// connection string, e.g. eventstoredb:esdb://localhost:2113?tls=false`);
    }
    return { kind: 'eventstoredb', connectionString };
  }
  if (/^esdb(\+discover)?:\/\//.test(text)) return { kind: 'eventstoredb', connectionString: text };
  throw usageError(`--store "${redact(text)}" is not a store this command knows: use ${SUPPORTED}`);
}

function postgresLocation(text: string): StoreLocation {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw usageError(`--store ${redact(text)} is not a valid PostgreSQL URL (postgres://user@host:5432/database)`);
  }
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  if (schema !== undefined && schema.length === 0) throw usageError('--store: ?schema= needs a schema name');
  return { kind: 'postgres', connectionString: parsed.toString(), ...(schema === undefined ? {} : { schema }) };
}

/** A URL as messages may show it: never with a password. */
export const redact = (url: string): string => url.replace(/^([a-z+]+:\/\/[^:@/?]+):[^@/?]*@/i, '$1:***@');

export function describeLocation(location: StoreLocation): string {
  switch (location.kind) {
    case 'sqlite':
      return `SQLite file ${location.file}`;
    case 'memory':
      return 'the in-memory store';
    case 'postgres':
      return `PostgreSQL ${redact(location.connectionString)}${location.schema ? ` (schema ${location.schema})` : ''}`;
    case 'eventstoredb':
      return `EventStoreDB ${redact(location.connectionString)}`;
  }
}

/** Stores that keep a tamper-evident hash chain (SQLite, PostgreSQL). */
export interface ChainedStore extends EventStore {
  verify(options?: { against?: ChainCheckpoint }): Promise<VerifyReport>;
  checkpoint(): Promise<ChainCheckpoint>;
}

export const hasHashChain = (store: EventStore): store is ChainedStore =>
  typeof (store as Partial<ChainedStore>).verify === 'function' && typeof (store as Partial<ChainedStore>).checkpoint === 'function';

export interface OpenedStore {
  readonly store: EventStore;
  readonly location: StoreLocation;
  readonly description: string;
}

/**
 * Open the store a URL names. Adapters are loaded on demand, so the SQLite
 * default does not pay for the PostgreSQL or gRPC clients.
 */
export async function openStore(url: string, cwd = process.cwd()): Promise<OpenedStore> {
  const location = parseStoreUrl(url, cwd);
  const description = describeLocation(location);
  switch (location.kind) {
    case 'memory':
      return { store: new InMemoryEventStore(), location, description };
    case 'sqlite': {
      const { openSqliteEventStore } = await import('@taawun/adapter-sqlite');
      return { store: await openSqliteEventStore(location.file), location, description };
    }
    case 'postgres': {
      const { openPostgresEventStore } = await import('@taawun/adapter-postgres');
      const store = await openPostgresEventStore(location.connectionString, location.schema ? { schema: location.schema } : {});
      return { store, location, description };
    }
    case 'eventstoredb': {
      const { openEventStoreDbStore } = await import('@taawun/adapter-eventstoredb');
      return { store: await openEventStoreDbStore(location.connectionString), location, description };
    }
  }
}
