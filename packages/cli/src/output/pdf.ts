import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Runtime } from '@taawun/runtime';
import { CliError, usageError } from '../errors.js';
import type { Io } from '../io.js';

/**
 * A report as PDF: the HTML report's own page, asked of the HTTP application
 * in this process (not listening; a key made for the one request), printed by
 * its headless Chromium. So the PDF is the page `GET /report/...?format=pdf`
 * serves, letterhead included, and nothing is laid out twice.
 */
export async function reportPdf(opened: Runtime, io: Io, name: string, params: Readonly<Record<string, string>>, lens: Readonly<Record<string, string>>): Promise<Uint8Array> {
  const http = await import('@taawun/adapter-http');
  const institute = instituteOf(http, io);
  const { key, entry } = http.createApiKey('cli-pdf', 'admin');
  const { app } = http.createHttpApp({
    store: opened.store,
    keys: [entry],
    readModels: opened.ownReadModels,
    report: { ...(institute ? { institute } : {}), ...(opened.chain ? { chain: opened.chain } : {}) },
    // One request made in process: no access log on the CLI's stderr.
    accessLog: false,
    log: (message) => io.stderr.write(`taawun: ${message.split('\n')[0]}\n`),
  });
  const href = http.reportHref({ readModel: name, params }, '');
  const query = new URLSearchParams(href.includes('?') ? href.slice(href.indexOf('?') + 1) : '');
  for (const [k, v] of Object.entries(lens)) query.set(k, v);
  query.set('format', 'pdf');
  const response = await app.request(`${href.split('?')[0]}?${query.toString()}`, { headers: { authorization: `Bearer ${key}` } });
  if (response.ok) return new Uint8Array(await response.arrayBuffer());
  const problem = (await response.json().catch(() => ({}))) as { code?: string; detail?: string; title?: string };
  const message = `${problem.detail ?? problem.title ?? `HTTP ${response.status}`} (${problem.code ?? response.status})`;
  throw response.status === 400 ? usageError(message) : new CliError(message);
}

/** The institute's name for the letterhead: `TAAWUN_INSTITUTE`, else the server's config file's `institute` (one name, or one per language). */
function instituteOf(http: typeof import('@taawun/adapter-http'), io: Io): string | Readonly<Partial<Record<'ar' | 'fr' | 'en', string>>> | undefined {
  if (io.env['TAAWUN_INSTITUTE']) return io.env['TAAWUN_INSTITUTE'];
  // Where `taawun serve` reads it: TAAWUN_CONFIG, else ./data/taawun.json.
  const file = resolve(io.cwd, io.env['TAAWUN_CONFIG'] || './data/taawun.json');
  if (!existsSync(file)) return undefined;
  try {
    return http.readConfigFile(file).institute;
  } catch (error) {
    if (error instanceof http.ConfigError) throw usageError(error.message);
    throw error;
  }
}
