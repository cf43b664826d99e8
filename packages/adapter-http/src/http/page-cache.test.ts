import fc from 'fast-check';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { acceptsGzip, EncodedPageCache, encodedPage, noneMatchHits } from './page-cache.js';

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

  it('gzips a page to be kept harder than an answer sent once, both to the same bytes', async () => {
    const answer = { entries: Array.from({ length: 300 }, (_, i) => ({ record: `session-${i % 37}`, people: { trainee: [`p-${(i * 7919) % 1000}`] }, title: { fr: `Session ${i}` } })) };
    const [kept, once] = await Promise.all([encodedPage(answer, 'kept'), encodedPage(answer, 'once')]);
    expect(kept.body.equals(once.body)).toBe(true);
    expect(kept.etag).toBe(once.etag);
    expect(gunzipSync(kept.gzipped!.body).equals(kept.body)).toBe(true);
    expect(gunzipSync(once.gzipped!.body).equals(once.body)).toBe(true);
    expect(kept.gzipped!.body.byteLength).toBeLessThan(once.gzipped!.body.byteLength);
  });

  it('reads If-None-Match and Accept-Encoding as HTTP says', () => {
    expect(noneMatchHits('"x", W/"y"', '"y"')).toBe(true);
    expect(noneMatchHits('*', '"y"')).toBe(true);
    expect(noneMatchHits('"x"', '"y"')).toBe(false);
    expect(noneMatchHits(undefined, '"y"')).toBe(false);
    expect(acceptsGzip('gzip, deflate, br')).toBe(true);
    expect(acceptsGzip('br;q=1.0, gzip;q=0.8, *;q=0.1')).toBe(true);
    expect(acceptsGzip('gzip;q=0')).toBe(false);
    expect(acceptsGzip('identity')).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
  });
});
