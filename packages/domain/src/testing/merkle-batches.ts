import fc from 'fast-check';
import { expect } from 'vitest';
import type { EventStore } from '../store/port.js';
import { MemoryTree, consistencyProof, inclusionProof, leafHash, treeRoot, type Hash } from '../store/merkle/tree.js';
import type { MerkleLog } from '../store/merkle/log.js';
import { newTestEvent } from './event-store-contract.js';

/** How each batch reaches the log: the store that checks, a second store on the same log, or one opened with `merkleLog: false`. */
export type BatchWriter = 'same' | 'other' | 'without-tree';

/**
 * Batches of random sizes, each written by one of the writers; the last by the
 * store that checks (so the tree it keeps is complete when it is checked).
 */
export const batchPlanArb = fc
  .array(fc.record({ size: fc.integer({ min: 1, max: 40 }), writer: fc.constantFrom<BatchWriter>('same', 'same', 'other', 'without-tree') }), { minLength: 1, maxLength: 8 })
  .map((plan) => [...plan.slice(0, -1), { ...plan.at(-1)!, writer: 'same' as const }]);

/** Append the plan's batches over three streams, each batch by its writer. */
export async function appendPlan(writers: Record<BatchWriter, EventStore>, plan: readonly { size: number; writer: BatchWriter }[]): Promise<void> {
  for (const [b, { size, writer }] of plan.entries()) {
    const events = Array.from({ length: size }, (_, i) => newTestEvent('TreeGrown', { batch: b, i, text: 'é'.repeat(i % 3) }));
    const result = await writers[writer].append(`stream-${b % 3}`, events, { expectedRevision: 'any' });
    expect(result.ok).toBe(true);
  }
}

/**
 * The tree a store keeps, grown batch by batch, equals the tree computed from
 * scratch over its events' leaves (their canonical content hashes, in position
 * order): the root of every size, inclusion proofs of every event in the whole
 * log and in a smaller one, and consistency proofs from every size.
 */
export async function expectTreeFromScratch(log: MerkleLog, leaves: readonly Hash[]): Promise<void> {
  const scratch = new MemoryTree();
  for (const leaf of leaves) scratch.append(leafHash(leaf));
  const n = leaves.length;
  const hex = (hashes: readonly Hash[]) => hashes.map((h) => Buffer.from(h).toString('hex'));
  for (let size = 0; size <= n; size++) expect(hex([(await log.treeHead(size)).root])).toEqual(hex([await treeRoot(scratch.read, size)]));
  const middle = Math.ceil(n / 2);
  for (let position = 1; position <= n; position++) {
    expect(hex((await log.inclusionProof(BigInt(position), n)).proof)).toEqual(hex(await inclusionProof(scratch.read, position - 1, n)));
    if (position <= middle) expect(hex((await log.inclusionProof(BigInt(position), middle)).proof)).toEqual(hex(await inclusionProof(scratch.read, position - 1, middle)));
  }
  for (let first = 0; first <= n; first++) expect(hex((await log.consistencyProof(first, n)).proof)).toEqual(hex(await consistencyProof(scratch.read, first, n)));
}
