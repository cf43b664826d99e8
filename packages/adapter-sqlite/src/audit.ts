import { closeSync, copyFileSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreError, GENESIS_HASH, KEPT_FROM_LEVEL, MemoryTree, compareKeptTree, HASH_BYTES, keptNodesOfPosition, verifyChain, type ChainCheckpoint, type VerifyReport, type WitnessedCheckpoint } from '@taawun/domain';
import Database from 'better-sqlite3';
import { describeFile } from './connection.js';
import { toEventStoreError } from './errors.js';
import { PAGE_SQL, pageParameters, toChainedRow, type EventRow } from './rows.js';
import { EVENT_STORE_COMPONENT, assertSchemaNotTooNew, eventStoreMigrations, readChainFormats, readSchemaVersion, treeNodesOfPosition } from './schema.js';
import { readWal, type WalReading } from './wal-check.js';

/** What `taawun verify` checks: the log as a file holds it, never written to. */
export interface SqliteAudit {
  readonly file: string;
  /** The -wal file as read before SQLite saw it. */
  readonly wal: WalReading;
  verify(options?: { against?: ChainCheckpoint; checkpoints?: readonly WitnessedCheckpoint[] }): Promise<VerifyReport>;
  checkpoint(): Promise<ChainCheckpoint>;
  /** The database as SQLite reads it (a private snapshot): for reads only. */
  readonly database: Database.Database;
  close(): Promise<void>;
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const SNAPSHOT_ATTEMPTS = 5;

function readHeader(file: string): Buffer {
  const fd = openSync(file, 'r');
  try {
    const header = Buffer.alloc(16);
    readSync(fd, header, 0, 16, 0);
    return header;
  } finally {
    closeSync(fd);
  }
}

/**
 * Copy the file and its -wal into a private folder: SQLite opens a WAL database
 * only by creating -wal and -shm beside it (better-sqlite3 has no `immutable`
 * URI), and its recovery would drop damaged frames and, at close, checkpoint and
 * delete the WAL. The copy is taken again if a writer changed the WAL meanwhile.
 */
function snapshot(file: string, folder: string): { copy: string; walBytes: Buffer } {
  const copy = join(folder, 'log.db');
  const readWalBytes = () => (existsSync(`${file}-wal`) ? readFileSync(`${file}-wal`) : Buffer.alloc(0));
  for (let attempt = 1; ; attempt++) {
    const before = readWalBytes();
    copyFileSync(file, copy);
    const after = readWalBytes();
    if (before.equals(after) || attempt >= SNAPSHOT_ATTEMPTS) {
      if (after.length > 0) writeFileSync(`${copy}-wal`, after);
      return { copy, walBytes: after };
    }
  }
}

/**
 * Open a taawun SQLite log for checking without changing a byte of it or of its
 * folder (works on a read-only file in a read-only folder, leaves no -wal/-shm).
 * Refuses an empty file, a file that is not SQLite, and a SQLite file that holds
 * no taawun log, with `corrupt`; a log written by a newer taawun with `schema-too-new`.
 */
export async function openSqliteAudit(path: string, options: { pageSize?: number } = {}): Promise<SqliteAudit> {
  const file = describeFile(path);
  if (!existsSync(file)) throw new EventStoreError('unavailable', `${file} does not exist`);
  if (statSync(file).size === 0) {
    throw new EventStoreError('corrupt', `${file} is empty (0 bytes): it holds no taawun log (a seed or import that failed, on a full disk for instance, leaves such a file); nothing was changed`);
  }
  if (!readHeader(file).equals(SQLITE_MAGIC)) throw new EventStoreError('corrupt', `${file} is not a SQLite database, so not a taawun log; nothing was changed`);

  const folder = mkdtempSync(join(tmpdir(), 'taawun-verify-'));
  const removeFolder = () => rmSync(folder, { recursive: true, force: true });
  let db: Database.Database | undefined;
  try {
    const { copy, walBytes } = snapshot(file, folder);
    const wal = readWal(walBytes);
    db = new Database(copy, { fileMustExist: true });
    const problems = (db.pragma('quick_check(5)') as Record<string, string>[]).map((row) => Object.values(row)[0]).filter((m) => m !== 'ok');
    if (problems.length > 0) throw new EventStoreError('corrupt', `${file}: the database file is corrupted (${problems.join('; ')})`);
    if (readSchemaVersion(db, EVENT_STORE_COMPONENT) === 0) {
      throw new EventStoreError('corrupt', `${file} is a SQLite database but holds no taawun log (no ${EVENT_STORE_COMPONENT} tables); nothing was changed`);
    }
    assertSchemaNotTooNew(db, file, EVENT_STORE_COMPONENT, eventStoreMigrations);
    return new OpenedAudit(file, wal, db, options.pageSize ?? 500, removeFolder);
  } catch (error) {
    db?.close();
    removeFolder();
    throw toEventStoreError(error, file, 'opening the log for verification');
  }
}

class OpenedAudit implements SqliteAudit {
  private readonly page;
  private readonly head;

