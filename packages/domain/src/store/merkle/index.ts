import { createHash } from 'node:crypto';
import { canonicalEventText, type ChainedRow } from '../hash-chain.js';

export * from './tree.js';

/** The Merkle leaf of an event: its canonical content hash (SHA-256 of the hash chain's canonical text), 32 bytes. */
export const eventLeaf = (row: ChainedRow): Uint8Array => new Uint8Array(createHash('sha256').update(canonicalEventText(row), 'utf8').digest());
export * from './log.js';
export * from './checkpoint.js';
