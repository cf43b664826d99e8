import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadServerConfig } from '../src/config.js';

/** The report's institute-wide language and the institute's name per language, from the configuration. */
const folder = mkdtempSync(join(tmpdir(), 'taawun-config-language-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const write = (name: string, content: unknown): string => {
  const file = join(folder, name);
  writeFileSync(file, JSON.stringify(content));
  return file;
};

describe('the report language in the configuration', () => {
  it('reads `language` and an institute named in each language; TAAWUN_LANGUAGE overrides the file', () => {
    const names = { ar: 'المعهد العالي للقضاء', fr: 'Institut supérieur de la magistrature', en: 'Higher Institute of the Judiciary' };
    const file = write('taawun.json', { institute: names, language: 'ar' });
    expect(loadServerConfig({ env: {}, file })).toMatchObject({ institute: names, language: 'ar' });
    expect(loadServerConfig({ env: { TAAWUN_LANGUAGE: 'fr' }, file }).language).toBe('fr');
    expect(loadServerConfig({ env: {} }).language).toBeUndefined();
  });

  it('refuses a language taawun does not speak', () => {
    const file = write('bad.json', { language: 'de' });
    expect(() => loadServerConfig({ env: {}, file })).toThrow(ConfigError);
  });
});
