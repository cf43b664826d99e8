import fc from 'fast-check';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { EncodedPageCache, encodedPage, HARD_BROTLI_QUALITY, HARDER_AFTER_SENDS, noneMatchHits, preferredCoding } from './page-cache.js';

const pageOf = (size: number) => encodedPage({ text: 'x'.repeat(size) });

describe('the encoded pages kept', () => {
  it('never hold more than their bound, give back only what was kept at the stamp asked, and let the least recently used go first', async () => {
    const pages = await Promise.all([10, 200, 900, 3_000, 20_000].map(pageOf));
    await fc.assert(
      fc.property(
        fc.array(fc.record({ put: fc.boolean(), question: fc.constantFrom('a', 'b', 'c', 'd', 'e'), stamp: fc.constantFrom('s1', 's2'), page: fc.nat(pages.length - 1) }), { maxLength: 60 }),
        (steps) => {
          const cache = new EncodedPageCache(24_000);
          const kept = new Map<string, { stamp: string; page: number }>();
          for (const step of steps) {
            const page = pages[step.page]!;
            if (step.put) {
              cache.put(step.question, step.stamp, page);
              kept.set(step.question, { stamp: step.stamp, page: step.page });
            } else {
              const found = cache.get(step.question, step.stamp);
              // What comes back is exactly what was last kept for the question at that stamp, or nothing.
              const last = kept.get(step.question);
              if (found) expect(last && last.stamp === step.stamp && pages[last.page]!.body === found.body).toBe(true);
            }
            const { bytes } = cache.size();
            expect(bytes).toBeLessThanOrEqual(24_000);
          }
        },
      ),
    );
  });

  it('drops an answer kept at another stamp, keeps none larger than a quarter of the bound, and the least recently used goes first', async () => {
    const cache = new EncodedPageCache(4_000);
    const small = await pageOf(100);
    cache.put('q', 'g1@10', small);
    expect(cache.get('q', 'g1@11')).toBeUndefined();
    expect(cache.get('q', 'g1@10')).toBeUndefined(); // dropped when the model moved
    cache.put('big', 'g1@11', await pageOf(3_000));
    expect(cache.size().answers).toBe(0);
    const [a, b, c, d, e] = await Promise.all([900, 901, 902, 903, 904].map(pageOf));
    cache.put('a', 's', a!);
    cache.put('b', 's', b!);
    cache.put('c', 's', c!);
    cache.put('d', 's', d!);
    expect(cache.size().answers).toBe(4);
    expect(cache.get('a', 's')?.body).toBe(a!.body); // a is now the most recently used
    cache.put('e', 's', e!);
    expect(cache.get('b', 's')).toBeUndefined();
    expect(cache.get('a', 's')?.body).toBe(a!.body);
    expect(cache.size().bytes).toBeLessThanOrEqual(4_000);
  });

  const answer = { entries: Array.from({ length: 300 }, (_, i) => ({ record: `session-${i % 37}`, people: { trainee: [`p-${(i * 7919) % 1000}`] }, title: { fr: `Session ${i}`, ar: `دورة ${i}` } })) };

  it('compresses a page to be kept in every coding and harder than an answer sent once (in its client coding only), all to the same bytes', async () => {
    const [kept, once] = await Promise.all([encodedPage(answer, 'kept'), encodedPage(answer, 'once', ['gzip'])]);
    expect(kept.body.equals(once.body)).toBe(true);
    expect(kept.etag).toBe(once.etag);
    expect(Object.keys(once.compressed)).toEqual(['gzip']);
    expect(gunzipSync(kept.compressed.gzip!.body).equals(kept.body)).toBe(true);
    expect(brotliDecompressSync(kept.compressed.br!.body).equals(kept.body)).toBe(true);
    expect(gunzipSync(once.compressed.gzip!.body).equals(once.body)).toBe(true);
    expect(kept.compressed.gzip!.body.byteLength).toBeLessThan(once.compressed.gzip!.body.byteLength);
    expect(new Set([kept.etag, kept.compressed.gzip!.etag, kept.compressed.br!.etag]).size).toBe(3);
    expect((await encodedPage({ small: true }, 'kept')).compressed).toEqual({});
  });

  it('compresses a kept page asked for again and again with brotli harder, once, in the background: fewer bytes, the same answer, another ETag', async () => {
    const cache = new EncodedPageCache(1_000_000);
    const page = await encodedPage(answer, 'kept');
    cache.put('q', 's', page);
    const quick = page.compressed.br!;
    for (let send = 1; send < HARDER_AFTER_SENDS; send++) {
      expect(cache.get('q', 's')?.compressed.br).toBe(quick); // not yet
      await cache.settled();
    }
    expect(cache.get('q', 's')?.compressed.br).toBe(quick); // this send starts it
    await cache.settled();
    const harder = cache.get('q', 's')!.compressed.br!;
    expect(harder.body.byteLength).toBeLessThan(quick.body.byteLength);
    expect(brotliDecompressSync(harder.body).equals(page.body)).toBe(true);
    expect(harder.etag).toMatch(new RegExp(`-br${HARD_BROTLI_QUALITY}"$`));
    expect(harder.etag).not.toBe(quick.etag);
    expect(cache.size().bytes).toBe(page.body.byteLength + page.compressed.gzip!.body.byteLength + harder.body.byteLength);
    // A page kept again (the model moved) is not given the old one's bytes when its compression ends.
    cache.put('r', 's', page);
    for (let send = 0; send < HARDER_AFTER_SENDS; send++) cache.get('r', 's');
    const moved = await encodedPage({ ...answer, moved: true }, 'kept');
    cache.put('r', 's2', moved);
    await cache.settled();
    expect(brotliDecompressSync(cache.get('r', 's2')!.compressed.br!.body).toString()).toContain('"moved":true');
    const bytesOf = (p: typeof page) => Object.values(p.compressed).reduce((n, r) => n + r.body.byteLength, p.body.byteLength);
    expect(cache.size().bytes).toBe(page.body.byteLength + page.compressed.gzip!.body.byteLength + harder.body.byteLength + bytesOf(moved));
    expect(cache.get('r', 's')).toBeUndefined();
  });

  it('reads If-None-Match and Accept-Encoding as HTTP says', () => {
    expect(noneMatchHits('"x", W/"y"', '"y"')).toBe(true);
    expect(noneMatchHits('*', '"y"')).toBe(true);
    expect(noneMatchHits('"x"', '"y"')).toBe(false);
    expect(noneMatchHits(undefined, '"y"')).toBe(false);
    expect(preferredCoding('gzip, deflate, br')).toBe('br'); // a tie: brotli
    expect(preferredCoding('gzip, deflate, br', ['gzip'])).toBe('gzip');
    expect(preferredCoding('br;q=1.0, gzip;q=0.8, *;q=0.1')).toBe('br');
    expect(preferredCoding('br;q=0.5, gzip')).toBe('gzip');
    expect(preferredCoding('*')).toBe('br');
    expect(preferredCoding('br;q=0, *')).toBe('gzip');
    expect(preferredCoding('gzip;q=0')).toBeUndefined();
    expect(preferredCoding('identity')).toBeUndefined();
    expect(preferredCoding('gzip', [])).toBeUndefined();
    expect(preferredCoding(undefined)).toBeUndefined();
  });
});
