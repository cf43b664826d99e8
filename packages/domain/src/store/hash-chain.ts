import { sha256Bytes, sha256Hex } from './sha256.js';
import { MemoryTree, leafHashOfContentHex, leafHashOfText, treeRoot, type TreeFrontier, type TreeNode } from './merkle/tree.js';

/**
 * The tamper-evident hash chain shared by the durable stores (SQLite, PostgreSQL).
 * Each link hashes the previous link with its event, in one of two formats:
 *
 *   format 1: hash(n) = hex(SHA-256( hash(n-1) ‖ "\n" ‖ canonical(n) ))
 *   format 2: hash(n) = hex(SHA-256( hash(n-1) ‖ "\n" ‖ hex(content(n)) ‖ "\n" ))
 *   hash(0) = 64 × "0",   content(n) = SHA-256( canonical(n) )
 *
 * content(n) is also the event's Merkle leaf, so format 2 hashes an event's text
 * once for both (format 1 hashed it twice). A store records the first position it
 * wrote in format 2 (`ChainFormats.contentLinkedFrom`): logs written before it keep
 * their format-1 links, which are evidence and are never rewritten.
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

/** A chain format: 1 links the canonical text, 2 its content hash (see above). */
export type ChainFormat = 1 | 2;

/** Which positions of a log use which format: format 2 from `contentLinkedFrom` on (null: none, every link is format 1). */
export interface ChainFormats {
  readonly contentLinkedFrom: bigint | null;
}

/** A log written by this version from its first event. */
export const CONTENT_LINKED_LOG: ChainFormats = { contentLinkedFrom: 1n };

export const chainFormatAt = (formats: ChainFormats, position: bigint): ChainFormat =>
  formats.contentLinkedFrom !== null && position >= formats.contentLinkedFrom ? 2 : 1;

/** The event's content hash as 64 hex digits: SHA-256 of its canonical text. */
export const eventContentHex = (row: ChainedRow): string => sha256Hex(canonicalEventText(row));

/** The Merkle leaf of an event: its canonical content hash (SHA-256 of the canonical text), 32 bytes. */
export const eventLeaf = (row: ChainedRow): Uint8Array => sha256Bytes(canonicalEventText(row));

/** The format-2 link after `previousHash` of an event whose content hash is `contentHex`. */
export const contentLink = (previousHash: string, contentHex: string): string => sha256Hex(`${previousHash}\n${contentHex}\n`);

/** The link of `row` after `previousHash`, in the given format (by default the one appends write). */
export const chainHash = (previousHash: string, row: ChainedRow, format: ChainFormat = 2): string =>
  format === 2 ? contentLink(previousHash, eventContentHex(row)) : sha256Hex(`${previousHash}\n${canonicalEventText(row)}`);

/**
 * The chain's link and the Merkle leaf hash (H(0x00 ‖ content hash)) of one event,
 * its canonical text built and hashed once (an append needs both; `chainHash` and
 * `eventLeaf` would hash it twice).
 */
export function chainLinkAndLeafHash(previousHash: string, row: ChainedRow, format: ChainFormat = 2): { readonly hash: string; readonly leafHash: Uint8Array } {
  if (format === 1) {
    const canonical = canonicalEventText(row);
    return { hash: sha256Hex(`${previousHash}\n${canonical}`), leafHash: leafHashOfText(canonical) };
  }
  const contentHex = eventContentHex(row);
  return { hash: contentLink(previousHash, contentHex), leafHash: leafHashOfContentHex(contentHex) };
}

/**
 * Append one event to the chain and its leaf to `tree`: the link after
 * `previousHash`, and the tree's nodes from `fromLevel` the append completed. In
 * format 2 the text is hashed once and the leaf hashed in place (what an append does per event).
 */
