import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * What the composition root exists for, checked over every package's and
 * example's sources (tests aside): a package reaches another only through its
 * public entry points, and no package asks whether a store is another
 * adapter's class: it asks the runtime what the store provides.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const folders = ['packages', 'examples'].flatMap((group) => readdirSync(join(root, group)).map((name) => join(root, group, name)));

function sourcesOf(folder: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'dist' ? [] : walk(path);
      return /\.(ts|mts|mjs)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
    });
  try {
    return walk(join(folder, 'src'));
  } catch {
    return [];
  }
}

const sources = folders.flatMap((folder) => sourcesOf(folder).map((file) => ({ folder, file, text: readFileSync(file, 'utf8') })));
const importsOf = (text: string): string[] => [...text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]!);

describe('package boundaries', () => {
  it('found the sources to check', () => {
    expect(sources.filter(({ folder }) => folder.endsWith('runtime')).length).toBeGreaterThan(5);
    expect(new Set(sources.map(({ folder }) => folder)).size).toBeGreaterThanOrEqual(10);
  });

  it("no source imports another package's src/, dist/ or generated/ files, nor reaches out of its own folder", () => {
    const crossings = sources.flatMap(({ folder, file, text }) =>
      importsOf(text)
        .filter((specifier) => {
          if (specifier.startsWith('.')) return relative(folder, resolve(dirname(file), specifier)).startsWith('..');
          const [first, second, ...rest] = specifier.split('/');
          const subpath = first!.startsWith('@') ? rest : [second, ...rest];
          return subpath.some((segment) => segment === 'src' || segment === 'dist' || segment === 'generated');
        })
        .map((specifier) => `${relative(root, file)}: ${specifier}`),
    );
    expect(crossings).toEqual([]);
  });

  it("no package tests whether a store is another adapter's class", () => {
    const owners: Record<string, string> = { Sqlite: 'adapter-sqlite', Postgres: 'adapter-postgres', EventStoreDb: 'adapter-eventstoredb' };
    const found = sources.flatMap(({ folder, file, text }) =>
      [...text.matchAll(/instanceof\s+(Sqlite|Postgres|EventStoreDb)\w*/g)].filter((m) => !folder.endsWith(owners[m[1]!]!)).map((m) => `${relative(root, file)}: ${m[0]}`),
    );
    expect(found).toEqual([]);
  });
});
