import {
  ChangeNotifier,
  EventStoreError,
  GENESIS_HASH,
  HASH_BYTES,
  KEPT_FROM_LEVEL,
  LEAVES_PER_KEPT_NODE,
  TreeFrontier,
  assertValidBatch,
  chainFormatAt,
  chainHash,
  linkAndGrow,
  decideAppend,
  missingOf,
  eventLeaf,
  foldLeaves,
  keptNodesOfPosition,
  leafHash,
  leavesOfNode,
  merkleLogOver,
  followLog,
  toJson,
  verifyChain,
  type AppendResult,
  type ChainCheckpoint,
  type ChainFormats,
  type EventStore,
  type EventToAppend,
  type AppendOptions,
  type FollowOptions,
  type Hash,
  type MerkleLog,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  type TreeNode,
  type VerifyReport,
  type VerifyOptions,
  type WitnessedCheckpoint,
} from '@taawun/domain';
import type { Database } from 'better-sqlite3';
import { MEMORY, describeFile, openConnection, type ConnectionOptions } from './connection.js';
import { BUSY_RETRIES, busyRetryPauseMs, isImmediateBusy, toEventStoreError } from './errors.js';
import { EVENT_COLUMNS, PAGE_SQL, pageParameters, toChainedRow, toStoredEvent, type EventRow } from './rows.js';
import { EVENT_STORE_COMPONENT, assertSchemaNotTooNew, eventStoreMigrations, migrateIfBehind, readChainFormats } from './schema.js';
import { acquireNotifier } from './notifiers.js';

export interface SqliteEventStoreOptions extends ConnectionOptions {
  /** How often `follow` looks for events written by other processes. Default 250 ms. */
  readonly pollIntervalMs?: number;
  /** Events per page for `readAll` and `verify` when the caller gives none. Default 500. */
  readonly pageSize?: number;
  /**
   * Keep the Merkle tree at each append (default true). `false` exists only to
   * measure what the tree costs (the bench): appends then write no tree nodes,
   * tree heads and proofs are refused (`invalid-configuration`), and the next
   * store opened with the tree on builds the nodes it is missing from the events.
   */
  readonly merkleLog?: boolean;
}

interface AppendRow {
  readonly event: EventToAppend;
  readonly dataJson: string;
  readonly metadataJson: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Open (creating it and its folder if needed) the SQLite event store at `path`.
 * Throws `EventStoreError`: `corrupt` (not a database, damaged), `schema-too-new`,
 * `unavailable` (cannot open, locked); in every case the file is left as it was.
 */
export async function openSqliteEventStore(path: string, options: SqliteEventStoreOptions = {}): Promise<SqliteEventStore> {
  const file = describeFile(path);
  const db = openConnection(path, options, (db) => assertSchemaNotTooNew(db, file, EVENT_STORE_COMPONENT, eventStoreMigrations));
  try {
    migrateIfBehind(db, file, EVENT_STORE_COMPONENT, eventStoreMigrations);
    return new SqliteEventStore(db, file, options);
  } catch (error) {
    db.close();
    throw toEventStoreError(error, file, 'preparing the event store tables');
  }
}

/**
 * The embedded event store: one SQLite file in WAL mode. Positions are the
 * `events` table's INTEGER PRIMARY KEY, assigned as (last position + 1) inside
 * the `BEGIN IMMEDIATE` write transaction: SQLite lets one writer hold that lock
 * at a time, so positions follow commit order, and a rolled-back batch takes its
 * positions with it, so there are no gaps.
 */
export class SqliteEventStore implements EventStore, MerkleLog {
  private readonly statements;
  private readonly merkle: MerkleLog;
  private readonly appendTransaction;
  private readonly changes: ChangeNotifier;
  private readonly releaseNotifier: () => void;
  private readonly pollIntervalMs: number;
  private readonly busyTimeoutMs: number;
  private readonly pageSize: number;
  private readonly keepsTree: boolean;
  /** Where the chain's format 2 starts in this file (set once, by the migration to version 5). */
  private readonly formats: ChainFormats;
  /** The tree's right edge after the last append this store committed, with the log head it belongs to. */
  private frontier: { readonly tree: TreeFrontier; readonly headHash: string } | undefined;
  private closed = false;
  readonly checksAppendPreconditions = true;

