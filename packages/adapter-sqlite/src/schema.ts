import { EventStoreError, HASH_BYTES, KEPT_FROM_LEVEL, LEAVES_PER_KEPT_NODE, MemoryTree, eventLeaf, leafHash, type ChainFormats } from '@taawun/domain';
import { retryingImmediateBusy } from './errors.js';
import { EVENT_COLUMNS, toChainedRow, type EventRow } from './rows.js';
import type { Database } from 'better-sqlite3';

/**
 * Schema versions, one row per component that keeps tables in the file
 * (`event-store` here; read models and checkpoints can add their own rows).
 * A component's migrations run forward only, each in the same transaction as
 * the version bump, so a crash leaves the file at the old or the new version.
 */
export const SCHEMA_VERSIONS_TABLE = 'taawun_schema_versions';
export const EVENT_STORE_COMPONENT = 'event-store';

export interface Migration {
  /** The version this migration brings its component to: 1, 2, 3, ... in order. */
  readonly version: number;
  readonly description: string;
  readonly up: (db: Database) => void;
}

/**
 * Since version 3 an event's `tree` holds the hashes of the Merkle nodes its append
 * completed (`treeNodesOfPosition`): they are written with the event, in its row,
 * and only once (a row written without them, by a store opened with `merkleLog:
 * false`, gets them from the next store that keeps the tree); nothing else changes.
 */
const EVENT_TRIGGERS_SINCE_TREE = `
  CREATE TRIGGER events_are_never_updated BEFORE UPDATE OF position, stream, revision, id, type, schema_version, recorded_at, data, metadata, hash ON events
    BEGIN SELECT RAISE(ABORT, 'events are immutable: record a correcting event instead'); END;
  CREATE TRIGGER events_tree_is_written_once BEFORE UPDATE OF tree ON events WHEN OLD.tree IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'the Merkle tree only grows'); END;`;

/**
 * The Merkle nodes the append of the event at `position` completes, in the order
 * version 3's `tree` kept them: the leaf (level 0), then each parent, one per
 * trailing zero bit of the position (since version 4 a row keeps only those from
 * level 4: `keptNodesOfPosition`).
 */
export function treeNodesOfPosition(position: number): { level: number; index: number }[] {
  const nodes: { level: number; index: number }[] = [];
  for (let level = 0, span = 1; position % span === 0; level++, span *= 2) nodes.push({ level, index: position / span - 1 });
  return nodes;
}

