import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { constants as zlibConstants, gzip as gzipCallback, type ZlibOptions } from 'node:zlib';

const gzip = promisify<Buffer, ZlibOptions, Buffer>(gzipCallback);

/**
 * Encoded answers of stored read models, kept so that a page asked again is
 * sent, not computed again. Each is kept under the question (the role that
 * asked, the read model, its query string as sent) with the stamp of the stored
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
  /** The body gzipped (answers of 1 KB or more), for clients that accept it, with its own ETag (another representation). */
  readonly gzipped: { readonly body: Buffer<ArrayBuffer>; readonly etag: string } | undefined;
}

/** Answers smaller than this are sent as they are: compressing them saves less than the headers weigh. */
const GZIP_FROM_BYTES = 1024;

interface Kept extends EncodedPage {
  readonly stamp: string;
}

export const etagOfBody = (body: Uint8Array): string => `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;

/**
 * How hard an answer is compressed: `kept` (it will be sent many times, so it
 * is compressed hardest: zlib's level 9, 2-5% fewer bytes than the default on
 * the read models' pages for 1-2 ms more, paid once, off the event loop), or
 * `once` (zlib's default: an answer computed for one request).
 */
export type Compression = 'kept' | 'once';
const gzipLevel: Record<Compression, number> = { kept: 9, once: zlibConstants.Z_DEFAULT_COMPRESSION };

/** An answer as JSON bytes, and gzipped when it is large enough (on the thread pool: the event loop goes on serving). */
export async function encodedPage(answer: unknown, compression: Compression = 'once'): Promise<EncodedPage> {
  const body = Buffer.from(JSON.stringify(answer));
  const etag = etagOfBody(body);
  if (body.byteLength < GZIP_FROM_BYTES) return { body, etag, gzipped: undefined };
  const zipped = (await gzip(body, { level: gzipLevel[compression] })) as Buffer<ArrayBuffer>;
  return { body, etag, gzipped: { body: zipped, etag: `${etag.slice(0, -1)}-gz"` } };
}

const bytesOf = (page: EncodedPage): number => page.body.byteLength + (page.gzipped?.body.byteLength ?? 0);

/** Whether `Accept-Encoding` accepts gzip (named, or `*`, with a quality above 0). */
export function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false;
  return header.split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== 'x-gzip' && coding !== '*') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

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
    this.bytes += bytesOf(found);
    return found;
  }

  /** Keep an encoded answer read from the model at `stamp`. */
  put(question: string, stamp: string, page: EncodedPage): void {
    const size = bytesOf(page);
    const before = this.kept.get(question);
    if (before) this.drop(question, before);
    if (size > this.maxBytes / 4) return;
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
    this.bytes -= bytesOf(kept);
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
