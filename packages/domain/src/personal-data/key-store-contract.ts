import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isEventStoreError } from '../store/port.js';
import { PARTICIPANT_KEY_BYTES, type KeyStore } from './key-store.js';

/**
 * The behaviour of the `KeyStore` port, written once and run against every
 * implementation. `reopen` (durable stores) closes nothing: it opens a second
 * key store on the same storage, to check what another process would see.
 */
export function keyStoreContract(name: string, open: () => Promise<{ keys: KeyStore; reopen?: () => Promise<KeyStore> }>): void {
  describe(`KeyStore contract: ${name}`, () => {
    let keys: KeyStore;
    let reopen: (() => Promise<KeyStore>) | undefined;
    const extra: KeyStore[] = [];

    beforeEach(async () => {
      ({ keys, reopen } = await open());
    });
    afterEach(async () => {
      for (const k of extra.splice(0)) await k.close();
      await keys.close();
    });

    const activeKey = async (store: KeyStore, id: string): Promise<Buffer> => {
      const found = await store.keyFor(id);
      if (found.state !== 'active') throw new Error(`expected an active key for ${id}, found ${found.state}`);
      return Buffer.from(found.key);
    };

    it('makes a 256-bit key on first use, returns the same one afterwards, and a different one per participant', async () => {
      expect(await keys.lookup('judge-1')).toEqual({ state: 'absent' });
      const first = await activeKey(keys, 'judge-1');
      expect(first.length).toBe(PARTICIPANT_KEY_BYTES);
      expect(first.equals(Buffer.alloc(PARTICIPANT_KEY_BYTES))).toBe(false);
      expect((await activeKey(keys, 'judge-1')).equals(first)).toBe(true);
      const looked = await keys.lookup('judge-1');
      expect(looked.state === 'active' && Buffer.from(looked.key).equals(first)).toBe(true);
      expect((await activeKey(keys, 'judge-2')).equals(first)).toBe(false);
      expect(await keys.isDestroyed('judge-1')).toBe(false);
    });

    it('hands out copies: changing a returned key changes nothing stored', async () => {
      const found = await keys.keyFor('judge-1');
      const original = await activeKey(keys, 'judge-1');
      if (found.state === 'active') found.key.fill(7);
      expect((await activeKey(keys, 'judge-1')).equals(original)).toBe(true);
    });

    it('gives one key to concurrent first uses', async () => {
      const found = await Promise.all(Array.from({ length: 8 }, () => activeKey(keys, 'judge-1')));
      for (const key of found) expect(key.equals(found[0]!)).toBe(true);
    });

    it('destroys a key for good: lookups say destroyed, and no new key is ever made', async () => {
      await activeKey(keys, 'judge-1');
      await activeKey(keys, 'judge-2');
      const destroyed = await keys.destroy('judge-1');
      expect(destroyed).toEqual({ destroyedNow: true, residueCleared: true });
      expect(await keys.lookup('judge-1')).toEqual({ state: 'destroyed' });
      expect(await keys.keyFor('judge-1')).toEqual({ state: 'destroyed' });
      expect(await keys.isDestroyed('judge-1')).toBe(true);
      expect(await keys.destroy('judge-1')).toEqual({ destroyedNow: false, residueCleared: true });
      expect((await keys.lookup('judge-2')).state).toBe('active');
    });

    it('keeps a tombstone for a participant who never had a key', async () => {
      expect(await keys.destroy('never-keyed')).toEqual({ destroyedNow: false, residueCleared: true });
      expect(await keys.keyFor('never-keyed')).toEqual({ state: 'destroyed' });
      expect(await keys.isDestroyed('never-keyed')).toBe(true);
    });

    it('refuses to work once closed, with a closed error', async () => {
      const closing = keys;
      ({ keys } = await open());
      await closing.close();
      const error = await closing.lookup('judge-1').then(() => undefined, (e: unknown) => e);
      expect(isEventStoreError(error) && error.code).toBe('closed');
    });

    it('is seen the same way by a second key store on the same storage (durable stores)', async (context) => {
      if (!reopen) return context.skip();
      const key = await activeKey(keys, 'judge-1');
      const other = await reopen();
      extra.push(other);
      expect((await activeKey(other, 'judge-1')).equals(key)).toBe(true);
      await other.destroy('judge-1');
      expect(await keys.lookup('judge-1')).toEqual({ state: 'destroyed' });
      expect(await keys.keyFor('judge-1')).toEqual({ state: 'destroyed' });
    });
  });
}
