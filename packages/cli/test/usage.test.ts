import { copyFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../src/program.js';
import { processIo } from '../src/io.js';
import { hasNoStackTrace, taawun, temporaryFolder } from './support.js';

let folder: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  folder = await temporaryFolder('usage');
});
afterAll(() => folder.remove());

const commandNames = buildProgram({ io: processIo(), exitCode: 0 })
  .commands.map((c) => c.name())
  .filter((name) => name !== 'help');

describe('--help', () => {
  it('the program lists every command', async () => {
    const result = await taawun(['--help'], { cwd: folder.path });
    expect(result.code).toBe(0);
    for (const name of commandNames) expect(result.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
  });

  it.each(commandNames)('taawun %s --help prints its usage on stdout, exit 0', async (name) => {
    const result = await taawun([name, '--help'], { cwd: folder.path });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(new RegExp(`^Usage: taawun ${name}`));
  });

  it('prints the version', async () => {
    const result = await taawun(['--version'], { cwd: folder.path });
    expect(result).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });
});

describe('bad usage: exit 2 and one line on stderr', () => {
  const cases: [string, string[], RegExp][] = [
    ['an unknown command', ['sede'], /unknown command 'sede'.*Did you mean seed\?/],
    ['an unknown option', ['export', '--fast'], /unknown option '--fast'/],
    ['a missing argument', ['import'], /missing required argument 'file'/],
    ['an unknown store', ['export', '--store', 'mysql://root@db/taawun'], /--store "mysql:\/\/root@db\/taawun" is not a store URL taawun knows/],
    ['no command at all', [], /Usage: taawun/],
  ];
  it.each(cases)('%s', async (_label, args, message) => {
    const result = await taawun(args, { cwd: folder.path });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    if (args.length > 0) expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(hasNoStackTrace(result.stderr)).toBe(true);
  });
});

describe('the installed command (bin/taawun.js)', () => {
  it('runs the built command line', async () => {
    const result = await taawun(['--version'], { cwd: folder.path, script: fileURLToPath(new URL('../bin/taawun.js', import.meta.url)) });
    expect(result).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });

  it('before the first build, says how to build, in one line', async () => {
    await mkdir(`${folder.path}/unbuilt/bin`, { recursive: true });
    await copyFile(fileURLToPath(new URL('../bin/taawun.js', import.meta.url)), `${folder.path}/unbuilt/bin/taawun.js`);
    const result = await taawun(['--version'], { cwd: folder.path, script: `${folder.path}/unbuilt/bin/taawun.js` });
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toBe('taawun: the command line is not built yet: run "npm run build" (or "npx tsc -b") at the root of the repository\n');
  });
});
