import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openValue, sealValue, SealedValueError, type SealBinding } from './cipher.js';

const key = randomBytes(32);
const binding: SealBinding = { eventId: '0193a5c2-7c1d-7c3e-9d2f-4d5e6f708192', stream: 'participant-p-1', field: 'personal' };
const personal = { fullName: { ar: 'أمينة العلوي', fr: 'Amina El Alaoui' }, email: 'amina@example.org' };

const flipBit = (base64: string, bit: number): string => {
  const bytes = Buffer.from(base64, 'base64');
  bytes[Math.floor(bit / 8) % bytes.length]! ^= 1 << bit % 8;
  return bytes.toString('base64');
};

describe('sealing one personal field (AES-256-GCM, synthetic nonce)', () => {
  it('opens what it sealed, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.uuid(), fc.string({ minLength: 1 }), (value, eventId, stream) => {
        const where = { eventId, stream, field: 'personal' };
        // JSON has no -0: compare as JSON, like every store does.
        expect(JSON.stringify(openValue(key, where, sealValue(key, where, value)))).toBe(JSON.stringify(value));
      }),
    );
  });

  it('is deterministic: the same key, place and value give the same bytes; any change gives other bytes', () => {
    const sealed = sealValue(key, binding, personal);
    expect(sealValue(key, binding, personal)).toEqual(sealed);
    const others = [
      sealValue(key, { ...binding, eventId: '0193a5c2-7c1d-7c3e-9d2f-4d5e6f708193' }, personal),
      sealValue(key, { ...binding, stream: 'participant-p-2' }, personal),
      sealValue(key, { ...binding, field: 'other' }, personal),
      sealValue(key, binding, { ...personal, email: 'amina@example.com' }),
      sealValue(randomBytes(32), binding, personal),
    ];
    for (const other of others) {
      expect(other.$encrypted.nonce).not.toBe(sealed.$encrypted.nonce);
      expect(other.$encrypted.ciphertext).not.toBe(sealed.$encrypted.ciphertext);
    }
  });

  it('holds no trace of the plaintext in any encoding', () => {
    const text = JSON.stringify(sealValue(key, binding, personal));
    for (const name of ['أمينة العلوي', 'Amina El Alaoui', 'amina@example.org']) {
      for (const encoded of [name, Buffer.from(name, 'utf8').toString('base64'), Buffer.from(name, 'utf16le').toString('base64'), JSON.stringify(name).slice(1, -1)]) {
        expect(text).not.toContain(encoded);
      }
    }
    expect(text).not.toContain(Buffer.from(JSON.stringify(personal), 'utf8').toString('base64').slice(0, 16));
  });

  it('rejects a sealed value with any bit of its nonce, ciphertext or tag flipped', () => {
    const sealed = sealValue(key, binding, personal);
    fc.assert(
      fc.property(fc.constantFrom('nonce', 'ciphertext', 'tag' as const), fc.nat({ max: 8 * 200 }), (part, bit) => {
        const tampered = { $encrypted: { ...sealed.$encrypted, [part]: flipBit(sealed.$encrypted[part], bit) } };
        expect(() => openValue(key, binding, tampered)).toThrow(SealedValueError);
      }),
    );
  });

  it('rejects a sealed value moved to another event, stream or field, or opened with another key', () => {
    const sealed = sealValue(key, binding, personal);
    expect(() => openValue(key, { ...binding, eventId: '0193a5c2-7c1d-7c3e-9d2f-4d5e6f708193' }, sealed)).toThrow(/does not authenticate/);
    expect(() => openValue(key, { ...binding, stream: 'participant-p-2' }, sealed)).toThrow(/does not authenticate/);
    expect(() => openValue(key, { ...binding, field: 'other' }, sealed)).toThrow(/does not authenticate/);
    expect(() => openValue(randomBytes(32), binding, sealed)).toThrow(/does not authenticate/);
  });

  it('rejects malformed sealed values, and says nothing personal when it does', () => {
    const sealed = sealValue(key, binding, personal);
    const malformed = [
      { $encrypted: { ...sealed.$encrypted, v: 2 } },
      { $encrypted: { ...sealed.$encrypted, nonce: 'AAAA' } },
      { $encrypted: { ...sealed.$encrypted, tag: undefined } },
      { $encrypted: { ...sealed.$encrypted, ciphertext: 'not base64!' } },
      { $encrypted: sealed.$encrypted, extra: 1 },
      'Amina El Alaoui',
    ];
    for (const value of malformed) {
      const error = (() => {
        try {
          openValue(key, binding, value);
        } catch (e) {
          return e as Error;
        }
      })();
      expect(error).toBeInstanceOf(SealedValueError);
      expect(error!.message).not.toMatch(/Amina|أمينة/);
    }
  });

  it('refuses a key of the wrong length', () => {
    expect(() => sealValue(randomBytes(16), binding, personal)).toThrow(/32 bytes, not 16/);
  });
});
