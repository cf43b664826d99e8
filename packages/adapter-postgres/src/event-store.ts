import {
  EventStoreError,
  GENESIS_HASH,
  MemoryTree,
  TreeFrontier,
  assertValidBatch,
  chainFormatAt,
  chainHash,
  linkAndGrow,
  KEPT_FROM_LEVEL,
  LEAVES_PER_KEPT_NODE,
  compareKeptTree,
  decideAppend,
  missingOf,
  eventLeaf,
  foldLeaves,
  frontierOf,
  leafHash,
  leavesOfNode,
  merkleLogOver,
  followLog,
  toJson,
  verifyChain,
  type AppendOptions,
  type AppendResult,
  type ChainCheckpoint,
  type ChainFormats,
  type ChainedRow,
  type EventStore,
  type Hash,
  type MerkleLog,
  type TreeNode,
  type EventToAppend,
  type ExpectedRevision,
  type FollowOptions,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  type VerifyReport,
  type VerifyOptions,
  type WitnessedCheckpoint,
} from '@taawun/domain';
import { escapeLiteral, type Pool, type PoolClient, type PoolConfig, type QueryResult, type QueryResultRow } from 'pg';
import { DEFAULT_CONNECTION_TIMEOUT_MS, createPool, describeTarget, quoteIdentifier, toPoolConfig, translateError, violatedConstraint, type PostgresTarget } from './connection.js';
import { EVENT_COLUMNS, insertNodesLiteral, insertRowsLiteral, insertRowsStatement, nodeArraysLiteral, quoteLiteral, rowArraysLiteral, rowToChained, sqlArray, rowToEvent, type EventRow, type HashedEventRow, type NewRow } from './rows.js';
import { LogNotifications, notificationChannel } from './notifications.js';
import { eventStoreMigrations, migrate, readChainFormats } from './schema.js';

export interface PostgresEventStoreOptions {
  /** The schema holding the store's tables, created if missing. Default `taawun`. */
  readonly schema?: string;
  /** Wake followers with LISTEN/NOTIFY (default true). Polling runs regardless, as the safety net. */
  readonly listen?: boolean;
  /** How long a follower waits for a notification before reading anyway (ms). Default 1000. */
  readonly pollIntervalMs?: number;
  /** Events per round trip when `readAll` is not told. Default 500. */
  readonly pageSize?: number;
  /**
   * Keep the Merkle tree at each append (default true). `false` exists only to
   * measure what the tree costs (the bench): appends then write no tree nodes,
   * tree heads and proofs are refused (`invalid-configuration`), and the next
   * append of a store with the tree on builds the nodes it is missing.
   */
  readonly merkleLog?: boolean;
}

export const DEFAULT_SCHEMA = 'taawun';
const INSERT_CHUNK = 1_000;
const MAX_REVISION = 2_147_483_647;
/** The server's refusals of the `append_at_head` call that the general path does not meet: no such function, no such table, no right to execute. */
const FUNCTION_UNUSABLE = new Set(['42883', '42P01', '3F000', '42501']);
/** A writer that stalls inside an append holds the log's lock; the server ends its session after this. */
const APPEND_IDLE_LIMIT = '60s';

/**
 * The event store on PostgreSQL. Every append locks the one-row `log_head`
 * table for its transaction, so positions are handed out and committed one
 * writer at a time: the log is gap-free and a reader never sees a position
 * before all smaller ones are committed (see the README, "Ordering").
 */
export class PostgresEventStore implements EventStore, MerkleLog {
  private readonly table: string;
  private readonly headTable: string;
  private readonly nodesTable: string;
  private readonly appendFunction: string;
  /** Cleared when the server refuses the call (`FUNCTION_UNUSABLE`): every append then takes the general path. */
  private appendFunctionUsable = true;
  private readonly notifications: LogNotifications;
  private readonly merkle: MerkleLog;
  /** The tree's right edge after the last append this store committed, with the log head it belongs to. */
  private frontier: { readonly tree: TreeFrontier; readonly headHash: string } | undefined;
  /** The log head this store's last committed append left: the one-round-trip append computes from it (see `appendInOneRoundTrip`). */
  private committedHead: { readonly position: bigint; readonly hash: string } | undefined;
  /** The first event of streams this store has read or written: it never changes, so a reference check needs no round trip. */
  private readonly firstEvents = new FirstEvents(FIRST_EVENTS_KEPT);
  private closed = false;
  readonly checksAppendPreconditions = true;

