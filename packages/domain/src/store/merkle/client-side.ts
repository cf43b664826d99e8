import type { StoredEvent } from '../envelope.js';
import { chainHash, eventLeaf, GENESIS_HASH, verifyChain, type ChainCheckpoint, type ChainedRow, type ChainFormats, type VerifyOptions, type VerifyReport } from '../hash-chain.js';
import type { EventStore } from '../port.js';
import { chainedRowOf, merkleLogOver, type MerkleLog } from './log.js';
import { MemoryTree, leafHash, type Hash } from './tree.js';

/**
 * An event of a store that keeps neither hash chain nor tree (EventStoreDB) as
 * the client's tree reads it: at its ordinal in the log (1, 2, …: the store's
 * own positions are commit positions with gaps), data and metadata as JSON text.
 */
export const clientSideRow = (event: StoredEvent, ordinal: number): ChainedRow => ({ ...chainedRowOf(event), position: BigInt(ordinal) });

/**
 * The log as rows of a hash chain the client computes itself, for `verifyChain`:
 * the chain then proves nothing by itself (it is not stored), but the revisions
 * are checked and the Merkle tree it builds is compared with every signed
 * checkpoint a witness kept, which is what proves the log. O(n): every event is read.
 */
/**
 * The client-side chain stays in format 1 (the text linked): it is not stored, so
 * nothing is gained by format 2, and a checkpoint an auditor kept of it stays valid.
 */
export const CLIENT_SIDE_FORMATS: ChainFormats = { contentLinkedFrom: null };

export async function* clientSideChain(store: Pick<EventStore, 'readAll'>): AsyncGenerator<ChainedRow & { readonly hash: string }> {
  let previous = GENESIS_HASH;
  let ordinal = 0;
  for await (const event of store.readAll()) {
    const row = clientSideRow(event, ++ordinal);
    previous = chainHash(previous, row, 1);
    yield { ...row, hash: previous };
  }
}

/**
 * The Merkle log (RFC 9162) of a store that keeps no tree, computed by the
 * client from `readAll`: the first tree head reads the whole log (O(n)); each
 * later one reads only what was appended since, by any writer (the tree and
 * the leaves are kept in memory: 32 bytes per event and its subtrees). What a
 * witness needs to keep checkpoints of an EventStoreDB log.
 */
export class ClientSideMerkleLog implements MerkleLog {
  private readonly tree = new MemoryTree();
  private readonly leaves: Hash[] = [];
  private after: bigint | undefined;
  private reading: Promise<void> = Promise.resolve();
  private readonly merkle: MerkleLog;

  constructor(private readonly store: Pick<EventStore, 'readAll'>) {
    const size = async () => {
      await this.catchUp();
      return this.leaves.length;
    };
    this.merkle = merkleLogOver(this.tree.read, size, async (position) => this.leaves[Number(position) - 1]!);
  }

  /** Read what was appended since the last read (one read at a time). */
  private catchUp(): Promise<void> {
    const run = this.reading.then(async () => {
      for await (const event of this.store.readAll(this.after === undefined ? {} : { after: this.after })) {
        const leaf = eventLeaf(clientSideRow(event, this.leaves.length + 1));
        this.leaves.push(leaf);
        this.tree.append(leafHash(leaf));
        this.after = event.position;
      }
    });
    // A failed read (the server went away) is the caller's error; the next call reads again from where this one stopped.
    this.reading = run.catch(() => undefined);
    return run;
  }

  treeHead(size?: number) {
    return this.merkle.treeHead(size);
  }
  inclusionProof(position: bigint, size?: number) {
    return this.merkle.inclusionProof(position, size);
  }
  consistencyProof(first: number, second?: number) {
    return this.merkle.consistencyProof(first, second);
  }
}

/** A store with the Merkle log its client computes (EventStoreDB): what the runtime's witness keeps checkpoints of. */
export function withClientSideMerkleLog(store: EventStore): EventStore & MerkleLog {
  const merkle = new ClientSideMerkleLog(store);
  return {
    append: (stream, events, options) => store.append(stream, events, options),
    readStream: (stream, options) => store.readStream(stream, options),
    readAll: (options) => store.readAll(options),
    follow: (options) => store.follow(options),
    lastPosition: () => store.lastPosition(),
    close: () => store.close(),
    treeHead: (size) => merkle.treeHead(size),
    inclusionProof: (position, size) => merkle.inclusionProof(position, size),
    consistencyProof: (first, second) => merkle.consistencyProof(first, second),
  };
}

/**
 * `verify` over a store that keeps no chain (EventStoreDB): the chain and the
 * tree computed from `readAll` (O(n) reads), checked against the signed
 * checkpoints given; `checkpoint` reads the whole log too.
 */
export const clientSideHashChain = (store: Pick<EventStore, 'readAll'>) => ({
  verify: (options: VerifyOptions = {}): Promise<VerifyReport> => verifyChain(clientSideChain(store), { ...options, formats: CLIENT_SIDE_FORMATS }),
  async checkpoint(): Promise<ChainCheckpoint> {
    let head: ChainCheckpoint = { position: 0n, headHash: GENESIS_HASH };
    for await (const row of clientSideChain(store)) head = { position: row.position, headHash: row.hash };
    return head;
  },
});
