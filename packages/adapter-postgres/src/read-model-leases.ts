import { ProjectionError, type ReadModelStorage } from '@taawun/projections';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Pool, PoolClient } from 'pg';
import { describe, errorCode, quoteIdentifier, translateError, type PostgresTarget } from './connection.js';
import type { PostgresReadModelStorage } from './read-model-storage.js';
import { migrate, type Migration } from './schema.js';

/** The component row of the lease table in `schema_versions`. */
export const READ_MODEL_LEASES_COMPONENT = 'read-model-leases';

/** How long a read model may go unbuilt after its builder died before another node takes it over (ms). */
export const DEFAULT_LEASE_MS = 10_000;

/*
 * One row per read model: which node builds it, under which epoch (the fencing
 * token, raised at every change of hands), until when. Times are the server's
 * (`clock_timestamp()`), so the nodes' clocks need not agree.
 */
export const readModelLeaseMigrations: readonly Migration[] = [
  {
    description: 'read-model leases: which node builds each read model, with a fencing epoch',
    sql: (s) => `
CREATE TABLE ${s}.read_model_leases (
  read_model  text        PRIMARY KEY,
  owner       text        NOT NULL,              -- the node: host:pid:random, new at every start
  epoch       bigint      NOT NULL CHECK (epoch >= 1),
  acquired_at timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL               -- past it, any node may take the read model over (epoch + 1)
);`,
  },
];

/** A read model this node builds, for as long as `lost` is not aborted. */
export interface HeldReadModel {
  readonly name: string;
  readonly epoch: number;
  /** The storage to build it with: every write checks, in its own transaction, that this epoch still holds the lease. */
  readonly storage: ReadModelStorage;
  /** Aborted when the lease was taken over or could not be renewed in time: stop building. */
  readonly lost: AbortSignal;
  /** Stop renewing and let another node take it over at once. */
  release(): Promise<void>;
}

export interface HoldOptions {
  /** The takeover bound (ms): a dead builder's read model is taken over within about this long. Default 10 s. */
  readonly leaseMs?: number;
  /** Stop waiting (resolves undefined). */
  readonly signal?: AbortSignal;
  readonly log?: (message: string) => void;
}

export interface LeaseRow {
  readonly readModel: string;
  readonly owner: string;
  readonly epoch: number;
  readonly expired: boolean;
}

const fenced = (where: string, name: string, epoch: number) =>
  new ProjectionError(
    'concurrent-runner',
    `${where}: read model ${name}: the lease of epoch ${epoch} is no longer this node's (it expired or another node took the read model over); the write is refused (fencing)`,
  );

/**
 * Read-model ownership among several nodes on one PostgreSQL database: a lease
 * per read model with a fencing epoch. A node builds a read model only while it
 * holds its lease; it renews it every third of its duration; a node that
 * stops renewing (dead, paused, cut off) loses it when it expires, and another
 * takes it over with the next epoch. The storage a holder writes with checks the
 * epoch in the transaction of each write, under a share lock on the lease row,
 * so a holder woken after its lease expired cannot commit, and a takeover waits
 * for a commit in flight: the new holder resumes from the last committed checkpoint.
 */
export class PostgresReadModelOwnership {
  /** This node, as the lease table names it: new at every start, so a restarted node never inherits a lease. */
  readonly node = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly table: string;

  /** Use `openPostgresReadModelOwnership`. */
  constructor(
    private readonly pool: Pool,
    private readonly target: PostgresTarget,
    schema: string,
    private readonly storage: PostgresReadModelStorage,
  ) {
    this.table = `${quoteIdentifier(schema)}.read_model_leases`;
  }

