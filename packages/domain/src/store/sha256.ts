import * as crypto from 'node:crypto';

/**
 * SHA-256 in one call. Node's one-shot `crypto.hash` (20.12+) costs about half of
 * `createHash().update().digest()` on the short inputs the hash chain and the Merkle
 * tree hash several times per event; older Nodes fall back to `createHash`.
 */
type OneShot = (algorithm: string, data: string | Uint8Array, encoding: 'buffer' | 'hex') => Buffer | string;
const oneShot = (crypto as unknown as { hash?: OneShot }).hash;

/** The digest of `data` (a string is hashed as UTF-8), as 32 bytes. */
export function sha256Bytes(data: string | Uint8Array): Uint8Array {
  const digest = oneShot ? (oneShot('sha256', data, 'buffer') as Buffer) : crypto.createHash('sha256').update(data).digest();
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
}

/** The digest of `data` (a string is hashed as UTF-8), as 64 lower-case hex digits. */
export const sha256Hex = (data: string | Uint8Array): string =>
  oneShot ? (oneShot('sha256', data, 'hex') as string) : crypto.createHash('sha256').update(data).digest('hex');