export function linkAndGrow(previousHash: string, row: ChainedRow, format: ChainFormat, tree: TreeFrontier, fromLevel: number): { readonly hash: string; readonly nodes: TreeNode[] } {
  if (format === 1) {
    const link = chainLinkAndLeafHash(previousHash, row, 1);
    return { hash: link.hash, nodes: tree.append(link.leafHash, [], fromLevel) };
  }
  const contentHex = eventContentHex(row);
  return { hash: contentLink(previousHash, contentHex), nodes: tree.appendContentHex(contentHex, [], fromLevel) };
}

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
  | 'checkpoint-missing'
  /** SQLite: the -wal file holds committed transactions that SQLite would drop (a damaged frame). */
  | 'wal-damaged'
  /** Events after the latest witnessed checkpoint: not proven by anything outside the log. */
  | 'unwitnessed'
  /** The Merkle tree the store keeps does not match the one its events make. */
  | 'tree-mismatch';

export type VerifyReport =
  | {
      readonly intact: true;
      readonly events: number;
      readonly headHash: string;
      readonly headPosition: bigint | undefined;
      /** Positions 1..provenThrough are proven by a checkpoint kept outside the log (0n: none was given). */
      readonly provenThrough?: bigint;
      /** The Merkle root of the events as read, recomputed (not the one the store keeps). */
      readonly root?: Uint8Array;
    }
  | {
      readonly intact: false;
      readonly events: number;
      /** Where the problem was found: the first position whose content or order does not match (a checkpoint mismatch: the checkpoint's position, though the rewrite may lie anywhere up to it). */
      readonly position: bigint;
      readonly problem: ChainProblem;
      readonly message: string;
      /** Positions 1..consistentThrough match their stored chain (0n: none); on its own that proves nothing against a rewrite. */
      readonly consistentThrough: bigint;
      /** Positions 1..provenThrough are proven unchanged by a checkpoint kept outside the log (0n: none). */
      readonly provenThrough: bigint;
    };

/** Which positions a broken report proves intact and which it does not, in one sentence. */
export function describeProvenPositions(report: VerifyReport & { intact: false }): string {
  const proven =
    report.provenThrough > 0n
      ? `positions 1–${report.provenThrough} are proven intact by a kept checkpoint`
      : 'no position is proven intact by a kept checkpoint';
  const consistent =
    report.consistentThrough > report.provenThrough
      ? `; positions ${report.provenThrough + 1n}–${report.consistentThrough} only match their own chain (unproven: it could have been rewritten and re-hashed)`
      : '';
  // The events are sound and proven, only the stored tree is not: no position past the log to name.
  if (report.problem === 'tree-mismatch' && report.provenThrough >= BigInt(report.events)) return `${proven} (every event)`;
  return `${proven}${consistent}; the first unproven position is ${report.provenThrough + 1n}`;
}

