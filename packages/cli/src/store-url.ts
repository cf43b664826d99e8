import {
  InMemoryEventStore,
  InMemoryKeyStore,
  completePendingErasures,
  encryptPersonalData,
  type ChainCheckpoint,
  type EventStore,
  type KeyStore,
  type VerifyReport,
} from '@taawun/domain';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliError, usageError } from './errors.js';

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

/** Where participants' keys live: `sqlite:PATH` (a file of its own) or `memory:`. */
export type KeyStoreLocation = { readonly kind: 'sqlite'; readonly file: string } | { readonly kind: 'memory' } | { readonly kind: 'with-events' };

export function parseKeysUrl(url: string, cwd = process.cwd()): KeyStoreLocation {
  const text = url.trim();
  if (text === 'memory:') return { kind: 'memory' };
  if (text.startsWith('sqlite:') && text.length > 'sqlite:'.length) {
    const path = text.slice('sqlite:'.length).replace(/^\/\//, '');
    return { kind: 'sqlite', file: resolve(cwd, path) };
  }
  throw usageError(`--keys "${text}": use sqlite:PATH (a key file of its own) or memory:`);
}

export interface OpenOptions {
  readonly cwd?: string;
  /** `--keys` / `TAAWUN_KEYS`; by default the keys live with the events (SQLite, memory:). */
  readonly keys?: string;
  /**
   * Read and write through the personal-data encryption (default true). Only
   * `verify` opens the log as stored: it checks the sealed bytes.
   */
  readonly personalData?: boolean;
  /**
   * Refuse a store that does not exist yet instead of creating an empty one
   * (every command but `seed`, `import`, `start` and `serve`): a missing SQLite
   * file (or key file given with `--keys`), a PostgreSQL schema without the
   * log's table. A mistyped path is then one line, not an empty store that
   * reads as intact. Default false.
   */
  readonly mustExist?: boolean;
}

export interface OpenedStore {
  /** The store to use for everything: personal data sealed on append, opened on read. */
  readonly store: EventStore;
  /** The store as it holds the log (sealed personal data): for `verify`. */
  readonly inner: EventStore;
  readonly keys: KeyStore | undefined;
  readonly location: StoreLocation;
  readonly description: string;
  /** Close the key store, then the event store. */
  close(): Promise<void>;
}

async function openInner(location: StoreLocation): Promise<EventStore> {
  switch (location.kind) {
    case 'memory':
      return new InMemoryEventStore();
    case 'sqlite': {
      const { openSqliteEventStore } = await import('@taawun/adapter-sqlite');
      return openSqliteEventStore(location.file);
    }
    case 'postgres': {
      const { openPostgresEventStore } = await import('@taawun/adapter-postgres');
      return openPostgresEventStore(location.connectionString, location.schema ? { schema: location.schema } : {});
    }
    case 'eventstoredb': {
      const { openEventStoreDbStore } = await import('@taawun/adapter-eventstoredb');
      return openEventStoreDbStore(location.connectionString);
    }
  }
}

function keysLocation(keys: string | undefined, location: StoreLocation, cwd: string): KeyStoreLocation {
  if (keys !== undefined) return parseKeysUrl(keys, cwd);
  if (location.kind === 'postgres' || location.kind === 'eventstoredb') missingKeys(location);
  return location.kind === 'memory' ? { kind: 'memory' } : { kind: 'with-events' };
}

async function openKeys(where: KeyStoreLocation, inner: EventStore): Promise<KeyStore> {
  if (where.kind === 'memory') return new InMemoryKeyStore();
  const { openSqliteKeyStore, SqliteEventStore } = await import('@taawun/adapter-sqlite');
  if (where.kind === 'sqlite') return openSqliteKeyStore(where.file);
  if (!(inner instanceof SqliteEventStore)) throw usageError('--keys: give sqlite:PATH for this store');
  return openSqliteKeyStore(inner);
}

function missingKeys(location: StoreLocation): never {
  throw usageError(
    `${describeLocation(location)} needs --keys sqlite:PATH (or TAAWUN_KEYS): the file keeping participants' encryption keys, which must be the same every time this log is used`,
  );
}

const notCreated = 'nothing was created; check --store (taawun seed or taawun import creates a store)';

/** Throws a one-line `CliError` when the store (or its separate key file) is not there. EventStoreDB cannot tell: it is not checked. */
async function assertStoreExists(location: StoreLocation, keys: KeyStoreLocation | undefined): Promise<void> {
  if (location.kind === 'sqlite' && location.file !== ':memory:' && !existsSync(location.file)) {
    throw new CliError(`${describeLocation(location)} does not exist: ${notCreated}`);
  }
  if (keys?.kind === 'sqlite' && !existsSync(keys.file)) {
    throw new CliError(`the key file ${keys.file} (--keys) does not exist: nothing was created; check --keys (it must be the file this log's keys were written to)`);
  }
  if (location.kind === 'postgres') {
    const { createPool, describeTarget, translateError, quoteIdentifier, DEFAULT_SCHEMA } = await import('@taawun/adapter-postgres');
    const config = { connectionString: location.connectionString };
    const schema = location.schema ?? DEFAULT_SCHEMA;
    const pool = createPool(config);
    try {
      const { rows } = await pool.query<{ table: string | null }>('SELECT to_regclass($1)::text AS table', [`${quoteIdentifier(schema)}.events`]);
      if (!rows[0]?.table) throw new CliError(`${describeLocation(location)} holds no taawun log (no table ${schema}.events): ${notCreated}`);
    } catch (error) {
      if (error instanceof CliError) throw error;
      throw translateError(error, describeTarget(config), 'checking the store exists');
    } finally {
      await pool.end().catch(() => undefined);
    }
  }
}

/**
 * Open the store a URL names, with its participant key store and the
 * personal-data encryption over it. Adapters are loaded on demand, so the
 * SQLite default does not pay for the PostgreSQL or gRPC clients. Erasures a
 * crash left unfinished are completed on open.
 */
export async function openStore(url: string, options: OpenOptions = {}): Promise<OpenedStore> {
  const cwd = options.cwd ?? process.cwd();
  const location = parseStoreUrl(url, cwd);
  const description = describeLocation(location);
  const keysWhere = options.personalData === false ? undefined : keysLocation(options.keys, location, cwd);
  if (options.mustExist) await assertStoreExists(location, keysWhere);
  const inner = await openInner(location);
  if (keysWhere === undefined) {
    return { store: inner, inner, keys: undefined, location, description, close: () => inner.close() };
  }
  let keys: KeyStore | undefined;
  try {
    keys = await openKeys(keysWhere, inner);
    const store = encryptPersonalData(inner, keys);
    await completePendingErasures(store, keys);
    const opened = keys;
    return {
      store,
      inner,
      keys,
      location,
      description,
      close: async () => {
        try {
          await opened.close();
        } finally {
          await inner.close();
        }
      },
    };
  } catch (error) {
    await keys?.close().catch(() => undefined);
    await inner.close().catch(() => undefined);
    throw error;
  }
}