  /** Use `openSqliteEventStore`. */
  constructor(
    /**
     * The better-sqlite3 connection, for storage that must commit in the same
     * transaction as its own writes (projection checkpoints and read models kept
     * in this file). Never write to the `events` table through it.
     */
    readonly database: Database,
    /** The absolute path of the file (or `:memory:`), as named in error messages. */
    readonly file: string,
    options: SqliteEventStoreOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.busyTimeoutMs = Number(database.pragma('busy_timeout', { simple: true }));
    this.pageSize = options.pageSize ?? 500;
    this.keepsTree = options.merkleLog ?? true;
    this.formats = readChainFormats(database);
    const notifier = file === MEMORY ? { notifier: new ChangeNotifier(), release: () => undefined } : acquireNotifier(file);
    this.changes = notifier.notifier;
    this.releaseNotifier = notifier.release;
    const reading = <P extends unknown[] | object, R>(sql: string) => database.prepare<P, R>(sql).safeIntegers(true);
    this.statements = {
      streamHead: reading<[string], { revision: bigint | null }>('SELECT max(revision) AS revision FROM events WHERE stream = ?'),
      eventById: reading<[string], { stream: string; revision: bigint }>('SELECT stream, revision FROM events WHERE id = ?'),
      idAt: reading<[string, number], { id: string }>('SELECT id FROM events WHERE stream = ? AND revision = ?'),
      streamExists: reading<[string], { found: bigint }>('SELECT 1 AS found FROM events WHERE stream = ? AND revision = 0'),
      logHead: reading<[], { position: bigint; hash: string }>('SELECT position, hash FROM events ORDER BY position DESC LIMIT 1'),
      insert: database.prepare(`INSERT INTO events (${EVENT_COLUMNS}, tree) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      forwards: reading<[string, number, number], EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?`,
      ),
      backwards: reading<[string, number, number], EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE stream = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`,
      ),
      page: reading<[ReturnType<typeof pageParameters>], EventRow>(PAGE_SQL),
      treeOf: database.prepare<[number], { tree: Buffer | null }>('SELECT tree FROM events WHERE position = ?'),
      eventsBetween: reading<[number, number], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE position BETWEEN ? AND ? ORDER BY position`),
      hasTree: database.prepare<[number], { kept: number }>('SELECT tree IS NOT NULL AS kept FROM events WHERE position = ?'),
      setTree: database.prepare<[Buffer, bigint]>('UPDATE events SET tree = ? WHERE position = ?'),
      eventAt: reading<[bigint], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE position = ?`),
      eventsFrom: reading<[bigint], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position`),
    };
    const merkle = merkleLogOver(
      (level, index) => this.withBusyRetries('reading the Merkle tree', () => this.readNode(level, index)),
      async () => Number((await this.lastPosition()) ?? 0n),
      (position) =>
        this.withBusyRetries('reading an event', () => {
          const row = this.statements.eventAt.get(position);
          if (!row) throw new EventStoreError('corrupt', `${this.file}: the event at position ${position} is missing`);
          return eventLeaf(toChainedRow(row));
        }),
    );
    this.merkle = this.keepsTree ? merkle : refusingMerkleLog(this.file);
    this.appendTransaction = database.transaction(
      (stream: string, rows: readonly AppendRow[], options: AppendOptions) => this.appendInTransaction(stream, rows, options),
    );
  }

  async append(stream: string, events: readonly EventToAppend[], options: AppendOptions): Promise<AppendResult> {
    this.assertOpen();
    // Also keeps line breaks and NUL out of the hash chain's lines (stream, type, id, recordedAt).
    assertValidBatch(stream, events, options.expectedRevision, options.expectedLastEventId);
    const rows = events.map((e) => ({ event: e, dataJson: toJson(e.data, `${e.type} data`), metadataJson: toJson(e.metadata, `${e.type} metadata`) }));
    const result = await this.withBusyRetries(`appending ${events.length} event(s) to stream ${stream}`, () =>
      this.appendTransaction.immediate(stream, rows, options),
      'the whole batch was rolled back and nothing was written',
    );
    // Kept only once committed: a rolled-back batch leaves the cached edge where it was.
    if (result.ok && result.frontier) this.frontier = result.frontier;
    if (result.ok && result.written) this.changes.notify();
    return result.ok ? { ok: true, nextExpectedRevision: result.nextExpectedRevision, events: result.events } : result;
  }

  private appendInTransaction(
    stream: string,
    rows: readonly AppendRow[],
    { expectedRevision: expected, expectedLastEventId, existingStreams }: AppendOptions,
  ): AppendResult & { written?: boolean; frontier?: { tree: TreeFrontier; headHash: string } } {
    const { streamHead, eventById, idAt, streamExists, logHead, insert, forwards } = this.statements;
    const head = streamHead.get(stream)?.revision ?? null;
    const current = head === null ? 'no-stream' : Number(head);
    const found = rows.map((r) => ({ id: r.event.id, at: eventById.get(r.event.id) }));
    const existing = found
      .filter((f) => f.at?.stream === stream)
      .map((f) => ({ id: f.id, revision: Number(f.at!.revision) }))
      .sort((a, b) => a.revision - b.revision);
    const lastEventId = expectedLastEventId === undefined ? undefined : { expected: expectedLastEventId, stored: idAt.get(stream, expected as number)?.id };
    const missing = missingOf(existingStreams, (name) => streamExists.get(name) !== undefined);
    const decision = decideAppend({ stream, current, expected, batchIds: rows.map((r) => r.event.id), existing, ...(lastEventId ? { lastEventId } : {}), ...missing });

    if (decision.kind === 'conflict') return { ok: false, error: decision.error };
    if (decision.kind === 'already-written') {
      const stored = forwards.all(stream, decision.fromRevision, decision.count).map((row) => toStoredEvent(row, this.file));
      return { ok: true, nextExpectedRevision: current, events: stored };
    }
    const elsewhere = found.find((f) => f.at !== undefined && f.at.stream !== stream);
    if (elsewhere) {
      throw new EventStoreError('duplicate-event-id', `event id ${elsewhere.id} is already stored in stream ${elsewhere.at!.stream}; nothing was written`);
    }
    const last = logHead.get();
    let previousHash = last?.hash ?? GENESIS_HASH;
    let position = last?.position ?? 0n;
    // The Merkle tree grows in the same transaction, from its right edge kept in memory: no node is
    // read (unless another process appended since), and each event's row keeps the nodes its append completed.
    const tree = this.keepsTree && rows.length > 0 ? this.frontierAt(Number(position), previousHash) : undefined;
    const stored = rows.map(({ event, dataJson, metadataJson }, i): StoredEvent => {
      position += 1n;
      const revision = decision.firstRevision + i;
      const chained = { position, stream, revision, id: event.id, type: event.type, schemaVersion: event.schemaVersion, recordedAt: event.recordedAt, dataJson, metadataJson };
      let nodes: Buffer | null = null;
      if (tree) {
        const link = linkAndGrow(previousHash, chained, chainFormatAt(this.formats, position), tree, KEPT_FROM_LEVEL);
        previousHash = link.hash;
        nodes = keptBlob(link.nodes);
      } else {
        previousHash = chainHash(previousHash, chained, chainFormatAt(this.formats, position));
      }
      insert.run(position, stream, revision, event.id, event.type, event.schemaVersion, event.recordedAt, dataJson, metadataJson, previousHash, nodes);
      return { ...event, data: JSON.parse(dataJson) as unknown, metadata: JSON.parse(metadataJson) as EventToAppend['metadata'], stream, revision, position };
    });
    const nextExpectedRevision = stored.length > 0 ? stored.at(-1)!.revision : current;
    return { ok: true, nextExpectedRevision, events: stored, written: stored.length > 0, ...(tree ? { frontier: { tree, headHash: previousHash } } : {}) };
  }

  /**
   * A copy of the tree's right edge at the log's `size` (inside the write transaction).
   * The cached one serves when the log is still where this store left it (same size and
   * head hash; events are never deleted, so another process's appends always change
   * both); otherwise it is read from the file, and a tree behind the log (events appended
   * by a store opened with `merkleLog: false`) is completed from the events first.
   */
  private frontierAt(size: number, headHash: string): TreeFrontier {
    const cached = this.frontier;
    if (cached && cached.tree.size === size && cached.headHash === headHash) return cached.tree.clone();
    const treeSize = this.keptTreeSize(size);
    const tree = TreeFrontier.readSync(Math.min(treeSize, size), (level, index) => this.readNode(level, index));
    if (tree.size < size) {
      // Collected first: a statement reading the table cannot run while another one writes it.
      const missing = [...this.statements.eventsFrom.iterate(BigInt(tree.size))].map((row) => ({ position: row.position, nodes: keptBlob(tree.append(leafHash(eventLeaf(toChainedRow(row))), [], KEPT_FROM_LEVEL)) }));
      for (const { position, nodes } of missing) if (nodes) this.statements.setTree.run(nodes, position);
    }
    return tree;
  }

  /**
   * How many of the log's `size` events have their nodes kept: a multiple of 16, the
   * last event keeping nodes (every 16th does, from level 4 up; the ones between are
   * recomputed from the events). The events keeping them are a prefix of the log (a
   * store keeping the tree completes it before appending), so a binary search finds
   * its end in O(log n) reads, with no index to maintain.
   */
  private keptTreeSize(size: number): number {
    const kept = (block: number) => this.statements.hasTree.get(block * LEAVES_PER_KEPT_NODE)?.kept === 1;
    let low = 0; // blocks 1..low keep their nodes
    let high = Math.floor(size / LEAVES_PER_KEPT_NODE); // the answer is at most this
    if (high > 0 && kept(high)) return high * LEAVES_PER_KEPT_NODE;
    high = Math.max(0, high - 1);
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (kept(middle)) low = middle;
      else high = middle - 1;
    }
    return low * LEAVES_PER_KEPT_NODE;
  }

  private readNode(level: number, index: number): Hash {
    if (level < KEPT_FROM_LEVEL) {
      // Below level 4 a node covers at most 8 events: recomputed from them.
      const { first, count } = leavesOfNode(level, index);
      const rows = this.statements.eventsBetween.all(first + 1, first + count);
      if (rows.length !== count) throw new EventStoreError('corrupt', `${this.file}: events ${first + 1}–${first + count} are not all in the log; run taawun verify`);
      return foldLeaves(rows.map((row) => leafHash(eventLeaf(toChainedRow(row)))));
    }
    // Node (level, index) is kept by the event whose append completed it, at byte (level - 4) * 32 of its tree.
    const position = (index + 1) * 2 ** level;
    const kept = this.statements.treeOf.get(position)?.tree;
    if (!kept || kept.length !== keptNodesOfPosition(position).length * HASH_BYTES) throw new EventStoreError('corrupt', `${this.file}: the Merkle tree has no node at level ${level}, index ${index}; run taawun verify`);
    const offset = (level - KEPT_FROM_LEVEL) * HASH_BYTES;
    return new Uint8Array(kept.subarray(offset, offset + HASH_BYTES));
  }

  treeHead(size?: number) {
    return this.merkle.treeHead(size);
  }

  inclusionProof(position: bigint, size?: number) {
    return this.merkle.inclusionProof(position, size);
  }

  consistencyProof(first: number, second?: number) {
    return this.merkle.consistencyProof(first, second);
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    const limit = options.maxCount ?? -1; // LIMIT -1: no limit
    return this.withBusyRetries(`reading stream ${stream}`, () => {
      const rows =
        options.direction === 'backwards'
          ? this.statements.backwards.all(stream, options.fromRevision ?? Number.MAX_SAFE_INTEGER, limit)
          : this.statements.forwards.all(stream, options.fromRevision ?? 0, limit);
      return rows.map((row) => toStoredEvent(row, this.file));
    });
  }

  async *readAll(options: ReadAllOptions = {}): AsyncGenerator<StoredEvent> {
    let after = options.after ?? 0n;
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    const pageSize = Math.max(1, options.pageSize ?? this.pageSize);
    while (remaining > 0) {
      const limit = Math.min(pageSize, remaining);
      const page = await this.withBusyRetries('reading the log', () =>
        this.statements.page.all(pageParameters(after, limit, options.filter)).map((row) => toStoredEvent(row, this.file)),
      );
      for (const event of page) yield event;
      if (page.length < limit) return;
      after = page.at(-1)!.position;
      remaining -= page.length;
    }
  }

  follow(options: FollowOptions = {}): AsyncIterable<StoredEvent> {
    // In-process writers wake followers at once; writers in other processes are seen at the next poll.
    return followLog((o) => this.readAll(o), (signal) => this.changes.wait(signal, this.pollIntervalMs), options, () => this.lastPosition());
  }

  async lastPosition(): Promise<bigint | undefined> {
    return this.withBusyRetries('reading the last position', () => this.statements.logHead.get()?.position);
  }

  /** The head of the hash chain, for an auditor to keep outside the database. `{ position: 0n, headHash: GENESIS_HASH }` when empty. */
  async checkpoint(): Promise<ChainCheckpoint> {
    const head = await this.withBusyRetries('reading the head of the hash chain', () => this.statements.logHead.get());
    return head ? { position: head.position, headHash: head.hash } : { position: 0n, headHash: GENESIS_HASH };
  }

  /**
   * Recompute the hash chain over the whole log, page by page, and report the first
   * position whose content or order does not match; with `against`, also prove that
   * the log still holds that checkpoint's history unchanged.
   */
  async verify(options: VerifyOptions = {}): Promise<VerifyReport> {
    const store = this;
    async function* rows() {
      let after = 0n;
      for (;;) {
        const page = await store.withBusyRetries('verifying the hash chain', () => store.statements.page.all(pageParameters(after, store.pageSize, undefined)));
        yield* page.map(toChainedRow);
        if (page.length < store.pageSize) return;
        after = page.at(-1)!.position;
      }
    }
    return verifyChain(rows(), { ...options, formats: this.formats });
  }

  /**
   * Resolves at the next commit made through any connection of this process to
   * the file, on abort, or after `pollIntervalMs` (commits of other processes
   * are only seen by reading again).
   */
  waitForCommit(signal?: AbortSignal): Promise<void> {
    this.assertOpen();
    return this.changes.wait(signal, this.pollIntervalMs);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.changes.notify();
    this.releaseNotifier();
    try {
      this.database.close();
    } catch (error) {
      throw toEventStoreError(error, this.file, 'closing the event store');
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreError('closed', `${this.file}: the event store is closed`);
  }

  /**
   * Run one synchronous database call. The busy timeout already waits for another
   * process's lock; the few cases SQLite reports busy without waiting (a WAL being
   * recovered after a crash) are retried here. A lock held past the busy timeout is
   * reported as `unavailable`: nothing was written, and the caller may retry.
   */
  private async withBusyRetries<T>(doing: string, work: () => T, consequence?: string): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      this.assertOpen();
      const started = performance.now();
      try {
        return work();
      } catch (error) {
        if (!isImmediateBusy(error, performance.now() - started, this.busyTimeoutMs) || attempt >= BUSY_RETRIES) {
          throw toEventStoreError(error, this.file, doing, consequence);
        }
      }
      await sleep(busyRetryPauseMs(attempt));
    }
  }
}

/** The Merkle log of a store opened with `merkleLog: false`: it keeps no tree, so it answers nothing rather than something false. */
function refusingMerkleLog(file: string): MerkleLog {
  const refuse = async (): Promise<never> => {
    throw new EventStoreError(
      'invalid-configuration',
      `${file}: this store was opened with merkleLog: false (to measure the tree's cost) and keeps no Merkle tree; open it without that option for tree heads and proofs`,
    );
  };
  return { treeHead: refuse, inclusionProof: refuse, consistencyProof: refuse };
}

/** The hashes of the kept nodes (level 4 and up) one append completed, as the event's `tree` keeps them, lowest first; null when it completed none. */
/** The kept nodes as the row stores them (the append asked for levels 4 and up only), or null for none. */
function keptBlob(nodes: readonly TreeNode[]): Buffer | null {
  return nodes.length === 0 ? null : Buffer.concat(nodes.map((node) => node.hash));
}
