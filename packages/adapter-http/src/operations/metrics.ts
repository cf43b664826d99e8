import type { EventStore } from '@taawun/domain';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { LiveFeeds } from '../http/live-feeds.js';
import type { EncodedPageCache } from '../http/page-cache.js';
import type { ReplayLimiter } from '../http/replays.js';
import { readModelHealth, type ReadModelFollowerStatus } from './status.js';

export interface MetricsSources {
  readonly store: EventStore;
  readonly liveFeeds: LiveFeeds;
  readonly replays: ReplayLimiter;
  readonly readModelStatus: () => readonly ReadModelFollowerStatus[];
  /** Seconds the standby the server reads from is behind its primary (undefined: it reads from the primary itself). */
  readonly replicationLag?: () => Promise<number | undefined>;
  /** The encoded stored pages kept for the next request of the same page. */
  readonly pages?: EncodedPageCache;
}

/**
 * The server's metrics in Prometheus' text format (prom-client), in a registry
 * of its own (two servers in one process do not mix their counts). Request
 * counts and latencies are labelled by route pattern, never by path, so ids
 * neither leak into them nor multiply the series.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly latency: Histogram<'method' | 'route' | 'status'>;
  private readonly storedPages: Counter<'read_model' | 'outcome'>;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'taawun_' });
    this.requests = new Counter({ name: 'taawun_http_requests_total', help: 'HTTP requests answered, by route pattern and status', labelNames: ['method', 'route', 'status'], registers });
    this.latency = new Histogram({
      name: 'taawun_http_request_duration_seconds',
      help: 'Time to answer an HTTP request (to the start of the body for live feeds)',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
      registers,
    });
    this.storedPages = new Counter({
      name: 'taawun_stored_pages_total',
      help: 'Answers of stored read models that may be kept (no lens, no personal data): `kept` sent as kept, `computed` read from the model',
      labelNames: ['read_model', 'outcome'],
      registers,
    });
    const pages = sources.pages;
    if (pages) {
      new Gauge({
        name: 'taawun_stored_pages_kept_bytes',
        help: 'Bytes of encoded stored pages kept (bounded by the limit pageCacheBytes)',
        registers,
        collect() {
          this.set(pages.size().bytes);
        },
      });
    }
    // Read when scraped, from the sources themselves: nothing to keep in step.
    let health: Promise<{ head: bigint | undefined; statuses: readonly ReadModelFollowerStatus[] }> | undefined;
    const current = () =>
      (health ??= (async () => {
        try {
          return { head: await sources.store.lastPosition(), statuses: sources.readModelStatus() };
        } finally {
          setImmediate(() => (health = undefined));
        }
      })());
    const replicationLag = sources.replicationLag;
    if (replicationLag) {
      new Gauge({
        name: 'taawun_read_replication_lag_seconds',
        help: 'Seconds the standby this server reads from is behind the primary (its last replayed commit)',
        registers,
        async collect() {
          const lag = await replicationLag().catch(() => undefined);
          // Unknown (the standby does not answer): no sample rather than a reassuring 0.
          if (lag === undefined) this.reset();
          else this.set(lag);
        },
      });
    }
    new Gauge({
      name: 'taawun_log_head_position',
      help: 'Position of the last event in the log',
      registers,
      async collect() {
        this.set(Number((await current()).head ?? 0n));
      },
    });
    new Gauge({
      name: 'taawun_read_model_position',
      help: 'Last log position committed to each stored read model',
      labelNames: ['read_model'],
      registers,
      async collect() {
        for (const s of (await current()).statuses) this.set({ read_model: s.name }, Number(s.position ?? 0n));
      },
    });
    new Gauge({
      name: 'taawun_read_model_lag_events',
      help: 'Events the log head is ahead of each stored read model',
      labelNames: ['read_model'],
      registers,
      async collect() {
        const { head, statuses } = await current();
        for (const h of readModelHealth(statuses, head)) this.set({ read_model: h.name }, h.lag);
      },
    });
    new Gauge({
      name: 'taawun_read_model_rebuilding',
      help: '1 while a stored read model is being rebuilt from the start of the log',
      labelNames: ['read_model'],
      registers,
      async collect() {
        for (const s of (await current()).statuses) this.set({ read_model: s.name }, s.rebuilding ? 1 : 0);
      },
    });
    new Gauge({
      name: 'taawun_read_model_waiting_turn',
      help: "1 while a stored read model waits for another model's catch-up to end before its own",
      labelNames: ['read_model'],
      registers,
      async collect() {
        for (const s of (await current()).statuses) this.set({ read_model: s.name }, s.waitingTurn ? 1 : 0);
      },
    });
    new Gauge({
      name: 'taawun_read_model_follower_restarts',
      help: 'Times each read-model follower started again after a failure (since the server started)',
      labelNames: ['read_model'],
      registers,
      async collect() {
        for (const s of (await current()).statuses) this.set({ read_model: s.name }, s.restarts);
      },
    });
    new Gauge({
      name: 'taawun_live_feeds_open',
      help: 'Live audit feeds (Server-Sent Events) open',
      registers,
      collect() {
        this.set(sources.liveFeeds.size);
      },
    });
    new Gauge({
      name: 'taawun_replays_in_flight',
      help: 'Replays of the whole log running (time lenses, read models not stored)',
      registers,
      collect() {
        this.set(sources.replays.inFlight);
      },
    });
  }

  /** Count one answered request. */
  observe(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.requests.inc(labels);
    this.latency.observe(labels, seconds);
  }

  /** A request for a stored page that may be kept: sent as kept, or read from the model. */
  countStoredPage(readModel: string, outcome: 'kept' | 'computed'): void {
    this.storedPages.inc({ read_model: readModel, outcome });
  }
}
