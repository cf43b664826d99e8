import { sha256Bytes, sha256Latin1 } from '../sha256.js';

/**
 * The Merkle tree of RFC 6962 / RFC 9162 (§2.1) over the log:
 *
 *   leaf hash  = SHA-256(0x00 ‖ leaf)          leaf = the event's canonical content hash (32 bytes)
 *   node hash  = SHA-256(0x01 ‖ left ‖ right)
 *   MTH({})    = SHA-256("")
 *
 * Stores keep the hashes of complete subtrees, (level, index) covering leaves
 * [index·2^level, (index+1)·2^level), written when the subtree fills: an append
 * writes at most log2(n)+1 of them, and a tree head or a proof reads O(log n).
 * Everything here works through a `NodeReader`, so the same code serves every store.
 */
export type Hash = Uint8Array;

export const HASH_BYTES = 32;

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

export const EMPTY_TREE_HASH: Hash = sha256Bytes(new Uint8Array(0));

/**
 * One input buffer for every leaf and node hash: hashing is synchronous, so no two
 * calls share it at once, and an append makes two such hashes per event (a fresh
 * buffer each time was a measurable part of the tree's cost).
 */
const scratch = Buffer.alloc(1 + 2 * HASH_BYTES);

export const leafHash = (leaf: Uint8Array): Hash => {
  if (leaf.length !== HASH_BYTES) return sha256Bytes(Uint8Array.of(LEAF_PREFIX, ...leaf));
  scratch[0] = LEAF_PREFIX;
  scratch.set(leaf, 1);
  return sha256Bytes(scratch.subarray(0, 1 + HASH_BYTES));
};

/** The leaf hash of an event from its canonical text: H(0x00 ‖ H(text)), the content hash never leaving the scratch buffer. */
export const leafHashOfText = (canonicalText: string): Hash => {
  scratch[0] = LEAF_PREFIX;
  scratch.write(sha256Latin1(canonicalText), 1, 'latin1');
  return sha256Bytes(scratch.subarray(0, 1 + HASH_BYTES));
};

/** The leaf hash of an event from its content hash given as 64 hex digits: H(0x00 ‖ content). */
export const leafHashOfContentHex = (contentHex: string): Hash => {
  scratch[0] = LEAF_PREFIX;
  scratch.write(contentHex, 1, 'hex');
  return sha256Bytes(scratch.subarray(0, 1 + HASH_BYTES));
};

export const nodeHash = (left: Hash, right: Hash): Hash => {
  if (left.length !== HASH_BYTES || right.length !== HASH_BYTES) return sha256Bytes(Uint8Array.of(NODE_PREFIX, ...left, ...right));
  scratch[0] = NODE_PREFIX;
  scratch.set(left, 1);
  scratch.set(right, 1 + HASH_BYTES);
  return sha256Bytes(scratch);
};

/** The stored hash of a complete subtree: level 0 is a leaf hash. */
export type NodeReader = (level: number, index: number) => Hash | Promise<Hash>;

/** The same, for stores that read inside a synchronous transaction (SQLite). */
export type SyncNodeReader = (level: number, index: number) => Hash;

/** A complete subtree's hash to store. */
export interface TreeNode {
  readonly level: number;
  readonly index: number;
  readonly hash: Hash;
}

const isPowerOfTwo = (n: number): boolean => n > 0 && 2 ** Math.floor(Math.log2(n)) === n;
/** The largest power of two smaller than n (n > 1). */
const splitPoint = (n: number): number => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};

