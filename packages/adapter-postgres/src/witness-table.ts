import type { Pool } from 'pg';
import { createPool, describe, describeTarget, quoteIdentifier, toPoolConfig, translateError, type PostgresTarget } from './connection.js';
import { migrate, type Migration } from './schema.js';

/** The schema a witness keeps its tables in, unless the witness URL says `?schema=`. */
export const DEFAULT_WITNESS_SCHEMA = 'taawun_witness';
export const WITNESS_COMPONENT = 'witness';

/**
 * A witness kept in a PostgreSQL database other than the log's: every signed
 * checkpoint it accepted, and every one it refused with the reason, both
 * append-only (a trigger refuses UPDATE, DELETE and TRUNCATE), so a later
 * intruder in the log's database finds nothing here to rewrite.
 */
export const witnessMigrations: readonly Migration[] = [
  {
    description: 'the checkpoints a witness accepted and the ones it refused, append-only',
    sql: (s) => `
      CREATE TABLE ${s}.checkpoints (
        seq          bigserial   PRIMARY KEY,
        origin       text        NOT NULL CHECK (origin <> ''),
        size         bigint      NOT NULL CHECK (size >= 0),
        note         text        NOT NULL,
        witnessed_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX checkpoints_by_origin ON ${s}.checkpoints (origin, seq);
      CREATE TABLE ${s}.refusals (
        seq        bigserial   PRIMARY KEY,
        origin     text        NOT NULL,
        offered    text        NOT NULL,
        reason     text        NOT NULL,
        refused_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE FUNCTION ${s}.witness_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the taawun witness is append-only: % refused', TG_OP USING ERRCODE = 'integrity_constraint_violation';
      END $$;
      CREATE TRIGGER checkpoints_are_append_only BEFORE UPDATE OR DELETE ON ${s}.checkpoints FOR EACH ROW EXECUTE FUNCTION ${s}.witness_is_append_only();
      CREATE TRIGGER checkpoints_are_never_truncated BEFORE TRUNCATE ON ${s}.checkpoints FOR EACH STATEMENT EXECUTE FUNCTION ${s}.witness_is_append_only();
      CREATE TRIGGER refusals_are_append_only BEFORE UPDATE OR DELETE ON ${s}.refusals FOR EACH ROW EXECUTE FUNCTION ${s}.witness_is_append_only();
      CREATE TRIGGER refusals_are_never_truncated BEFORE TRUNCATE ON ${s}.refusals FOR EACH STATEMENT EXECUTE FUNCTION ${s}.witness_is_append_only();
    `,
  },
];

/** What the witness's rule decided about the checkpoint offered: keep it, refuse it (the refusal is kept as evidence), or nothing new. */
export type WitnessDecision<T> =
  | { readonly keep: { readonly note: string; readonly size: number }; readonly result: T }
  | { readonly refuse: { readonly offered: string; readonly reason: string }; readonly result: T }
  | { readonly result: T };

export interface PostgresWitnessTable {
  /** How messages name it: "the witness in PostgreSQL at host:port (database "w"), schema taawun_witness". */
  readonly description: string;
  /** Every note accepted for `origin`, oldest first (none when the witness was never written). */
  notes(origin: string): Promise<string[]>;
  /**
   * Under a lock on the table (one witness decision at a time, across
   * processes): the latest note for `origin`, given to `decide`, whose note or
   * refusal is then kept in the same transaction.
   */
  decide<T>(origin: string, decide: (latest: string | undefined) => Promise<WitnessDecision<T>>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Open the witness tables in the database of `connectionString`. With `create`,
 * the schema and tables are made if missing (a writer); without, nothing is
 * written (`taawun verify`) and a witness never written reads as empty.
 */
export async function openPostgresWitnessTable(
  connectionString: string,
  options: { readonly schema?: string; readonly create: boolean },
): Promise<PostgresWitnessTable> {
  const config = toPoolConfig(connectionString);
  const target = describeTarget(config);
  const schema = options.schema ?? DEFAULT_WITNESS_SCHEMA;
  const pool = createPool({ ...config, max: 1 });
  const s = quoteIdentifier(schema);
  try {
    if (options.create) await migrate(pool, target, schema, WITNESS_COMPONENT, witnessMigrations);
  } catch (error) {
    await pool.end();
    throw error;
  }
  const table = { pool, target, schema: s };
  return {
    description: `the witness in ${describe(target)}, schema ${schema}`,
    notes: (origin) => readNotes(table, origin),
    decide: (origin, decide) => decideUnderLock(table, origin, decide),
    close: () => pool.end(),
  };
}

interface Table {
  readonly pool: Pool;
  readonly target: PostgresTarget;
  readonly schema: string;
}

async function readNotes({ pool, target, schema }: Table, origin: string): Promise<string[]> {
  try {
    const exists = await pool.query<{ table: string | null }>(`SELECT to_regclass($1) AS table`, [`${schema}.checkpoints`]);
    if (exists.rows[0]?.table == null) return [];
    const { rows } = await pool.query<{ note: string }>(`SELECT note FROM ${schema}.checkpoints WHERE origin = $1 ORDER BY seq`, [origin]);
    return rows.map((row) => row.note);
  } catch (error) {
    throw translateError(error, target, 'reading the witness');
  }
}

async function decideUnderLock<T>({ pool, target, schema }: Table, origin: string, decide: (latest: string | undefined) => Promise<WitnessDecision<T>>): Promise<T> {
  let client;
  try {
    client = await pool.connect();
  } catch (error) {
    throw translateError(error, target, 'connecting to the witness');
  }
  try {
    await client.query('BEGIN');
    // SHARE ROW EXCLUSIVE conflicts with itself: two writers decide one after the other, readers are not blocked.
    await client.query(`LOCK TABLE ${schema}.checkpoints IN SHARE ROW EXCLUSIVE MODE`);
    const latest = await client.query<{ note: string }>(`SELECT note FROM ${schema}.checkpoints WHERE origin = $1 ORDER BY seq DESC LIMIT 1`, [origin]);
    const decision = await decide(latest.rows[0]?.note);
    if ('keep' in decision) {
      await client.query(`INSERT INTO ${schema}.checkpoints (origin, size, note) VALUES ($1, $2, $3)`, [origin, decision.keep.size, decision.keep.note]);
    } else if ('refuse' in decision) {
      await client.query(`INSERT INTO ${schema}.refusals (origin, offered, reason) VALUES ($1, $2, $3)`, [origin, decision.refuse.offered, decision.refuse.reason]);
    }
    await client.query('COMMIT');
    return decision.result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw translateError(error, target, 'recording a checkpoint in the witness');
  } finally {
    client.release();
  }
}
