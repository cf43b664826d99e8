/**
 * Requests per client per fixed window (one minute by default). A client is an
 * API key's name, or the remote address for requests without a valid key, so
 * that guessing keys is rate-limited too. The window's state answers the
 * IETF RateLimit headers and, once exhausted, Retry-After.
 */
export interface RateDecision {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until the window resets (at least 1). */
  readonly resetSeconds: number;
}

interface Window {
  startedAt: number;
  count: number;
}

export class FixedWindowRateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number = 60_000,
    private readonly now: () => number = Date.now,
    /** Past this many tracked clients, expired windows are swept. */
    private readonly sweepAbove = 10_000,
  ) {}

  take(client: string): RateDecision {
    const now = this.now();
    let window = this.windows.get(client);
    if (!window || now - window.startedAt >= this.windowMs) {
      if (!window && this.windows.size >= this.sweepAbove) this.sweep(now);
      window = { startedAt: now, count: 0 };
      this.windows.set(client, window);
    }
    const resetSeconds = Math.max(1, Math.ceil((window.startedAt + this.windowMs - now) / 1000));
    if (window.count >= this.limit) return { allowed: false, limit: this.limit, remaining: 0, resetSeconds };
    window.count++;
    return { allowed: true, limit: this.limit, remaining: this.limit - window.count, resetSeconds };
  }

  private sweep(now: number): void {
    for (const [client, window] of this.windows) {
      if (now - window.startedAt >= this.windowMs) this.windows.delete(client);
    }
  }
}