const assertSize = (what: string, n: number) => {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} ${n} is not a tree size`);
};

/**
 * The nodes an append of the leaf at `index` (0-based; the tree then has index+1
 * leaves) completes: the leaf, then each parent whose right child it completes.
 */
/** The left siblings an append of the leaf at `index` combines with, lowest first: (level, index) of each. */
function* leftSiblings(index: number): Generator<{ level: number; index: number }> {
  for (let level = 0, i = index; i % 2 === 1; level++, i = (i - 1) / 2) yield { level, index: i - 1 };
}

/**
 * The nodes an append of the leaf at `index` (0-based; the tree then has index+1
 * leaves) completes: the leaf, then each parent whose right child it completes.
 * At most log2(index+1)+1 nodes, reading as many left siblings.
 */
export function completedNodes(index: number, leaf: Hash, read: SyncNodeReader): TreeNode[] {
  assertSize('leaf index', index);
  const written: TreeNode[] = [{ level: 0, index, hash: leaf }];
  let hash = leaf;
  for (const sibling of leftSiblings(index)) {
    hash = nodeHash(read(sibling.level, sibling.index), hash);
    written.push({ level: sibling.level + 1, index: sibling.index / 2, hash });
  }
  return written;
}

/** `completedNodes` for stores that read asynchronously. */
export async function nodesCompletedBy(index: number, leaf: Hash, read: NodeReader): Promise<TreeNode[]> {
  assertSize('leaf index', index);
  const written: TreeNode[] = [{ level: 0, index, hash: leaf }];
  let hash = leaf;
  for (const sibling of leftSiblings(index)) {
    hash = nodeHash(await read(sibling.level, sibling.index), hash);
    written.push({ level: sibling.level + 1, index: sibling.index / 2, hash });
  }
  return written;
}

/**
 * The complete subtrees on the right edge of a tree of `size` leaves, highest
 * first: one per bit set in `size`, at most log2(size)+1. They are all an append
 * combines with, so a store reads them once and grows its tree in memory.
 */
export function frontierOf(size: number): { level: number; index: number }[] {
  assertSize('tree size', size);
  const nodes: { level: number; index: number }[] = [];
  for (let level = 0, rest = size; rest > 0; level++, rest = Math.floor(rest / 2)) {
    if (rest % 2 === 1) nodes.push({ level, index: rest - 1 });
  }
  return nodes.reverse();
}

/**
 * Durable stores keep the nodes from this level up, a sixteenth of all nodes; a
 * node below it covers at most 8 leaves and is recomputed from those events when a
 * tree head, a proof or an append needs it. Keeping every node (a leaf hash and on
 * average one parent per event, 64 bytes in each row) was most of what the tree
 * cost a bulk import.
 */
export const KEPT_FROM_LEVEL = 4;
/** The leaves under one node at KEPT_FROM_LEVEL: the most a recomputed node reads. */
export const LEAVES_PER_KEPT_NODE = 2 ** KEPT_FROM_LEVEL;

/**
 * The kept nodes (level >= KEPT_FROM_LEVEL) the append of the event at `position`
 * (1-based) completes, lowest first: none unless `position` is a multiple of 16;
 * node (level, index) is thus kept by the event at (index + 1) * 2^level, at byte
 * (level - KEPT_FROM_LEVEL) * 32 of what that event keeps.
 */
export function keptNodesOfPosition(position: number): { level: number; index: number }[] {
  const nodes: { level: number; index: number }[] = [];
  for (let level = KEPT_FROM_LEVEL, span = LEAVES_PER_KEPT_NODE; position % span === 0; level++, span *= 2) nodes.push({ level, index: position / span - 1 });
  return nodes;
}

/** The hash of a complete subtree from its leaf hashes (a power of two of them, in order). */
export function foldLeaves(leafHashes: readonly Hash[]): Hash {
  if (!isPowerOfTwo(leafHashes.length)) throw new RangeError(`a complete subtree has a power of two of leaves, not ${leafHashes.length}`);
  let level = [...leafHashes];
  while (level.length > 1) level = Array.from({ length: level.length / 2 }, (_, i) => nodeHash(level[2 * i]!, level[2 * i + 1]!));
  return level[0]!;
}

/** Where a node's hash comes from in a store that keeps the nodes from KEPT_FROM_LEVEL: its leaves below, its stored bytes above. */
export const leavesOfNode = (level: number, index: number): { readonly first: number; readonly count: number } => ({ first: index * 2 ** level, count: 2 ** level });

/**
 * The right edge of a tree, enough to append to it: `append` gives the nodes
 * each leaf completes (what a durable store writes), as `completedNodes` would
 * reading them back, without reading anything. Each store keeps one per batch
 * (or across batches, checked against the stored size before use).
 */
export class TreeFrontier {
  /** The hash of the frontier's subtree at level L at bytes L·32 (present when bit L of the size is set). */
  private readonly edge: Uint8Array;

  /** `hashes`: the stored hash of each of `frontierOf(size)`, by level. */
  constructor(
    private treeSize: number,
    hashes: ReadonlyMap<number, Hash>,
  ) {
    this.edge = new Uint8Array(MAX_LEVELS * HASH_BYTES);
    for (const { level } of frontierOf(treeSize)) {
      const hash = hashes.get(level);
      if (!hash) throw new RangeError(`the frontier of a tree of size ${treeSize} has no node at level ${level}`);
      this.edge.set(hash, level * HASH_BYTES);
    }
  }

  /** The frontier of a tree whose nodes `read` gives. */
  static async read(size: number, read: NodeReader): Promise<TreeFrontier> {
    const hashes = new Map<number, Hash>();
    for (const { level, index } of frontierOf(size)) hashes.set(level, await read(level, index));
    return new TreeFrontier(size, hashes);
  }

  /** The same, for a reader inside a synchronous transaction. */
  static readSync(size: number, read: SyncNodeReader): TreeFrontier {
    const hashes = new Map<number, Hash>();
    for (const { level, index } of frontierOf(size)) hashes.set(level, read(level, index));
    return new TreeFrontier(size, hashes);
  }

  get size(): number {
    return this.treeSize;
  }

  /** An independent copy (a store grows a copy in a transaction and keeps it only once committed). */
  clone(): TreeFrontier {
    const copy = new TreeFrontier(0, new Map());
    copy.edge.set(this.edge);
    copy.treeSize = this.treeSize;
    return copy;
  }

  private hashAt(level: number): Hash {
    return this.edge.slice(level * HASH_BYTES, (level + 1) * HASH_BYTES);
  }

  /** The root of the tree so far (RFC 9162 MTH): the frontier folded from its lowest subtree up. */
  root(): Hash {
    let hash: Hash | undefined;
    for (const { level } of frontierOf(this.treeSize).reverse()) hash = hash ? nodeHash(this.hashAt(level), hash) : this.hashAt(level);
    return hash ?? EMPTY_TREE_HASH;
  }

  /**
   * Append a leaf hash: the leaf node, then each parent it completes, lowest first,
   * added to `into` from `fromLevel` up (a store keeping levels 4 and up asks for only
   * those: fifteen appends in sixteen then allocate no node at all).
   */
  append(leaf: Hash, into: TreeNode[] = [], fromLevel = 0): TreeNode[] {
    copyHash(leaf, 0, carry, 0);
    return this.climb(into, fromLevel);
  }

  /**
   * Append the leaf of an event whose content hash is `contentHex` (64 hex digits):
   * the leaf hash H(0x00 ‖ content) is computed in place, like every parent after
   * it, so an append allocates nothing unless it completes a node asked for.
   */
  appendContentHex(contentHex: string, into: TreeNode[] = [], fromLevel = 0): TreeNode[] {
    leafInput[0] = LEAF_PREFIX;
    leafInput.write(contentHex, 1, 'hex');
    digestInto(leafInput, carry);
    return this.climb(into, fromLevel);
  }

  /** From the leaf hash in `carry`: each parent it completes, then the new frontier node. */
  private climb(into: TreeNode[], fromLevel: number): TreeNode[] {
    const index = this.treeSize;
    if (fromLevel === 0) into.push({ level: 0, index, hash: carry.slice() });
    let level = 0;
    for (let i = index; i % 2 === 1; i = (i - 1) / 2) {
      nodeInput[0] = NODE_PREFIX;
      copyHash(this.edge, level * HASH_BYTES, nodeInput, 1);
      copyHash(carry, 0, nodeInput, 1 + HASH_BYTES);
      digestInto(nodeInput, carry);
      level++;
      if (level >= fromLevel) into.push({ level, index: (i - 1) / 2, hash: carry.slice() });
    }
    copyHash(carry, 0, this.edge, level * HASH_BYTES);
    this.treeSize++;
    return into;
  }
}

/** Levels a frontier can hold: a tree of up to 2^53 leaves (safe integers). */
const MAX_LEVELS = 54;
/** The frontier's working buffers (appends are synchronous: none is shared at once). */
const carry = new Uint8Array(HASH_BYTES); // not a Buffer: its slice() must copy
const leafInput = Buffer.alloc(1 + HASH_BYTES);
const nodeInput = new Uint8Array(1 + 2 * HASH_BYTES);

/** 32 bytes copied by hand: cheaper than a typed-array view or a native call for so few. */
function copyHash(from: Uint8Array, fromOffset: number, to: Uint8Array, toOffset: number): void {
  for (let j = 0; j < HASH_BYTES; j++) to[toOffset + j] = from[fromOffset + j]!;
}

/** SHA-256 of `input` written into `out` (32 bytes), from the latin1 digest, without an allocation of its own. */
function digestInto(input: Uint8Array, out: Uint8Array): void {
  const digest = sha256Latin1(input);
  for (let j = 0; j < HASH_BYTES; j++) out[j] = digest.charCodeAt(j);
}

/** MTH of leaves [start, end), where `start` is a multiple of the largest power of two below end-start (true of every range RFC 9162 asks for). */
async function rangeHash(read: NodeReader, start: number, end: number): Promise<Hash> {
  const n = end - start;
  if (n === 0) return EMPTY_TREE_HASH;
  if (isPowerOfTwo(n) && start % n === 0) return read(Math.log2(n), start / n);
  const k = splitPoint(n);
  return nodeHash(await rangeHash(read, start, start + k), await rangeHash(read, start + k, end));
}

/** The root of the tree of the first `size` leaves. */
export async function treeRoot(read: NodeReader, size: number): Promise<Hash> {
  assertSize('tree size', size);
  return rangeHash(read, 0, size);
}

/** RFC 9162 §2.1.3.1 PATH(m, D[n]), over the stored subtrees. */
export async function inclusionProof(read: NodeReader, index: number, size: number): Promise<Hash[]> {
  assertSize('tree size', size);
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) throw new RangeError(`leaf ${index} is not in a tree of size ${size}`);
  const path: Hash[] = [];
  let start = 0;
  let end = size;
  let m = index;
  const below: Hash[] = [];
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (m < k) {
      below.push(await rangeHash(read, start + k, end));
      end = start + k;
    } else {
      below.push(await rangeHash(read, start, start + k));
      start += k;
      m -= k;
    }
  }
  // The recursion appends on the way back up: the deepest sibling comes first.
  for (let i = below.length - 1; i >= 0; i--) path.push(below[i]!);
  return path;
}

/** RFC 9162 §2.1.4.1 PROOF(m, D[n]): the log of size `second` extends the log of size `first`. */
export async function consistencyProof(read: NodeReader, first: number, second: number): Promise<Hash[]> {
  assertSize('tree size', first);
  assertSize('tree size', second);
  if (first > second) throw new RangeError(`a tree of size ${first} cannot be a prefix of one of size ${second}`);
  if (first === 0 || first === second) return [];
  const below: Hash[] = [];
  let start = 0;
  let end = second;
  let m = first;
  let complete = true; // SUBPROOF's b: the subtree so far is the old tree's own
  for (;;) {
    const n = end - start;
    if (m === n) {
      if (!complete) below.push(await rangeHash(read, start, end));
      break;
    }
    const k = splitPoint(n);
    if (m <= k) {
      below.push(await rangeHash(read, start + k, end));
      end = start + k;
    } else {
      below.push(await rangeHash(read, start, start + k));
      start += k;
      m -= k;
      complete = false;
    }
  }
  return below.reverse();
}

const equal = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((byte, i) => byte === b[i]);
const wellFormed = (proof: readonly Hash[]) => proof.every((h) => h instanceof Uint8Array && h.length === HASH_BYTES);

/**
 * RFC 9162 §2.1.3.2: does `proof` show `leaf` (a leaf hash) at `index` in the tree
 * of `size` with `root`? Every step is used; a proof of the wrong length fails.
 */
export function verifyInclusion(leaf: Hash, index: number, size: number, proof: readonly Hash[], root: Hash): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size || !wellFormed(proof) || leaf.length !== HASH_BYTES) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) [fn, sn] = upToAnOddNode(fn, sn);
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(r, root);
}

/** The verifiers' shared step (RFC 9162 §2.1.3.2 and §2.1.4.2): shift both indexes right until `fn` is odd or 0. */
function upToAnOddNode(fn: number, sn: number): [number, number] {
  while (fn % 2 === 0 && fn !== 0) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return [fn, sn];
}

/**
 * RFC 9162 §2.1.4.2: does `proof` show the tree of size `second` with `secondRoot`
 * extends the tree of size `first` with `firstRoot` unchanged? Both roots are
 * recomputed from the proof and both must match, with every step consumed.
 */
export function verifyConsistency(first: number, second: number, proof: readonly Hash[], firstRoot: Hash, secondRoot: Hash): boolean {
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 0 || first > second || !wellFormed(proof)) return false;
  if (first === second) return proof.length === 0 && equal(firstRoot, secondRoot);
  if (first === 0) return proof.length === 0 && equal(firstRoot, EMPTY_TREE_HASH);
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) [fn, sn] = upToAnOddNode(fn, sn);
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(fr, firstRoot) && equal(sr, secondRoot);
}

/** A reader over leaf hashes held in memory (the in-memory store, tests): subtrees are computed and cached. */
export class MemoryTree {
  private readonly levels: Hash[][] = [];

  get size(): number {
    return this.levels[0]?.length ?? 0;
  }

  readonly read: NodeReader = (level, index) => {
    const hash = this.levels[level]?.[index];
    if (!hash) throw new RangeError(`no complete subtree at level ${level}, index ${index}`);
    return hash;
  };

  /** Append a leaf hash; returns the nodes it completed (what a durable store writes). */
  append(leaf: Hash): TreeNode[] {
    const written = completedNodes(this.size, leaf, this.read as SyncNodeReader);
    for (const node of written) (this.levels[node.level] ??= [])[node.index] = node.hash;
    return written;
  }
}
