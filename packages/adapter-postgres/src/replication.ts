import type { Pool } from 'pg';
import { translateError, type PostgresTarget } from './connection.js';

/** Where a server stands in replication: a primary, or a standby and how far behind it replays. */
export interface ReplicationStatus {
  readonly standby: boolean;
  /** The WAL position replayed (standby) or written (primary), as PostgreSQL shows it (`0/3000148`). */
  readonly lsn: string;
  /**
   * Standby only: seconds since the last transaction it replayed was committed on
   * the primary (0 when it has replayed everything it received and nothing is
   * coming); undefined on a primary or before the first replay.
   */
  readonly lagSeconds: number | undefined;
}

/** The replication status of the server `pool` connects to (the figure a metric exports as replication lag). */
export async function replicationStatus(pool: Pool, target: PostgresTarget): Promise<ReplicationStatus> {
  try {
    const { rows } = await pool.query<{ standby: boolean; lsn: string; lag: number | null }>(
      `SELECT pg_is_in_recovery() AS standby,
              (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)::text AS lsn,
              CASE WHEN NOT pg_is_in_recovery() THEN NULL
                   WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                   ELSE extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8 END AS lag`,
    );
    const row = rows[0]!;
    return { standby: row.standby, lsn: row.lsn, lagSeconds: row.lag ?? undefined };
  } catch (error) {
    throw translateError(error, target, 'reading the replication status');
  }
}

/**
 * Read-your-writes on a standby: wait until the log as `log` reads it (a store
 * opened on the standby) holds position `position` (a command's answer carries
 * it), polling every `pollMs`. True when it does, false once `timeoutMs` passed:
 * the caller then answers "not yet" (503 with Retry-After) or reads the primary.
 */
export async function waitForLogPosition(
  log: { lastPosition(): Promise<bigint | undefined> },
  position: bigint,
  options: { readonly timeoutMs: number; readonly pollMs?: number; readonly signal?: AbortSignal },
): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (((await log.lastPosition()) ?? 0n) >= position) return true;
    const left = deadline - Date.now();
    if (left <= 0 || options.signal?.aborted) return false;
    await new Promise((resolve) => setTimeout(resolve, Math.min(left, options.pollMs ?? 20)));
  }
}
