#!/usr/bin/env node
// Screenshots of the HTML report's pages, for the README: the institute's
// record (facts F1-F18) seeded into a temporary SQLite file, served on a
// loopback port, and each page shot full-length in headless Chromium (the
// launcher of @taawun/adapter-http: Debian's, else the npm package's).
// Build first (`npx tsc -b`), then: node scripts/screenshots.mjs [--out docs/screenshots]
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createApiKey, launchChromium, startServer } from '@taawun/adapter-http';
import { openSqliteEventStore } from '@taawun/adapter-sqlite';
import { newEventId } from '@taawun/domain';
import { institute, loadInstituteRecord } from '@taawun/runtime';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { out: { type: 'string', default: join(root, 'docs', 'screenshots') } } });
// Each page in the institute's three languages: docs/screenshots/{en,fr,ar}/ (`?lang=` for French and Arabic).
const languages = ['en', 'fr', 'ar'];
const inLanguage = (path, lang) => (lang === 'en' ? path : `${path}${path.includes('?') ? '&' : '?'}lang=${lang}`);

const pages = [
  { file: 'partners.png', path: '/report' },
  { file: 'partner-timeline.png', path: '/report/partners/enm-france' },
  { file: 'yearly-activity.png', path: '/report/activity' },
  { file: 'yearly-activity-print.png', path: '/report/activity', media: 'print' },
  { file: 'agreements.png', path: '/report/agreements' },
  { file: 'audit-trail.png', path: '/report/audit?recordType=partner&recordId=enm-france' },
  { file: 'compare.png', path: '/report/compare/partners?from=2024-01-10T09:59:00.020Z&to=2024-01-10T10:00:00Z' },
];

const folder = mkdtempSync(join(tmpdir(), 'taawun-screenshots-'));
const store = await openSqliteEventStore(join(folder, 'taawun.db'));
let server;
let browser;
try {
  // A fixed clock, so that the pages (and the screenshots) are the same on every run.
  let tick = 0;
  const loaded = await loadInstituteRecord(store, { actor: 'registrar', now: () => new Date(Date.UTC(2024, 0, 10, 9, 59, 0, tick++)), newId: newEventId });
  if (loaded.failures.length > 0) throw new Error(`seeding failed: ${JSON.stringify(loaded.failures[0])}`);
  const { key, entry } = createApiKey('screenshots', 'auditor');
  server = await startServer({ store, keys: [entry], port: 0, now: () => new Date('2024-05-28T09:30:00Z'), report: { institute: institute.currentName, chain: store }, log: () => undefined });
  browser = await launchChromium();
  const context = await browser.newContext({ httpCredentials: { username: 'auditor', password: key }, viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  for (const lang of languages) {
    const out = join(values.out, lang);
    mkdirSync(out, { recursive: true });
    for (const p of pages) {
      const tab = await context.newPage();
      if (p.media) await tab.emulateMedia({ media: p.media });
      const path = inLanguage(p.path, lang);
      const response = await tab.goto(`${server.url}${path}`);
      if (!response || response.status() !== 200) throw new Error(`${path}: HTTP ${response?.status()}`);
      await tab.screenshot({ path: join(out, p.file), fullPage: true });
      await tab.close();
      console.log(`${join(out, p.file)}  (${path}${p.media ? `, ${p.media} media` : ''})`);
    }
  }
} finally {
  await browser?.close();
  await server?.close();
  await store.close();
  rmSync(folder, { recursive: true, force: true });
}
