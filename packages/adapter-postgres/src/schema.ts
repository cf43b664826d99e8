import { EventStoreError, GENESIS_HASH, KEPT_FROM_LEVEL, LEAVES_PER_KEPT_NODE, type ChainFormats } from '@taawun/domain';
import type { Pool, PoolClient } from 'pg';
import { describe, quoteIdentifier, translateError, type PostgresTarget } from './connection.js';

/**
 * One forward step of a component's tables. `sql` receives the quoted schema
 * name and returns the statements to run (in the migration's transaction).
 */
export interface Migration {
  readonly description: string;
  readonly sql: (schema: string) => string;
}

/**
 * The event store's tables. Version n of the component is migrations[0..n-1]
 * applied; never edit a released step, append a new one.
 */
export const eventStoreMigrations: readonly Migration[] = [
  {
    description: 'the append-only event log, its head row and the hash chain',
    sql: (s) => `
      CREATE TABLE ${s}.events (
        position       bigint  PRIMARY KEY CHECK (position > 0),
        stream         text    NOT NULL CHECK (stream <> ''),
        revision       integer NOT NULL CHECK (revision >= 0),
        id             text    NOT NULL,
        type           text    NOT NULL CHECK (type <> ''),
        schema_version integer NOT NULL CHECK (schema_version >= 1),
        recorded_at    text    NOT NULL,
        data           json    NOT NULL,
        metadata       json    NOT NULL CHECK (json_typeof(metadata) = 'object'),
        hash           text    NOT NULL,
        CONSTRAINT events_stream_revision_key UNIQUE (stream, revision),
        CONSTRAINT events_id_key UNIQUE (id)
      );
      COMMENT ON TABLE ${s}.events IS 'taawun event log: append-only, one row per event, in global order (position)';
      CREATE FUNCTION ${s}.events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the taawun event log is append-only: % refused (correct a mistake with a new event)', TG_OP
          USING ERRCODE = 'integrity_constraint_violation';
      END $$;
      CREATE TRIGGER events_are_never_changed BEFORE UPDATE OR DELETE ON ${s}.events
        FOR EACH ROW EXECUTE FUNCTION ${s}.events_are_append_only();
      CREATE TRIGGER events_are_never_truncated BEFORE TRUNCATE ON ${s}.events
        FOR EACH STATEMENT EXECUTE FUNCTION ${s}.events_are_append_only();
      CREATE TABLE ${s}.log_head (
        singleton     boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        last_position bigint  NOT NULL,
        head_hash     text    NOT NULL
      );
      COMMENT ON TABLE ${s}.log_head IS 'taawun: every append locks this row (SELECT ... FOR UPDATE), so positions are assigned and committed in order';
      INSERT INTO ${s}.log_head (singleton, last_position, head_hash) VALUES (true, 0, '${GENESIS_HASH}');
    `,
  },
  {
    description: 'the Merkle tree (RFC 9162) over the log: the hash of every complete subtree, written in the append\'s transaction (an older log\'s is built when the store is opened)',
    sql: (s) => `
      CREATE TABLE ${s}.merkle_nodes (
        level integer NOT NULL CHECK (level >= 0),
        idx   bigint  NOT NULL CHECK (idx >= 0),
        hash  bytea   NOT NULL CHECK (length(hash) = 32),
        PRIMARY KEY (level, idx)
      );
      COMMENT ON TABLE ${s}.merkle_nodes IS 'taawun: hashes of the complete subtrees of the log''s Merkle tree (RFC 9162), append-only';
      CREATE TRIGGER merkle_nodes_are_never_changed BEFORE UPDATE OR DELETE ON ${s}.merkle_nodes
        FOR EACH ROW EXECUTE FUNCTION ${s}.events_are_append_only();
      CREATE TRIGGER merkle_nodes_are_never_truncated BEFORE TRUNCATE ON ${s}.merkle_nodes
        FOR EACH STATEMENT EXECUTE FUNCTION ${s}.events_are_append_only();
    `,
  },
  {
    description: `the Merkle tree keeps its nodes from level ${KEPT_FROM_LEVEL} up (a sixteenth of them, written by one append in sixteen); a node below is recomputed from at most ${LEAVES_PER_KEPT_NODE / 2} events`,
    sql: (s) => `
      ALTER TABLE ${s}.merkle_nodes DISABLE TRIGGER merkle_nodes_are_never_changed;
      DELETE FROM ${s}.merkle_nodes WHERE level < ${KEPT_FROM_LEVEL};
      ALTER TABLE ${s}.merkle_nodes ENABLE TRIGGER merkle_nodes_are_never_changed;
      ALTER TABLE ${s}.merkle_nodes ADD CONSTRAINT merkle_nodes_kept_levels CHECK (level >= ${KEPT_FROM_LEVEL});
      COMMENT ON TABLE ${s}.merkle_nodes IS 'taawun: hashes of the complete subtrees of the log''s Merkle tree (RFC 9162) from level ${KEPT_FROM_LEVEL} up, append-only; the levels below are recomputed from the events';
    `,
  },
  {
    description: "the hash chain links each new event's content hash (format 2), from the position after the last event written so far",
    // The head row's lock first: an append in flight commits before the switch position is read.
    sql: (s) => `
      SELECT 1 FROM ${s}.log_head FOR UPDATE;
      CREATE TABLE ${s}.chain_format (
        singleton           boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        content_linked_from bigint  NOT NULL CHECK (content_linked_from >= 1)
      );
      COMMENT ON TABLE ${s}.chain_format IS 'taawun: the first position whose hash-chain link hashes the event''s content hash (format 2); earlier links hash its text (format 1). Written once.';
      INSERT INTO ${s}.chain_format (singleton, content_linked_from) SELECT true, coalesce(max(position), 0) + 1 FROM ${s}.events;
      CREATE TRIGGER chain_format_is_never_changed BEFORE UPDATE OR DELETE ON ${s}.chain_format
        FOR EACH ROW EXECUTE FUNCTION ${s}.events_are_append_only();
      CREATE TRIGGER chain_format_is_never_truncated BEFORE TRUNCATE ON ${s}.chain_format
        FOR EACH STATEMENT EXECUTE FUNCTION ${s}.events_are_append_only();
    `,
  },
  {
    description: "an append at the head this store last left, checked and written by one function (its statements' plans kept by the server's session, not made again for each append)",
    // Every check of the one-round-trip append, then its writes; false (nothing written) when a check fails.
    sql: (s) => `
      CREATE FUNCTION ${s}.append_at_head(
        a_position bigint, a_hash text, a_stream text, a_revision integer, a_last_id text, a_streams_to_exist text[],
        a_positions bigint[], a_revisions integer[], a_ids text[], a_types text[], a_schema_versions integer[], a_recorded_at text[],
        a_data text[], a_metadata text[], a_hashes text[],
        a_node_levels integer[], a_node_indexes bigint[], a_node_hashes text[],
        a_channel text
      ) RETURNS boolean LANGUAGE plpgsql AS $fn$
      DECLARE
        h record;
        last integer := cardinality(a_positions);
      BEGIN
        SELECT last_position, head_hash INTO h FROM ${s}.log_head FOR UPDATE;
        -- A missing head row is no head to append at: the general path reports it.
        IF NOT FOUND OR h.last_position IS DISTINCT FROM a_position OR h.head_hash IS DISTINCT FROM a_hash
          OR (SELECT max(revision) FROM ${s}.events WHERE stream = a_stream) IS DISTINCT FROM a_revision
          OR (a_last_id IS NOT NULL AND NOT EXISTS (SELECT FROM ${s}.events WHERE stream = a_stream AND revision = a_revision AND id = a_last_id))
          OR (cardinality(a_streams_to_exist) > 0
              AND (SELECT count(*) FROM ${s}.events WHERE stream = ANY(a_streams_to_exist) AND revision = 0) <> cardinality(a_streams_to_exist))
          OR EXISTS (SELECT FROM ${s}.events WHERE id = ANY(a_ids)) THEN
          RETURN false;
        END IF;
        INSERT INTO ${s}.events (position, stream, revision, id, type, schema_version, recorded_at, data, metadata, hash)
          SELECT r.position, a_stream, r.revision, r.id, r.type, r.schema_version, r.recorded_at, r.data::json, r.metadata::json, r.hash
          FROM unnest(a_positions, a_revisions, a_ids, a_types, a_schema_versions, a_recorded_at, a_data, a_metadata, a_hashes)
            AS r(position, revision, id, type, schema_version, recorded_at, data, metadata, hash);
        INSERT INTO ${s}.merkle_nodes (level, idx, hash)
          SELECT n.level, n.idx, decode(n.hex, 'hex') FROM unnest(a_node_levels, a_node_indexes, a_node_hashes) AS n(level, idx, hex);
        UPDATE ${s}.log_head SET last_position = a_positions[last], head_hash = a_hashes[last];
        PERFORM pg_notify(a_channel, a_positions[last]::text);
        RETURN true;
      END $fn$;
      COMMENT ON FUNCTION ${s}.append_at_head IS 'taawun: the append of one stream''s events at the head the caller assumes (position, hash), checked under the log_head lock; false, writing nothing, when the log or the stream moved';
    `,
  },
  {
    description: 'the append function plans its statements once per session, as index lookups whatever the log\'s size when the session began',
    // Its checks were planned again at every call: with the arguments as constants a custom plan drops
    // the checks they switch off (no expected last id, no streams to exist), so the plan cache never
    // settled on a generic plan (0 in 8 calls of the same expression prepared in psql): 0.1 ms an append.
    // A generic plan alone is not safe: made while the log is nearly empty it scans the whole table
    // for the batch's ids, and keeps doing so as the log grows (a 100k import fell from 6,700 to 450
    // events a second). Every statement of the function is a lookup by a unique index (or touches the
    // one-row head), so sequential scans are switched off for it, and JIT with them (their cost
    // penalty would otherwise make the planner compile the head's one-row statements).
    sql: (s) => `
      ALTER FUNCTION ${s}.append_at_head(bigint, text, text, integer, text, text[], bigint[], integer[], text[], text[], integer[], text[],
        text[], text[], text[], integer[], bigint[], text[], text)
        SET plan_cache_mode = force_generic_plan SET enable_seqscan = off SET jit = off;
    `,
  },
];

