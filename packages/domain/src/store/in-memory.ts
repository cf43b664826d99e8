import { assertValidBatch, decideAppend, missingOf, toJson } from './append-rules.js';
import type { EventToAppend, StoredEvent } from './envelope.js';
import { ChangeNotifier, followLog } from './follow.js';
import { eventLeaf } from './merkle/index.js';
import { chainedRowOf, merkleLogOver, type MerkleLog } from './merkle/log.js';
import { MemoryTree, leafHash, type Hash } from './merkle/tree.js';
import {
  EventStoreError,
  matchesFilter,
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type FollowOptions,
  type ReadAllOptions,
  type ReadStreamOptions,
} from './port.js';

/**
 * The in-memory store: for tests and for embedding where durability is not
 * wanted. It copies data through JSON on the way in, so it behaves like the
 * durable stores (what JSON cannot carry is refused, not silently kept).
 */
export class InMemoryEventStore implements EventStore, MerkleLog {
  private readonly log: StoredEvent[] = [];
  /** The Merkle tree over the log, kept as events are appended, and each event's leaf (its canonical content hash). */
  private readonly tree = new MemoryTree();
  private readonly leaves: Hash[] = [];
  private readonly merkle = merkleLogOver(this.tree.read, async () => this.log.length, async (position) => this.leaves[Number(position) - 1]!);
  readonly treeHead: MerkleLog['treeHead'] = (size) => this.merkle.treeHead(size);
  readonly inclusionProof: MerkleLog['inclusionProof'] = (position, size) => this.merkle.inclusionProof(position, size);
  readonly consistencyProof: MerkleLog['consistencyProof'] = (first, second) => this.merkle.consistencyProof(first, second);
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly allIds = new Set<string>();
  private readonly changes = new ChangeNotifier();
  private closed = false;
  readonly checksAppendPreconditions = true;

  async append(stream: string, events: readonly EventToAppend[], options: AppendOptions): Promise<AppendResult> {
    this.assertOpen();
    const { expectedRevision, expectedLastEventId, existingStreams } = options;
    assertValidBatch(stream, events, expectedRevision, expectedLastEventId);
    const copies = events.map((e) => ({
      ...e,
      data: JSON.parse(toJson(e.data, `${e.type} data`)) as unknown,
      metadata: JSON.parse(toJson(e.metadata, `${e.type} metadata`)) as EventToAppend['metadata'],
    }));
    const existingStream = this.streams.get(stream) ?? [];
    const ids = new Set(events.map((e) => e.id));
    const decision = decideAppend({
      stream,
      current: existingStream.length === 0 ? 'no-stream' : existingStream.length - 1,
      expected: expectedRevision,
      batchIds: events.map((e) => e.id),
      existing: existingStream.filter((e) => ids.has(e.id)),
      ...(expectedLastEventId === undefined ? {} : { lastEventId: { expected: expectedLastEventId, stored: existingStream[expectedRevision as number]?.id } }),
      ...missingOf(existingStreams, (name) => this.streams.has(name)),
    });
    if (decision.kind === 'conflict') return { ok: false, error: decision.error };
    if (decision.kind === 'already-written') {
      const stored = existingStream.slice(decision.fromRevision, decision.fromRevision + decision.count);
      return { ok: true, nextExpectedRevision: existingStream.length - 1, events: stored };
    }
    for (const e of events) {
      if (this.allIds.has(e.id)) throw new EventStoreError('duplicate-event-id', `event id ${e.id} is already stored in another stream`);
    }
    const stored = copies.map((e, i): StoredEvent => ({
      ...e,
      stream,
      revision: decision.firstRevision + i,
      position: BigInt(this.log.length + 1 + i),
    }));
    for (const e of stored) {
      const leaf = eventLeaf(chainedRowOf(e));
      this.leaves.push(leaf);
      this.tree.append(leafHash(leaf));
      this.log.push(e);
      this.allIds.add(e.id);
    }
    this.streams.set(stream, [...existingStream, ...stored]);
    if (stored.length > 0) this.changes.notify();
    const total = existingStream.length + stored.length;
    return { ok: true, nextExpectedRevision: total === 0 ? 'no-stream' : total - 1, events: stored };
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    const events = this.streams.get(stream) ?? [];
    const max = options.maxCount ?? Number.POSITIVE_INFINITY;
    if (options.direction === 'backwards') {
      const from = Math.min(options.fromRevision ?? events.length - 1, events.length - 1);
      return events.slice(0, from + 1).reverse().slice(0, max);
    }
    return events.slice(options.fromRevision ?? 0).slice(0, max);
  }

  async *readAll(options: ReadAllOptions = {}): AsyncGenerator<StoredEvent> {
    this.assertOpen();
    // Positions are 1-based and gap-free, so the index of the first event after `after` is `after`.
    let index = options.after === undefined ? 0 : Number(options.after);
    let yielded = 0;
    const max = options.maxCount ?? Number.POSITIVE_INFINITY;
    while (index < this.log.length && yielded < max) {
      const event = this.log[index++]!;
      if (!matchesFilter(event, options.filter)) continue;
      yielded++;
      yield event;
    }
  }

  follow(options: FollowOptions = {}): AsyncIterable<StoredEvent> {
    return followLog((o) => this.readAll(o), (signal) => this.changes.wait(signal, 1000), options, () => this.lastPosition());
  }

  async lastPosition(): Promise<bigint | undefined> {
    return this.log.length === 0 ? undefined : BigInt(this.log.length);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.changes.notify();
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreError('closed', 'the event store is closed');
  }
}
