import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/*
 * No repeated logic where the one read side and the shared storage helpers
 * should be the only copy: between the CLI and the HTTP adapter (both present
 * the query service's answers), and between the SQLite and PostgreSQL
 * read-model storages (both implement one port, with the helpers of
 * `@taawun/projections`' `engine/storage-support.ts`). Found by jscpd, the
 * scan the issue names (`npx jscpd packages`), pinned at 4.3.0: the last
 * release that is plain JavaScript (5.x needs a native build not served here).
 *
 * Thresholds are jscpd's defaults, spelled out so a new default cannot change
 * the check: a clone is 5 or more lines and 50 or more tokens, compared in
 * `mild` mode (layout ignored, names and literals kept). Below that, what the
 * two storages share is the port's method signatures, the same because they
 * implement one interface, not logic. Tests are left out: they set up the same
 * fixtures on purpose.
 */

// The package's ESM build imports `colors/safe` without an extension, which Node refuses: load its CommonJS build.
const { detectClones } = createRequire(import.meta.url)('jscpd') as typeof import('jscpd');

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The pairs of places that must not repeat each other: for each, the files of
 * its two sides and only those are scanned, so that a third copy elsewhere
 * cannot stand in for one side in jscpd's report (it pairs each copy with the
 * first one it saw).
 */
const pairs = [
  { between: 'the CLI and the HTTP adapter', folders: ['packages/cli/src', 'packages/adapter-http/src'], files: '**/*.ts' },
  { between: 'the SQLite and PostgreSQL read-model storages', folders: ['packages/adapter-sqlite/src', 'packages/adapter-postgres/src'], files: '**/read-model-*.ts' },
] as const;

/** The clones between the two sides of each pair, one line each: `pair: a.ts:10-24 ~ b.ts:40-54`. */
async function clonesBetweenPairs(tree: string): Promise<string[]> {
  const found: string[] = [];
  for (const pair of pairs) {
    const clones = await detectClones({
      path: pair.folders.map((folder) => join(tree, folder)),
      pattern: pair.files,
      format: ['typescript'],
      ignore: ['**/*.test.ts', '**/test-support/**', '**/node_modules/**', '**/dist/**'],
      minLines: 5,
      minTokens: 50,
      mode: 'mild',
      absolute: true,
      silent: true,
      reporters: [],
    });
    const [first] = pair.folders;
    for (const { duplicationA: a, duplicationB: b } of clones) {
      const [fileA, fileB] = [relative(tree, a.sourceId), relative(tree, b.sourceId)];
      // A copy inside one side is that side's own business.
      if (fileA.startsWith(`${first}/`) !== fileB.startsWith(`${first}/`)) {
        found.push(`${pair.between}: ${fileA}:${a.start.line}-${a.end.line} ~ ${fileB}:${b.start.line}-${b.end.line}`);
      }
    }
  }
  return found;
}

describe('duplicate code', () => {
  it('the CLI and the HTTP adapter repeat no logic, nor do the SQLite and PostgreSQL read-model storages', async () => {
    expect(await clonesBetweenPairs(root)).toEqual([]);
  });

  describe('the check itself, on planted files', () => {
    const planted = mkdtempSync(join(tmpdir(), 'taawun-clones-'));
    afterAll(() => rmSync(planted, { recursive: true, force: true }));
    const plant = (files: Record<string, string>) => {
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(planted, path)), { recursive: true });
        writeFileSync(join(planted, path), text);
      }
    };
    // A count text worked out twice, once per presentation: what the check exists to catch.
    const countText = (name: string) => `export function ${name}(count: { known: number; exact: boolean } | null, unit: string): string {
  if (count === null) return 'not stated';
  const figure = count.exact ? String(count.known) : \`≥ \${count.known}\`;
  const plural = count.known === 1 && count.exact ? unit : \`\${unit}s\`;
  const spaced = figure.replace(/\\B(?=(\\d{3})+(?!\\d))/g, ' ');
  return [spaced, plural].filter((part) => part.length > 0).join(' ');
}
`;

    it('names logic each pair both holds, and not a copy inside one side or outside the storages', async () => {
      plant({
        'packages/cli/src/output/counts.ts': countText('countText'),
        'packages/adapter-http/src/report/counts.ts': `// The same, written again.\n${countText('countLabel')}`,
        'packages/adapter-sqlite/src/read-model-storage.ts': countText('one'),
        'packages/adapter-postgres/src/read-model-reads.ts': `\n\n${countText('two')}`,
        'packages/adapter-postgres/src/rows.ts': countText('three'),
        'packages/adapter-postgres/src/event-store.ts': countText('four'),
      });
      const found = await clonesBetweenPairs(planted);
      expect(found).toHaveLength(2);
      expect(found[0]).toMatch(/^the CLI and the HTTP adapter: packages\/(cli|adapter-http)\/src\/\S+counts\.ts:\d+-\d+ ~ packages\/(cli|adapter-http)\/src\/\S+counts\.ts:\d+-\d+$/);
      expect(found[1]).toMatch(/^the SQLite and PostgreSQL read-model storages: packages\/adapter-(sqlite|postgres)\/src\/read-model-\S+ ~ packages\/adapter-(sqlite|postgres)\/src\/read-model-\S+$/);
    });
  });
});
