import { randomBytes } from 'node:crypto';
import { EventStoreError } from '../store/port.js';

/** Bytes in a participant key: 256 bits, for AES-256-GCM. */
export const PARTICIPANT_KEY_BYTES = 32;

/** What the key store holds for one participant. */
export type KeyLookup =
  | { readonly state: 'active'; readonly key: Uint8Array }
  /** Destroyed on erasure: their sealed data can never be read again, and no new key is ever made for them. */
  | { readonly state: 'destroyed' }
  /** No key was ever made (nothing personal was sealed for them with this key store). */
  | { readonly state: 'absent' };

export interface KeyDestruction {
  /** True when an active key was destroyed by this call (false: already destroyed, or there never was one). */
  readonly destroyedNow: boolean;
  /**
   * True when the store confirms no copy of the key's bytes is left in its own
   * storage (SQLite: the deleted row was zeroed and the WAL checkpointed and
   * truncated). False means a copy may linger until the next successful
   * `destroy` of any participant (another process was reading): run it again.
   */
  readonly residueCleared: boolean;
}

/**
 * The key store port: one 256-bit key per participant, made on first use,
 * destroyed on erasure. Destroying is final and leaves a tombstone, so the
 * store can tell "erased" from "never had a key", and never makes a new key for
 * an erased participant. Failures throw `EventStoreError`.
 */
export interface KeyStore {
  /** The participant's key, made (256 random bits) if they have none; `destroyed` once erased. */
  keyFor(participantId: string): Promise<Exclude<KeyLookup, { state: 'absent' }>>;
  /** The participant's key, without making one. */
  lookup(participantId: string): Promise<KeyLookup>;
  /** Destroy the participant's key (idempotent); also for a participant who never had one (tombstone). */
  destroy(participantId: string): Promise<KeyDestruction>;
  isDestroyed(participantId: string): Promise<boolean>;
  close(): Promise<void>;
}

export interface InMemoryKeyStoreOptions {
  /** Where new keys come from (default `crypto.randomBytes`). Must return 32 fresh random bytes. */
  readonly randomKey?: () => Uint8Array;
}

/** Keys in this process's memory: for tests and embedding. Nothing survives `close` or the process. */
export class InMemoryKeyStore implements KeyStore {
  private readonly keys = new Map<string, Buffer | 'destroyed'>();
  private readonly randomKey: () => Uint8Array;
  private closed = false;

  constructor(options: InMemoryKeyStoreOptions = {}) {
    this.randomKey = options.randomKey ?? (() => randomBytes(PARTICIPANT_KEY_BYTES));
  }

  async keyFor(participantId: string): Promise<Exclude<KeyLookup, { state: 'absent' }>> {
    this.assertOpen();
    if (!this.keys.has(participantId)) {
      const key = Buffer.from(this.randomKey());
      if (key.length !== PARTICIPANT_KEY_BYTES) throw new EventStoreError('failure', `the key source gave ${key.length} bytes, not ${PARTICIPANT_KEY_BYTES}`);
      this.keys.set(participantId, key);
    }
    return this.lookup(participantId) as Promise<Exclude<KeyLookup, { state: 'absent' }>>;
  }

  async lookup(participantId: string): Promise<KeyLookup> {
    this.assertOpen();
    const held = this.keys.get(participantId);
    if (held === undefined) return { state: 'absent' };
    if (held === 'destroyed') return { state: 'destroyed' };
    return { state: 'active', key: Buffer.from(held) };
  }

  async destroy(participantId: string): Promise<KeyDestruction> {
    this.assertOpen();
    const held = this.keys.get(participantId);
    // Overwrite the bytes we own before letting go (copies handed out are the callers').
    if (held instanceof Buffer) held.fill(0);
    this.keys.set(participantId, 'destroyed');
    return { destroyedNow: held instanceof Buffer, residueCleared: true };
  }

  async isDestroyed(participantId: string): Promise<boolean> {
    this.assertOpen();
    return this.keys.get(participantId) === 'destroyed';
  }

  async close(): Promise<void> {
    for (const held of this.keys.values()) if (held instanceof Buffer) held.fill(0);
    this.keys.clear();
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreError('closed', 'the key store is closed');
  }
}
