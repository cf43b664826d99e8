import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { TreeHead } from './log.js';
import { HASH_BYTES } from './tree.js';

/**
 * Signed checkpoints in the C2SP formats (https://c2sp.org/tlog-checkpoint,
 * https://c2sp.org/signed-note), so that any tool that reads them can check ours:
 *
 *   <origin>\n<size>\n<base64 root>\n            the checkpoint (the note's text)
 *   \n
 *   — <key name> <base64(key hash ‖ Ed25519 signature)>\n
 *
 * key hash = the first 4 bytes of SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ public key);
 * a verifier key is written `<name>+<hex key hash>+<base64(0x01 ‖ public key)>`.
 */
export interface Checkpoint extends TreeHead {
  readonly origin: string;
}

export interface SigningKey {
  readonly name: string;
  readonly keyHash: Uint8Array;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export interface VerifierKey {
  readonly name: string;
  readonly keyHash: Uint8Array;
  readonly publicKey: KeyObject;
}

const ED25519 = 0x01;
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const EM_DASH = '\u2014';
const validName = (name: string) => name.length > 0 && !/[\s+]/.test(name);

const rawPublicKey = (key: KeyObject): Buffer => key.export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519_PREFIX.length);
const keyHashOf = (name: string, publicKey: Buffer): Uint8Array =>
  new Uint8Array(createHash('sha256').update(name, 'utf8').update(Uint8Array.of(0x0a, ED25519)).update(publicKey).digest().subarray(0, 4));

/** A signing key from its 32-byte Ed25519 seed (the randomness is the caller's: the domain has no source of its own). */
export function signingKeyFromSeed(name: string, seed: Uint8Array): SigningKey {
  if (!validName(name)) throw new RangeError(`a key name may not be empty nor contain spaces or "+": ${JSON.stringify(name)}`);
  if (seed.length !== 32) throw new RangeError('an Ed25519 seed is 32 bytes');
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey);
  return { name, keyHash: keyHashOf(name, rawPublicKey(publicKey)), privateKey, publicKey };
}

const hex8 = (hash: Uint8Array) => Buffer.from(hash).toString('hex');

/** `PRIVATE+KEY+<name>+<hash>+<base64(0x01 ‖ seed)>`: the signed-note form of a signing key. */
export function encodeSigningKey(key: SigningKey): string {
  const seed = key.privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_ED25519_PREFIX.length);
  return `PRIVATE+KEY+${key.name}+${hex8(key.keyHash)}+${Buffer.concat([Uint8Array.of(ED25519), seed]).toString('base64')}`;
}

export function decodeSigningKey(text: string): SigningKey {
  // The base64 key may itself hold "+": the fields are matched, not split.
  const match = /^PRIVATE\+KEY\+([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+=*)$/.exec(text.trim());
  if (!match) throw new RangeError('not a signing key (PRIVATE+KEY+name+hash+key)');
  const [, name, hash, encoded] = match as unknown as [string, string, string, string];
  const raw = Buffer.from(encoded, 'base64');
  if (raw.length !== 33 || raw[0] !== ED25519) throw new RangeError('not an Ed25519 signing key');
  const key = signingKeyFromSeed(name, raw.subarray(1));
  if (hex8(key.keyHash) !== hash) throw new RangeError('the signing key does not match its key hash');
  return key;
}

/** `<name>+<hash>+<base64(0x01 ‖ public key)>`: what auditors are given. */
export function encodeVerifierKey(key: SigningKey | VerifierKey): string {
  return `${key.name}+${hex8(key.keyHash)}+${Buffer.concat([Uint8Array.of(ED25519), rawPublicKey(key.publicKey)]).toString('base64')}`;
}

export function decodeVerifierKey(text: string): VerifierKey {
  const parts = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+=*)$/.exec(text.trim())?.slice(1) ?? [];
  if (parts.length !== 3) throw new RangeError('not a verifier key (name+hash+key)');
  const raw = Buffer.from(parts[2]!, 'base64');
  if (raw.length !== 33 || raw[0] !== ED25519) throw new RangeError('not an Ed25519 verifier key');
  const publicKey = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw.subarray(1)]), format: 'der', type: 'spki' });
  const keyHash = keyHashOf(parts[0]!, raw.subarray(1));
  if (hex8(keyHash) !== parts[1]) throw new RangeError('the verifier key does not match its key hash');
  return { name: parts[0]!, keyHash, publicKey };
}

/** The checkpoint's text: origin, size and base64 root, each on its own line. */
export function checkpointText(checkpoint: Checkpoint): string {
  if (checkpoint.origin.length === 0 || /\n/.test(checkpoint.origin)) throw new RangeError('a checkpoint origin is one non-empty line');
  return `${checkpoint.origin}\n${checkpoint.size}\n${Buffer.from(checkpoint.root).toString('base64')}\n`;
}

/** The checkpoint as a signed note. */
export function signCheckpoint(checkpoint: Checkpoint, key: SigningKey): string {
  const text = checkpointText(checkpoint);
  const signature = sign(null, Buffer.from(text, 'utf8'), key.privateKey);
  return `${text}\n${EM_DASH} ${key.name} ${Buffer.concat([key.keyHash, signature]).toString('base64')}\n`;
}

export type CheckpointReading = { readonly ok: true; readonly checkpoint: Checkpoint } | { readonly ok: false; readonly reason: string };

/**
 * Read a signed note as a checkpoint and check it: strict format (no byte may
 * differ from what `signCheckpoint` writes for the same content) and a valid
 * signature by `key` on it. Signature lines of other keys are ignored, as the spec asks.
 */
export function openSignedCheckpoint(note: string, key: VerifierKey): CheckpointReading {
  const refuse = (reason: string): CheckpointReading => ({ ok: false, reason });
  const split = note.indexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) return refuse('not a signed note (no blank line before the signatures, or no final newline)');
  const text = note.slice(0, split + 1);
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) return refuse('a checkpoint has an origin, a size and a root hash');
  const [origin, sizeText, rootText] = lines as [string, string, string];
  if (!/^(0|[1-9]\d*)$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) return refuse(`the size line "${sizeText}" is not a decimal number`);
  const root = Buffer.from(rootText, 'base64');
  if (root.length !== HASH_BYTES || root.toString('base64') !== rootText) return refuse('the root line is not the base64 of a 32-byte hash');
  const checkpoint: Checkpoint = { origin, size: Number(sizeText), root: new Uint8Array(root) };
  const signatures = note.slice(split + 2, -1).split('\n');
  for (const line of signatures) {
    const match = /^\u2014 (\S+) ([A-Za-z0-9+/]+={0,2})$/.exec(line);
    if (!match) return refuse(`"${line}" is not a signature line`);
    if (match[1] !== key.name) continue;
    const raw = Buffer.from(match[2]!, 'base64');
    if (raw.toString('base64') !== match[2] || raw.length !== 4 + 64) continue;
    if (!raw.subarray(0, 4).equals(key.keyHash)) continue;
    if (verify(null, Buffer.from(text, 'utf8'), key.publicKey, raw.subarray(4))) {
      // Extension lines are signed too, but taawun writes none: anything else was not written by it.
      return lines.length === 3 ? { ok: true, checkpoint } : refuse('the checkpoint carries extension lines taawun does not write');
    }
    return refuse(`the signature by ${key.name} does not verify: the checkpoint was changed or signed by another key`);
  }
  return refuse(`no signature by the key ${key.name}+${hex8(key.keyHash)}`);
}