  constructor(
    /** The store's pool, for tables that live beside the log (read models, checkpoints). */
    readonly pool: Pool,
    readonly schema: string,
    readonly target: PostgresTarget,
    /** The pool's settings, for the LISTEN connection. */
    poolConfig: PoolConfig,
    private readonly options: Required<Omit<PostgresEventStoreOptions, 'schema'>>,
    /** Where the chain's format 2 starts (written once, by the migration to version 4). */
    private readonly formats: ChainFormats,
  ) {
    const s = quoteIdentifier(schema);
    this.table = `${s}.events`;
    this.headTable = `${s}.log_head`;
    this.nodesTable = `${s}.merkle_nodes`;
    this.appendFunction = `${s}.append_at_head`;
    this.merkle = options.merkleLog ? this.keptMerkleLog() : refusingMerkleLog(() => this.where());
    this.notifications = new LogNotifications(poolConfig, notificationChannel(schema), options.listen, options.pollIntervalMs);
  }

  async append(stream: string, events: readonly EventToAppend[], options: AppendOptions): Promise<AppendResult> {
    this.assertOpen();
    const { expectedRevision: expected, expectedLastEventId } = options;
    // Also keeps line breaks and NUL out of the hash chain's lines (stream, type, id, recordedAt).
    assertValidBatch(stream, events, expected, expectedLastEventId);
    // Streams whose first event this store has seen exist for good (the log is append-only): only the others are asked for.
    const unseen = [...new Set(options.existingStreams ?? [])].filter((name) => !this.firstEvents.get(name));
    const texts = events.map((e) => ({ data: toJson(e.data, `${e.type} data`), metadata: toJson(e.metadata, `${e.type} metadata`) }));

    const client = await this.connect('appending');
    let broken: Error | undefined;
    try {
      const appended = await this.appendInOneRoundTrip(client, stream, events, texts, options, unseen);
      if (appended) return appended;
      // The lock (concurrent appends queue on this row until this transaction ends), then what the
      // decision needs: the stream's revision, the batch's ids where already stored (and the id at the expected revision when the caller names one). One round trip:
      // a simple-protocol query of several statements, its values written in as escaped literals.
      // The last statement runs after the lock is granted, with a new snapshot: it sees every commit before.
      const ids = events.map((e) => e.id);
      const opened = (await client.query(
        `BEGIN ISOLATION LEVEL READ COMMITTED; SET LOCAL idle_in_transaction_session_timeout = '${APPEND_IDLE_LIMIT}';
         SELECT last_position, head_hash FROM ${this.headTable} FOR UPDATE;
         SELECT (SELECT max(revision) FROM ${this.table} WHERE stream = ${escapeLiteral(stream)}) AS current,
                (SELECT coalesce(json_agg(json_build_object('id', id, 'stream', stream, 'revision', revision) ORDER BY position), '[]')
                 FROM ${this.table} WHERE id = ANY(${sqlArray(ids, 'text')})) AS holders,
                ${expectedLastEventId === undefined ? 'NULL' : `(SELECT id FROM ${this.table} WHERE stream = ${escapeLiteral(stream)} AND revision = ${String(expected)})`} AS id_at_expected,
                ${unseen.length === 0 ? `'{}'::text[]` : `(SELECT coalesce(array_agg(stream), '{}') FROM ${this.table} WHERE stream = ANY(${sqlArray(unseen, 'text')}) AND revision = 0)`} AS existing_streams`,
      )) as unknown as [unknown, unknown, QueryResult<{ last_position: string; head_hash: string }>, QueryResult<{ current: number | null; holders: { id: string; stream: string; revision: number }[]; id_at_expected: string | null; existing_streams: string[] }>];
      const head = opened[2].rows[0];
      if (!head) throw new EventStoreError('corrupt', `${this.where()}: the log_head row of schema "${this.schema}" is missing`);
      const facts = opened[3].rows[0]!;
      const current = facts.current ?? 'no-stream';
      const holders = facts.holders;
      const lastEventId = expectedLastEventId === undefined ? undefined : { expected: expectedLastEventId, stored: facts.id_at_expected ?? undefined };
      const found = new Set(facts.existing_streams);
      const missing = missingOf(unseen, (name) => found.has(name));
      const decision = decideAppend({ stream, current, expected, batchIds: ids, existing: holders.filter((h) => h.stream === stream), ...(lastEventId ? { lastEventId } : {}), ...missing });

      if (decision.kind === 'conflict') {
        await client.query('ROLLBACK');
        return { ok: false, error: decision.error };
      }
      if (decision.kind === 'already-written') {
        const stored = await this.readRevisions(client, stream, decision.fromRevision, decision.count);
        await client.query('ROLLBACK');
        return { ok: true, nextExpectedRevision: current, events: stored };
      }
      const elsewhere = holders.find((h) => h.stream !== stream);
      if (elsewhere) throw new EventStoreError('duplicate-event-id', `event id ${elsewhere.id} is already stored in another stream`);
      if (events.length === 0) {
        await client.query('ROLLBACK');
        return { ok: true, nextExpectedRevision: current, events: [] };
      }

      // The Merkle tree grows in the same transaction, in memory from its right edge: the one this store
      // kept after its last commit while the log is still where it left it (no node is read), else read.
      const size = Number(head.last_position);
      const cached = this.frontier;
      const tree = this.options.merkleLog
        ? cached && cached.tree.size === size && cached.headHash === head.head_hash
          ? cached.tree.clone()
          : await this.frontierAt(client, size)
        : undefined;
      const keptNodes: TreeNode[] = [];
      const rows = this.chainRows(stream, events, texts, decision.firstRevision, BigInt(head.last_position), head.head_hash, tree, keptNodes);
      const last = rows[rows.length - 1]!;
      const lastChunkAt = Math.floor((rows.length - 1) / INSERT_CHUNK) * INSERT_CHUNK;
      for (let i = 0; i < lastChunkAt; i += INSERT_CHUNK) await client.query(insertRowsStatement(this.table, rows.slice(i, i + INSERT_CHUNK)));
      // The last chunk, the tree's new nodes, the head's move, the wake-up for listeners (sent at commit)
      // and the COMMIT in one round trip (values as escaped literals: a simple-protocol query).
      const treeNodes =
        keptNodes.length > 0
          ? `nodes AS (${insertNodesLiteral(this.nodesTable, keptNodes)}),`
          : '';
      await client.query(
        `WITH inserted AS (${insertRowsLiteral(this.table, rows.slice(lastChunkAt))}), ${treeNodes}
              moved AS (UPDATE ${this.headTable} SET last_position = ${last.position.toString()}, head_hash = ${escapeLiteral(last.hash)} RETURNING last_position)
         SELECT pg_notify(${escapeLiteral(this.notifications.channel)}, last_position::text) FROM moved;
         COMMIT`,
      );
      return this.committed(rows, tree);
    } catch (error) {
      // If the rollback fails too, the connection is gone: the pool must discard it.
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      return await this.appendFailed(error, stream, expected, broken ? this.pool : client);
    } finally {
      client.release(broken);
    }
  }

