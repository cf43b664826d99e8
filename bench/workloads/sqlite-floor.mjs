/**
 * The floors: what better-sqlite3 does with the same rows and nothing of ours
 * around it. Same table (its DDL is read from a file the taawun store created,
 * so the columns, keys and constraints cannot drift), same pragmas (WAL,
 * synchronous=FULL), same transactions (one per batch, BEGIN IMMEDIATE).
 */
import Database from 'better-sqlite3';
import { openSqliteEventStore } from '@taawun/adapter-sqlite';
import { batches } from '../lib/log.mjs';
import { Stopwatch, perSecond } from '../lib/measure.mjs';

/** The `events` table as the SQLite store creates it. @param {string} scratchFile */
async function eventsTableSql(scratchFile) {
  const store = await openSqliteEventStore(scratchFile);
  const sql = store.database.prepare(`SELECT sql FROM sqlite_schema WHERE tbl_name = 'events' AND sql IS NOT NULL ORDER BY type = 'table' DESC`).pluck().all();
  await store.close();
  return sql.join(';\n');
}

/** Raw batched inserts of the log's rows. @param {{ logFile: string; dbFile: string; scratchFile: string; maxBatch: number }} args */
export async function importFloor({ logFile, dbFile, scratchFile, maxBatch }) {
  const db = new Database(dbFile);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(await eventsTableSql(scratchFile));
  const insert = db.prepare('INSERT INTO events (position, stream, revision, id, type, schema_version, recorded_at, data, metadata, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const insertBatch = db.transaction((rows) => {
    for (const r of rows) insert.run(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9]);
  });
  const watch = new Stopwatch();
  let events = 0;
  let transactions = 0;
  for await (const batch of batches(logFile, maxBatch)) {
    // Rows as SQLite receives them, prepared outside the timed part: the floor is SQLite alone.
    const rows = batch.map((e) => [e.position, e.stream, e.revision, e.id, e.type, e.schemaVersion, e.recordedAt, JSON.stringify(e.data), JSON.stringify(e.metadata), e.hash]);
    watch.timeSync(() => insertBatch.immediate(rows));
    events += rows.length;
    transactions++;
  }
  const synchronous = db.pragma('synchronous', { simple: true });
  db.close();
  return { events, transactions, ms: watch.ms, eventsPerSecond: perSecond(events, watch.ms), synchronous };
}

/** A raw SELECT of every row in log order, and JSON.parse of its data and metadata. @param {{ dbFile: string }} args */
export async function readFloor({ dbFile }) {
  const db = new Database(dbFile, { readonly: true });
  const started = performance.now();
  let events = 0;
  let bytes = 0;
  for (const row of db.prepare('SELECT position, stream, revision, id, type, schema_version, recorded_at, data, metadata FROM events ORDER BY position').iterate()) {
    const data = JSON.parse(row.data);
    const metadata = JSON.parse(row.metadata);
    if (data && metadata) events++;
    bytes += row.data.length;
  }
  const ms = performance.now() - started;
  db.close();
  return { events, ms, eventsPerSecond: perSecond(events, ms), dataMb: Math.round(bytes / 1e6) };
}