/** Where the chain's format 2 starts in `schema` (the migration to version 4 wrote it once). */
export async function readChainFormats(client: Pool | PoolClient, schema: string, target: PostgresTarget): Promise<ChainFormats> {
  const row = (await client.query<{ from_position: string }>(`SELECT content_linked_from AS from_position FROM ${quoteIdentifier(schema)}.chain_format`)).rows[0];
  if (!row) throw new EventStoreError('corrupt', `${describe(target)}: ${schema}.chain_format has no row (it is written once and never deleted): the log was changed outside taawun`);
  return { contentLinkedFrom: BigInt(row.from_position) };
}

const tableExists = async (client: PoolClient, schema: string, table: string): Promise<boolean> =>
  (await client.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [`${quoteIdentifier(schema)}.${table}`])).rows[0]!.found;

async function installedVersion(client: PoolClient, schema: string, component: string, lock: boolean): Promise<number> {
  if (!(await tableExists(client, schema, 'schema_versions'))) return 0;
  const result = await client.query<{ version: number }>(
    `SELECT version FROM ${quoteIdentifier(schema)}.schema_versions WHERE component = $1${lock ? ' FOR UPDATE' : ''}`,
    [component],
  );
  return result.rows[0]?.version ?? 0;
}

function refuseNewer(target: PostgresTarget, schema: string, component: string, installed: number, known: number): void {
  if (installed > known) {
    throw new EventStoreError(
      'schema-too-new',
      `${describe(target)}: schema "${schema}" holds ${component} tables of version ${installed}, newer than this taawun knows (${known}); upgrade taawun to open it`,
    );
  }
}

