import Negotiator from 'negotiator';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress as brotliCallback, constants as zlibConstants, gzip as gzipCallback, type BrotliOptions, type ZlibOptions } from 'node:zlib';

const gzip = promisify<Buffer, ZlibOptions, Buffer>(gzipCallback);
const brotli = promisify<Buffer, BrotliOptions, Buffer>(brotliCallback);

/** An answer's bytes in one representation. */
export interface Representation {
  readonly body: Buffer<ArrayBuffer>;
  /** A strong ETag of these bytes: the same bytes, the same tag. */
  readonly etag: string;
}

/** The content codings answers are sent in, besides as they are; on a tie in the client's preference, brotli (fewer bytes). */
export const CONTENT_CODINGS = ['br', 'gzip'] as const;
export type ContentCoding = (typeof CONTENT_CODINGS)[number];

export interface EncodedPage extends Representation {
  /** The body compressed (answers of 1 KB or more), by content coding, for clients that accept it: each another representation, with its own ETag. */
  readonly compressed: Readonly<Partial<Record<ContentCoding, Representation>>>;
}

/** Answers smaller than this are sent as they are: compressing them saves less than the headers weigh. */
export const COMPRESS_FROM_BYTES = 1024;

export const etagOfBody = (body: Uint8Array): string => `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;

/**
 * How hard an answer is compressed: `kept` (it will be sent many times: gzip at
 * zlib's level 9, 2-5% fewer bytes than the default for 1-2 ms more; brotli at
 * a quality as quick as gzip's, raised once the page is asked for again and
 * again, see `EncodedPageCache`), or `once` (an answer computed for one
 * request: the defaults' speed). Paid off the event loop, on the thread pool.
 */
export type Compression = 'kept' | 'once';
const gzipLevel: Record<Compression, number> = { kept: 9, once: zlibConstants.Z_DEFAULT_COMPRESSION };
const brotliQuality: Record<Compression, number> = { kept: 5, once: 4 };
/**
 * The quality a page sent again is compressed with: on a partner's history
 * page at 1M events (170 KB), 10 gives 22% fewer bytes than gzip's level 9 in
 * 80 ms of a core, and 11 (the hardest) 25% in 285 ms (bench/README.md).
 */
export const HARD_BROTLI_QUALITY = 10;

const withSuffix = (etag: string, suffix: string) => `${etag.slice(0, -1)}-${suffix}"`;

async function compressed(body: Buffer, coding: ContentCoding, etag: string, effort: { gzip: number; brotli: number }): Promise<Representation> {
  if (coding === 'gzip') return { body: (await gzip(body, { level: effort.gzip })) as Buffer<ArrayBuffer>, etag: withSuffix(etag, 'gz') };
  const params = { [zlibConstants.BROTLI_PARAM_QUALITY]: effort.brotli, [zlibConstants.BROTLI_PARAM_MODE]: zlibConstants.BROTLI_MODE_TEXT, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: body.byteLength };
  return { body: (await brotli(body, { params })) as Buffer<ArrayBuffer>, etag: withSuffix(etag, `br${effort.brotli}`) };
}

/**
 * An answer as JSON bytes, and compressed in these codings when it is large
 * enough: a page to be kept in every coding (it is sent to every kind of
 * client), an answer sent once only in the one its client takes.
 */
export async function encodedPage(answer: unknown, compression: Compression = 'once', codings: readonly ContentCoding[] = CONTENT_CODINGS): Promise<EncodedPage> {
  const body = Buffer.from(JSON.stringify(answer));
  const etag = etagOfBody(body);
  if (body.byteLength < COMPRESS_FROM_BYTES || codings.length === 0) return { body, etag, compressed: {} };
  const effort = { gzip: gzipLevel[compression], brotli: brotliQuality[compression] };
  const encoded = await Promise.all(codings.map(async (coding) => [coding, await compressed(body, coding, etag, effort)] as const));
  return { body, etag, compressed: Object.fromEntries(encoded) };
}

const bytesOf = (page: EncodedPage): number => Object.values(page.compressed).reduce((n, r) => n + r.body.byteLength, page.body.byteLength);

