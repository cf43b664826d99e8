import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteEventStore } from '@taawun/adapter-sqlite';
import type { EventStore, StoredEvent } from '@taawun/domain';
import { afterAll, describe, expect, it } from 'vitest';
// The bench's generator: twenty years (2005–2025) of a busy institute, whatever the size; a bigger log is a busier one.
import { institutionCommands } from '../../../bench/lib/generator.mjs';
import { decidedLog } from '../../../bench/lib/log.mjs';
import { createApiKey, createHttpApp } from '../src/index.js';
import { pdfText } from './support/pdf.js';

/**
 * The report's pages stay the same size however busy the institute: the
 * yearly page shows each period's first lines, a period's page a page of the
 * lines of each list (the next on its next page), every
 * list is paged by the query service and a note that names every record is
 * cut. Two generated logs, one twice the other, give pages under one bound.
 */
const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** A SQLite log of the bench's first `events` events, appended stream by stream as the generator decided them. */
async function generatedLog(events: number): Promise<EventStore> {
  const folder = mkdtempSync(join(tmpdir(), 'taawun-bounded-'));
  folders.push(folder);
  const store = await openSqliteEventStore(join(folder, 'events.db'));
  let batch: StoredEvent[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const first = batch[0]!;
    const appended = await store.append(
      first.stream,
      batch.map(({ id, type, schemaVersion, data, metadata, recordedAt }) => ({ id, type, schemaVersion, data, metadata, recordedAt })),
      { expectedRevision: first.revision === 0 ? 'no-stream' : first.revision - 1 },
    );
    if (!appended.ok) throw new Error(`${first.stream}: ${JSON.stringify(appended.error)}`);
    batch = [];
  };
  for (const { event } of decidedLog(institutionCommands({ seed: 42, events })) as Iterable<{ event: StoredEvent }>) {
    if (event.position > BigInt(events)) break;
    if (batch.length > 0 && (batch[0]!.stream !== event.stream || batch.length >= 500)) await flush();
    batch.push(event);
  }
  await flush();
  return store;
}

/** The bytes of each page, read from the app as a browser would (an admin key). */
async function pageSizes(store: EventStore, paths: readonly string[]): Promise<Record<string, number>> {
  const { key, entry } = createApiKey('bounded', 'admin');
  const { app } = createHttpApp({ store, keys: [entry], limits: { requestTimeoutMs: 120_000 }, accessLog: false, log: () => undefined });
  const sizes: Record<string, number> = {};
  for (const path of paths) {
    const response = await app.request(path, { headers: { authorization: `Bearer ${key}` } });
    expect(response.status, path).toBe(200);
    const body = await response.text();
    sizes[path] = Buffer.byteLength(body);
    // What grows with the log is not on the page: beyond its first lines, a period leads to its own page, and that page to its next lines and to the registers of the period, paged.
    if (path.startsWith('/report/activity?period=')) {
      expect(body, path).toContain('href="/report/activity?period=2015&amp;linesFrom=25');
      expect(body, path).toContain('href="/report/read-models/sessions?period=2015');
    }
    if (path === '/report/activity') expect(body, path).toContain('href="/report/activity?period=2015"');
  }
  return sizes;
}

/** The yearly page and a busy year's own page, in English and in Arabic; the sessions register of that year, one page of it. */
const bounded = ['/report/activity', '/report/activity?period=2015', '/report/activity?period=2015&lang=ar'];
const pages = [...bounded, '/report/read-models/sessions?period=2015'];

/** Bytes no page may pass, whatever the size of the log (the yearly page of twenty years: chart, table, a few lines a period). */
const BOUND = 400_000;

describe('the report at scale', () => {
  it('keeps the yearly page and a period\'s page under one bound at 10,000 and 20,000 events', async () => {
    const small = await generatedLog(10_000);
    const smallSizes = await pageSizes(small, pages);
    await small.close();
    const large = await generatedLog(20_000);
    const largeSizes = await pageSizes(large, pages);
    await large.close();
    for (const path of pages) {
      expect(smallSizes[path], path).toBeLessThan(BOUND);
      expect(largeSizes[path], path).toBeLessThan(BOUND);
    }
    // Twice the events, not twice the page: the periods and the lines shown stay the same (a register's page fills up to its page size, then stays).
    for (const path of bounded) expect(largeSizes[path]! / smallSizes[path]!, `${path}: ${smallSizes[path]} then ${largeSizes[path]} bytes`).toBeLessThan(1.15);
  }, 120_000);

  it("lists every session of a busy year on the period's pages, next after next, each saying which lines it holds, and prints the year whole", async () => {
    const store = await generatedLog(10_000);
    const { key, entry } = createApiKey('bounded', 'admin');
    const { app } = createHttpApp({ store, keys: [entry], limits: { requestTimeoutMs: 120_000 }, accessLog: false, log: () => undefined });
    /** The sessions of 2015 read page after page from `path`, and how many pages it took. */
    const walk = async (path: string | undefined) => {
      const sessions: string[] = [];
      let total = 0;
      let pages = 0;
      while (path !== undefined) {
        const body = await (await app.request(path, { headers: { authorization: `Bearer ${key}` } })).text();
        const list = body.slice(body.indexOf('data-list="sessions"'), body.indexOf('</section>', body.indexOf('data-list="sessions"')));
        total = Number(/Sessions \((\d+)\)/.exec(list)![1]);
        const first = sessions.length + 1;
        sessions.push(...[...list.matchAll(/recordId=(session-[^"]+)"/g)].map((m) => m[1]!));
        if (sessions.length < total || pages > 0) expect(list).toContain(`Lines ${first}–${sessions.length} of ${total}`);
        pages++;
        path = /rel="next" href="([^"]+)"/.exec(list)?.[1]?.replaceAll('&amp;', '&');
      }
      return { sessions, total, pages };
    };
    const byDefault = await walk('/report/activity?period=2015');
    expect(byDefault.total).toBeGreaterThan(25);
    expect(byDefault.pages).toBe(Math.ceil(byDefault.total / 25));
    expect(byDefault.sessions).toHaveLength(byDefault.total);
    expect(new Set(byDefault.sessions).size).toBe(byDefault.total);
    // A page of ten lines keeps ten on every next page; the whole year on one page (as it is printed) has no next.
    const byTen = await walk('/report/activity?period=2015&lines=10');
    expect(byTen.pages).toBe(Math.ceil(byTen.total / 10));
    expect(byTen.sessions).toEqual(byDefault.sessions);
    const whole = await walk('/report/activity?period=2015&lines=1000');
    expect(whole).toEqual({ sessions: byDefault.sessions, total: byDefault.total, pages: 1 });

    // Printed, the year's page holds every line of every list (paper has no next link): the lines of the page of 1,000, none cut.
    const dated = (text: string) => text.match(/\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|November|December) 2015:/g) ?? [];
    const onScreen = await (await app.request('/report/activity?period=2015&lines=1000', { headers: { authorization: `Bearer ${key}` } })).text();
    const printed = await app.request('/report/activity?period=2015&format=pdf', { headers: { authorization: `Bearer ${key}` } });
    expect(printed.headers.get('content-type')).toBe('application/pdf');
    const text = await pdfText(new Uint8Array(await printed.arrayBuffer()));
    expect(text).toContain(`Sessions (${byDefault.total})`);
    expect(text).not.toMatch(/Lines 1–25 of/);
    expect(dated(onScreen).length).toBeGreaterThan(25);
    expect(dated(text)).toEqual(dated(onScreen));
    await store.close();
  }, 120_000);
});
