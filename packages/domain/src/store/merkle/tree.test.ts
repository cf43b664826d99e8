import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EMPTY_TREE_HASH,
  KEPT_FROM_LEVEL,
  MemoryTree,
  TreeFrontier,
  consistencyProof,
  foldLeaves,
  frontierOf,
  keptNodesOfPosition,
  leafHashOfText,
  leavesOfNode,
  inclusionProof,
  leafHash,
  nodeHash,
  nodesCompletedBy,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
  type Hash,
} from './tree.js';

/** RFC 9162 §2.1 written out literally over the whole list of leaves: what the stored-subtree code must agree with. */
const naive = {
  mth(leaves: readonly Hash[]): Hash {
    if (leaves.length === 0) return EMPTY_TREE_HASH;
    if (leaves.length === 1) return leaves[0]!;
    const k = 2 ** Math.ceil(Math.log2(leaves.length) - 1);
    return nodeHash(naive.mth(leaves.slice(0, k)), naive.mth(leaves.slice(k)));
  },
  path(m: number, leaves: readonly Hash[]): Hash[] {
    if (leaves.length <= 1) return [];
    const k = 2 ** Math.ceil(Math.log2(leaves.length) - 1);
    return m < k ? [...naive.path(m, leaves.slice(0, k)), naive.mth(leaves.slice(k))] : [...naive.path(m - k, leaves.slice(k)), naive.mth(leaves.slice(0, k))];
  },
  subproof(m: number, leaves: readonly Hash[], b: boolean): Hash[] {
    const n = leaves.length;
    if (m === n) return b ? [] : [naive.mth(leaves)];
    const k = 2 ** Math.ceil(Math.log2(n) - 1);
    return m <= k
      ? [...naive.subproof(m, leaves.slice(0, k), b), naive.mth(leaves.slice(k))]
      : [...naive.subproof(m - k, leaves.slice(k), false), naive.mth(leaves.slice(0, k))];
  },
};

const leafOf = (i: number): Hash => leafHash(createHash('sha256').update(`event ${i}`).digest());

function treeOf(size: number): { tree: MemoryTree; leaves: Hash[] } {
  const tree = new MemoryTree();
  const leaves = Array.from({ length: size }, (_, i) => leafOf(i));
  for (const leaf of leaves) tree.append(leaf);
  return { tree, leaves };
}

const hex = (h: Hash) => Buffer.from(h).toString('hex');
const hexAll = (hs: readonly Hash[]) => hs.map(hex);

/** A copy of a proof with one bit of one byte flipped. */
const flipped = (proof: readonly Hash[], at: number, bit: number): Hash[] => {
  const copy = proof.map((h) => Uint8Array.from(h));
  const total = copy.length * 32;
  const i = at % total;
  copy[Math.floor(i / 32)]![i % 32]! ^= 1 << bit;
  return copy;
};

const sizeAndIndex = fc.integer({ min: 1, max: 300 }).chain((size) => fc.tuple(fc.constant(size), fc.integer({ min: 0, max: size - 1 })));
const twoSizes = fc.integer({ min: 1, max: 300 }).chain((second) => fc.tuple(fc.integer({ min: 1, max: second }), fc.constant(second)));

