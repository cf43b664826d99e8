import * as crypto from 'node:crypto';

/**
 * SHA-256 in one call. Node's one-shot `crypto.hash` (20.12+) costs about half of
 * `createHash().update().digest()` on the short inputs the hash chain and the Merkle
 * tree hash several times per event; older Nodes fall back to `createHash`.
 */
type OneShot = (algorithm: string, data: string | Uint8Array, encoding: 'latin1' | 'hex') => string;
const oneShot = (crypto as unknown as { hash?: OneShot }).hash;

/**
 * The digest of `data` (a string is hashed as UTF-8), as 32 bytes. The digest is
 * taken as a latin1 string (one byte per character) and copied into a buffer:
 * measured on Node 20, that is about twice as fast as asking `crypto.hash` for a
 * buffer (0.4 against 0.7–1.0 µs on a 33-byte input), and an append hashes three
 * short inputs per event. The buffer is returned as it is (a `Buffer` is a
 * `Uint8Array`): wrapping it in a plain view cost another typed-array allocation per hash.
 */
export const sha256Bytes = (data: string | Uint8Array): Uint8Array => Buffer.from(sha256Latin1(data), 'latin1');

/** The digest of `data` (a string is hashed as UTF-8) as a latin1 string: 32 characters, one per byte. */
export const sha256Latin1 = (data: string | Uint8Array): string =>
  oneShot ? oneShot('sha256', data, 'latin1') : crypto.createHash('sha256').update(data).digest().toString('latin1');

/** The digest of `data` (a string is hashed as UTF-8), as 64 lower-case hex digits. */
export const sha256Hex = (data: string | Uint8Array): string => (oneShot ? oneShot('sha256', data, 'hex') : crypto.createHash('sha256').update(data).digest('hex'));
