import { EventStoreError, type ChainedRow, type StoredEvent } from '@taawun/domain';

/** The columns every read selects; JSON comes back as the exact stored text. */
export const EVENT_COLUMNS = 'position, stream, revision, id, type, schema_version, recorded_at, data::text AS data, metadata::text AS metadata';

export interface EventRow {
  readonly position: string;
  readonly stream: string;
  readonly revision: number;
  readonly id: string;
  readonly type: string;
  readonly schema_version: number;
  readonly recorded_at: string;
  readonly data: string;
  readonly metadata: string;
}

export interface HashedEventRow extends EventRow {
  readonly hash: string;
}

function parseJson(text: string, what: string, position: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new EventStoreError('corrupt', `the ${what} stored at position ${position} is not JSON`, { cause });
  }
}

export const rowToEvent = (row: EventRow): StoredEvent => ({
  id: row.id,
  type: row.type,
  schemaVersion: row.schema_version,
  data: parseJson(row.data, 'data', row.position),
  metadata: parseJson(row.metadata, 'metadata', row.position) as StoredEvent['metadata'],
  recordedAt: row.recorded_at,
  stream: row.stream,
  revision: row.revision,
  position: BigInt(row.position),
});

export const rowToChained = (row: HashedEventRow): ChainedRow & { readonly hash: string } => ({
  position: BigInt(row.position),
  stream: row.stream,
  revision: row.revision,
  id: row.id,
  type: row.type,
  schemaVersion: row.schema_version,
  recordedAt: row.recorded_at,
  dataJson: row.data,
  metadataJson: row.metadata,
  hash: row.hash,
});

/** An event ready to insert: its place in the log, its exact JSON texts and its link in the chain. */
export interface NewRow extends ChainedRow {
  readonly hash: string;
}

/** One statement inserts many rows: the columns travel as arrays and `unnest` zips them back into rows. */
export function insertRowsStatement(table: string, rows: readonly NewRow[]): { text: string; values: unknown[] } {
  return {
    text: `INSERT INTO ${table} (position, stream, revision, id, type, schema_version, recorded_at, data, metadata, hash)
           SELECT r.position, r.stream, r.revision, r.id, r.type, r.schema_version, r.recorded_at, r.data::json, r.metadata::json, r.hash
           FROM unnest($1::bigint[], $2::text[], $3::integer[], $4::text[], $5::text[], $6::integer[], $7::text[], $8::text[], $9::text[], $10::text[])
             AS r(position, stream, revision, id, type, schema_version, recorded_at, data, metadata, hash)`,
    values: [
      rows.map((r) => r.position.toString()),
      rows.map((r) => r.stream),
      rows.map((r) => r.revision),
      rows.map((r) => r.id),
      rows.map((r) => r.type),
      rows.map((r) => r.schemaVersion),
      rows.map((r) => r.recordedAt),
      rows.map((r) => r.dataJson),
      rows.map((r) => r.metadataJson),
      rows.map((r) => r.hash),
    ],
  };
}
