import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeSigningKey,
  decodeVerifierKey,
  encodeSigningKey,
  encodeVerifierKey,
  openSignedCheckpoint,
  signCheckpoint,
  signingKeyFromSeed,
} from './checkpoint.js';

const seed = (label: string) => new Uint8Array(createHash('sha256').update(label).digest());
const key = signingKeyFromSeed('taawun.example/ism', seed('institute'));
const other = signingKeyFromSeed('taawun.example/ism', seed('intruder'));
const checkpoint = { origin: 'taawun.example/ism/log', size: 1234, root: seed('root') };

describe('signed checkpoints (C2SP tlog-checkpoint, signed-note)', () => {
  it('writes origin, size and base64 root, a blank line, and an em-dash signature line with the key name and hash', () => {
    const note = signCheckpoint(checkpoint, key);
    const lines = note.split('\n');
    expect(lines.slice(0, 4)).toEqual(['taawun.example/ism/log', '1234', Buffer.from(checkpoint.root).toString('base64'), '']);
    expect(lines[4]).toMatch(/^\u2014 taawun\.example\/ism [A-Za-z0-9+/]{91}=$/);
    expect(Buffer.from(lines[4]!.split(' ')[2]!, 'base64').subarray(0, 4)).toEqual(Buffer.from(key.keyHash));
    expect(openSignedCheckpoint(note, decodeVerifierKey(encodeVerifierKey(key)))).toEqual({ ok: true, checkpoint });
  });

  it('keys round-trip through their signed-note text forms; a verifier key names its hash', () => {
    expect(encodeSigningKey(decodeSigningKey(encodeSigningKey(key)))).toBe(encodeSigningKey(key));
    expect(encodeVerifierKey(key)).toMatch(/^taawun\.example\/ism\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
    expect(() => decodeVerifierKey(encodeVerifierKey(key).replace(/\+[0-9a-f]{8}\+/, '+00000000+'))).toThrow(/key hash/);
  });

  it('refuses a checkpoint signed by another key of the same name', () => {
    expect(openSignedCheckpoint(signCheckpoint(checkpoint, other), key)).toMatchObject({ ok: false });
  });

  it('refuses the note after any single byte is changed', () => {
    const note = Buffer.from(signCheckpoint(checkpoint, key), 'utf8');
    fc.assert(
      fc.property(fc.nat({ max: note.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, delta) => {
        const changed = Buffer.from(note);
        changed[at] = (changed[at]! + delta) % 256;
        expect(openSignedCheckpoint(changed.toString('utf8'), key).ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
