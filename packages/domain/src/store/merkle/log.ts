import type { StoredEvent } from '../envelope.js';
import type { ChainedRow, VerifyReport } from '../hash-chain.js';
import { EventStoreError } from '../port.js';
import { consistencyProof, inclusionProof, treeRoot, type Hash, type MemoryTree, type NodeReader } from './tree.js';

/** The size of the log and the root of its Merkle tree then. */
export interface TreeHead {
  readonly size: number;
  readonly root: Hash;
}

export interface InclusionProof {
  /** The event's position (leaf index + 1). */
  readonly position: bigint;
  readonly size: number;
  /** The event's canonical content hash (the Merkle leaf, before the 0x00 prefix and hashing). */
  readonly leaf: Hash;
  readonly proof: readonly Hash[];
}

export interface ConsistencyProof {
  readonly first: number;
  readonly second: number;
  readonly proof: readonly Hash[];
}

/** A log that keeps its Merkle tree (RFC 9162): every store does, EventStoreDB by computing it on read. */
export interface MerkleLog {
  /** The tree head at `size` (default: now). */
  treeHead(size?: number): Promise<TreeHead>;
  /** The event at `position` is in the log of `size` (default: now). */
  inclusionProof(position: bigint, size?: number): Promise<InclusionProof>;
  /** The log of `second` (default: now) extends the log of `first` unchanged. */
  consistencyProof(first: number, second?: number): Promise<ConsistencyProof>;
}

/**
 * The Merkle log of a store from its stored subtrees: `read` gives a complete
 * subtree's hash, `leafOf` an event's leaf (its canonical content hash), `size` the log's size.
 */
export function merkleLogOver(read: NodeReader, size: () => Promise<number>, leafOf: (position: bigint) => Promise<Hash>): MerkleLog {
  const sizeOrNow = async (given: number | undefined): Promise<number> => {
    const now = await size();
    if (given === undefined) return now;
    if (!Number.isSafeInteger(given) || given < 0 || given > now) throw new EventStoreError('out-of-range', `the log has ${now} events: there is no tree of size ${given}`);
    return given;
  };
  return {
    async treeHead(at) {
      const n = await sizeOrNow(at);
      return { size: n, root: await treeRoot(read, n) };
    },
    async inclusionProof(position, at) {
      const n = await sizeOrNow(at);
      if (position < 1n || position > BigInt(n)) throw new EventStoreError('out-of-range', `position ${position} is not in the log of size ${n}`);
      return { position, size: n, leaf: await leafOf(position), proof: await inclusionProof(read, Number(position) - 1, n) };
    },
    async consistencyProof(first, second) {
      const n = await sizeOrNow(second);
      if (!Number.isSafeInteger(first) || first < 0 || first > n) throw new EventStoreError('out-of-range', `there is no tree of size ${first} before size ${n}`);
      return { first, second: n, proof: await consistencyProof(read, first, n) };
    },
  };
}

/** An event as the hash chain and the Merkle leaf read it, from a stored event (stores keeping no JSON text of their own). */
export const chainedRowOf = (event: StoredEvent): ChainedRow => ({
  position: event.position,
  stream: event.stream,
  revision: event.revision,
  id: event.id,
  type: event.type,
  schemaVersion: event.schemaVersion,
  recordedAt: event.recordedAt,
  dataJson: JSON.stringify(event.data),
  metadataJson: JSON.stringify(event.metadata),
});

/**
 * An intact report stays intact only if every node the store keeps is the one the
 * events make (`tree`, filled by `verifyChain`) and none at or above `fromLevel` is
 * missing: proofs are served from the kept nodes, so a changed one would make them lie.
 */
export async function compareKeptTree(
  report: VerifyReport,
  tree: MemoryTree,
  nodes: Iterable<{ level: number | string; idx: number | string; hash: Uint8Array }> | AsyncIterable<{ level: number | string; idx: number | string; hash: Uint8Array }>,
  /** The lowest level the store keeps (KEPT_FROM_LEVEL for stores that recompute the levels below from events). */
  fromLevel = 0,
): Promise<VerifyReport> {
  if (!report.intact) return report;
  let expected = 0;
  for (let width = Math.floor(tree.size / 2 ** fromLevel); width >= 1; width = Math.floor(width / 2)) expected += width;
  let found = 0;
  let differing: { readonly level: number; readonly idx: number } | undefined;
  for await (const node of nodes) {
    found++;
    let mine: Uint8Array | undefined;
    try {
      mine = tree.read(Number(node.level), Number(node.idx)) as Uint8Array;
    } catch {
      mine = undefined;
    }
    if (!mine || !Buffer.from(mine).equals(Buffer.from(node.hash))) {
      differing = { level: Number(node.level), idx: Number(node.idx) };
      break;
    }
  }
  if (!differing && found === expected) return report;
  return {
    intact: false,
    events: report.events,
    // The first event the differing node covers: where a proof served from it would first be false.
    position: differing ? BigInt(differing.idx * 2 ** differing.level + 1) : 1n,
    problem: 'tree-mismatch',
    message: `the Merkle tree kept in the store is not the one its events make (${
      differing ? `node at level ${differing.level}, index ${differing.idx} differs: it covers positions ${differing.idx * 2 ** differing.level + 1}–${(differing.idx + 1) * 2 ** differing.level}` : `${found} nodes where the events make ${expected}`
    }): proofs served from it would be false; the events themselves are as their chain says`,
    consistentThrough: BigInt(report.events),
    provenThrough: report.provenThrough ?? 0n,
  };
}
