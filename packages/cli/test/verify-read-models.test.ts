import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taawun, temporaryFolder } from './support.js';

/*
 * Someone with write access to the file edits what the reports answer from, not
 * the log: a stored read model's document. The log still verifies intact, and
 * the pages still print its true head hash; `verify --read-models` finds the
 * edit, names the document, and `replay` rebuilds the model from the log.
 */
let folder: { path: string; remove: () => Promise<void> };
const file = () => join(folder.path, 'log.db');
const run = (...args: string[]) => taawun([...args, '--store', `sqlite:${file()}`], { cwd: folder.path });

beforeAll(async () => {
  folder = await temporaryFolder('verify-read-models');
  expect((await run('seed')).code).toBe(0);
  // The stored models the queries build and keep.
  for (const query of [['partners'], ['report', 'yearly'], ['report', 'agreements']]) expect((await run(...query)).code).toBe(0);
}, 120_000);
afterAll(() => folder.remove());

describe('taawun verify --read-models', () => {
  it('checks every stored read model against the log: each as the log gives it, exit 0', async () => {
    const result = await run('verify', '--read-models');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^intact: \d+ events/);
    for (const model of ['partner-history', 'yearly-activity-report', 'agreements-register']) {
      expect(result.stdout).toMatch(new RegExp(`\\nread model ${model} \\(generation \\d+, through position \\d+\\): as the log gives it, \\d+ documents and \\d+ index entries\\n`));
    }
  }, 60_000);

  it('names a document edited in the file (exit 1) while the log stays intact, and replay puts it right', async () => {
    const db = new Database(file());
    // Only the partners' histories' copy: the agreements register keeps its own.
    const history = "(SELECT id FROM read_model_generations WHERE name = 'partner-history' AND status = 'active')";
    expect(db.prepare(`UPDATE read_model_documents SET value = replace(value, 'Cooperation agreement', 'Secret side-deal') WHERE key = 'agreement-enm-1998' AND model = ${history}`).run().changes).toBe(1);
    db.close();
    expect((await run('history', 'enm-france')).stdout).toContain('Secret side-deal');
    const verified = await run('verify', '--read-models');
    expect(verified.code).toBe(1);
    expect(verified.stdout).toMatch(/^intact: /);
    expect(verified.stdout).toContain('read model partner-history (generation 1, through position 52): DIFFERS from the log: the document agreement-enm-1998 is not what the log gives (taawun replay partner-history rebuilds it from the log)\n');
    expect(verified.stdout).toMatch(/read model agreements-register \(.*\): as the log gives it/);

    expect((await run('replay', 'partner-history')).code).toBe(0);
    expect((await run('history', 'enm-france')).stdout).not.toContain('Secret side-deal');
    expect((await run('verify', '--read-models')).code).toBe(0);
  }, 60_000);
});