/** A signed checkpoint kept outside the log (a witness file, `--against`), already checked against its key. */
export interface WitnessedCheckpoint {
  readonly size: number;
  readonly root: Uint8Array;
  /** Where it was kept, as messages name it. */
  readonly source: string;
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((byte, i) => byte === b[i]);

export interface VerifyOptions {
  /** Also prove the log still holds this checkpoint's history. */
  readonly against?: ChainCheckpoint;
  /** Signed checkpoints kept outside the log, already checked against their key. */
  readonly checkpoints?: readonly WitnessedCheckpoint[];
  /** The log's chain formats (default: format 2 throughout, a log written by this version). */
  readonly formats?: ChainFormats;
  /** Events checked so far, every few thousand and at the end: a verify of a large log takes a while. */
  readonly onProgress?: (events: number) => void;
}

/**
 * Recompute the chain over rows in position order (as stored, with their stored hash)
 * and report the first position that does not match. With `against`, the log must
 * also still hold that chain checkpoint's prefix unchanged. With `checkpoints`
 * (signed tree heads kept outside the log), the Merkle tree is recomputed from the
 * events and each checkpoint's root must be the root of the log's first `size`
 * events: truncation, a re-hashed rewrite, a renumbering or a replaced tail is found,
 * and events after the largest checkpoint are reported as unproven (`unwitnessed`).
 */
export async function verifyChain(
  rows: AsyncIterable<ChainedRow & { readonly hash: string }> | Iterable<ChainedRow & { readonly hash: string }>,
  options: VerifyOptions & { tree?: MemoryTree } = {},
): Promise<VerifyReport> {
  let previous = GENESIS_HASH;
  let expectedPosition = 1n;
  let count = 0;
  let checkpointSeen = false;
  const revisions = new Map<string, number>();
  let provenThrough = 0n;
  // The caller may pass its own, empty, to compare the tree a store keeps with the one the events make.
  const tree = options.tree ?? new MemoryTree();
  const formats = options.formats ?? CONTENT_LINKED_LOG;
  const witnessed = [...(options.checkpoints ?? [])].sort((a, b) => a.size - b.size);
  /** The largest witnessed size the events read so far prove, and the first checkpoint they contradict. */
  const witnessedUpTo = async (size: number) => {
    let proven = 0;
    for (const checkpoint of witnessed) {
      if (checkpoint.size > size) break;
      if (!sameBytes(await treeRoot(tree.read, checkpoint.size), checkpoint.root)) return { proven, contradicted: checkpoint };
      proven = checkpoint.size;
    }
    return { proven, contradicted: undefined };
  };
  const broken = async (position: bigint, problem: ChainProblem, message: string, consistentThrough = expectedPosition - 1n): Promise<VerifyReport> => {
    const byWitness = BigInt((await witnessedUpTo(Math.min(count, Number(position) - 1))).proven);
    const byAgainst = provenThrough < position && problem !== 'checkpoint-mismatch' ? provenThrough : 0n;
    return { intact: false, events: count, position, problem, message, consistentThrough, provenThrough: byWitness > byAgainst ? byWitness : byAgainst };
  };

  for await (const row of rows) {
    if (row.position !== expectedPosition) {
      return broken(expectedPosition, 'position-gap', `expected position ${expectedPosition}, found ${row.position}: an event was removed or moved`);
    }
    const expectedRevision = (revisions.get(row.stream) ?? -1) + 1;
    if (row.revision !== expectedRevision) {
      return broken(row.position, 'revision-gap', `stream ${row.stream} jumps to revision ${row.revision}, expected ${expectedRevision}`);
    }
    const { hash, leafHash: leafHashOfRow } = chainLinkAndLeafHash(previous, row, chainFormatAt(formats, row.position));
    if (hash !== row.hash) {
      return broken(row.position, 'hash-mismatch', `the content of position ${row.position} does not match its hash (changed, or chain re-linked)`);
    }
    if (options.against && row.position === options.against.position) {
      checkpointSeen = true;
      if (hash !== options.against.headHash) {
        // The rewrite may be anywhere up to here: none of these positions is proven.
        return broken(row.position, 'checkpoint-mismatch', `the log no longer holds the audited history up to position ${row.position}: it was rewritten at or before it`, row.position);
      }
      provenThrough = row.position;
    }
    tree.append(leafHashOfRow);
    revisions.set(row.stream, row.revision);
    previous = hash;
    expectedPosition++;
    if (++count % 5000 === 0) options.onProgress?.(count);
  }
  options.onProgress?.(count);
  if (options.against && !checkpointSeen && options.against.position > 0n) {
    return broken(options.against.position, 'checkpoint-missing', `the log ends before the audited position ${options.against.position}: events were removed`);
  }
  if (witnessed.length > 0) {
    const { proven, contradicted } = await witnessedUpTo(count);
    if (contradicted) {
      return broken(
        BigInt(contradicted.size),
        'checkpoint-mismatch',
        `the log's first ${contradicted.size} events are not the ones witnessed in ${contradicted.source} (root differs): history up to position ${contradicted.size} was rewritten, renumbered or replaced`,
      );
    }
    const largest = witnessed.at(-1)!;
    if (largest.size > count) {
      return broken(
        BigInt(count + 1),
        'checkpoint-missing',
        `the log has ${count} events but ${largest.source} witnessed ${largest.size}: positions ${count + 1}–${largest.size} were removed`,
      );
    }
    if (count > proven) {
      return broken(
        BigInt(proven + 1),
        'unwitnessed',
        `positions ${proven + 1}–${count} are in no witnessed checkpoint (the latest, in ${largest.source}, covers ${proven}): written without taawun, or after its last witness`,
      );
    }
    provenThrough = BigInt(proven) > provenThrough ? BigInt(proven) : provenThrough;
  }
  return { intact: true, events: count, headHash: previous, headPosition: count === 0 ? undefined : expectedPosition - 1n, provenThrough, root: await treeRoot(tree.read, count) };
}
