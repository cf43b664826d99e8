import { EventStoreError, isEventStoreError } from '@taawun/domain';
import { Client, Pool, escapeIdentifier, type PoolConfig } from 'pg';
import { multiHostConfig } from './multi-host.js';

/** Where the store connects: named in every error, never with the password. */
export interface PostgresTarget {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
}

/** How long to wait for the server before saying it is unavailable, unless the config says otherwise. */
export const DEFAULT_CONNECTION_TIMEOUT_MS = 5_000;

/** A connection string naming several hosts (or `target_session_attrs`) gets clients that find the server to use: see `multiHostConfig`. */
export function toPoolConfig(connection: string | PoolConfig): PoolConfig {
  const config = typeof connection === 'string' ? { connectionString: connection } : connection;
  const multiHost = config.connectionString === undefined ? undefined : multiHostConfig(config.connectionString);
  return multiHost ? { ...config, ...multiHost } : config;
}

/** Resolve host, port, database and user the way `pg` will (connection string, config, PG* variables, defaults). */
export function describeTarget(config: PoolConfig): PostgresTarget {
  // A Client resolves its parameters in its constructor without connecting.
  const client = new Client(config);
  return { host: client.host, port: client.port, database: client.database ?? client.user ?? '', user: client.user ?? '' };
}

export const describe = (target: PostgresTarget): string => `PostgreSQL at ${target.host}:${target.port} (database "${target.database}")`;

/**
 * A pool with the store's defaults: a connection deadline, TCP keep-alive so a
 * vanished server is noticed, and an application name a DBA can see in
 * `pg_stat_activity`. Clients that fail (server restart, terminated session)
 * are dropped quietly: the failing query reports it, the next one gets a
 * fresh connection or a clear error.
 */
export function createPool(config: PoolConfig): Pool {
  const pool = new Pool({
    connectionTimeoutMillis: DEFAULT_CONNECTION_TIMEOUT_MS,
    keepAlive: true,
    application_name: 'taawun',
    ...config,
  });
  pool.on('error', () => undefined);
  // A client that loses its server while checked out emits 'error' after its query
  // has already failed; without a listener that would crash the process.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

export const quoteIdentifier = (name: string): string => escapeIdentifier(name);

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EADDRNOTAVAIL']);

interface PgErrorFields {
  readonly code?: string;
  readonly message?: string;
  readonly constraint?: string;
}

/** The SQLSTATE (or Node system error code) of a failure, if it has one. */
export const errorCode = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null ? (error as PgErrorFields).code : undefined;

export const violatedConstraint = (error: unknown): string | undefined =>
  errorCode(error) === '23505' ? (error as PgErrorFields).constraint : undefined;

/**
 * Turn whatever `pg` or the network threw into an `EventStoreError` with a
 * stable code and a one-line message naming the server. The original stays in `cause`.
 */
export function translateError(error: unknown, target: PostgresTarget, doing: string): EventStoreError {
  if (isEventStoreError(error)) return error;
  const code = errorCode(error) ?? '';
  const detail = (error instanceof Error ? error.message : String(error)).split('\n')[0] || 'unknown error';
  const where = describe(target);
  const fail = (kind: EventStoreError['code'], message: string) => new EventStoreError(kind, message, { cause: error });

  const connectionLost = /timeout|terminated|Connection ended|not queryable/i.test(detail) && !/^[0-9A-Z]{5}$/.test(code);
  if (UNREACHABLE_CODES.has(code) || connectionLost) {
    const reason = code === 'ECONNREFUSED' ? 'connection refused' : code === 'ENOTFOUND' ? 'host not found' : detail;
    return fail('unavailable', `${where} is unavailable while ${doing}: ${reason}`);
  }
  if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') {
    return fail('unavailable', `${where} is unavailable while ${doing}: ${detail}`);
  }
  if (code === '25006') return fail('unavailable', `${where} is read-only (a standby?) while ${doing}`);
  if (code.startsWith('28')) return fail('unavailable', `${where} refused user "${target.user}": ${detail}`);
  if (code === '3D000') return fail('unavailable', `${where}: the database does not exist`);
  if (code === '53100') return fail('storage-full', `${where} is out of disk space while ${doing}: ${detail}`);
  if (code === '54000') return fail('too-large', `${where} refused data too large while ${doing}: ${detail}`);
  if (code === '42501') return fail('failure', `${where}: user "${target.user}" lacks a privilege needed for ${doing}: ${detail}`);
  return fail('failure', `${where} failed while ${doing}: ${detail}${code ? ` (SQLSTATE ${code})` : ''}`);
}
