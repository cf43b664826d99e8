import { EventStoreError, type ChainedRow, type EventFilter, type StoredEvent } from '@taawun/domain';

/** A row of the `events` table as read with `safeIntegers` (integers come back as bigint). */
export interface EventRow {
  readonly position: bigint;
  readonly stream: string;
  readonly revision: bigint;
  readonly id: string;
  readonly type: string;
  readonly schema_version: bigint;
  readonly recorded_at: string;
  readonly data: string;
  readonly metadata: string;
  readonly hash: string;
}

export const EVENT_COLUMNS = 'position, stream, revision, id, type, schema_version, recorded_at, data, metadata, hash';

/** Events after a position, optionally filtered, in log order. Filters are JSON arrays (or null) so one statement serves every filter. */
export const PAGE_SQL = `
  SELECT ${EVENT_COLUMNS} FROM events
  WHERE position > @after
    AND (@types IS NULL OR type IN (SELECT value FROM json_each(@types)))
    AND (@prefixes IS NULL OR EXISTS (SELECT 1 FROM json_each(@prefixes) AS p WHERE substr(stream, 1, length(p.value)) = p.value))
  ORDER BY position
  LIMIT @limit`;

export const pageParameters = (after: bigint, limit: number, filter: EventFilter | undefined) => ({
  after,
  limit,
  types: filter?.types ? JSON.stringify(filter.types) : null,
  prefixes: filter?.streamPrefixes ? JSON.stringify(filter.streamPrefixes) : null,
});

const parseJson = (text: string, what: string, row: EventRow, file: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new EventStoreError('corrupt', `${file}: the ${what} of the event at position ${row.position} is not valid JSON; run verify() to locate tampering`, { cause });
  }
};

export const toStoredEvent = (row: EventRow, file: string): StoredEvent => ({
  id: row.id,
  type: row.type,
  schemaVersion: Number(row.schema_version),
  data: parseJson(row.data, 'data', row, file),
  metadata: parseJson(row.metadata, 'metadata', row, file) as StoredEvent['metadata'],
  recordedAt: row.recorded_at,
  stream: row.stream,
  revision: Number(row.revision),
  position: row.position,
});

export const toChainedRow = (row: EventRow): ChainedRow & { readonly hash: string } => ({
  position: row.position,
  stream: row.stream,
  revision: Number(row.revision),
  id: row.id,
  type: row.type,
  schemaVersion: Number(row.schema_version),
  recordedAt: row.recorded_at,
  dataJson: row.data,
  metadataJson: row.metadata,
  hash: row.hash,
});
