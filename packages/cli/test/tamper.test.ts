import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processIo, witnessLocationOf } from '../src/io.js';
import { taawun, temporaryFolder } from './support.js';
import { historyFileOf, instituteRecord } from '@taawun/runtime';
import { rewriteSqliteLog, tamperCases, witnessedSizes } from './tamper-cases.js';

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
/** The sizes of the checkpoints the seed's witness kept (a first one at once, then at most one a second, the last at the end). */
let witnessed: number[] = [];

beforeAll(async () => {
  folder = await temporaryFolder('tamper');
  const seed = await taawun(['seed', '--store', `sqlite:${seeded()}`], { cwd: folder.path, env });
  expect(seed.code).toBe(0);
  witnessed = witnessedSizes(readFileSync(historyFileOf(witnessOf(seeded())), 'utf8'));
  expect(witnessed.at(-1)).toBe(seededEvents);
}, 60_000);
afterAll(() => folder.remove());

const witnessOf = (file: string) => witnessLocationOf({ store: `sqlite:${file}` }, { ...processIo(), cwd: folder.path, env: {} })!.witnessFile;

/** A copy of the seeded log under another name, with its witness copied where taawun keeps it for that name. */
function copyOfSeeded(name: string): string {
  const file = join(folder.path, `${name}.db`);
  copyFileSync(seeded(), file);
  mkdirSync(dirname(witnessOf(file)), { recursive: true });
  copyFileSync(witnessOf(seeded()), witnessOf(file));
  copyFileSync(historyFileOf(witnessOf(seeded())), historyFileOf(witnessOf(file)));
  return file;
}

const rewrite = rewriteSqliteLog;

async function verify(file: string) {
  return taawun(['verify', '--store', `sqlite:${file}`], { cwd: folder.path, env });
}

describe('taawun verify against its own witness, after an intruder edited the SQLite file', () => {
  it('passes the untouched log, proven through its last position', async () => {
    const result = await verify(copyOfSeeded('untouched'));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^intact: ${seededEvents} events .*; proven by ${witnessed.length} signed checkpoint\\(s\\) kept outside the log, through position ${seededEvents}\\n$`));
  });

  for (const [index, [name]] of tamperCases(seededEvents, []).entries()) {
    it(`finds ${name}: exit 1, naming the first unproven position`, async () => {
      const [, edit, expected] = tamperCases(seededEvents, witnessed)[index]!;
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
    // The node over positions 1–16 (level 4, index 0): the 32 bytes position 16 keeps.
    const { tree } = db.prepare('SELECT tree FROM events WHERE position = 16').get() as { tree: Buffer };
    expect(tree).toHaveLength(32);
    db.exec('DROP TRIGGER events_tree_is_written_once');
    db.prepare('UPDATE events SET tree = ? WHERE position = 16').run(Buffer.alloc(32));
    db.close();
    const result = await verify(file);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^BROKEN at position 1 \(tree-mismatch\): the Merkle tree kept in the store is not the one its events make/);
  });

  it('names the first position a changed node covers, and says every event is proven when the checkpoints prove them all', async () => {
    const file = copyOfSeeded('tree-second');
    const db = new Database(file);
    // The node over positions 17–32 (level 4, index 1): the 32 bytes position 32 keeps.
    db.exec('DROP TRIGGER events_tree_is_written_once');
    db.prepare('UPDATE events SET tree = ? WHERE position = 32').run(Buffer.alloc(32));
    db.close();
    const result = await verify(file);
    expect(result.code).toBe(1);
    const named = /^BROKEN at position (\d+) \(tree-mismatch\): .*node at level \d+, index \d+ differs: it covers positions (\d+)–(\d+)\): .*; the events themselves are as their chain says; positions 1–\d+ are proven intact by a kept checkpoint \(every event\)\n$/.exec(result.stdout);
    expect(named, result.stdout).not.toBeNull();
    // A position the changed bytes bear on, not position 1 (which the node does not cover).
    const [position, from, to] = named!.slice(1).map(Number);
    expect(position).toBe(from);
    expect([from! >= 17, to! <= 32]).toEqual([true, true]);
  });
});
