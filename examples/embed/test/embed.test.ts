import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Spawned programs run the build (`npx tsc -b`; the root `npm test` does it first).
const cli = fileURLToPath(new URL('../../../packages/cli/dist/main.js', import.meta.url));
const program = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const node = (args: string[], cwd: string) => promisify(execFile)(process.execPath, args, { cwd, encoding: 'utf8' });

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'taawun-embed-'));
});
afterAll(() => rm(folder, { recursive: true, force: true }));

describe('embedding taawun in another system', () => {
  it("records a workshop into a seeded log and reads ENM's history back, the workshop after the 2021 course", async () => {
    const file = join(folder, 'seeded.db');
    await node([cli, 'seed', '--store', `sqlite:${file}`], folder);
    const { stdout } = await node([program, file], folder);
    expect(stdout).toContain('RegisterPartner: already recorded'); // the seed registered ENM
    for (const type of ['ScheduleSession', 'RegisterParticipant', 'EnrolParticipant', 'RecordSessionHeld']) expect(stdout).toContain(`${type}: recorded`);
    expect(stdout).toMatch(/^ENM: 9 entries$/m);
    const lines = stdout.split('\n').filter((l) => l.startsWith('  '));
    expect(lines[0]).toMatch(/^ {2}16 November 1998 +Agreement signed +Cooperation agreement$/);
    // The workshop comes after the 2021 course; only the two undated programmes (F15, F16) follow it.
    expect(lines.at(-3)).toMatch(/^ {2}12–14 March 2024 +Workshop held +Workshop on judicial ethics$/);
  });

  it('running it again records nothing new', async () => {
    const file = join(folder, 'seeded.db');
    const before = (await node([cli, 'export', '--store', `sqlite:${file}`], folder)).stdout;
    const { stdout } = await node([program, file], folder);
    expect(stdout.split('\n').filter((l) => l.includes(': ')).slice(0, 5)).toEqual([
      'RegisterPartner: already recorded',
      'ScheduleSession: already recorded',
      'RegisterParticipant: already recorded',
      'EnrolParticipant: already recorded',
      'RecordSessionHeld: already recorded',
    ]);
    expect((await node([cli, 'export', '--store', `sqlite:${file}`], folder)).stdout).toBe(before);
  });

  it('what it recorded is the same log the CLI reads: history, participants, and the name sealed at rest', async () => {
    const file = join(folder, 'seeded.db');
    const history = await node([cli, 'history', 'enm-france', '--store', `sqlite:${file}`], folder);
    // "~": an undated programme (F15, F16) may lie either side of it.
    expect(history.stdout).toMatch(/^~?12–14 March 2024 +Workshop held +enm-ethics-workshop-2024-03 +24 trained +F?/m);
    const participants = await node([cli, 'report', 'participants', '--lang', 'ar', '--store', `sqlite:${file}`], folder);
    expect(participants.stdout).toMatch(/^attache-47-0193a5c2 +\u2068ملحق قضائي\u2069 +47 +enm-ethics-workshop-2024-03 +\u2068سلمى بناني\u2069$/m); // Arabic isolated in its cell, the kind in words
    // The name is in the export (read through the keys) but not in the database file itself.
    const raw = await readFile(file);
    expect(raw.includes(Buffer.from('Bennani'))).toBe(false);
    expect(raw.includes(Buffer.from('سلمى بناني'))).toBe(false);
  });

  it('starts an empty log too: the partner is registered by the program', async () => {
    const { stdout } = await node([program, join(folder, 'empty.db')], folder);
    expect(stdout).toContain('RegisterPartner: recorded');
    expect(stdout).toMatch(/^ENM: 1 entry$/m);
  });
});
