import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taawun, temporaryFolder } from './support.js';

let folder: { path: string; remove: () => Promise<void> };
const store = ['--store', 'sqlite:proved.db'];
let key = '';
beforeAll(async () => {
  folder = await temporaryFolder('prove');
  expect((await taawun(['seed', ...store], { cwd: folder.path })).code).toBe(0);
  const exported = await taawun(['key', 'export', ...store], { cwd: folder.path });
  expect(exported.code).toBe(0);
  key = exported.stdout.trim();
}, 60_000);
afterAll(() => folder.remove());

const run = (args: string[]) => taawun(args, { cwd: folder.path });

describe('proofs a third party checks without the store', () => {
  it('key export prints the verifier key in the signed-note form', () => {
    expect(key).toMatch(/^taawun\/[0-9a-f]{8}\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
  });

  it('an inclusion proof (by position, at an earlier size) verifies offline; any single changed byte of it is refused', async () => {
    expect((await run(['prove', '7', '--size', '30', '-o', 'inclusion.json', ...store])).code).toBe(0);
    const holds = await run(['verify-proof', 'inclusion.json', '--key', key]);
    expect(holds).toMatchObject({ code: 0, stdout: expect.stringMatching(/^holds: the event at position 7 .* of size 30, signed by taawun\//) });
    const bytes = readFileSync(join(folder.path, 'inclusion.json'));
    // Every byte would take minutes of processes: a sample of positions, each its own run.
    const positions = fc.sample(fc.nat({ max: bytes.length - 1 }), { numRuns: 12, seed: 17 });
    for (const [i, at] of positions.entries()) {
      const changed = Buffer.from(bytes);
      changed[at] = changed[at] === 0x41 ? 0x42 : 0x41;
      writeFileSync(join(folder.path, `changed-${i}.json`), changed);
      const result = await run(['verify-proof', `changed-${i}.json`, '--key', key]);
      expect([at, result.code]).not.toEqual([at, 0]);
    }
  }, 120_000);

  it('a proof of a position or size past the log is refused as out of range, exit 1, nothing written', async () => {
    const past = await run(['prove', '99', '--size', '40', '-o', 'past.json', ...store]);
    expect(past).toMatchObject({ code: 1, stderr: expect.stringMatching(/position 99 is not in the log of size 40 \(store: out-of-range\)/) });
    expect((await run(['prove', '--consistency', '11', '999', ...store])).stderr).toMatch(/no tree of size 999 \(store: out-of-range\)/);
    expect(() => readFileSync(join(folder.path, 'past.json'))).toThrow();
  }, 60_000);

  it('a file that is not JSON is no proof: the file named, one line, exit 1', async () => {
    writeFileSync(join(folder.path, 'garbage.txt'), 'garbage\nmore\n');
    writeFileSync(join(folder.path, 'cut.json'), '{"format":');
    for (const file of ['garbage.txt', 'cut.json']) {
      const result = await run(['verify-proof', file, '--key', key]);
      expect(result, file).toMatchObject({ code: 1, stdout: expect.stringMatching(new RegExp(`^does not hold: ${file.replace('.', '\\.')} is not a taawun proof: not JSON \\([^\\n]+\\)\\n$`)) });
    }
  }, 60_000);

  it('a consistency proof verifies offline, and refuses another key', async () => {
    expect((await run(['prove', '--consistency', '11', '49', '-o', 'consistency.json', ...store])).code).toBe(0);
    expect(await run(['verify-proof', 'consistency.json', '--key', key])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^holds: .* of size 49 extends its log of size 11 unchanged/) });
    const other = key.replace(/\+[A-Za-z0-9+/]{44}$/, `+${Buffer.concat([Buffer.of(1), Buffer.alloc(32, 7)]).toString('base64')}`);
    expect((await run(['verify-proof', 'consistency.json', '--key', other])).code).not.toBe(0);
  }, 60_000);
});
