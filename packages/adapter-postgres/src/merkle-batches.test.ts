import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventLeaf } from '@taawun/domain';
import { appendPlan, batchPlanArb, expectTreeFromScratch, newTestEvent } from '@taawun/domain/testing';
import { EVENT_COLUMNS, rowToChained, type HashedEventRow } from './rows.js';
import { adminClient, schemaPool } from './test-support/database.js';

const schemas = schemaPool('merkle_batches');
let admin: pg.Client;

beforeAll(async () => {
  admin = await adminClient();
});
afterAll(async () => {
  await admin.end();
  await schemas.dropAll();
});

/** The leaves of the schema's events, read as an auditor would: raw rows in position order. */
async function leavesOf(schema: string) {
  const rows = (await admin.query<HashedEventRow>(`SELECT ${EVENT_COLUMNS}, hash FROM ${pg.escapeIdentifier(schema)}.events ORDER BY position`)).rows;
  return rows.map((row) => eventLeaf(rowToChained(row)));
}

describe('the Merkle tree grown batch by batch (PostgreSQL)', () => {
  it('property: batches of random sizes, by this store, another store on the schema and one without the tree, make the tree computed from scratch', async () => {
    await fc.assert(
      fc.asyncProperty(batchPlanArb, async (plan) => {
        const schema = schemas.fresh();
        const same = await schemas.open({ schema, listen: false });
        const other = await schemas.open({ schema, listen: false });
        const withoutTree = await schemas.open({ schema, listen: false, merkleLog: false });
        try {
          await appendPlan({ same, other, 'without-tree': withoutTree }, plan);
          await expectTreeFromScratch(same, await leavesOf(schema));
          expect((await same.verify()).intact).toBe(true);
        } finally {
          for (const store of [same, other, withoutTree]) await store.close();
        }
      }),
      { numRuns: 4 },
    );
  });

  it('a store opened with merkleLog: false refuses tree heads and proofs, and a store with the tree completes it at its next append', async () => {
    const schema = schemas.fresh();
    const withoutTree = await schemas.open({ schema, listen: false, merkleLog: false });
    await withoutTree.append('a', [newTestEvent(), newTestEvent()], { expectedRevision: 'no-stream' });
    for (const asked of [() => withoutTree.treeHead(), () => withoutTree.inclusionProof(1n), () => withoutTree.consistencyProof(1)]) {
      await expect(asked()).rejects.toMatchObject({ code: 'invalid-configuration', message: expect.stringMatching(/merkleLog: false .* keeps no Merkle tree/) });
    }
    expect((await admin.query(`SELECT count(*)::int AS n FROM ${pg.escapeIdentifier(schema)}.merkle_nodes`)).rows).toEqual([{ n: 0 }]);
    const withTree = await schemas.open({ schema, listen: false });
    await withTree.append('b', [newTestEvent()], { expectedRevision: 'no-stream' });
    await expectTreeFromScratch(withTree, await leavesOf(schema));
  });
});
