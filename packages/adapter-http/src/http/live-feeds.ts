/**
 * The live feeds open at once: at most `max` over all keys and `maxPerKey` per
 * key, so that one key (an auditor's script opening feeds in a loop) cannot take
 * every slot and shut out the others.
 */
export class LiveFeeds {
  private readonly feeds = new Set<AbortController>();
  private readonly byKey = new Map<string, number>();

  constructor(
    readonly max: number,
    readonly maxPerKey: number,
  ) {}

  get size(): number {
    return this.feeds.size;
  }

  /** A slot for `key`'s feed (its controller aborts it; `release` gives the slot back), or which cap is reached. */
  tryOpen(key: string): { controller: AbortController; release: () => void } | 'server-full' | 'key-full' {
    if (this.feeds.size >= this.max) return 'server-full';
    const held = this.byKey.get(key) ?? 0;
    if (held >= this.maxPerKey) return 'key-full';
    const controller = new AbortController();
    this.feeds.add(controller);
    this.byKey.set(key, held + 1);
    let released = false;
    return {
      controller,
      release: () => {
        if (released) return;
        released = true;
        this.feeds.delete(controller);
        const left = (this.byKey.get(key) ?? 1) - 1;
        if (left === 0) this.byKey.delete(key);
        else this.byKey.set(key, left);
      },
    };
  }

  /** End every feed: each sends its final event (`reason`) and closes. */
  closeAll(reason: unknown): void {
    for (const feed of this.feeds) feed.abort(reason);
  }
}