  constructor(
    readonly file: string,
    readonly wal: WalReading,
    readonly database: Database.Database,
    private readonly pageSize: number,
    private readonly removeFolder: () => void,
  ) {
    this.page = database.prepare<[ReturnType<typeof pageParameters>], EventRow>(PAGE_SQL).safeIntegers(true);
    this.head = database.prepare<[], { position: bigint; hash: string }>('SELECT position, hash FROM events ORDER BY position DESC LIMIT 1').safeIntegers(true);
  }

  async checkpoint(): Promise<ChainCheckpoint> {
    const head = this.head.get();
    return head ? { position: head.position, headHash: head.hash } : { position: 0n, headHash: GENESIS_HASH };
  }

  async verify(options: { against?: ChainCheckpoint; checkpoints?: readonly WitnessedCheckpoint[] } = {}): Promise<VerifyReport> {
    const { page, pageSize } = this;
    function* rows() {
      let after = 0n;
      for (;;) {
        const found = page.all(pageParameters(after, pageSize, undefined));
        yield* found.map(toChainedRow);
        if (found.length < pageSize) return;
        after = found.at(-1)!.position;
      }
    }
    const tree = new MemoryTree();
    const report = await this.compareStoredTree(await verifyChain(rows(), { ...options, tree, formats: readChainFormats(this.database) }), tree);
    const damage = this.wal.damage;
    if (!damage) return report;
    // The events SQLite can read end where the damaged frame begins: what follows is lost, not intact.
    const readable = (await this.checkpoint()).position;
    const message = `${damage.reason}: ${damage.lostCommits} committed transaction(s) from there on are in the -wal file but SQLite would drop them; events after position ${readable} are lost or damaged (keep the -wal file: it is the evidence)`;
    if (!report.intact && report.position <= readable) return report;
    return {
      intact: false,
      events: report.events,
      position: readable + 1n,
      problem: 'wal-damaged',
      message,
      consistentThrough: report.intact ? readable : report.consistentThrough,
      provenThrough: report.intact ? (options.against && options.against.position <= readable ? options.against.position : 0n) : report.provenThrough,
    };
  }

  /** Every node of the tree the file keeps must be the one its events make: proofs are served from them. */
  private compareStoredTree(report: VerifyReport, tree: MemoryTree): Promise<VerifyReport> | VerifyReport {
    const version = readSchemaVersion(this.database, EVENT_STORE_COMPONENT);
    if (version < 2) return report;
    if (version < 3) {
      const nodes = this.database.prepare<[], { level: number; idx: number; hash: Buffer }>('SELECT level, idx, hash FROM merkle_nodes ORDER BY level, idx');
      return compareKeptTree(report, tree, nodes.all());
    }
    // Since version 3 each event's row keeps the nodes its append completed (since version 4 from level 4 up); a tree of the wrong length differs.
    const fromLevel = version < 4 ? 0 : KEPT_FROM_LEVEL;
    const keptBy = version < 4 ? treeNodesOfPosition : keptNodesOfPosition;
    const rows = this.database.prepare<[], { position: number; tree: Buffer | null }>('SELECT position, tree FROM events WHERE tree IS NOT NULL ORDER BY position');
    function* nodes() {
      for (const { position, tree: kept } of rows.iterate()) {
        const expected = keptBy(position);
        if (kept!.length !== expected.length * HASH_BYTES) {
          yield { level: 0, idx: position - 1, hash: new Uint8Array(0) };
          continue;
        }
        for (const [i, { level, index }] of expected.entries()) yield { level, idx: index, hash: kept!.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES) };
      }
    }
    return compareKeptTree(report, tree, nodes(), fromLevel);
  }

  async close(): Promise<void> {
    try {
      this.database.close();
    } finally {
      this.removeFolder();
    }
  }
}