describe('the Merkle tree of RFC 9162', () => {
  it('known values: the empty tree is SHA-256 of nothing, a leaf is prefixed 0x00, a node 0x01', () => {
    expect(hex(EMPTY_TREE_HASH)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(leafHash(new Uint8Array()))).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    const a = leafOf(0);
    const b = leafOf(1);
    expect(hex(nodeHash(a, b))).toBe(createHash('sha256').update(Uint8Array.of(1)).update(a).update(b).digest('hex'));
  });

  it('the root from stored subtrees equals the full-tree computation, for every size up to 300', async () => {
    const { tree, leaves } = treeOf(300);
    for (let size = 0; size <= 300; size++) expect(hex(await treeRoot(tree.read, size))).toBe(hex(naive.mth(leaves.slice(0, size))));
  });

  it('an append writes at most log2(n)+1 nodes, and nodesCompletedBy (the stores\' way) writes the same ones', async () => {
    const tree = new MemoryTree();
    for (let i = 0; i < 257; i++) {
      const leaf = leafOf(i);
      const expected = await nodesCompletedBy(i, leaf, tree.read);
      const written = tree.append(leaf);
      expect(written.map((n) => [n.level, n.index, hex(n.hash)])).toEqual(expected.map((n) => [n.level, n.index, hex(n.hash)]));
      expect(written.length).toBeLessThanOrEqual(Math.floor(Math.log2(i + 1)) + 1);
    }
  });

  it('inclusion proofs equal the full-tree PATH, verify, and read O(log n) subtrees', async () => {
    const { tree, leaves } = treeOf(300);
    await fc.assert(
      fc.asyncProperty(sizeAndIndex, async ([size, index]) => {
        let reads = 0;
        const counting = (level: number, i: number) => {
          reads++;
          return tree.read(level, i);
        };
        const proof = await inclusionProof(counting, index, size);
        expect(hexAll(proof)).toEqual(hexAll(naive.path(index, leaves.slice(0, size))));
        expect(reads).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(size + 1)) + 1);
        const root = await treeRoot(tree.read, size);
        expect(verifyInclusion(leaves[index]!, index, size, proof, root)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('consistency proofs equal the full-tree PROOF and verify', async () => {
    const { tree, leaves } = treeOf(300);
    await fc.assert(
      fc.asyncProperty(twoSizes, async ([first, second]) => {
        const proof = await consistencyProof(tree.read, first, second);
        expect(hexAll(proof)).toEqual(first === second ? [] : hexAll(naive.subproof(first, leaves.slice(0, second), true)));
        expect(verifyConsistency(first, second, proof, await treeRoot(tree.read, first), await treeRoot(tree.read, second))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('any single flipped bit of an inclusion proof, of its root or of its leaf is refused; so are a dropped or an added step, or another index (the size is bound to the root by the signed checkpoint)', async () => {
    const { tree, leaves } = treeOf(300);
    await fc.assert(
      fc.asyncProperty(sizeAndIndex.filter(([size]) => size > 1), fc.nat(), fc.integer({ min: 0, max: 7 }), async ([size, index], at, bit) => {
        const proof = await inclusionProof(tree.read, index, size);
        const root = await treeRoot(tree.read, size);
        const leaf = leaves[index]!;
        expect(verifyInclusion(leaf, index, size, flipped(proof, at, bit), root)).toBe(false);
        expect(verifyInclusion(leaf, index, size, proof, flipped([root], at, bit)[0]!)).toBe(false);
        expect(verifyInclusion(flipped([leaf], at, bit)[0]!, index, size, proof, root)).toBe(false);
        expect(verifyInclusion(leaf, index, size, proof.slice(0, -1), root)).toBe(false);
        expect(verifyInclusion(leaf, index, size, [...proof, proof[0]!], root)).toBe(false);
        expect(verifyInclusion(leaf, (index + 1) % size, size, proof, root)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('any single flipped bit of a consistency proof or of either root is refused; so are a dropped, added or or swapped step', async () => {
    const { tree } = treeOf(300);
    await fc.assert(
      fc.asyncProperty(twoSizes.filter(([a, b]) => a < b), fc.nat(), fc.integer({ min: 0, max: 7 }), async ([first, second], at, bit) => {
        const proof = await consistencyProof(tree.read, first, second);
        const r1 = await treeRoot(tree.read, first);
        const r2 = await treeRoot(tree.read, second);
        expect(verifyConsistency(first, second, flipped(proof, at, bit), r1, r2)).toBe(false);
        expect(verifyConsistency(first, second, proof, flipped([r1], at, bit)[0]!, r2)).toBe(false);
        expect(verifyConsistency(first, second, proof, r1, flipped([r2], at, bit)[0]!)).toBe(false);
        expect(verifyConsistency(first, second, proof.slice(0, -1), r1, r2)).toBe(false);
        expect(verifyConsistency(first, second, proof.slice(1), r1, r2)).toBe(false);
        expect(verifyConsistency(first, second, [...proof, proof[0]!], r1, r2)).toBe(false);
        if (proof.length > 1) expect(verifyConsistency(first, second, [proof[1]!, proof[0]!, ...proof.slice(2)], r1, r2)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('a rewritten prefix has no consistency proof: the old root is not reachable from the new tree', async () => {
    const { tree: honest } = treeOf(100);
    const rewritten = new MemoryTree();
    for (let i = 0; i < 100; i++) rewritten.append(i === 40 ? leafOf(1000) : leafOf(i));
    for (const first of [41, 64, 99]) {
      const proof = await consistencyProof(rewritten.read, first, 100);
      expect(verifyConsistency(first, 100, proof, await treeRoot(honest.read, first), await treeRoot(rewritten.read, 100))).toBe(false);
    }
    const before = await consistencyProof(rewritten.read, 40, 100);
    expect(verifyConsistency(40, 100, before, await treeRoot(honest.read, 40), await treeRoot(rewritten.read, 100))).toBe(true);
  });

  it('a frontier read once grows the tree by any batches exactly as appending leaf by leaf does: same nodes, same roots', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 200 }), fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 12 }), async (start, batches) => {
        const { tree } = treeOf(start);
        let next = start;
        for (const batch of batches) {
          // As a store does: the right edge read from the stored nodes, then grown in memory.
          const frontier = await TreeFrontier.read(tree.size, tree.read);
          expect(frontierOf(tree.size).length).toBeLessThanOrEqual(Math.floor(Math.log2(tree.size + 1)) + 1);
          const grown: { level: number; index: number; hash: Hash }[] = [];
          const appended: { level: number; index: number; hash: Hash }[] = [];
          for (let i = 0; i < batch; i++, next++) {
            frontier.append(leafOf(next), grown);
            appended.push(...tree.append(leafOf(next)));
          }
          expect(grown.map((n) => [n.level, n.index, hex(n.hash)])).toEqual(appended.map((n) => [n.level, n.index, hex(n.hash)]));
          expect(frontier.size).toBe(tree.size);
          expect(hex(frontier.root())).toBe(hex(await treeRoot(tree.read, tree.size)));
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('the nodes durable stores keep (level 4 and up) and the ones they recompute', () => {
  it('an append keeps nodes only at every sixteenth position: the level-4 node it completes and each parent above', () => {
    expect(KEPT_FROM_LEVEL).toBe(4);
    expect(keptNodesOfPosition(15)).toEqual([]);
    expect(keptNodesOfPosition(16)).toEqual([{ level: 4, index: 0 }]);
    expect(keptNodesOfPosition(48)).toEqual([{ level: 4, index: 2 }]);
    expect(keptNodesOfPosition(64)).toEqual([
      { level: 4, index: 3 },
      { level: 5, index: 1 },
      { level: 6, index: 0 },
    ]);
  });

  it('property: a node below level 4 folded from its leaves is the node the whole tree has there', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 0, max: 3 }), fc.nat(), (size, level, pick) => {
        const tree = new MemoryTree();
        const leaves = Array.from({ length: size }, (_, i) => leafHash(createHash('sha256').update(`event ${i}`).digest()));
        for (const leaf of leaves) tree.append(leaf);
        const complete = Math.floor(size / 2 ** level);
        fc.pre(complete > 0);
        const index = pick % complete;
        const { first, count } = leavesOfNode(level, index);
        expect(Buffer.from(foldLeaves(leaves.slice(first, first + count)))).toEqual(Buffer.from(tree.read(level, index) as Hash));
      }),
    );
  });

  it('the leaf hash of an event\'s text is H(0x00 ‖ H(text)), whatever the text holds', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        const content = createHash('sha256').update(text, 'utf8').digest();
        expect(Buffer.from(leafHashOfText(text))).toEqual(createHash('sha256').update(Buffer.concat([Buffer.of(0), content])).digest());
      }),
    );
  });
});