  /**
   * The append in one round trip, when this store made the log's last commit (the head it left is
   * cached) and the batch names the stream's revision (`no-stream` or a number): the rows are chained
   * from that head in advance, and one call of the schema's `append_at_head` function takes the lock
   * and, holding it, checks that the head is still that one, the stream still at the expected revision
   * (its event there the expected last event, when one is named), the streams named exist and no id of
   * the batch is stored, and only then inserts, moves the head and notifies; the same simple-protocol
   * query commits. When a check fails nothing is written (the transaction commits no change) and
   * `undefined` sends the append down the general path, which decides under the lock as before: an
   * idempotent retry, a conflict, a duplicate id, another writer's commit in between.
   *
   * A function, not a statement of its own: the server keeps its statements' plans for the session,
   * where planning the same checks and writes as one statement took 0.15 ms of every append (about a
   * sixth of a single command). Its checks run after the lock is held (each statement of the function
   * at READ COMMITTED sees the commits made before it started). No `idle_in_transaction_session_timeout`
   * here: the transaction is one message, the server never waits for the client while it holds the lock.
   */
  private async appendInOneRoundTrip(
    client: PoolClient,
    stream: string,
    events: readonly EventToAppend[],
    texts: readonly { data: string; metadata: string }[],
    { expectedRevision: expected, expectedLastEventId }: AppendOptions,
    /** `existingStreams` this store has not seen the first event of. */
    unseen: readonly string[],
  ): Promise<AppendResult | undefined> {
    const head = this.committedHead;
    // A revision beyond PostgreSQL's integer is left to the general path, which answers it as a conflict.
    const named = expected === 'no-stream' || (typeof expected === 'number' && expected < MAX_REVISION);
    if (!head || !named || !this.appendFunctionUsable || events.length === 0 || events.length > INSERT_CHUNK) return undefined;
    const cached = this.frontier;
    const tree = this.options.merkleLog ? (cached && BigInt(cached.tree.size) === head.position && cached.headHash === head.hash ? cached.tree.clone() : undefined) : undefined;
    if (this.options.merkleLog && !tree) return undefined;
    const keptNodes: TreeNode[] = [];
    const firstRevision = expected === 'no-stream' ? 0 : expected + 1;
    const rows = this.chainRows(stream, events, texts, firstRevision, head.position, head.hash, tree, keptNodes);
    const current = expected === 'no-stream' ? 'NULL' : String(expected);
    const args = [
      head.position.toString(),
      quoteLiteral(head.hash),
      quoteLiteral(stream),
      `${current}::integer`,
      expectedLastEventId === undefined ? 'NULL::text' : quoteLiteral(expectedLastEventId),
      sqlArray(unseen, 'text'),
      ...rowArraysLiteral(rows),
      ...nodeArraysLiteral(keptNodes),
      quoteLiteral(this.notifications.channel),
    ];
    // One statement of the server's own function: its checks' and writes' plans are kept by the session.
    let result: QueryResult<{ go: boolean | null }>[];
    try {
      result = (await client.query(
        `BEGIN ISOLATION LEVEL READ COMMITTED; SELECT ${this.appendFunction}(${args.join(', ')}) AS go; COMMIT`,
      )) as unknown as QueryResult<{ go: boolean | null }>[];
    } catch (error) {
      if (!FUNCTION_UNUSABLE.has((error as { code?: string }).code ?? '')) throw error;
      // A function this session cannot call (revoked, dropped, or its schema renamed since the migration wrote its body):
      // the general path appends, now and from now on.
      await client.query('ROLLBACK');
      this.appendFunctionUsable = false;
      return undefined;
    }
    if (result[1]?.rows[0]?.go !== true) return undefined;
    return this.committed(rows, tree);
  }

