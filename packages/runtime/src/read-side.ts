import { encryptPersonalData, type EventStore } from '@taawun/domain';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { AnyProjection, ReadModelStorage } from '@taawun/projections';
import { openBackend, type ReplicationStatus } from './backend.js';
import type { Runtime } from './runtime.js';
import { describeLocation, parseStoreUrl } from './store-url.js';
import { sealedWith } from './opened-storage.js';

/**
 * Where a server answers reads from when it is not the log it writes to: a
 * streaming-replication standby of the primary (PostgreSQL), with the read
 * models the primary's builders wrote, as replayed there. Commands still go to
 * the runtime's store; nothing is written here.
 */
export interface ReadSide {
  /** As messages name it, never with a password. */
  readonly description: string;
  /** The log as the standby holds it, personal data opened with the runtime's keys. */
  readonly store: EventStore;
  /** The read models beside it, when its adapter keeps them. */
  readonly storage: ReadModelStorage | undefined;
  /** Its place in replication (the lag a metric exports), when its adapter knows it. */
  replication(): Promise<ReplicationStatus | undefined>;
  close(): Promise<void>;
}

const OPEN_ATTEMPTS_MS = 10_000;

/**
 * Open `url` (e.g. `postgres://standby…`) as the read side of `runtime`. A
 * standby that has not yet replayed the tables the primary just laid out
 * refuses to lay them out itself (it is read-only): opening is tried again for
 * up to 10 s, the time for it to replay them.
 */
export async function openReadSide(url: string, runtime: Runtime, options: { readonly cwd?: string } = {}): Promise<ReadSide> {
  const location = parseStoreUrl(url, options.cwd);
  const deadline = Date.now() + OPEN_ATTEMPTS_MS;
  for (;;) {
    const backend = await openBackend(location);
    try {
      const beside = await backend.openReadModelsBesideLog?.();
      return {
        description: describeLocation(location),
        store: runtime.keys ? encryptPersonalData(backend.log, runtime.keys) : backend.log,
        storage: beside ? sealedWith(beside.storage, runtime.keys) : undefined,
        replication: async () => backend.replication?.(),
        close: async () => {
          try {
            await beside?.close();
          } finally {
            await backend.close();
          }
        },
      };
    } catch (error) {
      await backend.close().catch(() => undefined);
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/**
 * Reads from the standby that may, for one request, go to the primary instead:
 * `store` and `storage` turn to the primary's inside `onPrimary(answer)` (the
 * request's async context), to the standby's everywhere else. For a read whose
 * position the standby did not reach in time, when so configured.
 */
export function switchableReads(standby: { store: EventStore; storage: ReadModelStorage | undefined }, primary: { store: EventStore; storage: ReadModelStorage | undefined }) {
  const onPrimaryNow = new AsyncLocalStorage<true>();
  const turning = <T extends object>(there: T, here: T): T =>
    new Proxy(there, {
      get(target, property) {
        const chosen = onPrimaryNow.getStore() ? here : target;
        const value: unknown = Reflect.get(chosen, property, chosen);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(chosen) : value;
      },
    });
  return {
    store: turning(standby.store, primary.store),
    storage: standby.storage && primary.storage ? turning(standby.storage, primary.storage) : standby.storage,
    onPrimary: (answer: () => Promise<void>) => onPrimaryNow.run(true, answer),
  };
}

export interface ReadFreshnessOptions {
  /** The log reads come from (a standby's, or the primary's). */
  readonly store: EventStore;
  /** The stored read models reads come from, when there are some. */
  readonly storage: ReadModelStorage | undefined;
  /** The projections whose stored models answer reads. */
  readonly projections: readonly AnyProjection[];
  /** How long a read waits for the position before it is told "not yet" (ms). Default 2000. */
  readonly timeoutMs?: number;
  /** How often it looks again while waiting (ms). Default 25. */
  readonly pollMs?: number;
  /** Answer a read whose position did not arrive in time from elsewhere (the primary, once it holds it: true) instead of a 503 (false). */
  readonly answerElsewhere?: (position: bigint, answer: () => Promise<void>, signal?: AbortSignal) => Promise<boolean>;
}

/**
 * Read-your-writes over a read side: does it hold log position P? The log must
 * reach P (a standby replays it later than the primary commits it), and so must
 * every stored read model. A model's checkpoint moves only on the events it
 * handles, so comparing it with P is not enough: a model is current for P when
 * no event of its types lies after its checkpoint up to P.
 */
export class ReadFreshness {
  readonly retryAfterSeconds: number;
  readonly answerElsewhere: ReadFreshnessOptions['answerElsewhere'];
  private readonly timeoutMs: number;
  private readonly pollMs: number;
  /** The log's head last seen, and per model generation the greatest position it was found current for (both only grow). */
  private logHead = 0n;
  private readonly currentFor = new Map<string, bigint>();
  /** The greatest position the whole read side was found to hold: reads asking for no more need no query. */
  private heldThrough = 0n;

  constructor(private readonly options: ReadFreshnessOptions) {
    this.timeoutMs = options.timeoutMs ?? 2_000;
    this.pollMs = options.pollMs ?? 25;
    this.retryAfterSeconds = Math.max(1, Math.ceil(this.timeoutMs / 1000));
    this.answerElsewhere = options.answerElsewhere;
  }

  /** True once the read side holds `position`; false when it did not within the timeout (or the request went away). */
  async waitFor(position: bigint, signal?: AbortSignal): Promise<boolean> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      if (await this.holds(position)) return true;
      const left = deadline - Date.now();
      if (left <= 0 || signal?.aborted) return false;
      await new Promise((resolve) => setTimeout(resolve, Math.min(left, this.pollMs)));
    }
  }

  /** Whether the log and every stored read model hold `position` now. */
  async holds(position: bigint): Promise<boolean> {
    if (position <= this.heldThrough) return true;
    if (this.logHead < position) {
      const head = (await this.options.store.lastPosition()) ?? 0n;
      if (head > this.logHead) this.logHead = head;
      if (head < position) return false;
    }
    for (const projection of this.options.projections) {
      if (!(await this.modelHolds(projection, position))) return false;
    }
    if (position > this.heldThrough) this.heldThrough = position;
    return true;
  }

  private async modelHolds(projection: AnyProjection, position: bigint): Promise<boolean> {
    const { storage, store } = this.options;
    if (!storage) return true;
    const active = (await storage.generations(projection.name)).find((g) => g.status === 'active' && g.version === projection.version);
    // Not stored at this version: its answers replay the log, which holds the position.
    if (!active) return true;
    const key = `${projection.name}#${active.generation}`;
    if ((this.currentFor.get(key) ?? -1n) >= position) return true;
    if (active.position === undefined || active.position < position) {
      for await (const next of store.readAll({ ...(active.position === undefined ? {} : { after: active.position }), filter: { types: projection.storeTypes }, maxCount: 1 })) {
        if (next.position <= position) return false;
      }
    }
    this.currentFor.set(key, position);
    return true;
  }
}
