import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventLeaf } from '@taawun/domain';
import { appendPlan, batchPlanArb, expectTreeFromScratch, newTestEvent } from '@taawun/domain/testing';
import { openSqliteEventStore } from '../src/index.js';
import { EVENT_COLUMNS, toChainedRow, type EventRow } from '../src/rows.js';
import { tempDatabases } from './temp-files.js';

const newDatabase = tempDatabases();

/** The leaves of the file's events, read as an auditor would: raw rows in position order. */
function leavesOf(path: string) {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare<[], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events ORDER BY position`).safeIntegers(true).all().map((row) => eventLeaf(toChainedRow(row)));
  } finally {
    db.close();
  }
}

describe('the Merkle tree grown batch by batch (SQLite)', () => {
  it('property: batches of random sizes, by this store, another store on the file and one without the tree, make the tree computed from scratch', async () => {
    await fc.assert(
      fc.asyncProperty(batchPlanArb, async (plan) => {
        const path = newDatabase();
        const same = await openSqliteEventStore(path);
        const other = await openSqliteEventStore(path);
        const withoutTree = await openSqliteEventStore(path, { merkleLog: false });
        try {
          await appendPlan({ same, other, 'without-tree': withoutTree }, plan);
          await expectTreeFromScratch(same, leavesOf(path));
          // The other store, whose cached edge is stale, serves the same tree.
          await expectTreeFromScratch(other, leavesOf(path));
        } finally {
          for (const store of [same, other, withoutTree]) await store.close();
        }
      }),
      { numRuns: 12 },
    );
  });

  it('a store opened with merkleLog: false refuses tree heads and proofs, and a store with the tree completes it at its next append', async () => {
    const path = newDatabase();
    const withoutTree = await openSqliteEventStore(path, { merkleLog: false });
    await withoutTree.append('a', [newTestEvent(), newTestEvent()], { expectedRevision: 'no-stream' });
    for (const asked of [() => withoutTree.treeHead(), () => withoutTree.inclusionProof(1n), () => withoutTree.consistencyProof(1)]) {
      await expect(asked()).rejects.toMatchObject({ code: 'invalid-configuration', message: expect.stringMatching(/merkleLog: false .* keeps no Merkle tree/) });
    }
    expect(withoutTree.database.prepare('SELECT count(*) AS n FROM events WHERE tree IS NOT NULL').get()).toEqual({ n: 0 });
    await withoutTree.close();
    const withTree = await openSqliteEventStore(path);
    await withTree.append('b', [newTestEvent()], { expectedRevision: 'no-stream' });
    await expectTreeFromScratch(withTree, leavesOf(path));
    await withTree.close();
  });
});
