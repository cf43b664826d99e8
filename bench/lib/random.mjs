/**
 * A seeded pseudo-random source, so that a log is the same on every machine for
 * the same seed. mulberry32: 32-bit state, fast, and good enough to pick names
 * and sizes (not for anything secret).
 */
export class Random {
  /** @param {number} seed */
  constructor(seed) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next() {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. @param {number} min @param {number} max */
  int(min, max) {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability p. @param {number} p */
  chance(p) {
    return this.next() < p;
  }

  /** @template T @param {readonly T[]} items @returns {T} */
  pick(items) {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Up to n distinct items. @template T @param {readonly T[]} items @param {number} n @returns {T[]} */
  sample(items, n) {
    const count = Math.min(n, items.length);
    const chosen = new Set();
    while (chosen.size < count) chosen.add(items[Math.floor(this.next() * items.length)]);
    return [...chosen];
  }

  /** @template {string} K @param {Record<K, number>} weights @returns {K} */
  weighted(weights) {
    const entries = /** @type {[K, number][]} */ (Object.entries(weights));
    let roll = this.next() * entries.reduce((sum, [, w]) => sum + w, 0);
    for (const [key, weight] of entries) {
      roll -= weight;
      if (roll < 0) return key;
    }
    return entries.at(-1)[0];
  }

  /**
   * A uuid v7 (RFC 9562) for the given instant, its random bits from this source:
   * what `newEventId` produces in production, but reproducible.
   * @param {number} ms
   */
  uuidV7(ms) {
    const hex = (n, width) => n.toString(16).padStart(width, '0');
    const rand = (bits) => Math.floor(this.next() * 2 ** bits);
    const time = hex(ms, 12);
    return `${time.slice(0, 8)}-${time.slice(8)}-7${hex(rand(12), 3)}-${hex(0x8000 | rand(14), 4)}-${hex(rand(24), 6)}${hex(rand(24), 6)}`;
  }
}
