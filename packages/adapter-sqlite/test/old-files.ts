import Database from 'better-sqlite3';
import { GENESIS_HASH, chainHash } from '@taawun/domain';
import { newTestEvent } from '@taawun/domain/testing';
import { EVENT_STORE_COMPONENT, eventStoreMigrations, migrate } from '../src/index.js';

/** A file as an older version left it: its tables at `version`, with `count` events appended the way that version did (chain hashes, no tree of their own). */
export function fileAtVersion(path: string, version: number, count: number): Database.Database {
  const db = new Database(path);
  migrate(db, path, EVENT_STORE_COMPONENT, eventStoreMigrations.slice(0, 1));
  const insert = db.prepare('INSERT INTO events (position, stream, revision, id, type, schema_version, recorded_at, data, metadata, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  let previous = GENESIS_HASH;
  for (let i = 0; i < count; i++) {
    const e = newTestEvent('Old', { i });
    const row = { position: BigInt(i + 1), stream: `s${i % 2}`, revision: Math.floor(i / 2), id: e.id, type: e.type, schemaVersion: 1, recordedAt: e.recordedAt, dataJson: JSON.stringify(e.data), metadataJson: JSON.stringify(e.metadata) };
    previous = chainHash(previous, row, 1); // versions before 5 linked the text (chain format 1)
    insert.run(row.position, row.stream, row.revision, row.id, row.type, row.schemaVersion, row.recordedAt, row.dataJson, row.metadataJson, previous);
  }
  // Version 2 built its tree (merkle_nodes) from the events when it was opened; version 3 moved it into the rows.
  if (version >= 2) migrate(db, path, EVENT_STORE_COMPONENT, eventStoreMigrations.slice(0, version));
  return db;
}

