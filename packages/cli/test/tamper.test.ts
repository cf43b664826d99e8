import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processIo, witnessLocationOf } from '../src/io.js';
import { taawun, temporaryFolder } from './support.js';
import { instituteRecord } from '@taawun/runtime';
import { relink, tamperCases, type Row } from './tamper-cases.js';

/** The seeded log: one event per command of the institute's record. */
const seededEvents = instituteRecord.length;

/**
 * The intruder of issue 17: write access to the SQLite file, none to the witness
 * kept beside the configuration. Each case edits the file as a careful intruder
 * would, keeping it consistent inside (hash chain re-linked, Merkle tree rebuilt),
 * and `taawun verify` must find it with only the witness taawun keeps by itself.
 */
let folder: { path: string; remove: () => Promise<void> };
const seeded = () => join(folder.path, 'seeded.db');
const env = {};

beforeAll(async () => {
  folder = await temporaryFolder('tamper');
  const seed = await taawun(['seed', '--store', `sqlite:${seeded()}`], { cwd: folder.path, env });
  expect(seed.code).toBe(0);
}, 60_000);
afterAll(() => folder.remove());

const witnessOf = (file: string) => witnessLocationOf({ store: `sqlite:${file}` }, { ...processIo(), cwd: folder.path, env: {} })!.witnessFile;

/** A copy of the seeded log under another name, with its witness copied where taawun keeps it for that name. */
function copyOfSeeded(name: string): string {
  const file = join(folder.path, `${name}.db`);
  copyFileSync(seeded(), file);
  mkdirSync(dirname(witnessOf(file)), { recursive: true });
  copyFileSync(witnessOf(seeded()), witnessOf(file));
  return file;
}

/** Rewrite the whole log as `edit` says, then re-link the chain and rebuild the Merkle tree, as an intruder who knows the format would. */
function rewrite(file: string, edit: (rows: Row[]) => Row[]): void {
  const db = new Database(file);
  const rows = (db.prepare('SELECT * FROM events ORDER BY position').safeIntegers(true).all() as Record<string, unknown>[]).map(
    (r): Row => ({
      position: r['position'] as bigint,
      stream: r['stream'] as string,
      revision: Number(r['revision']),
      id: r['id'] as string,
      type: r['type'] as string,
      schemaVersion: Number(r['schema_version']),
      recordedAt: r['recorded_at'] as string,
      dataJson: r['data'] as string,
      metadataJson: r['metadata'] as string,
    }),
  );
  const { rows: linked, nodes } = relink(edit(rows));
  db.exec(`DROP TRIGGER events_are_never_updated; DROP TRIGGER events_are_never_deleted; DELETE FROM events;`);
  // Each event's row keeps the Merkle nodes its append completed (the leaf, then each parent), in that order.
  const treeOf = (position: bigint) => Buffer.concat(nodes.filter((n) => (n.index + 1) * 2 ** n.level === Number(position)).sort((a, b) => a.level - b.level).map((n) => n.hash));
  const insert = db.prepare('INSERT INTO events (position, stream, revision, id, type, schema_version, recorded_at, data, metadata, hash, tree) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  for (const row of linked) insert.run(row.position, row.stream, row.revision, row.id, row.type, row.schemaVersion, row.recordedAt, row.dataJson, row.metadataJson, row.hash, treeOf(row.position));
  db.close();
}

async function verify(file: string) {
  return taawun(['verify', '--store', `sqlite:${file}`], { cwd: folder.path, env });
}

describe('taawun verify against its own witness, after an intruder edited the SQLite file', () => {
  it('passes the untouched log, proven through its last position', async () => {
    const result = await verify(copyOfSeeded('untouched'));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^intact: ${seededEvents} events .*; proven by 1 signed checkpoint\\(s\\) kept outside the log, through position ${seededEvents}\\n$`));
  });

  for (const [name, edit, expected] of tamperCases(seededEvents)) {
    it(`finds ${name}: exit 1, naming the first unproven position`, async () => {
      const file = copyOfSeeded(name.replace(/\W+/g, '-'));
      rewrite(file, edit);
      const result = await verify(file);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(expected);
    });
  }

  it('finds a Merkle tree changed in the file while the events were left alone (tree-mismatch)', async () => {
    const file = copyOfSeeded('tree');
    const db = new Database(file);
    // The leaf of position 4 (level 0, index 3), the first 32 bytes of that event's tree.
    const { tree } = db.prepare('SELECT tree FROM events WHERE position = 4').get() as { tree: Buffer };
    db.exec('DROP TRIGGER events_tree_is_written_once');
    db.prepare('UPDATE events SET tree = ? WHERE position = 4').run(Buffer.concat([Buffer.alloc(32), tree.subarray(32)]));
    db.close();
    const result = await verify(file);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^BROKEN at position 1 \(tree-mismatch\): the Merkle tree kept in the store is not the one its events make/);
  });
});
