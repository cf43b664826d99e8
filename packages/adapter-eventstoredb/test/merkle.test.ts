import { ClientSideMerkleLog, clientSideHashChain, verifyConsistency } from '@taawun/domain';
import { newTestEvent } from '@taawun/domain/testing';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openEventStoreDbStore } from '../src/index.js';

/**
 * The Merkle log of an EventStoreDB log, computed by the client over $all (the
 * server keeps none), against a live server when ESDB_CONNECTION_STRING names
 * one. The pure parts are tested in @taawun/domain without a server.
 */
const connectionString = process.env.ESDB_CONNECTION_STRING?.trim();

describe('the Merkle log of an EventStoreDB log, computed by the client', () => {
  if (!connectionString) {
    it.skip('skipped: ESDB_CONNECTION_STRING is not set, so there is no EventStoreDB server to run against (see the README, "Running the live suite")', () => undefined);
    return;
  }
  it('grows with the log, each head proven to extend the one before; verify over $all holds against it', async () => {
    const store = await openEventStoreDbStore(connectionString);
    try {
      const merkle = new ClientSideMerkleLog(store);
      const before = await merkle.treeHead();
      await store.append(`merkle-${randomUUID()}`, [newTestEvent('PartnerRenamed'), newTestEvent('PartnerRenamed')], { expectedRevision: 'no-stream' });
      const after = await merkle.treeHead();
      expect(after.size).toBeGreaterThanOrEqual(before.size + 2);
      const proof = await merkle.consistencyProof(before.size, after.size);
      expect(verifyConsistency(before.size, after.size, proof.proof, before.root, after.root)).toBe(true);
      const report = await clientSideHashChain(store).verify({ checkpoints: [{ ...after, source: 'this test' }] });
      // Other writers may share the server: what they appended since is unwitnessed, never a break of what was.
      expect(report.intact || report.problem === 'unwitnessed').toBe(true);
      expect(report.provenThrough).toBe(BigInt(after.size));
    } finally {
      await store.close();
    }
  }, 120_000);
});