  /** Take the lease if it is free or expired: the new epoch, or undefined when another node holds it. */
  async acquire(name: string, durationMs: number): Promise<number | undefined> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw translateError(error, this.target, 'taking a read model\'s lease');
    }
    try {
      await client.query('BEGIN');
      // A holder's commit in flight locks the lease row: wait for it a fifth of the duration at most, then it is still held.
      await client.query(`SELECT set_config('lock_timeout', $1, true)`, [`${Math.max(10, Math.round(durationMs / 5))}ms`]);
      const { rows } = await client.query<{ epoch: string }>(
        `INSERT INTO ${this.table} AS l (read_model, owner, epoch, acquired_at, expires_at)
         VALUES ($1, $2, 1, clock_timestamp(), clock_timestamp() + $3 * interval '1 millisecond')
         ON CONFLICT (read_model) DO UPDATE SET owner = EXCLUDED.owner, epoch = l.epoch + 1, acquired_at = EXCLUDED.acquired_at, expires_at = EXCLUDED.expires_at
         WHERE l.expires_at <= clock_timestamp() OR l.owner = EXCLUDED.owner
         RETURNING epoch`,
        [name, this.node, durationMs],
      );
      await client.query('COMMIT');
      return rows[0] ? Number(rows[0].epoch) : undefined;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (errorCode(error) === '55P03') return undefined;
      throw translateError(error, this.target, 'taking a read model\'s lease');
    } finally {
      client.release();
    }
  }

  /** Extend a lease still held: false when it expired or changed hands. */
  async renew(name: string, epoch: number, durationMs: number): Promise<boolean> {
    const { rowCount } = await this.query(
      'renewing a read model\'s lease',
      `UPDATE ${this.table} SET expires_at = clock_timestamp() + $4 * interval '1 millisecond'
       WHERE read_model = $1 AND owner = $2 AND epoch = $3 AND expires_at > clock_timestamp()`,
      [name, this.node, epoch, durationMs],
    );
    return rowCount === 1;
  }

  /** Give a lease up: another node may take it at once. */
  async release(name: string, epoch: number): Promise<void> {
    await this.query('releasing a read model\'s lease', `UPDATE ${this.table} SET expires_at = clock_timestamp() WHERE read_model = $1 AND owner = $2 AND epoch = $3`, [name, this.node, epoch]);
  }

  /** Every lease, as the table holds it (for status pages and tests). */
  async leases(): Promise<LeaseRow[]> {
    const { rows } = await this.query<{ read_model: string; owner: string; epoch: string; expired: boolean }>(
      'listing the read models\' leases',
      `SELECT read_model, owner, epoch, expires_at <= clock_timestamp() AS expired FROM ${this.table} ORDER BY read_model`,
    );
    return rows.map((r) => ({ readModel: r.read_model, owner: r.owner, epoch: Number(r.epoch), expired: r.expired }));
  }

  /** The storage whose every write of `name` first checks, in its transaction, that `epoch` still holds the lease. */
  fencedStorage(name: string, epoch: number, durationMs = Math.round(DEFAULT_LEASE_MS * 0.8)): PostgresReadModelStorage {
    return this.storage.withFence(async (client: PoolClient, written: string) => {
      // Only the held read model may be written with this storage.
      if (written !== name) throw fenced(describe(this.target), written, epoch);
      // A holder paused mid-transaction would keep the lease row locked and block every takeover:
      // the server ends such a transaction once it has been idle for a lease duration.
      const { rows } = await client.query<{ live: boolean }>(
        `SELECT set_config('idle_in_transaction_session_timeout', $4, true) IS NOT NULL AND expires_at > clock_timestamp() AS live
         FROM ${this.table} WHERE read_model = $1 AND owner = $2 AND epoch = $3 FOR SHARE`,
        [name, this.node, epoch, `${Math.max(100, durationMs)}ms`],
      );
      if (rows[0]?.live !== true) throw fenced(describe(this.target), name, epoch);
    });
  }

  /**
   * Wait until this node holds `name`'s lease (trying every fifth of `leaseMs`),
   * then keep renewing it. The lease lasts 0.8 × `leaseMs`: a holder that dies
   * is replaced within `leaseMs` of its last renewal. Resolves undefined when `signal` aborts first.
   */
  async hold(name: string, options: HoldOptions = {}): Promise<HeldReadModel | undefined> {
    const leaseMs = Math.max(50, options.leaseMs ?? DEFAULT_LEASE_MS);
    const durationMs = Math.round(leaseMs * 0.8);
    const { signal, log = () => undefined } = options;
    let epoch: number | undefined;
    while (epoch === undefined) {
      if (signal?.aborted) return undefined;
      try {
        epoch = await this.acquire(name, durationMs);
      } catch (error) {
        log(`cannot take its lease (${(error as Error).message.split('\n')[0]}); trying again`);
      }
      if (epoch === undefined) await sleep(leaseMs / 5, signal);
    }
    return this.held(name, epoch, durationMs, log);
  }

  private held(name: string, epoch: number, durationMs: number, log: (message: string) => void): HeldReadModel {
    const lost = new AbortController();
    let renewedAt = Date.now();
    let renewing = false;
    const lose = (why: string) => {
      if (lost.signal.aborted) return;
      clearInterval(timer);
      log(`lost its lease of epoch ${epoch} (${why}): it stops building it`);
      lost.abort();
    };
    const timer = setInterval(() => {
      if (renewing) return;
      // Measured from before the renewal was sent: the server may count the lease from later, never earlier.
      const sentAt = Date.now();
      if (sentAt - renewedAt >= durationMs) return lose('not renewed in time');
      renewing = true;
      this.renew(name, epoch, durationMs)
        .then((kept) => (kept ? (renewedAt = sentAt) : lose('it expired or another node took it over')))
        .catch(() => undefined) // the server is unreachable: tried again at the next tick, lost when its time is up
        .finally(() => (renewing = false));
    }, Math.max(10, Math.round(durationMs / 3)));
    timer.unref();
    return {
      name,
      epoch,
      storage: this.fencedStorage(name, epoch, durationMs),
      lost: lost.signal,
      release: async () => {
        clearInterval(timer);
        if (lost.signal.aborted) return;
        lost.abort();
        await this.release(name, epoch).catch(() => undefined);
      },
    };
  }

  private async query<R extends object = Record<string, unknown>>(doing: string, sql: string, values: unknown[] = []) {
    try {
      return await this.pool.query<R>(sql, values);
    } catch (error) {
      throw translateError(error, this.target, doing);
    }
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The ownership of the read models kept by `storage`, on its pool and in its schema (the lease table is created or migrated). */
export async function openPostgresReadModelOwnership(storage: PostgresReadModelStorage): Promise<PostgresReadModelOwnership> {
  try {
    await migrate(storage.pool, storage.target, storage.schema, READ_MODEL_LEASES_COMPONENT, readModelLeaseMigrations);
  } catch (error) {
    throw translateError(error, storage.target, 'preparing the read-model lease table');
  }
  return new PostgresReadModelOwnership(storage.pool, storage.target, storage.schema, storage);
}
