import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * Bearer API keys. The server keeps only each key's SHA-256 digest: keys are
 * 256 random bits, so a slow password hash would add nothing but latency on
 * every request. A presented key is hashed and compared with every configured
 * digest in constant time, without stopping at the first match, so timing
 * says nothing about which digests exist.
 */
export const roles = ['admin', 'clerk', 'auditor'] as const;
export type Role = (typeof roles)[number];

export const apiKeyEntrySchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lower-case letters, digits, ".", "_" and "-", at most 64')
      .describe('Who holds the key; recorded as the actor of every event written with it'),
    role: z.enum(roles),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'the SHA-256 of the key, 64 lower-case hex digits'),
  })
  .strict();

export type ApiKeyEntry = z.infer<typeof apiKeyEntrySchema>;

/** Who made a request: the key's name and role. */
export interface Principal {
  readonly name: string;
  readonly role: Role;
}

const KEY_PREFIX = 'taawun_';

export const hashApiKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

/** A new random key (`taawun_` + 43 base64url characters). Show it once; store only its hash. */
export const generateApiKey = (): string => KEY_PREFIX + randomBytes(32).toString('base64url');

/** A new key and the entry to configure for it. */
export function createApiKey(name: string, role: Role): { key: string; entry: ApiKeyEntry } {
  const key = generateApiKey();
  const entry = apiKeyEntrySchema.parse({ name, role, sha256: hashApiKey(key) });
  return { key, entry };
}

export class ApiKeyRing {
  private readonly entries: readonly { readonly principal: Principal; readonly digest: Buffer }[];

  constructor(entries: readonly ApiKeyEntry[]) {
    const names = new Set<string>();
    for (const entry of entries) {
      apiKeyEntrySchema.parse(entry);
      if (names.has(entry.name)) throw new Error(`API key name "${entry.name}" is configured twice: names identify actors, so they must be unique`);
      names.add(entry.name);
    }
    this.entries = entries.map((e) => ({ principal: { name: e.name, role: e.role }, digest: Buffer.from(e.sha256, 'hex') }));
  }

  get size(): number {
    return this.entries.length;
  }

  /** The key's holder, or undefined for an unknown key. */
  authenticate(presented: string): Principal | undefined {
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    let found: Principal | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, digest) && found === undefined) found = entry.principal;
    }
    return found;
  }
}