/**
 * Bring one component's tables in `schema` up to the latest version. Safe when
 * several processes open the same database at once: the work happens in one
 * transaction under an advisory lock keyed by the schema name, and an
 * up-to-date schema is detected without taking it.
 */
export async function migrate(
  pool: Pool,
  target: PostgresTarget,
  schema: string,
  component: string,
  migrations: readonly Migration[],
): Promise<void> {
  let client: PoolClient;
  let failed = false;
  try {
    client = await pool.connect();
  } catch (error) {
    throw translateError(error, target, 'connecting');
  }
  try {
    const seen = await installedVersion(client, schema, component, false);
    refuseNewer(target, schema, component, seen, migrations.length);
    if (seen === migrations.length) return;

    const s = quoteIdentifier(schema);
    await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
    try {
      await client.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`taawun:migrate:${schema}`]);
      const exists = (await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rowCount === 1;
      if (!exists) await client.query(`CREATE SCHEMA ${s}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${s}.schema_versions (
           component   text PRIMARY KEY,
           version     integer NOT NULL,
           migrated_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      const installed = await installedVersion(client, schema, component, true);
      refuseNewer(target, schema, component, installed, migrations.length);
      for (const migration of migrations.slice(installed)) await client.query(migration.sql(s));
      await client.query(
        `INSERT INTO ${s}.schema_versions (component, version) VALUES ($1, $2)
         ON CONFLICT (component) DO UPDATE SET version = EXCLUDED.version, migrated_at = now()`,
        [component, migrations.length],
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  } catch (error) {
    failed = true;
    throw translateError(error, target, `migrating the ${component} tables in schema "${schema}"`);
  } finally {
    // After a failure the connection's state is unknown: let the pool discard it.
    client.release(failed);
  }
}
