import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taawun, temporaryFolder } from './support.js';

/*
 * Every list the CLI prints can be read a page at a time (--limit, --offset):
 * the service reads only that page, and the footer says which rows it holds
 * and where the next page starts. CSV keeps only rows on stdout.
 */

let folder: { path: string; remove: () => Promise<void> };
const store = () => ['--store', `sqlite:${folder.path}/taawun.db`];
let partners: string[];

beforeAll(async () => {
  folder = await temporaryFolder('paging');
  expect((await taawun(['seed', ...store()], { cwd: folder.path })).code).toBe(0);
  const all = await taawun(['partners', '--format', 'json', ...store()], { cwd: folder.path });
  partners = (JSON.parse(all.stdout) as { result: { partners: { partnerId: string }[] } }).result.partners.map((p) => p.partnerId);
  expect(partners.length).toBeGreaterThan(5);
});
afterAll(() => folder.remove());

describe('taawun partners --limit --offset', () => {
  it('prints the page asked for, and a footer naming its rows and the next offset', async () => {
    const page = await taawun(['partners', '--limit', '3', '--offset', '2', ...store()], { cwd: folder.path });
    expect(page.code).toBe(0);
    const rows = page.stdout.split('\n').filter((line) => partners.some((id) => line.startsWith(`${id} `)));
    expect(rows.map((line) => line.split(' ')[0])).toEqual(partners.slice(2, 5));
    expect(page.stdout.trimEnd().split('\n').at(-1)).toBe(`3–5 of ${partners.length} · Next: --offset 5`);
    const french = await taawun(['partners', '--limit', '3', '--offset', '2', '--lang', 'fr', ...store()], { cwd: folder.path });
    expect(french.stdout.trimEnd().split('\n').at(-1)).toBe(`3–5 sur ${partners.length} · Suivant: --offset 5`);
  });

  it('the last page has no next offset; past the end says so; JSON carries the page as the API does', async () => {
    const last = await taawun(['partners', '--offset', String(partners.length - 1), ...store()], { cwd: folder.path });
    expect(last.stdout.trimEnd().split('\n').at(-1)).toBe(`${partners.length}–${partners.length} of ${partners.length}`);
    const past = await taawun(['partners', '--offset', '500', ...store()], { cwd: folder.path });
    expect(past.stdout.trimEnd().split('\n').at(-1)).toBe(`no rows past row 500 of ${partners.length}`);
    const json = JSON.parse((await taawun(['partners', '--format', 'json', '--limit', '2', ...store()], { cwd: folder.path })).stdout);
    expect(json.page).toEqual({ list: 'partners', offset: 0, limit: 2, total: partners.length, nextOffset: 2 });
    expect(json.result.partners).toHaveLength(2);
  });

  it('CSV: the rows of the page only on stdout, the footer on stderr', async () => {
    const csv = await taawun(['partners', '--format', 'csv', '--limit', '2', ...store()], { cwd: folder.path });
    expect(csv.code).toBe(0);
    expect(csv.stdout.trimEnd().split('\n')).toHaveLength(3); // header + 2 rows
    expect(csv.stderr).toContain(`taawun: 1–2 of ${partners.length} · Next: --offset 2`);
  });

  it('a limit below 1 or an offset that is not a whole number is bad usage (exit 2)', async () => {
    for (const args of [['--limit', '0'], ['--offset', '-1']]) {
      const bad = await taawun(['partners', ...args, ...store()], { cwd: folder.path });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--(limit|offset) \S+: give a whole number/);
    }
  });
});
