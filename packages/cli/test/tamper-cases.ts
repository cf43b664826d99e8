import Database from 'better-sqlite3';
import { splitNotes } from '@taawun/runtime';
import { GENESIS_HASH, KEPT_FROM_LEVEL, MemoryTree, chainHash, eventLeaf, leafHash, type ChainedRow, type TreeNode } from '@taawun/domain';

/**
 * The intruder's edits of issue 17, shared by the SQLite and PostgreSQL tamper
 * suites: each takes the log's rows and returns the rows the intruder leaves,
 * which `relink` then makes consistent inside (chain re-linked, Merkle tree rebuilt).
 */
export type Row = ChainedRow;

/** The rows with their chain hashes and the Merkle nodes the stores keep (level 4 and up), as a careful intruder writes them back. */
export function relink(rows: readonly Row[]): { rows: (Row & { hash: string })[]; nodes: TreeNode[] } {
  const tree = new MemoryTree();
  const nodes: TreeNode[] = [];
  let previous = GENESIS_HASH;
  const linked = rows.map((row) => {
    previous = chainHash(previous, row);
    nodes.push(...tree.append(leafHash(eventLeaf(row))).filter((node) => node.level >= KEPT_FROM_LEVEL));
    return { ...row, hash: previous };
  });
  return { rows: linked, nodes };
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

/** The largest witnessed size below `position` (0: none): what a kept checkpoint still proves when the log changed from `position` on. */
const provenBelow = (witnessed: readonly number[], position: number): number => Math.max(0, ...witnessed.filter((size) => size < position));
/** The first witnessed size from `position` on: the first kept checkpoint a change at `position` contradicts. */
const firstFrom = (witnessed: readonly number[], position: number): number => Math.min(...witnessed.filter((size) => size >= position));

/**
 * Each case on the seeded log of `n` events (one per command of the institute's
 * record), whose witness kept the checkpoints of sizes `witnessed` (its history,
 * ending at `n`): its name, the edit, and what verify must print. Every kept
 * checkpoint counts: the positions up to the last one the edit leaves alone are
 * proven intact, and the first unproven position is the one after it.
 */
export const tamperCases = (n: number, witnessed: readonly number[]): [string, (rows: Row[]) => Row[], RegExp][] => {
  const renumberedFrom = 12;
  const contradictedByRenumbering = witnessed.filter((size) => size >= renumberedFrom && size <= n - 1);
  return [
    ['the last event deleted', (rows) => rows.slice(0, -1), new RegExp(`^BROKEN at position ${n} \\(checkpoint-missing\\): the log has ${n - 1} events but the witness file .* witnessed ${n}: positions ${n}–${n} were removed; .*the first unproven position is ${provenBelow(witnessed, n) + 1}\\n$`)],
    ['the last 10 events deleted', (rows) => rows.slice(0, -10), new RegExp(`^BROKEN at position ${n - 9} \\(checkpoint-missing\\): the log has ${n - 10} events .*positions ${n - 9}–${n} were removed; .*the first unproven position is ${provenBelow(witnessed, n - 9) + 1}\\n$`)],
    ['every event deleted', () => [], new RegExp(`^BROKEN at position 1 \\(checkpoint-missing\\): the log has 0 events .*positions 1–${n} were removed; no position is proven intact .*the first unproven position is 1\\n$`)],
    [
      'an event changed and the chain re-hashed',
      (rows) => rows.map((r) => (r.position === 20n ? { ...r, dataJson: r.dataJson.replace(/"(\w+)":/, '"$1 ":') } : r)),
      new RegExp(`^BROKEN at position ${firstFrom(witnessed, 20)} \\(checkpoint-mismatch\\): the log's first ${firstFrom(witnessed, 20)} events are not the ones witnessed .*the first unproven position is ${provenBelow(witnessed, 20) + 1}\\n$`),
    ],
    [
      'an event deleted, the rest renumbered and re-hashed',
      (rows) => renumbered(rows.filter((r) => r.position !== BigInt(renumberedFrom))),
      new RegExp(
        contradictedByRenumbering.length > 0
          ? `^BROKEN at position ${contradictedByRenumbering[0]} \\(checkpoint-mismatch\\): .*the first unproven position is ${provenBelow(witnessed, renumberedFrom) + 1}\\n$`
          : `^BROKEN at position ${n} \\(checkpoint-missing\\): the log has ${n - 1} events .*the first unproven position is ${provenBelow(witnessed, renumberedFrom) + 1}\\n$`,
      ),
    ],
    [
      'the tail replaced by other events',
      (rows) => [...rows.slice(0, -3), ...[0, 1, 2].map((i) => forged(BigInt(n - 2 + i), `partner-forged`, i))],
      new RegExp(`^BROKEN at position ${firstFrom(witnessed, n - 2)} \\(checkpoint-mismatch\\): .*the first unproven position is ${provenBelow(witnessed, n - 2) + 1}\\n$`),
    ],
    ['an event appended with a correct hash, without taawun', (rows) => [...rows, forged(BigInt(n + 1), 'partner-forged', 0)], new RegExp(`^BROKEN at position ${n + 1} \\(unwitnessed\\): positions ${n + 1}–${n + 1} are in no witnessed checkpoint .*positions 1–${n} are proven intact by a kept checkpoint; positions ${n + 1}–${n + 1} only match their own chain .*; the first unproven position is ${n + 1}\\n$`)],
  ];
};

/** The sizes of the checkpoints a witness file's history keeps, oldest first. */
export const witnessedSizes = (historyText: string): number[] => splitNotes(historyText).map((note) => Number(note.split('\n')[1]));

/** Rewrite a SQLite log as `edit` says, then re-link the chain and rebuild the Merkle tree, as an intruder who knows the format would. */
export function rewriteSqliteLog(file: string, edit: (rows: Row[]) => Row[]): void {
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
  db.exec(`DROP TRIGGER IF EXISTS events_are_never_updated; DROP TRIGGER IF EXISTS events_are_never_deleted; DELETE FROM events;`);
  // Each event's row keeps the Merkle nodes from level 4 its append completed, lowest first (none: NULL).
  const treeOf = (position: bigint) => {
    const kept = nodes.filter((n) => (n.index + 1) * 2 ** n.level === Number(position)).sort((a, b) => a.level - b.level);
    return kept.length === 0 ? null : Buffer.concat(kept.map((n) => n.hash));
  };
  const insert = db.prepare('INSERT INTO events (position, stream, revision, id, type, schema_version, recorded_at, data, metadata, hash, tree) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  for (const row of linked) insert.run(row.position, row.stream, row.revision, row.id, row.type, row.schemaVersion, row.recordedAt, row.dataJson, row.metadataJson, row.hash, treeOf(row.position));
  db.close();
}
