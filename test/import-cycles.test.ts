import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import madge from 'madge';
import { afterAll, describe, expect, it } from 'vitest';

/*
 * No import cycle between files, anywhere: every package's and example's
 * `src/`, tests and fixtures included, found by madge (the usual tool: `npx
 * madge --circular`) over TypeScript's own module resolution. Imports of a
 * workspace package resolve through its `@taawun/source` export condition to
 * that package's `src/`, so a cycle through two packages is found too.
 *
 * Type-only imports count: with `verbatimModuleSyntax` they vanish at run
 * time, but two files that need each other's types still cannot be read,
 * moved or split apart alone (the domain's `schema/` and `aggregates/` were
 * such a pair), and across packages TypeScript's project references refuse
 * any cycle at all.
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/*
 * TypeScript sources. The few plain `.mjs` scripts below src/ are fixtures
 * tests start as child processes by path: no file imports them, so they
 * cannot close a cycle (and madge's JavaScript resolver does not know the
 * source condition, so it would send their package imports to `dist/`).
 */
const extensions = ['ts', 'mts'];

const sourceFolders = ['packages', 'examples'].flatMap((group) =>
  readdirSync(join(root, group))
    .map((name) => join(root, group, name, 'src'))
    .filter((folder) => existsSync(folder)),
);

/** The import graph of these folders' files as madge sees it, paths relative to `baseDir`. */
async function importGraph(folders: readonly string[], baseDir: string) {
  const graph = await madge([...folders], {
    baseDir,
    fileExtensions: extensions,
    excludeRegExp: [/\.d\.ts$/],
    // TypeScript resolves `./x.js` to `x.ts`, and `@taawun/<package>` to its `src/` through the source condition.
    tsConfig: { compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', customConditions: ['@taawun/source'] } },
    detectiveOptions: { ts: { skipTypeImports: false, skipAsyncImports: false } },
  });
  return {
    files: Object.keys(graph.obj()).sort(),
    cycles: graph.circular().map((cycle) => cycle.join(' → ')),
    /** Imports madge could not resolve to a file (npm packages are left out on purpose, not skipped). */
    unresolved: graph.warnings().skipped,
  };
}

/** Every source file below the folders, as a plain walk of the disk finds them. */
function filesBelow(folders: readonly string[], baseDir: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : walk(path);
      return extensions.some((ext) => entry.name.endsWith(`.${ext}`)) && !entry.name.endsWith('.d.ts') ? [relative(baseDir, path)] : [];
    });
  return folders.flatMap(walk).sort();
}

describe('import cycles', () => {
  it('no file imports itself back, through any chain of imports, in any package or example', async () => {
    const graph = await importGraph(sourceFolders, root);
    // The check saw every source file (one madge did not parse could hide a cycle), and the test helpers
    // they import from outside src/, and it resolved every import.
    expect(sourceFolders.length).toBeGreaterThanOrEqual(10);
    expect(filesBelow(sourceFolders, root).filter((file) => !graph.files.includes(file))).toEqual([]);
    expect(graph.files.filter((file) => !/^(packages|examples)\/[^/]+\/(src|test)\//.test(file))).toEqual([]);
    expect(graph.unresolved).toEqual([]);
    expect(graph.cycles).toEqual([]);
  });

  describe('the check itself, on planted files', () => {
    const planted = mkdtempSync(join(tmpdir(), 'taawun-cycles-'));
    afterAll(() => rmSync(planted, { recursive: true, force: true }));
    const plant = (files: Record<string, string>): string => {
      const folder = mkdtempSync(join(planted, 'src-'));
      for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
      return folder;
    };

    it.each<{ what: string; files: Record<string, string>; cycles: string[] }>([
      {
        what: 'three files importing one another with .js specifiers (and a fourth outside it)',
        files: {
          'a.ts': "import { b } from './b.js';\nexport const a = () => b();\n",
          'b.ts': "import { c } from './c.js';\nexport const b = () => c();\n",
          'c.ts': "import { a } from './a.js';\nexport const c = () => a;\n",
          'd.ts': "import { a } from './a.js';\nexport const d = a;\n",
        },
        cycles: ['a.ts → b.ts → c.ts'],
      },
      {
        what: 'type imports only, and one through a re-export',
        files: {
          'schema.ts': "import type { Aggregate } from './aggregate.js';\nexport interface Schema { of: Aggregate }\n",
          'aggregate.ts': "import { type Schema } from './schema.js';\nexport interface Aggregate { schema: Schema }\n",
          'index.ts': "export * from './leaf.js';\n",
          'leaf.ts': "import { x } from './index.js';\nexport const y = x;\nexport const x = 1;\n",
        },
        cycles: ['aggregate.ts → schema.ts', 'index.ts → leaf.ts'],
      },
    ])('names the cycles of $what', async ({ files, cycles }) => {
      const folder = plant(files);
      expect((await importGraph([folder], folder)).cycles.sort()).toEqual(cycles);
    });

    it('reports an import it cannot resolve rather than passing over it', async () => {
      const folder = plant({ 'a.ts': "import { gone } from './gone.js';\nexport const a = gone;\n" });
      expect((await importGraph([folder], folder)).unresolved).toEqual(['./gone.js']);
    });
  });
});
