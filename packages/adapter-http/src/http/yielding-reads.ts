import type { AppendOptions, AppendResult, EventStore, EventToAppend, FollowOptions, ReadAllOptions, ReadStreamOptions, StoredEvent } from '@taawun/domain';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The store as queries read it: `readAll` gives the event loop a turn every
 * `every` events. An embedded store (SQLite, in-memory) reads synchronously,
 * so a replay of the whole log would otherwise hold the process until it ends:
 * no other request, heartbeat or follower would run meanwhile. With the turns,
 * other requests are served while a replay runs (and the cap on concurrent
 * replays can refuse the ones beyond it). Everything else passes through.
 */
export class YieldingReads implements EventStore {
  constructor(
    private readonly store: EventStore,
    private readonly every = 200,
  ) {}

  get checksAppendPreconditions(): boolean {
    return this.store.checksAppendPreconditions === true;
  }

  append(stream: string, events: readonly EventToAppend[], options: AppendOptions): Promise<AppendResult> {
    return this.store.append(stream, events, options);
  }

  readStream(stream: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    return this.store.readStream(stream, options);
  }

  async *readAll(options?: ReadAllOptions): AsyncGenerator<StoredEvent> {
    let read = 0;
    for await (const event of this.store.readAll(options)) {
      yield event;
      if (++read % this.every === 0) await nextTurn();
    }
  }

  follow(options?: FollowOptions): AsyncIterable<StoredEvent> {
    return this.store.follow(options);
  }

  lastPosition(): Promise<bigint | undefined> {
    return this.store.lastPosition();
  }

  /** The store belongs to whoever gave it to the server. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