export const eventStoreMigrations: readonly Migration[] = [
  {
    version: 1,
    description: 'the event log with its hash chain',
    up: (db) =>
      db.exec(`
        CREATE TABLE events (
          position       INTEGER PRIMARY KEY CHECK (position >= 1),
          stream         TEXT    NOT NULL,
          revision       INTEGER NOT NULL CHECK (revision >= 0),
          id             TEXT    NOT NULL UNIQUE,
          type           TEXT    NOT NULL,
          schema_version INTEGER NOT NULL CHECK (schema_version >= 1),
          recorded_at    TEXT    NOT NULL,
          data           TEXT    NOT NULL,
          metadata       TEXT    NOT NULL,
          hash           TEXT    NOT NULL,
          UNIQUE (stream, revision)
        ) STRICT;
        CREATE TRIGGER events_are_never_updated BEFORE UPDATE ON events
          BEGIN SELECT RAISE(ABORT, 'events are immutable: record a correcting event instead'); END;
        CREATE TRIGGER events_are_never_deleted BEFORE DELETE ON events
          BEGIN SELECT RAISE(ABORT, 'events are immutable: record a correcting event instead'); END;
      `),
  },
  {
    version: 2,
    description: 'the Merkle tree (RFC 9162) over the log: the hash of every complete subtree, kept at each append',
    up: (db) => {
      db.exec(`
        CREATE TABLE merkle_nodes (
          level INTEGER NOT NULL CHECK (level >= 0),
          idx   INTEGER NOT NULL CHECK (idx >= 0),
          hash  BLOB    NOT NULL CHECK (length(hash) = 32),
          PRIMARY KEY (level, idx)
        ) STRICT, WITHOUT ROWID;
        CREATE TRIGGER merkle_nodes_are_never_updated BEFORE UPDATE ON merkle_nodes
          BEGIN SELECT RAISE(ABORT, 'the Merkle tree only grows'); END;
        CREATE TRIGGER merkle_nodes_are_never_deleted BEFORE DELETE ON merkle_nodes
          BEGIN SELECT RAISE(ABORT, 'the Merkle tree only grows'); END;
      `);
      // A log written before the tree: its nodes, from its events in order.
      const insert = db.prepare('INSERT INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)');
      const tree = new MemoryTree();
      for (const row of db.prepare<[], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events ORDER BY position`).safeIntegers(true).all()) {
        for (const node of tree.append(leafHash(eventLeaf(toChainedRow(row))))) insert.run(node.level, node.index, node.hash);
      }
    },
  },
  {
    version: 3,
    description: "the Merkle tree kept in the events' rows (tree: the nodes each append completed), so an append writes no page of its own for it",
    up: (db) => {
      db.exec(`
        ALTER TABLE events ADD COLUMN tree BLOB CHECK (tree IS NULL OR (length(tree) >= 32 AND length(tree) % 32 = 0));
        DROP TRIGGER events_are_never_updated;
      `);
      // The nodes kept so far move into the rows of the events that completed them (a node missing stays missing).
      const node = db.prepare<[number, number], { hash: Buffer }>('SELECT hash FROM merkle_nodes WHERE level = ? AND idx = ?');
      const setTree = db.prepare<[Buffer, bigint]>('UPDATE events SET tree = ? WHERE position = ?');
      for (const { position } of db.prepare<[], { position: bigint }>('SELECT position FROM events ORDER BY position').safeIntegers(true).all()) {
        const hashes = treeNodesOfPosition(Number(position)).map(({ level, index }) => node.get(level, index)?.hash);
        if (hashes.every((h) => h !== undefined)) setTree.run(Buffer.concat(hashes), position);
      }
      // Dropping a table fires no DELETE trigger.
      db.exec(`DROP TABLE merkle_nodes; ${EVENT_TRIGGERS_SINCE_TREE}`);
    },
  },
  {
    version: 4,
    description: `the events' rows keep the Merkle nodes from level ${KEPT_FROM_LEVEL} up (a sixteenth of them); the levels below are recomputed from at most ${LEAVES_PER_KEPT_NODE / 2} events`,
    up: (db) => {
      // Version 3 kept levels 0.. in each row; the nodes from level 4 are the same bytes from offset 4 * 32.
      db.exec(`
        DROP TRIGGER events_tree_is_written_once;
        UPDATE events SET tree = CASE WHEN position % ${LEAVES_PER_KEPT_NODE} = 0 AND tree IS NOT NULL THEN substr(tree, ${KEPT_FROM_LEVEL * HASH_BYTES + 1}) ELSE NULL END WHERE tree IS NOT NULL;
        CREATE TRIGGER events_tree_is_written_once BEFORE UPDATE OF tree ON events WHEN OLD.tree IS NOT NULL
          BEGIN SELECT RAISE(ABORT, 'the Merkle tree only grows'); END;
      `);
    },
  },
  {
    version: 5,
    description: "the hash chain links each new event's content hash (format 2), from the position after the last event written so far",
    up: (db) =>
      // Links already written stay in format 1: they are evidence. The row is written once, never changed.
      db.exec(`
        CREATE TABLE chain_format (
          singleton           INTEGER PRIMARY KEY CHECK (singleton = 1),
          content_linked_from INTEGER NOT NULL CHECK (content_linked_from >= 1)
        ) STRICT;
        INSERT INTO chain_format (singleton, content_linked_from) SELECT 1, coalesce(max(position), 0) + 1 FROM events;
        CREATE TRIGGER chain_format_is_never_updated BEFORE UPDATE ON chain_format
          BEGIN SELECT RAISE(ABORT, 'the chain format of written events never changes'); END;
        CREATE TRIGGER chain_format_is_never_deleted BEFORE DELETE ON chain_format
          BEGIN SELECT RAISE(ABORT, 'the chain format of written events never changes'); END;
      `),
  },
];

/** The file's chain formats: format 1 throughout before version 5 (only reads: an audit opens older files as they are). */
export function readChainFormats(db: Database): ChainFormats {
  if (readSchemaVersion(db, EVENT_STORE_COMPONENT) < 5) return { contentLinkedFrom: null };
  const row = db.prepare('SELECT content_linked_from AS position FROM chain_format').safeIntegers(true).get() as { position: bigint } | undefined;
  // The row is written with the table: without it, no link can be checked in a known format.
  if (!row) throw new EventStoreError('corrupt', 'the chain_format table has no row: the file was changed outside taawun; run taawun verify on a backup');
  return { contentLinkedFrom: row.position };
}

export const EVENT_STORE_SCHEMA_VERSION = eventStoreMigrations.at(-1)!.version;

const latestOf = (migrations: readonly Migration[]): number => migrations.at(-1)?.version ?? 0;

/** The component's version in the file; 0 when it has never been set up. Only reads. */
export function readSchemaVersion(db: Database, component: string): number {
  const table = db.prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?`).get(SCHEMA_VERSIONS_TABLE);
  if (!table) return 0;
  const row = db.prepare(`SELECT version FROM ${SCHEMA_VERSIONS_TABLE} WHERE component = ?`).get(component) as { version: number } | undefined;
  return row?.version ?? 0;
}

/** Refuse a file whose component was written by a newer version of this package. Only reads. */
export function assertSchemaNotTooNew(db: Database, file: string, component: string, migrations: readonly Migration[]): number {
  const found = readSchemaVersion(db, component);
  const latest = latestOf(migrations);
  if (found > latest) {
    throw new EventStoreError(
      'schema-too-new',
      `${file}: the ${component} tables are at schema version ${found}, written by a newer taawun; this version reads up to ${latest}. Upgrade @taawun/adapter-sqlite; the file was not changed.`,
    );
  }
  return found;
}

/** Migrate the component when the file is behind, trying again when SQLite reports busy without waiting. */
export function migrateIfBehind(db: Database, file: string, component: string, migrations: readonly Migration[]): void {
  retryingImmediateBusy(Number(db.pragma('busy_timeout', { simple: true })), () => {
    if (readSchemaVersion(db, component) < latestOf(migrations)) migrate(db, file, component, migrations);
  });
}

/**
 * Bring a component's tables to the latest version, in one `BEGIN IMMEDIATE`
 * transaction (so two processes opening a new file at once do not both migrate).
 */
export function migrate(db: Database, file: string, component: string, migrations: readonly Migration[]): { from: number; to: number } {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migrations of ${component} must be numbered 1, 2, 3, ...; found ${m.version} at index ${i}`);
  });
  const run = db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS ${SCHEMA_VERSIONS_TABLE} (
      component   TEXT    PRIMARY KEY,
      version     INTEGER NOT NULL,
      migrated_at TEXT    NOT NULL
    ) STRICT`);
    const from = assertSchemaNotTooNew(db, file, component, migrations);
    for (const migration of migrations.slice(from)) migration.up(db);
    const to = latestOf(migrations);
    if (to !== from) {
      db.prepare(
        `INSERT INTO ${SCHEMA_VERSIONS_TABLE} (component, version, migrated_at) VALUES (?, ?, ?)
         ON CONFLICT (component) DO UPDATE SET version = excluded.version, migrated_at = excluded.migrated_at`,
      ).run(component, to, new Date().toISOString());
    }
    return { from, to };
  });
  return run.immediate();
}
