import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The domain's folders in layers, each importing only those below it:
 * `schema/` (generic mechanisms) < `aggregates/` (one value per aggregate)
 * < `catalogue/` (everything derived from the list) < `command-handling/`.
 */
const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
const layers = ['schema', 'aggregates', 'catalogue', 'command-handling'];

function sourcesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourcesUnder(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The source folders a file imports from (relative imports only), e.g. `catalogue`. */
function importedFolders(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) => m[1]!);
  return specifiers.map((s) => relative(src, resolve(dirname(file), s)).split('/')[0]!);
}

describe('the domain\'s layers', () => {
  for (const [level, layer] of layers.entries()) {
    const above = layers.slice(level + 1);
    it(`${layer}/ imports nothing from ${above.join(', ') || 'above it'}`, () => {
      const files = sourcesUnder(join(src, layer));
      expect(files.length).toBeGreaterThan(0);
      const wrong = files.flatMap((file) => importedFolders(file).filter((folder) => above.includes(folder)).map((folder) => `${relative(src, file)} imports ${folder}/`));
      expect(wrong).toEqual([]);
    });
  }
});
