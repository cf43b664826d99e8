export * from './tree.js';
export * from './log.js';
export * from './checkpoint.js';
export { eventLeaf } from '../hash-chain.js';
export * from './documents.js';
export * from './client-side.js';
