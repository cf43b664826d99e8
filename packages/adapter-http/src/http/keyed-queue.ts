/**
 * Runs tasks one after another per key, and tasks of different keys freely.
 *
 * Commands on one stream are decided against the stream's last revision; when
 * two race, the store's optimistic concurrency makes the loser reload and
 * decide again. Within one server process that is wasted work: a burst of N
 * commands on one stream costs up to N² reads, and on a store whose calls
 * truly interleave (PostgreSQL, EventStoreDB) a long burst can exhaust the
 * handler's bounded retries. So the adapter queues commands per stream and
 * leaves optimistic concurrency to arbitrate writers in other processes.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
