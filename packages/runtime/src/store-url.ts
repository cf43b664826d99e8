import { resolve } from 'node:path';
import { RuntimeError } from './errors.js';

/** What you get when you configure nothing: the embedded SQLite file under the working folder. */
export const DEFAULT_STORE_URL = 'sqlite:./data/taawun.db';

/** The store URLs the runtime opens, as messages list them. */
export const SUPPORTED_STORE_URLS = 'sqlite:PATH, memory:, postgres://…, postgresql://…, eventstoredb:esdb://…, esdb://… or esdb+discover://…';

export type StoreLocation =
  | { readonly kind: 'sqlite'; readonly file: string }
  | { readonly kind: 'memory' }
  | { readonly kind: 'postgres'; readonly connectionString: string; readonly schema?: string }
  | { readonly kind: 'eventstoredb'; readonly connectionString: string };

const invalid = (message: string) => new RuntimeError('invalid-store-url', message);

/**
 * Read a store URL (the CLI's `--store` / `TAAWUN_STORE`). Relative SQLite paths
 * are resolved against `cwd`. A PostgreSQL URL may carry `?schema=NAME` (taawun's
 * own parameter, removed before the URL reaches `pg`) to keep the log in that
 * schema. Throws `RuntimeError('invalid-store-url')`, never showing a password.
 */
export function parseStoreUrl(url: string, cwd = process.cwd()): StoreLocation {
  const text = url.trim();
  if (text === 'memory:' || text === 'memory://') return { kind: 'memory' };
  if (text.startsWith('sqlite:')) {
    let path = text.slice('sqlite:'.length);
    if (path.startsWith('//')) path = path.slice(2); // sqlite:///abs/path
    if (path.length === 0) throw invalid(`${text}: give the SQLite file after "sqlite:", e.g. ${DEFAULT_STORE_URL}`);
    return { kind: 'sqlite', file: path === ':memory:' ? path : resolve(cwd, path) };
  }
  if (/^postgres(ql)?:\/\//.test(text)) return postgresLocation(text);
  if (text.startsWith('eventstoredb:')) {
    const connectionString = text.slice('eventstoredb:'.length);
    if (!/^esdb(\+discover)?:\/\//.test(connectionString)) {
      throw invalid(`${redact(text)}: after "eventstoredb:" give an esdb:// or esdb+discover:// connection string, e.g. eventstoredb:esdb://localhost:2113?tls=false`);
    }
    return { kind: 'eventstoredb', connectionString };
  }
  if (/^esdb(\+discover)?:\/\//.test(text)) return { kind: 'eventstoredb', connectionString: text };
  throw invalid(`"${redact(text)}" is not a store URL taawun knows: use ${SUPPORTED_STORE_URLS}`);
}

function postgresLocation(text: string): StoreLocation {
  // Several hosts (db1:5432,db2:5432, for failover) are no URL to WHATWG: taawun's ?schema= is taken out by hand.
  if (/^postgres(ql)?:\/\/[^/?]*,/.test(text)) {
    const at = text.indexOf('?');
    const params = new URLSearchParams(at < 0 ? '' : text.slice(at + 1));
    const schema = params.get('schema') ?? undefined;
    params.delete('schema');
    if (schema !== undefined && schema.length === 0) throw invalid(`${redact(text)}: ?schema= needs a schema name`);
    const rest = params.toString();
    return { kind: 'postgres', connectionString: `${at < 0 ? text : text.slice(0, at)}${rest ? `?${rest}` : ''}`, ...(schema === undefined ? {} : { schema }) };
  }
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw invalid(`${redact(text)} is not a valid PostgreSQL URL (postgres://user@host:5432/database)`);
  }
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  if (schema !== undefined && schema.length === 0) throw invalid(`${redact(text)}: ?schema= needs a schema name`);
  return { kind: 'postgres', connectionString: parsed.toString(), ...(schema === undefined ? {} : { schema }) };
}

/** A URL as messages may show it: never with a password (also behind a prefix such as `eventstoredb:`). */
export const redact = (url: string): string => url.replace(/^((?:[a-z]+:)?[a-z+]+:\/\/[^:@/?]+):[^@/?]*@/i, '$1:***@');

/** The store as messages name it: "SQLite file /srv/taawun.db", "PostgreSQL postgres://u:***@db/x (schema court)". */
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

/** Where participants' keys live: a SQLite file of their own, memory, or with the events (SQLite, `memory:`). */
export type KeyStoreLocation = { readonly kind: 'sqlite'; readonly file: string } | { readonly kind: 'memory' } | { readonly kind: 'with-events' };

/** Read a key store URL (the CLI's `--keys` / `TAAWUN_KEYS`): `sqlite:PATH` or `memory:`. */
export function parseKeysUrl(url: string, cwd = process.cwd()): KeyStoreLocation {
  const text = url.trim();
  if (text === 'memory:') return { kind: 'memory' };
  if (text.startsWith('sqlite:') && text.length > 'sqlite:'.length) {
    const path = text.slice('sqlite:'.length).replace(/^\/\//, '');
    return { kind: 'sqlite', file: resolve(cwd, path) };
  }
  throw new RuntimeError('invalid-keys-url', `"${text}": use sqlite:PATH (a key file of its own) or memory:`);
}
