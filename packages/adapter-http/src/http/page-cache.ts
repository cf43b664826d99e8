import { createHash } from 'node:crypto';

/**
 * Encoded answers of stored read models, kept so that a page asked again is
 * sent, not computed again. Each is kept under the question (the role that
 * asked, the read model, its parameters and page) with the stamp of the stored
 * model it was read from (`storedStampOf`: generation and checkpoint): a
 * request first reads the model's stamp (one read of the generations), and a
 * kept answer with another stamp is dropped, so any commit to the model (a
 * follower's, a rebuild's, an erasure's purge) makes it unusable. Bounded in
 * bytes, least recently used first out. Only answers without personal data are
 * kept (the route decides), and the role is part of the question, so no answer
 * given to one key's role is sent to another's.
 */
export interface EncodedPage {
  readonly body: Buffer<ArrayBuffer>;
  /** A strong ETag of the body: the same bytes, the same tag. */
  readonly etag: string;
}

interface Kept extends EncodedPage {
  readonly stamp: string;
}

export const etagOfBody = (body: Uint8Array): string => `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;

export const encodedPage = (answer: unknown): EncodedPage => {
  const body = Buffer.from(JSON.stringify(answer));
  return { body, etag: etagOfBody(body) };
};

export class EncodedPageCache {
  private readonly kept = new Map<string, Kept>();
  private bytes = 0;

  /** `maxBytes` 0: nothing is kept. An answer larger than a quarter of it is not kept. */
  constructor(readonly maxBytes: number) {}

  get enabled(): boolean {
    return this.maxBytes > 0;
  }

  /** The answer kept for this question at this stamp; one kept at another stamp is dropped. */
  get(question: string, stamp: string): EncodedPage | undefined {
    const found = this.kept.get(question);
    if (!found) return undefined;
    this.drop(question, found);
    if (found.stamp !== stamp) return undefined;
    this.kept.set(question, found); // most recently used last
    this.bytes += found.body.byteLength;
    return found;
  }

  /** Keep an encoded answer read from the model at `stamp`. */
  put(question: string, stamp: string, page: EncodedPage): void {
    const size = page.body.byteLength;
    if (size > this.maxBytes / 4) return;
    const before = this.kept.get(question);
    if (before) this.drop(question, before);
    for (const [oldest, kept] of this.kept) {
      if (this.bytes + size <= this.maxBytes) break;
      this.drop(oldest, kept);
    }
    this.kept.set(question, { ...page, stamp });
    this.bytes += size;
  }

  /** What is kept: answers and bytes (never more than `maxBytes`). */
  size(): { answers: number; bytes: number } {
    return { answers: this.kept.size, bytes: this.bytes };
  }

  private drop(question: string, kept: Kept): void {
    this.kept.delete(question);
    this.bytes -= kept.body.byteLength;
  }
}

/**
 * Whether `If-None-Match` names this ETag (RFC 9110 §13.1.2: the weak
 * comparison, so `W/"x"` matches `"x"`; `*` matches any answer).
 */
export function noneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const opaque = etag.replace(/^W\//, '');
  return header.split(',').some((part) => {
    const tag = part.trim();
    return tag === '*' || tag.replace(/^W\//, '') === opaque;
  });
}
