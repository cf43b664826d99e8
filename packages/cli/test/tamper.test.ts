import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS_HASH, MemoryTree, chainHash, eventLeaf, leafHash, type ChainedRow } from '@taawun/domain';
import { processIo, witnessLocationOf } from '../src/io.js';
import { taawun, temporaryFolder } from './support.js';

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

type Row = ChainedRow;

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
  const edited = edit(rows);
  db.exec(`DROP TRIGGER events_are_never_updated; DROP TRIGGER events_are_never_deleted;
           DROP TRIGGER merkle_nodes_are_never_updated; DROP TRIGGER merkle_nodes_are_never_deleted;
           DELETE FROM events; DELETE FROM merkle_nodes;`);
  const insert = db.prepare('INSERT INTO events (position, stream, revision, id, type, schema_version, recorded_at, data, metadata, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const node = db.prepare('INSERT INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)');
  const tree = new MemoryTree();
  let previous = GENESIS_HASH;
  for (const row of edited) {
    previous = chainHash(previous, row);
    insert.run(row.position, row.stream, row.revision, row.id, row.type, row.schemaVersion, row.recordedAt, row.dataJson, row.metadataJson, previous);
    for (const n of tree.append(leafHash(eventLeaf(row)))) node.run(n.level, n.index, n.hash);
  }
  db.close();
}

const renumbered = (rows: Row[]): Row[] => {
  const revisions = new Map<string, number>();
  return rows.map((row, i) => {
    const revision = (revisions.get(row.stream) ?? -1) + 1;
    revisions.set(row.stream, revision);
    return { ...row, position: BigInt(i + 1), revision };
  });
};

const forged = (position: bigint, stream: string, revision: number): Row => ({
  position,
  stream,
  revision,
  id: crypto.randomUUID(),
  type: 'PartnerRenamed',
  schemaVersion: 1,
  recordedAt: '2024-06-01T10:00:00.000Z',
  dataJson: '{"name":"forged"}',
  metadataJson: '{"actor":"intruder","correlationId":"x","causationId":"x"}',
});

async function verify(file: string) {
  return taawun(['verify', '--store', `sqlite:${file}`], { cwd: folder.path, env });
}

describe('taawun verify against its own witness, after an intruder edited the SQLite file', () => {
  it('passes the untouched log, proven through its last position', async () => {
    const result = await verify(copyOfSeeded('untouched'));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^intact: 49 events .*; proven by 1 signed checkpoint\(s\) kept outside the log, through position 49\n$/);
  });

  const cases: [string, (rows: Row[]) => Row[], RegExp][] = [
    ['the last event deleted', (rows) => rows.slice(0, -1), /^BROKEN at position 49 \(checkpoint-missing\): the log has 48 events but the witness file .* witnessed 49: positions 49–49 were removed; .*the first unproven position is 1\n$/],
    ['the last 10 events deleted', (rows) => rows.slice(0, -10), /^BROKEN at position 40 \(checkpoint-missing\): the log has 39 events .*positions 40–49 were removed; .*the first unproven position is 1\n$/],
    ['every event deleted', () => [], /^BROKEN at position 1 \(checkpoint-missing\): the log has 0 events .*positions 1–49 were removed; no position is proven intact .*the first unproven position is 1\n$/],
    ['an event changed and the chain re-hashed', (rows) => rows.map((r) => (r.position === 20n ? { ...r, dataJson: r.dataJson.replace(/"(\w+)":/, '"$1 ":') } : r)), /^BROKEN at position 49 \(checkpoint-mismatch\): the log's first 49 events are not the ones witnessed .*the first unproven position is 1\n$/],
    ['an event deleted, the rest renumbered and re-hashed', (rows) => renumbered(rows.filter((r) => r.position !== 12n)), /^BROKEN at position 49 \(checkpoint-missing\): the log has 48 events .*the first unproven position is 1\n$/],
    ['the tail replaced by other events', (rows) => [...rows.slice(0, -3), ...[0, 1, 2].map((i) => forged(BigInt(47 + i), `partner-forged`, i))], /^BROKEN at position 49 \(checkpoint-mismatch\): .*the first unproven position is 1\n$/],
    ['an event appended with a correct hash, without taawun', (rows) => [...rows, forged(50n, 'partner-forged', 0)], /^BROKEN at position 50 \(unwitnessed\): positions 50–50 are in no witnessed checkpoint .*positions 1–49 are proven intact by a kept checkpoint; positions 50–50 only match their own chain .*; the first unproven position is 50\n$/],
  ];
  for (const [name, edit, expected] of cases) {
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
    db.exec(`DROP TRIGGER merkle_nodes_are_never_updated; UPDATE merkle_nodes SET hash = zeroblob(32) WHERE level = 0 AND idx = 3`);
    db.close();
    const result = await verify(file);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^BROKEN at position 1 \(tree-mismatch\): the Merkle tree kept in the store is not the one its events make/);
  });
});