  /** After a commit: what this store keeps of it (the head, the tree's edge, the first events), the wake-up, the result. */
  private committed(rows: readonly NewRow[], tree: TreeFrontier | undefined): AppendResult {
    const last = rows[rows.length - 1]!;
    // Kept only once committed: a rolled-back batch leaves the cached head and edge where they were.
    this.committedHead = { position: last.position, hash: last.hash };
    if (tree) this.frontier = { tree, headHash: last.hash };
    this.notifications.wake();
    const events = rows.map((r) => rowToEvent(toEventRow(r)));
    if (events[0]!.revision === 0) this.firstEvents.keep(events[0]!.stream, rows[0]!);
    return { ok: true, nextExpectedRevision: last.revision, events };
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    const backwards = options.direction === 'backwards';
    const from = Math.max(0, Math.min(options.fromRevision ?? (backwards ? MAX_REVISION : 0), MAX_REVISION));
    const limit = options.maxCount === undefined ? null : Math.max(0, options.maxCount);
    // A stream's first event never changes (the log is append-only): once seen, "does it exist" is answered here.
    const firstOnly = !backwards && from === 0 && limit === 1;
    const first = firstOnly ? this.firstEvents.get(stream) : undefined;
    if (first) return [rowToEvent(first)];
    const rows = await this.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM ${this.table}
       WHERE stream = $1 AND revision ${backwards ? '<=' : '>='} $2
       ORDER BY revision ${backwards ? 'DESC' : 'ASC'} LIMIT $3`,
      [stream, from, limit],
      `reading stream "${stream}"`,
    );
    if (!backwards && from === 0 && rows[0]) this.firstEvents.keep(stream, rows[0]);
    return rows.map(rowToEvent);
  }

  async *readAll(options: ReadAllOptions = {}): AsyncGenerator<StoredEvent> {
    this.assertOpen();
    let after = options.after ?? 0n;
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    const pageSize = Math.max(1, options.pageSize ?? this.options.pageSize);
    const types = options.filter?.types ?? null;
    const prefixes = options.filter?.streamPrefixes ?? null;
    const page = (from: bigint, limit: number): Promise<EventRow[]> => {
      const rows = this.query<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM ${this.table}
         WHERE position > $1
           AND ($2::text[] IS NULL OR type = ANY($2::text[]))
           AND ($3::text[] IS NULL OR stream ^@ ANY($3::text[]))
         ORDER BY position LIMIT $4`,
        [from.toString(), types, prefixes, limit],
        'reading the log',
      );
      // Handled now (it may fail while the caller is busy elsewhere); awaiting it still throws.
      rows.catch(() => undefined);
      return rows;
    };
    // The next page is asked for as soon as a page arrives, so the server reads it while the caller
    // works through this one (a rebuild folds on one core while the server reads on the other).
    let limit = Math.min(pageSize, remaining);
    let next: Promise<EventRow[]> | undefined = page(after, limit);
    while (next) {
      this.assertOpen();
      const rows = await next;
      next = undefined;
      remaining -= rows.length;
      if (rows.length === limit && remaining > 0) {
        after = BigInt(rows[rows.length - 1]!.position);
        limit = Math.min(pageSize, remaining);
        next = page(after, limit);
      }
      // A caller that stops early may leave the next page in flight: its outcome no longer matters.
      for (const row of rows) yield rowToEvent(row);
    }
  }

  follow(options: FollowOptions = {}): AsyncIterable<StoredEvent> {
    this.assertOpen();
    return this.following(options);
  }

  async lastPosition(): Promise<bigint | undefined> {
    this.assertOpen();
    const [row] = await this.query<{ last: string | null }>(`SELECT max(position) AS last FROM ${this.table}`, [], 'reading the last position');
    return row?.last == null ? undefined : BigInt(row.last);
  }

  /** The head of the chain, for an auditor to keep outside the database: `{ position, headHash }` (position 0 when empty). */
  async checkpoint(): Promise<ChainCheckpoint> {
    this.assertOpen();
    const [row] = await this.query<{ position: string; hash: string }>(
      `SELECT position, hash FROM ${this.table} ORDER BY position DESC LIMIT 1`,
      [],
      'reading the head of the chain',
    );
    return row ? { position: BigInt(row.position), headHash: row.hash } : { position: 0n, headHash: GENESIS_HASH };
  }

  /**
   * Recompute the hash chain over the whole log (one consistent snapshot) and
   * report the first position whose content or order does not match; with
   * `against`, also prove the log still holds that audited prefix unchanged.
   * The chain's end must also match the `log_head` row, so events cut from the
   * end or a re-hashed tail are caught even without a checkpoint, unless the
   * head row was forged too (which only `against` can catch).
   */
  async verify(options: VerifyOptions = {}): Promise<VerifyReport> {
    this.assertOpen();
    const client = await this.connect('verifying the log');
    let broken: Error | undefined;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const table = this.table;
      async function* rows() {
        let after = '0';
        for (;;) {
          const page = (await client.query<HashedEventRow>(`SELECT ${EVENT_COLUMNS}, hash FROM ${table} WHERE position > $1 ORDER BY position LIMIT 1000`, [after])).rows;
          for (const row of page) yield rowToChained(row);
          if (page.length < 1000) return;
          after = page[page.length - 1]!.position;
        }
      }
      const tree = new MemoryTree();
      const chained = await verifyChain(rows(), { ...options, tree, formats: this.formats });
      const nodes = (await client.query<{ level: number; idx: string; hash: Buffer }>(`SELECT level, idx::text, hash FROM ${this.nodesTable} ORDER BY level, idx`)).rows;
      const head = (await client.query<{ last_position: string; head_hash: string }>(`SELECT last_position, head_hash FROM ${this.headTable}`)).rows[0];
      await client.query('COMMIT');
      // The head row first (it names the cut), then every kept Merkle node against the events.
      return await compareKeptTree(chained.intact ? compareWithHead(chained, head) : chained, tree, nodes, KEPT_FROM_LEVEL);
    } catch (error) {
      broken = error as Error;
      throw translateError(error, this.target, 'verifying the log');
    } finally {
      client.release(broken);
    }
  }

  /**
   * Resolves at the next commit to this schema's log (made through this store,
   * or a NOTIFY from another process), on abort, or after `pollIntervalMs`.
   */
  async waitForCommit(signal?: AbortSignal): Promise<void> {
    this.assertOpen();
    await (await this.notifications.waiter())(signal);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.notifications.close();
    await this.pool.end().catch(() => undefined);
  }

  // ---- internals ----

  private async *following(options: FollowOptions): AsyncGenerator<StoredEvent> {
    yield* followLog((o) => this.readAll(o), await this.notifications.waiter(), options, () => this.lastPosition());
  }

  /**
   * The tree's right edge at the log's `size`, inside the append's transaction: the kept
   * nodes (level 4 and up) of the edge at the last multiple of 16 the tree covers, then the
   * events after it (at most 15, unless a store opened with `merkleLog: false` appended
   * more: their kept nodes are written on the way). Two or three round trips, only when
   * another process appended since this store's last commit.
   */
  private async frontierAt(client: PoolClient, size: number): Promise<TreeFrontier> {
    const kept = Number((await client.query<{ n: string }>(`SELECT coalesce(max(idx) + 1, 0)::text AS n FROM ${this.nodesTable} WHERE level = ${KEPT_FROM_LEVEL}`)).rows[0]!.n);
    const keptSize = Math.min(kept * LEAVES_PER_KEPT_NODE, size);
    const edge = frontierOf(keptSize);
    const found = (await client.query<{ level: number; hash: Buffer }>(
      `SELECT level, hash FROM ${this.nodesTable} WHERE (level, idx) IN (SELECT * FROM unnest($1::int[], $2::bigint[]))`,
      [edge.map((e) => e.level), edge.map((e) => e.index)],
    )).rows;
    if (found.length !== edge.length) throw new EventStoreError('corrupt', `${this.where()}: the Merkle tree's right edge at size ${keptSize} is incomplete; run taawun verify`);
    const tree = new TreeFrontier(keptSize, new Map(found.map((row) => [row.level, new Uint8Array(row.hash)])));
    for (let after = keptSize; after < size; ) {
      const page = (await client.query<HashedEventRow>(`SELECT ${EVENT_COLUMNS}, hash FROM ${this.table} WHERE position > $1 ORDER BY position LIMIT 1000`, [after])).rows;
      if (page.length === 0) break;
      const nodes: TreeNode[] = [];
      for (const row of page) tree.append(leafHash(eventLeaf(rowToChained(row))), nodes);
      const keptNodes = nodes.filter((node) => node.level >= KEPT_FROM_LEVEL);
      if (keptNodes.length > 0) await client.query(`INSERT INTO ${this.nodesTable} (level, idx, hash) SELECT * FROM unnest($1::int[], $2::bigint[], $3::bytea[])`, nodeColumns(keptNodes));
      after += page.length;
    }
    return tree;
  }

  /** Build the tree of a log written before it (schema version 1), under the append lock. */
  async buildMissingTree(): Promise<void> {
    const client = await this.connect('building the Merkle tree');
    let broken: Error | undefined;
    try {
      // A standby replays the primary's tree and takes no writes: there is nothing to build there.
      if ((await client.query<{ standby: boolean }>('SELECT pg_is_in_recovery() AS standby')).rows[0]?.standby) return;
      await client.query('BEGIN');
      const head = (await client.query<{ last_position: string }>(`SELECT last_position FROM ${this.headTable} FOR UPDATE`)).rows[0];
      if (head) await this.frontierAt(client, Number(head.last_position));
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw translateError(error, this.target, 'building the Merkle tree');
    } finally {
      client.release(broken);
    }
  }

  private async readNode(level: number, index: number): Promise<Hash> {
    if (level < KEPT_FROM_LEVEL) {
      // Below level 4 a node covers at most 8 events: recomputed from them.
      const { first, count } = leavesOfNode(level, index);
      const rows = await this.query<HashedEventRow>(`SELECT ${EVENT_COLUMNS}, hash FROM ${this.table} WHERE position BETWEEN $1 AND $2 ORDER BY position`, [first + 1, first + count], 'reading events');
      if (rows.length !== count) throw new EventStoreError('corrupt', `${this.where()}: events ${first + 1}–${first + count} are not all in the log; run taawun verify`);
      return foldLeaves(rows.map((row) => leafHash(eventLeaf(rowToChained(row)))));
    }
    const [row] = await this.query<{ hash: Buffer }>(`SELECT hash FROM ${this.nodesTable} WHERE level = $1 AND idx = $2`, [level, index], 'reading the Merkle tree');
    if (!row) throw new EventStoreError('corrupt', `${this.where()}: the Merkle tree has no node at level ${level}, index ${index}; run taawun verify`);
    return new Uint8Array(row.hash);
  }


  private keptMerkleLog(): MerkleLog {
    return merkleLogOver(
    (level, index) => this.readNode(level, index),
    async () => Number((await this.lastPosition()) ?? 0n),
    async (position) => {
      const [row] = await this.query<HashedEventRow>(`SELECT ${EVENT_COLUMNS}, hash FROM ${this.table} WHERE position = $1`, [position.toString()], 'reading an event');
      if (!row) throw new EventStoreError('corrupt', `${this.where()}: the event at position ${position} is missing`);
      return eventLeaf(rowToChained(row));
    },
  );
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

  private chainRows(
    stream: string,
    events: readonly EventToAppend[],
    texts: readonly { data: string; metadata: string }[],
    firstRevision: number,
    lastPosition: bigint,
    headHash: string,
    /** The tree's right edge when it is kept: each event's leaf is appended, and the nodes from level 4 it completes added to `keptNodes`. */
    tree?: TreeFrontier,
    keptNodes: TreeNode[] = [],
  ): NewRow[] {
    let previous = headHash;
    return events.map((e, i) => {
      const row = {
        position: lastPosition + 1n + BigInt(i),
        stream,
        revision: firstRevision + i,
        id: e.id,
        type: e.type,
        schemaVersion: e.schemaVersion,
        recordedAt: e.recordedAt,
        dataJson: texts[i]!.data,
        metadataJson: texts[i]!.metadata,
      };
      if (tree) {
        const link = linkAndGrow(previous, row, chainFormatAt(this.formats, row.position), tree, KEPT_FROM_LEVEL);
        keptNodes.push(...link.nodes);
        previous = link.hash;
      } else {
        previous = chainHash(previous, row, chainFormatAt(this.formats, row.position));
      }
      return { ...row, hash: previous };
    });
  }

  private async currentRevision(client: PoolClient | Pool, stream: string): Promise<'no-stream' | number> {
    const row = (await client.query<{ current: number | null }>(`SELECT max(revision) AS current FROM ${this.table} WHERE stream = $1`, [stream])).rows[0];
    return row?.current == null ? 'no-stream' : row.current;
  }

  private async readRevisions(client: PoolClient, stream: string, from: number, count: number): Promise<StoredEvent[]> {
    const rows = (await client.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM ${this.table} WHERE stream = $1 AND revision >= $2 AND revision < $3 ORDER BY revision`,
      [stream, from, from + count],
    )).rows;
    return rows.map(rowToEvent);
  }

  /** The unique constraints are the last line of defence (a writer that bypassed the lock): they become clean outcomes. */
  private async appendFailed(error: unknown, stream: string, expected: ExpectedRevision, reader: PoolClient | Pool): Promise<AppendResult> {
    const constraint = violatedConstraint(error);
    if (constraint === 'events_stream_revision_key') {
      const actual = await this.currentRevision(reader, stream).catch((e: unknown) => {
        throw translateError(e, this.target, `appending to stream "${stream}"`);
      });
      return { ok: false, error: { code: 'wrong-expected-revision', stream, expected, actual } };
    }
    if (constraint === 'events_id_key') throw new EventStoreError('duplicate-event-id', `an event id of this batch is already stored (${this.where()})`, { cause: error });
    if (constraint === 'events_pkey') {
      throw new EventStoreError('failure', `${this.where()}: a position of this batch was taken by a writer that bypassed the log lock`, { cause: error });
    }
    throw translateError(error, this.target, `appending to stream "${stream}"`);
  }

  private async connect(doing: string): Promise<PoolClient> {
    try {
      return await this.pool.connect();
    } catch (error) {
      throw translateError(error, this.target, doing);
    }
  }

  private async query<R extends QueryResultRow>(text: string, values: unknown[], doing: string): Promise<R[]> {
    try {
      return (await this.pool.query<R>(text, values)).rows;
    } catch (error) {
      throw translateError(error, this.target, doing);
    }
  }

  private where(): string {
    return `PostgreSQL at ${this.target.host}:${this.target.port}, schema "${this.schema}"`;
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreError('closed', 'the event store is closed');
  }
}

/** How many streams' first events a store keeps (about a kilobyte each). */
const FIRST_EVENTS_KEPT = 10_000;

/** The first event of each of the streams seen last, as its row (each read gets objects of its own). */
class FirstEvents {
  private readonly rows = new Map<string, EventRow>();
  constructor(private readonly capacity: number) {}

  get(stream: string): EventRow | undefined {
    const row = this.rows.get(stream);
    if (row) {
      // Seen again: moved to the end, so the streams in use stay and the others go first.
      this.rows.delete(stream);
      this.rows.set(stream, row);
    }
    return row;
  }

  keep(stream: string, row: EventRow | NewRow): void {
    if (this.rows.has(stream)) return;
    if (this.rows.size >= this.capacity) this.rows.delete(this.rows.keys().next().value!);
    this.rows.set(stream, 'dataJson' in row ? toEventRow(row) : row);
  }
}

const toEventRow = (r: NewRow): EventRow => ({
  position: r.position.toString(),
  stream: r.stream,
  revision: r.revision,
  id: r.id,
  type: r.type,
  schema_version: r.schemaVersion,
  recorded_at: r.recordedAt,
  data: r.dataJson,
  metadata: r.metadataJson,
});

/** The columns of tree nodes, as `unnest` takes them. */
const nodeColumns = (nodes: readonly TreeNode[]) => [nodes.map((n) => n.level), nodes.map((n) => n.index), nodes.map((n) => Buffer.from(n.hash))];

/** The Merkle log of a store opened with `merkleLog: false`: it keeps no tree, so it answers nothing rather than something false. */
function refusingMerkleLog(where: () => string): MerkleLog {
  const refuse = async (): Promise<never> => {
    throw new EventStoreError(
      'invalid-configuration',
      `${where()}: this store was opened with merkleLog: false (to measure the tree's cost) and keeps no Merkle tree; open it without that option for tree heads and proofs`,
    );
  };
  return { treeHead: refuse, inclusionProof: refuse, consistencyProof: refuse };
}

function compareWithHead(report: VerifyReport & { intact: true }, head: { last_position: string; head_hash: string } | undefined): VerifyReport {
  const end = report.headPosition ?? 0n;
  const recorded = head ? BigInt(head.last_position) : undefined;
  // The head row is kept in the same database as the rows: it proves nothing on its own.
  const broken = (position: bigint, problem: 'position-gap' | 'hash-mismatch', message: string): VerifyReport => ({
    intact: false,
    events: report.events,
    position,
    problem,
    message,
    consistentThrough: end < position ? end : position - 1n,
    provenThrough: 0n,
  });
  if (recorded === undefined) return broken(end + 1n, 'position-gap', 'the log_head row is missing');
  if (recorded > end) return broken(end + 1n, 'position-gap', `the log head records position ${recorded} but the events end at ${end}: events were removed from the end`);
  if (recorded < end) return broken(recorded + 1n, 'position-gap', `events after position ${recorded} were added without the store (the log head was not moved)`);
  if (head!.head_hash !== report.headHash) return broken(end, 'hash-mismatch', `the chain ends in a hash the log head does not record: history was rewritten and re-hashed`);
  return report;
}

/**
 * Open (creating or migrating its tables) the event store in a PostgreSQL
 * database. Fails with `unavailable` when the server cannot be reached within
 * the connection timeout (default 5 s), and `schema-too-new` when the tables
 * were made by a newer taawun.
 */
export async function openPostgresEventStore(
  connection: string | PoolConfig,
  options: PostgresEventStoreOptions = {},
): Promise<PostgresEventStore> {
  const config = toPoolConfig(connection);
  const target = describeTarget(config);
  const schema = options.schema ?? DEFAULT_SCHEMA;
  if (schema.length === 0 || Buffer.byteLength(schema) > 63) throw new EventStoreError('invalid-configuration', `schema name "${schema}" must be 1 to 63 bytes`);
  const pool = createPool(config);
  let formats: ChainFormats;
  try {
    await assertUsableServer(pool, target);
    await migrate(pool, target, schema, 'event-store', eventStoreMigrations);
    formats = await readChainFormats(pool, schema, target);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw translateError(error, target, 'opening the event store');
  }
  const store = new PostgresEventStore(pool, schema, target, { connectionTimeoutMillis: DEFAULT_CONNECTION_TIMEOUT_MS, keepAlive: true, ...config }, {
    listen: options.listen ?? true,
    pollIntervalMs: options.pollIntervalMs ?? 1_000,
    pageSize: options.pageSize ?? 500,
    merkleLog: options.merkleLog ?? true,
  }, formats);
  try {
    if (options.merkleLog ?? true) await store.buildMissingTree();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return store;
}

/** The log keeps Arabic and French text: the database must store UTF-8. */
async function assertUsableServer(pool: Pool, target: PostgresTarget): Promise<void> {
  let row: { encoding: string; version: string } | undefined;
  try {
    row = (await pool.query<{ encoding: string; version: string }>(
      `SELECT current_setting('server_encoding') AS encoding, current_setting('server_version_num') AS version`,
    )).rows[0];
  } catch (error) {
    throw translateError(error, target, 'connecting');
  }
  if (row && row.encoding !== 'UTF8') {
    throw new EventStoreError('failure', `PostgreSQL at ${target.host}:${target.port}: database "${target.database}" uses encoding ${row.encoding}; taawun needs UTF8`);
  }
  if (row && Number(row.version) < 120_000) {
    throw new EventStoreError('failure', `PostgreSQL at ${target.host}:${target.port} is version ${row.version}; taawun needs 12 or newer`);
  }
}
