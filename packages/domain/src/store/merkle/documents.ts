import type { MerkleLog, TreeHead } from './log.js';

/**
 * The JSON proofs taawun hands out (`taawun prove`, `GET /log/proof/…`) and
 * `taawun verify-proof` checks: hashes in base64, with the signed checkpoints
 * (C2SP notes) they are checked against, so a third party needs only the public key.
 */
export interface InclusionDocument {
  readonly format: 'taawun-inclusion-proof/1';
  readonly position: number;
  readonly size: number;
  /** The event's canonical content hash. */
  readonly leaf: string;
  readonly proof: readonly string[];
  /** The signed checkpoint of `size`. */
  readonly checkpoint: string;
}

export interface ConsistencyDocument {
  readonly format: 'taawun-consistency-proof/1';
  readonly first: number;
  readonly second: number;
  readonly proof: readonly string[];
  /** The signed checkpoints of `first` and `second`. */
  readonly checkpoints: readonly string[];
}

/** Signs a tree head of the log as a checkpoint note (the key is the caller's); refuses, with `CheckpointRefused`, a head it must not sign. */
export type CheckpointSigner = (head: TreeHead) => string | Promise<string>;

/** A signer's refusal: the log no longer extends the checkpoint its witness keeps (it shrank or was rewritten), so nothing of it is signed. */
export class CheckpointRefused extends Error {
  override readonly name = 'CheckpointRefused';
}

export const isCheckpointRefused = (e: unknown): e is CheckpointRefused => e instanceof Error && e.name === 'CheckpointRefused';

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

export async function inclusionDocument(log: MerkleLog, sign: CheckpointSigner, position: bigint, size?: number): Promise<InclusionDocument> {
  const proof = await log.inclusionProof(position, size);
  return {
    format: 'taawun-inclusion-proof/1',
    position: Number(proof.position),
    size: proof.size,
    leaf: base64(proof.leaf),
    proof: proof.proof.map(base64),
    checkpoint: await sign(await log.treeHead(proof.size)),
  };
}

export async function consistencyDocument(log: MerkleLog, sign: CheckpointSigner, first: number, second?: number): Promise<ConsistencyDocument> {
  const proof = await log.consistencyProof(first, second);
  return {
    format: 'taawun-consistency-proof/1',
    first: proof.first,
    second: proof.second,
    proof: proof.proof.map(base64),
    checkpoints: [await sign(await log.treeHead(proof.first)), await sign(await log.treeHead(proof.second))],
  };
}
