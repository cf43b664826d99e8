import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

/**
 * The headless Chromium the report prints its PDF with (and the browser tests
 * run in), found without a manual install: `TAAWUN_CHROMIUM` when set (a path,
 * or `npm` to force the packaged one), else Debian's `/usr/bin/chromium` when
 * present, else the Chromium that `@sparticuz/chromium` carries inside its npm
 * tarball (unpacked into the temporary directory on first use, a few seconds).
 */
export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

export type ChromiumSource = 'TAAWUN_CHROMIUM' | 'debian' | 'npm';

export interface ChromiumExecutable {
  readonly path: string;
  readonly source: ChromiumSource;
}

export async function findChromium(env: NodeJS.ProcessEnv = process.env): Promise<ChromiumExecutable> {
  const chosen = env.TAAWUN_CHROMIUM?.trim();
  if (chosen && chosen !== 'npm') {
    if (!existsSync(chosen)) throw new Error(`TAAWUN_CHROMIUM=${chosen}: no such file`);
    return { path: chosen, source: 'TAAWUN_CHROMIUM' };
  }
  if (!chosen && existsSync(DEBIAN_CHROMIUM)) return { path: DEBIAN_CHROMIUM, source: 'debian' };
  // Loaded only when needed: the package unpacks a 60 MB binary on first use.
  const packaged = (await import('@sparticuz/chromium')).default;
  return { path: await packaged.executablePath(), source: 'npm' };
}

/** Flags that work for every source: no sandbox (root in containers), no GPU (none on a server). */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] as const;

export async function launchChromium(options: { env?: NodeJS.ProcessEnv } = {}): Promise<Browser> {
  const { path } = await findChromium(options.env);
  // Loaded when a PDF is asked for: playwright-core alone adds some 70 MB to every process that imports it.
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: path, args: [...CHROMIUM_ARGS] });
}

/**
 * A page of HTML printed to PDF with its print stylesheet (A4, backgrounds,
 * the page's own `@page` margins). The page is set as content, never fetched:
 * it needs no credentials and loads nothing else (the report has no script and
 * no external resource).
 */
export async function htmlToPdf(pageHtml: string, options: { env?: NodeJS.ProcessEnv } = {}): Promise<Uint8Array> {
  const browser = await launchChromium(options);
  try {
    const tab = await browser.newPage();
    await tab.setContent(pageHtml, { waitUntil: 'load' });
    await tab.emulateMedia({ media: 'print' });
    return await tab.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
  } finally {
    await browser.close();
  }
}
