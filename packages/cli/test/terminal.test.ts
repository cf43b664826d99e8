import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayWidth } from '../src/output/width.js';
import { cliMain, taawun, temporaryFolder, type Outcome } from './support.js';

/**
 * Tables for a terminal: they fit its width (long cells and notes wrap), Arabic
 * cells are isolated so they read right inside a left-to-right table, and
 * colour goes to a terminal only.
 */
let folder: { path: string; remove: () => Promise<void> };
const run = (args: string[], env: Record<string, string> = {}): Promise<Outcome> => taawun([...args, '--store', `sqlite:${folder.path}/taawun.db`], { cwd: folder.path, env });
const widest = (text: string) => Math.max(...text.split('\n').map(displayWidth));
/** In a pseudo-terminal (`script`), as a person at a terminal runs it. */
const atTerminal = async (command: string, env: Record<string, string> = {}) =>
  (await promisify(execFile)('script', ['-qec', `${process.execPath} ${cliMain} ${command} --store sqlite:${folder.path}/taawun.db`, '/dev/null'], { cwd: folder.path, encoding: 'utf8', env: { ...process.env, ...env } })).stdout;

beforeAll(async () => {
  folder = await temporaryFolder('terminal');
  expect((await run(['seed'])).code).toBe(0);
});
afterAll(() => folder.remove());

describe('tables at the terminal', () => {
  it('taawun partners at 80 columns has no line longer than 80, and every partner is still there', async () => {
    const result = await run(['partners'], { COLUMNS: '80' });
    expect(result.code).toBe(0);
    expect(widest(result.stdout)).toBeLessThanOrEqual(80);
    const whole = await run(['partners']);
    expect(widest(whole.stdout)).toBeGreaterThan(80); // on a pipe without COLUMNS, lines are kept whole
    for (const id of ['enm-', 'ssm-', 'giz', 'kvinfo', 'aecid']) expect(result.stdout).toMatch(new RegExp(`^${id}`, 'm'));
    // The long name wraps onto the lines below its row.
    expect(result.stdout).toMatch(/^aecid .*\n +.*agency/m);
  });

  it('--width wins over COLUMNS; notes wrap too', async () => {
    const result = await run(['report', 'yearly', '--width', '100'], { COLUMNS: '200' });
    expect(result.code).toBe(0);
    expect(widest(result.stdout)).toBeLessThanOrEqual(100);
    expect(result.stdout).toContain('lower bound');
    expect((await run(['partners', '--width', '5'])).code).toBe(2);
  });

  it('isolates Arabic cells (U+2068 … U+2069) so the columns keep their order', async () => {
    const wide = await run(['partners', '--lang', 'ar'], { COLUMNS: '200' });
    expect(wide.stdout).toContain('\u2068المدرسة الوطنية للقضاء بفرنسا\u2069');
    // Wrapped, each line of an Arabic cell is isolated on its own.
    const narrow = await run(['partners', '--lang', 'ar'], { COLUMNS: '80' });
    expect(widest(narrow.stdout)).toBeLessThanOrEqual(80);
    // The table's lines (from the header to the blank line after it; the title and notes are whole lines of their own).
    const lines = narrow.stdout.split('\n');
    const header = lines.findIndex((l) => l.includes('─'));
    const table = lines.slice(header - 1, lines.indexOf('', header));
    expect(table.length).toBeGreaterThan(10);
    // Every Arabic run lies inside an isolate: after a U+2068 with no U+2069 between them.
    for (const line of table) {
      for (const run of line.matchAll(/[\u0600-\u06ff]+/g)) {
        const before = line.slice(0, run.index);
        expect(before.lastIndexOf('\u2068'), line).toBeGreaterThan(before.lastIndexOf('\u2069'));
      }
    }
  });

  it('colours the header on a terminal only: not on a pipe, not with NO_COLOR', async () => {
    expect((await run(['partners'])).stdout).not.toContain('\u001b[');
    expect(await atTerminal('partners')).toContain('\u001b[1mPARTNER');
    // (The catch-up's progress line is on stderr, which the pseudo-terminal shows too: it is not colour, and is asked away here.)
    expect(await atTerminal('partners', { NO_COLOR: '1', TAAWUN_PROGRESS: 'never' })).not.toContain('\u001b[');
  });
});