/** negotiator 1 breaks ties by the server's preference (`preferred`), which @types/negotiator 0.6 does not declare yet. */
interface PreferringNegotiator {
  encoding(available: readonly string[], options: { readonly preferred: readonly string[] }): string | undefined;
}

/**
 * The coding to send an answer in, of those it has (RFC 9110 §12.5.3, read by
 * `negotiator`): the client's most preferred, brotli on a tie; `undefined`: as
 * it is (no `Accept-Encoding`, `identity`, or only codings it lacks).
 */
export function preferredCoding(header: string | undefined, available: readonly ContentCoding[] = CONTENT_CODINGS): ContentCoding | undefined {
  if (header === undefined || available.length === 0) return undefined;
  const order = [...CONTENT_CODINGS.filter((coding) => available.includes(coding)), 'identity'];
  const negotiator = new Negotiator({ headers: { 'accept-encoding': header } }) as unknown as PreferringNegotiator;
  const chosen = negotiator.encoding(order, { preferred: order });
  return chosen === 'br' || chosen === 'gzip' ? chosen : undefined;
}

/** A page kept: how often it was sent, and whether its brotli form was compressed harder yet. */
interface Kept {
  page: EncodedPage;
  readonly stamp: string;
  sends: number;
  harder: boolean;
}

/**
 * A page sent this often from the cache is compressed harder (in the
 * background, one page at a time): a model that moves at every write gives
 * new pages as often, and only those asked for again are worth the CPU.
 */
export const HARDER_AFTER_SENDS = 4;

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
export class EncodedPageCache {
  private readonly kept = new Map<string, Kept>();
  private bytes = 0;
  /** The page being compressed harder, if one is. */
  private hardening: Promise<void> | undefined;

  /** `maxBytes` 0: nothing is kept. An answer larger than a quarter of it is not kept. */
  constructor(readonly maxBytes: number) {}

  get enabled(): boolean {
    return this.maxBytes > 0;
  }

  /** The answer kept for this question at this stamp; one kept at another stamp is dropped. A page sent again and again is compressed harder, once. */
  get(question: string, stamp: string): EncodedPage | undefined {
    const found = this.kept.get(question);
    if (!found) return undefined;
    this.drop(question, found);
    if (found.stamp !== stamp) return undefined;
    this.kept.set(question, found); // most recently used last
    this.bytes += bytesOf(found.page);
    found.sends += 1;
    if (found.sends >= HARDER_AFTER_SENDS && !found.harder && found.page.compressed.br && !this.hardening) this.harden(question, found);
    return found.page;
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
    this.kept.set(question, { page, stamp, sends: 0, harder: false });
    this.bytes += size;
  }

  /** What is kept: answers and bytes (never more than `maxBytes`). */
  size(): { answers: number; bytes: number } {
    return { answers: this.kept.size, bytes: this.bytes };
  }

  /** Resolves when no page is being compressed harder (tests, a server closing). */
  async settled(): Promise<void> {
    while (this.hardening) await this.hardening;
  }

  /**
   * Compress a page asked again and again with brotli at `HARD_BROTLI_QUALITY`,
   * on the thread pool, one page at a time (80 ms of a core for a 170 KB
   * page): the smaller form replaces the quick one if the page is still kept
   * as it was.
   */
  private harden(question: string, kept: Kept): void {
    kept.harder = true;
    const { body, etag } = kept.page;
    this.hardening = compressed(body, 'br', etag, { gzip: 0, brotli: HARD_BROTLI_QUALITY })
      .then((br) => {
        const current = kept.page.compressed.br;
        if (this.kept.get(question) !== kept || !current || br.body.byteLength >= current.body.byteLength) return;
        this.bytes -= bytesOf(kept.page);
        kept.page = { ...kept.page, compressed: { ...kept.page.compressed, br } };
        this.bytes += bytesOf(kept.page);
      })
      // A page that could not be compressed harder is sent as it was.
      .catch(() => undefined)
      .finally(() => {
        this.hardening = undefined;
      });
  }

  private drop(question: string, kept: Kept): void {
    this.kept.delete(question);
    this.bytes -= bytesOf(kept.page);
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
