import { createHash } from 'node:crypto';

/**
 * The tamper-evident hash chain shared by the durable stores (SQLite, PostgreSQL).
 *
 *   hash(n) = hex(SHA-256( hash(n-1) ‖ "\n" ‖ canonical(n) ))      hash(0) = 64 × "0"
 *
 * canonical(n) is the UTF-8 text of these fields, each followed by "\n":
 *   position, stream, revision, id, type, schemaVersion, recordedAt, data, metadata
 * where numbers are decimal and data / metadata are the exact JSON texts the store
 * keeps (JSON never contains a raw newline, and stream names and types may not).
 * An auditor can recompute it with any SQLite or PostgreSQL client and `sha256sum`.
 */
export const GENESIS_HASH = '0'.repeat(64);

export interface ChainedRow {
  readonly position: bigint;
  readonly stream: string;
  readonly revision: number;
  readonly id: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly recordedAt: string;
  /** The stored JSON text of the data, exactly. */
  readonly dataJson: string;
  /** The stored JSON text of the metadata, exactly. */
  readonly metadataJson: string;
}

export const canonicalEventText = (row: ChainedRow): string =>
  [row.position.toString(), row.stream, String(row.revision), row.id, row.type, String(row.schemaVersion), row.recordedAt, row.dataJson, row.metadataJson]
    .map((field) => `${field}\n`)
    .join('');

export const chainHash = (previousHash: string, row: ChainedRow): string =>
  createHash('sha256').update(`${previousHash}\n`, 'utf8').update(canonicalEventText(row), 'utf8').digest('hex');

/** What an auditor keeps outside the database: a position and the chain's hash there. */
export interface ChainCheckpoint {
  readonly position: bigint;
  readonly headHash: string;
}

export type ChainProblem =
  | 'hash-mismatch'
  | 'position-gap'
  | 'revision-gap'
  | 'checkpoint-mismatch'
  | 'checkpoint-missing';

export type VerifyReport =
  | { readonly intact: true; readonly events: number; readonly headHash: string; readonly headPosition: bigint | undefined }
  | {
      readonly intact: false;
      readonly events: number;
      /** The first position whose content or order does not match. */
      readonly position: bigint;
      readonly problem: ChainProblem;
      readonly message: string;
    };

export interface VerifyOptions {
  /** Also prove the log still holds this checkpoint's history. */
  readonly against?: ChainCheckpoint;
  /** Events checked so far, every few thousand and at the end: a verify of a large log takes a while. */
  readonly onProgress?: (events: number) => void;
}

/**
 * Recompute the chain over rows in position order (as stored, with their stored hash)
 * and report the first position that does not match. With `against`, the log must
 * also still hold that checkpoint's prefix unchanged: a history rewritten and
 * re-hashed consistently is caught there.
 */
export async function verifyChain(
  rows: AsyncIterable<ChainedRow & { readonly hash: string }> | Iterable<ChainedRow & { readonly hash: string }>,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  let previous = GENESIS_HASH;
  let expectedPosition = 1n;
  let count = 0;
  let checkpointSeen = false;
  const revisions = new Map<string, number>();
  const broken = (position: bigint, problem: ChainProblem, message: string): VerifyReport => ({ intact: false, events: count, position, problem, message });

  for await (const row of rows) {
    if (row.position !== expectedPosition) {
      return broken(expectedPosition, 'position-gap', `expected position ${expectedPosition}, found ${row.position}: an event was removed or moved`);
    }
    const expectedRevision = (revisions.get(row.stream) ?? -1) + 1;
    if (row.revision !== expectedRevision) {
      return broken(row.position, 'revision-gap', `stream ${row.stream} jumps to revision ${row.revision}, expected ${expectedRevision}`);
    }
    const hash = chainHash(previous, row);
    if (hash !== row.hash) {
      return broken(row.position, 'hash-mismatch', `the content of position ${row.position} does not match its hash (changed, or chain re-linked)`);
    }
    if (options.against && row.position === options.against.position) {
      checkpointSeen = true;
      if (hash !== options.against.headHash) {
        return broken(row.position, 'checkpoint-mismatch', `the log no longer holds the audited history up to position ${row.position}: it was rewritten`);
      }
    }
    revisions.set(row.stream, row.revision);
    previous = hash;
    expectedPosition++;
    if (++count % 5000 === 0) options.onProgress?.(count);
  }
  options.onProgress?.(count);
  if (options.against && !checkpointSeen && options.against.position > 0n) {
    return broken(options.against.position, 'checkpoint-missing', `the log ends before the audited position ${options.against.position}: events were removed`);
  }
  return { intact: true, events: count, headHash: previous, headPosition: count === 0 ? undefined : expectedPosition - 1n };
}
