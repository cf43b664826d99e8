import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto';
import { z } from 'zod';

/**
 * How one personal field is sealed: AES-256-GCM, with a synthetic nonce.
 *
 * The participant's 256-bit key is split with HKDF-SHA256 into an encryption key
 * and a nonce key (never one key for two algorithms). The 96-bit nonce is
 * HMAC-SHA256(nonce key, associated data || plaintext), truncated: the SIV idea.
 * So sealing is deterministic: the same event id, stream, field and value give
 * the same bytes (an idempotent retry stores exactly what the first attempt
 * would have; replays and tests stay deterministic; the domain needs no random
 * source). A nonce repeats only when associated data and plaintext both repeat,
 * and then the ciphertext repeats too, which reveals nothing new: GCM's failure
 * mode (one nonce, two plaintexts) cannot happen short of an HMAC collision.
 * Because event ids are unique in a store, no two stored ciphertexts share
 * associated data, so equal ciphertexts never reveal equal names either.
 */
export const SEALED_FORMAT_VERSION = 1;
const ALGORITHM = 'AES-256-GCM';
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const SEALED_KEY = '$encrypted';

/** What a sealed value is bound to: moving it to another event, stream or field makes it fail to open. */
export interface SealBinding {
  readonly eventId: string;
  readonly stream: string;
  readonly field: string;
}

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/);
const sealedSchema = z
  .object({
    [SEALED_KEY]: z
      .object({ v: z.literal(SEALED_FORMAT_VERSION), alg: z.literal(ALGORITHM), nonce: base64, ciphertext: base64, tag: base64 })
      .strict(),
  })
  .strict();

/** A personal field as stored: `{ "$encrypted": { v, alg, nonce, ciphertext, tag } }` (base64). */
export type SealedValue = z.infer<typeof sealedSchema>;

/** Whether a stored value claims to be sealed (has the `$encrypted` wrapper), well formed or not. */
export const looksSealed = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, SEALED_KEY);

export class SealedValueError extends Error {
  override readonly name = 'SealedValueError';
}

/** The associated data: versioned, and length-safe (a JSON array, so fields cannot run together). */
export const associatedData = (binding: SealBinding): Buffer =>
  Buffer.from(JSON.stringify(['taawun/personal-data', SEALED_FORMAT_VERSION, binding.eventId, binding.stream, binding.field]), 'utf8');

function subkeys(key: Uint8Array): { encryption: Buffer; nonce: Buffer } {
  if (key.byteLength !== KEY_BYTES) throw new SealedValueError(`a participant key has ${KEY_BYTES} bytes, not ${key.byteLength}`);
  const derive = (purpose: string) => Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `taawun/personal-data/v1/${purpose}`, KEY_BYTES));
  return { encryption: derive('aes-256-gcm'), nonce: derive('synthetic-nonce') };
}

function syntheticNonce(nonceKey: Buffer, aad: Buffer, plaintext: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(aad.length);
  return createHmac('sha256', nonceKey).update(length).update(aad).update(plaintext).digest().subarray(0, NONCE_BYTES);
}

/** Seal a JSON value (its `JSON.stringify` UTF-8 bytes) with the participant's key, bound to its place in the log. */
export function sealValue(key: Uint8Array, binding: SealBinding, value: unknown): SealedValue {
  const { encryption, nonce: nonceKey } = subkeys(key);
  const plaintext = Buffer.from(JSON.stringify(value), 'utf8');
  const aad = associatedData(binding);
  const nonce = syntheticNonce(nonceKey, aad, plaintext);
  const cipher = createCipheriv('aes-256-gcm', encryption, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return {
    [SEALED_KEY]: {
      v: SEALED_FORMAT_VERSION,
      alg: ALGORITHM,
      nonce: nonce.toString('base64'),
      ciphertext: ciphertext.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
    },
  };
}

/**
 * Open a sealed value. Throws `SealedValueError` when it is malformed, was
 * changed, was sealed for another event, stream or field, or with another key:
 * GCM authenticates before anything is returned, so nothing is ever half-decoded.
 */
export function openValue(key: Uint8Array, binding: SealBinding, sealed: unknown): unknown {
  const parsed = sealedSchema.safeParse(sealed);
  if (!parsed.success) throw new SealedValueError('the sealed value is malformed');
  const { nonce, ciphertext, tag } = parsed.data[SEALED_KEY];
  const nonceBytes = Buffer.from(nonce, 'base64');
  const tagBytes = Buffer.from(tag, 'base64');
  if (nonceBytes.length !== NONCE_BYTES || tagBytes.length !== TAG_BYTES) throw new SealedValueError('the sealed value has a nonce or tag of the wrong length');
  const { encryption } = subkeys(key);
  let plaintext: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', encryption, nonceBytes, { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(binding));
    decipher.setAuthTag(tagBytes);
    plaintext = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]);
  } catch (cause) {
    throw new SealedValueError('the sealed value does not authenticate (changed, moved from another event, stream or field, or sealed with another key)', { cause });
  }
  try {
    return JSON.parse(plaintext.toString('utf8')) as unknown;
  } catch (cause) {
    throw new SealedValueError('the sealed value authenticates but does not hold JSON', { cause });
  }
}
