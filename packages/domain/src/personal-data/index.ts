export * from './cipher.js';
export * from './key-store.js';
export * from './encrypting-store.js';
export * from './erase.js';
