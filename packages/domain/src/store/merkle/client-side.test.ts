import { describe, expect, it } from 'vitest';
import { newTestEvent } from '../../testing/event-store-contract.js';
import { verifyChain } from '../hash-chain.js';
import { InMemoryEventStore } from '../in-memory.js';
import type { EventStore, ReadAllOptions } from '../port.js';
import { CLIENT_SIDE_FORMATS, ClientSideMerkleLog, clientSideChain } from './client-side.js';
import { verifyConsistency, verifyInclusion, leafHash } from './tree.js';

/**
 * The Merkle log a client computes over a store that keeps none (EventStoreDB):
 * checked here against the in-memory store, which keeps its own tree over the
 * same events (its positions are already 1, 2, …, so both trees must agree).
 */
async function storeWith(events: number): Promise<InMemoryEventStore> {
  const store = new InMemoryEventStore();
  for (let i = 0; i < events; i++) await store.append(`partner-${i % 3}`, [newTestEvent('PartnerRenamed')], { expectedRevision: 'any' });
  return store;
}

/** The store as EventStoreDB reads it: commit positions with gaps (100, 200, …), not 1, 2, …. */
const withCommitPositions = (store: InMemoryEventStore): Pick<EventStore, 'readAll'> => ({
  async *readAll(options: ReadAllOptions = {}) {
    for await (const event of store.readAll(options.after === undefined ? {} : { after: options.after / 100n })) yield { ...event, position: event.position * 100n };
  },
});

describe('the Merkle log computed by the client (EventStoreDB)', () => {
  it('is the tree the store keeps over the same events, whatever the store calls its positions', async () => {
    const store = await storeWith(13);
    const computed = new ClientSideMerkleLog(withCommitPositions(store));
    const head = await computed.treeHead();
    expect(head.size).toBe(13);
    expect(head.root).toEqual((await store.treeHead()).root);
  });

  it('reads only what other writers appended since, and proves that the longer log extends the shorter', async () => {
    const store = await storeWith(5);
    const computed = new ClientSideMerkleLog(withCommitPositions(store));
    const before = await computed.treeHead();
    for (let i = 0; i < 6; i++) await store.append('partner-9', [newTestEvent('PartnerRenamed')], { expectedRevision: 'any' });
    const after = await computed.treeHead();
    expect(after.size).toBe(11);
    expect(after.root).toEqual((await store.treeHead()).root);
    expect((await computed.treeHead(5)).root).toEqual(before.root);
    const proof = await computed.consistencyProof(5);
    expect(verifyConsistency(5, 11, proof.proof, before.root, after.root)).toBe(true);
    const inclusion = await computed.inclusionProof(7n);
    expect(verifyInclusion(leafHash(inclusion.leaf), 6, 11, inclusion.proof, after.root)).toBe(true);
  });

  it('verify over the client\'s chain: intact against a checkpoint of the log; a changed event contradicts it', async () => {
    const store = await storeWith(8);
    const { size, root } = await new ClientSideMerkleLog(store).treeHead();
    const checkpoints = [{ size, root, source: 'the witness' }];
    expect(await verifyChain(clientSideChain(withCommitPositions(store)), { checkpoints, formats: CLIENT_SIDE_FORMATS })).toMatchObject({ intact: true, events: 8, provenThrough: 8n });
    // Another log of as many events (one changed): the checkpoint's root is not its root.
    const rewritten = await storeWith(8);
    const report = await verifyChain(clientSideChain(rewritten), { checkpoints, formats: CLIENT_SIDE_FORMATS });
    expect(report).toMatchObject({ intact: false, problem: 'checkpoint-mismatch', position: 8n, provenThrough: 0n });
    // Cut back: the witnessed size is beyond the log's end.
    const shorter = await storeWith(0);
    expect(await verifyChain(clientSideChain(shorter), { checkpoints, formats: CLIENT_SIDE_FORMATS })).toMatchObject({ intact: false, problem: 'checkpoint-missing', position: 1n });
  });
});
