import { describe, expect, it } from 'vitest';
import { keyStoreContract } from './key-store-contract.js';
import { InMemoryKeyStore } from './key-store.js';

keyStoreContract('in memory', async () => ({ keys: new InMemoryKeyStore() }));

describe('InMemoryKeyStore', () => {
  it('refuses a key source that does not give 32 bytes', async () => {
    const keys = new InMemoryKeyStore({ randomKey: () => new Uint8Array(16) });
    await expect(keys.keyFor('judge-1')).rejects.toThrow(/16 bytes, not 32/);
  });
});
