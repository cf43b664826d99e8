import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taawun, temporaryFolder } from './support.js';

/**
 * `taawun partners` and `taawun report …` on the auditor's copy: a read-only
 * events file in a read-only folder. They answer from the log (the read models
 * caught up in a private copy), as on the original, change no byte of the
 * folder and leave no -wal/-shm, also where the folder could be written.
 */
let folder: { path: string; remove: () => Promise<void> };
/** root writes through chmod: the folder's read-only mode stops nothing then, so only what is left in it can be checked. */
const runningAsRoot = process.getuid?.() === 0;
const questions = [['partners'], ['report', 'yearly'], ['report', 'agreements']];
/** What the original, writable log answers. */
const answers = new Map<string, string>();

beforeAll(async () => {
  folder = await temporaryFolder('query-ro');
  expect((await taawun(['seed', '--store', 'sqlite:seeded.db'], { cwd: folder.path })).code).toBe(0);
  for (const question of questions) answers.set(question.join(' '), (await taawun([...question, '--store', 'sqlite:seeded.db'], { cwd: folder.path })).stdout);
}, 60_000);
afterAll(async () => {
  for (const name of ['read-only', 'writable-folder']) chmodSync(join(folder.path, name), 0o755);
  await folder.remove();
});

const fingerprint = (dir: string) => Object.fromEntries(readdirSync(dir).map((n) => [n, createHash('sha256').update(readFileSync(join(dir, n))).digest('hex')]));

/** A copy of the seeded log as `name/log.db`, the file read-only, and the folder too unless `folderWritable`. */
function auditorsCopy(name: string, folderWritable: boolean): string {
  const copy = join(folder.path, name);
  mkdirSync(copy);
  copyFileSync(join(folder.path, 'seeded.db'), join(copy, 'log.db'));
  chmodSync(join(copy, 'log.db'), 0o444);
  if (!folderWritable) chmodSync(copy, 0o555);
  return copy;
}

describe('partners and report on a read-only copy', () => {
  it('in a read-only folder: the same answers as the original, not a byte changed, no -wal/-shm', async () => {
    const copy = auditorsCopy('read-only', false);
    const before = fingerprint(copy);
    for (const question of questions) {
      const result = await taawun([...question, '--store', `sqlite:${copy}/log.db`], { cwd: folder.path });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(answers.get(question.join(' ')));
    }
    expect(fingerprint(copy)).toEqual(before);
    expect(readdirSync(copy)).toEqual(['log.db']);
  }, 60_000);

  it('a read-only file in a folder that can be written: no -wal/-shm left beside it, not a byte changed', async () => {
    const copy = auditorsCopy('writable-folder', true);
    const before = fingerprint(copy);
    const result = await taawun(['partners', '--store', `sqlite:${copy}/log.db`], { cwd: folder.path });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(answers.get('partners'));
    expect(readdirSync(copy)).toEqual(['log.db']);
    expect(fingerprint(copy)).toEqual(before);
  }, 60_000);

  it.skipIf(runningAsRoot)('the read-only folder really refuses writes (skipped when running as root, whom chmod does not stop)', () => {
    const copy = join(folder.path, 'read-only');
    expect(() => writeFileSync(join(copy, 'probe'), 'x')).toThrow(/EACCES|EPERM/);
  });
});
