/*
 * The documents one rewrite of a read model's rm_ tables has read, kept for the
 * rest of that rewrite. The views that compute a unit's rows resolve the records
 * their page names (the people of a partner's sessions, the partner, the
 * institute) and the next unit names most of them again: at activation after a
 * rebuild of 100,000 events the partner history's units read 108,340 documents,
 * 11,416 distinct (68.7 MB of JSON sent by the server, ~90% of it again). A
 * rewrite runs inside one transaction that writes no document while it reads, so
 * what it read stays what the transaction sees until it ends; the cache lives no
 * longer than that.
 */

/**
 * JSON text kept by default: 16 million characters (16 MB of one-byte strings, about 4 MB more for the
 * map), so a rewrite inside a server stays within its memory. The 55,462 participants of the bench's
 * 1M-event log (about 300 characters each, read 11 times each by the partner history's units) fit.
 */
export const DOCUMENT_CACHE_CHARS = 16_000_000;

/**
 * Documents longer than this are not kept: the ones read again and again are the small records pages
 * name (a participant, about 300 characters, read 16 times each at 100k events), while a session's
 * document (5,500 characters with its enrolments) is read 1.2 times and would push dozens of them out.
 */
export const DOCUMENT_CACHE_LONGEST = 2_000;

/** Texts of documents by key (`null`: known to be absent), none over `longest`, least recently used evicted first once over `maxChars`. */
export class DocumentTextCache {
  private readonly texts = new Map<string, string | null>();
  private chars = 0;

  constructor(
    private readonly maxChars: number = DOCUMENT_CACHE_CHARS,
    private readonly longest: number = DOCUMENT_CACHE_LONGEST,
  ) {}

  /** The text of `key` (`null` when absent), or `undefined` when not known here. */
  get(key: string): string | null | undefined {
    const text = this.texts.get(key);
    if (text === undefined) return undefined;
    // Most recently used last: eviction takes the oldest first.
    this.texts.delete(key);
    this.texts.set(key, text);
    return text;
  }

  set(key: string, text: string | null): void {
    this.forget(key);
    const size = this.sizeOf(key, text);
    if (size > this.maxChars || (text?.length ?? 0) > this.longest) return;
    this.texts.set(key, text);
    this.chars += size;
    for (const oldest of this.texts.keys()) {
      if (this.chars <= this.maxChars) break;
      this.forget(oldest);
    }
  }

  /** Characters held (keys and texts). */
  get size(): number {
    return this.chars;
  }

  private forget(key: string): void {
    const text = this.texts.get(key);
    if (text === undefined) return;
    this.texts.delete(key);
    this.chars -= this.sizeOf(key, text);
  }

  private sizeOf(key: string, text: string | null): number {
    return key.length + (text?.length ?? 0);
  }
}
