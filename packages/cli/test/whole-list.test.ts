import { handle, InMemoryEventStore, type Command } from '@taawun/domain';
import { deterministicContext } from '@taawun/domain/testing';
import { loadInstituteRecord } from '@taawun/runtime';
import { answerPages, InMemoryReadModelStorage, ProjectionRunner, queryService } from '@taawun/projections';
import { analysisRecords, presentAnswer } from '@taawun/projections/presentation';
import { beforeAll, describe, expect, it } from 'vitest';
import { CountingStorage } from '@taawun/projections/testing';
import { writePaged, type Sink } from '../src/output/paged.js';
import { pagedWriting as how, WatchingSink } from './paged-sink.js';
import { printable } from '../src/output/report.js';
import { formats } from '../src/output/render.js';

/*
 * A whole list (no --limit) is written a page at a time: between two writes
 * the service reads about one page of documents, never the list, and what is
 * written is the answer the service gives in one piece (`printable` of the
 * whole answer), byte for byte, in JSON, CSV and markdown; the table too, when
 * its widths do not grow after the first page.
 */

const PEOPLE = 1_000;
const PAGE_ROWS = 40;

let counting: CountingStorage;
let store: InMemoryEventStore;

beforeAll(async () => {
  store = new InMemoryEventStore();
  const context = deterministicContext('registrar');
  const record = async (command: Command) => {
    const result = await handle(store, command, context);
    if (!result.ok) throw new Error(result.error.message);
  };
  for (let i = 0; i < PEOPLE; i++) {
    const n = String(i).padStart(4, '0');
    await record({ type: 'RegisterPartner', partnerId: `partner-${n}`, name: { fr: `Partenaire ${n}` }, kind: 'school', country: 'FR' });
    await record({ type: 'RegisterParticipant', participantId: `judge-${n}`, kind: 'judge', cohort: 1 + (i % 40) });
  }
  const storage = new InMemoryReadModelStorage();
  const service = queryService({ store, storage });
  for (const projection of service.projections()) await new ProjectionRunner(projection, { store, storage }).rebuild();
  counting = new CountingStorage(storage);
});

describe('a whole list written a page at a time', () => {
  for (const list of ['partners', 'participants'] as const) {
    for (const format of formats) {
      it(`${list} as ${format}: about one page of documents read between two writes, never the ${PEOPLE}; the same text as the whole answer`, async () => {
        const service = queryService({ store, storage: counting.storage });
        counting.documentsRead = 0;
        const sink = new WatchingSink(counting);
        const paged = await answerPages(service, list, {}, { pageRows: PAGE_ROWS });
        if (!paged.ok) throw new Error(paged.error.message);
        const warnings: string[] = [];
        await writePaged(paged.value, how(format, list, warnings, sink), sink);

        // Every page is written (or learnt) before the next is read: no stretch of reads holds more than a page (and what it names).
        expect(Math.max(...sink.readsBetween)).toBeLessThanOrEqual(PAGE_ROWS * 2 + 5);
        expect(sink.readsBetween.filter((n) => n > 0).length).toBeGreaterThanOrEqual(PEOPLE / PAGE_ROWS);
        const passes = format === 'csv' ? 2 : 1;
        expect(counting.documentsRead).toBeGreaterThanOrEqual(PEOPLE * passes);

        const whole = await service.query(list, {});
        if (!whole.ok) throw new Error(whole.error.message);
        const wholeWarnings: string[] = [];
        const table = presentAnswer(whole.value, {}, { lang: 'en', list });
        const records = format === 'csv' ? { records: analysisRecords(whole.value, { list, lang: 'en' }) } : {};
        const expected = printable(format, whole.value, table, 'en', (line) => wholeWarnings.push(line), records);
        expect(sink.text).toBe(expected);
        expect(warnings).toEqual(wholeWarnings);
      });
    }
  }
});

describe("a table's columns, measured on its first page", () => {
  it('only grow: a later page with a wider cell starts a block under the header again; no line is cut', async () => {
    const service = queryService({ store, storage: counting.storage });
    const paged = await answerPages(service, 'participants', {}, { pageRows: PAGE_ROWS });
    if (!paged.ok) throw new Error(paged.error.message);
    // The same pages, the third page's first participant given a longer id than any before.
    const pages = async function* () {
      let n = 0;
      for await (const page of paged.value.pages()) {
        if (++n !== 3) yield page;
        else {
          const [first, ...rest] = (page.result as { participants: { participantId: string }[] }).participants;
          yield { ...page, result: { participants: [{ ...first!, participantId: `${first!.participantId}-with-a-much-longer-id` }, ...rest] } };
        }
      }
    };
    const sink = new WatchingSink(counting);
    await writePaged({ ...paged.value, pages }, how('table', 'participants', [], sink), sink);
    const lines = sink.text.split('\n');
    const headers = lines.flatMap((line, i) => (line.startsWith('PARTICIPANT ') ? [i] : []));
    expect(headers).toHaveLength(2);
    expect(sink.text).toContain('-with-a-much-longer-id ');
    // In each block, every row's second column starts where the header's does.
    for (const [b, at] of headers.entries()) {
      const kindAt = lines[at]!.indexOf('KIND');
      const rows = lines.slice(at + 2, headers[b + 1] ?? lines.length).filter((l) => l.startsWith('judge-'));
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(row.slice(kindAt, kindAt + 5)).toBe('judge');
    }
  });
});

describe('a record that moves while its list is written', () => {
  /** A record of `n` partners whose models are built, and a way to register one more. */
  async function partnersRecord(n: number) {
    const log = new InMemoryEventStore();
    const context = deterministicContext('registrar');
    const register = async (partnerId: string) => {
      const result = await handle(log, { type: 'RegisterPartner', partnerId, name: { fr: partnerId }, kind: 'school', country: 'FR' }, context);
      if (!result.ok) throw new Error(result.error.message);
    };
    for (let i = 0; i < n; i++) await register(`partner-${String(i).padStart(4, '0')}`);
    const storage = new InMemoryReadModelStorage();
    for (const projection of queryService({ store: log, storage }).projections()) await new ProjectionRunner(projection, { store: log, storage }).rebuild();
    return { log, storage, register };
  }

  /** Walk every page of the partners, registering one more partner after the first page. */
  async function walkWhileRegistering(withRest: boolean): Promise<string[]> {
    const { log, storage, register } = await partnersRecord(120);
    const catchingUp = queryService({ store: log, storage }, [], { catchUp: true });
    const paged = await answerPages(catchingUp, 'partners', {}, { pageRows: PAGE_ROWS, ...(withRest ? { rest: queryService({ store: log, storage }) } : {}) });
    if (!paged.ok) throw new Error(paged.error.message);
    const ids: string[] = [];
    for await (const page of paged.value.pages()) {
      if (ids.length === 0) await register('partner-0000-new');
      ids.push(...(page.result as { partners: { partnerId: string }[] }).partners.map((p) => p.partnerId));
    }
    return ids;
  }

  it('the pages after the first read the generation it was read from: events appended meanwhile are not in this answer', async () => {
    const ids = await walkWhileRegistering(true);
    expect(ids).toEqual(Array.from({ length: 120 }, (_, i) => `partner-${String(i).padStart(4, '0')}`));
  });

  it('a service that catches up before each page would join two states of the record: the walk stops instead', async () => {
    await expect(walkWhileRegistering(false)).rejects.toMatchObject({ code: 'model-changed' });
  });
});

describe('a whole list whose entries name shared records, written a page at a time', () => {
  // The institute's record (renamed between F12 and F14, its former name stated on the 1998 agreement), and 110 sessions
  // each shared by a partner of its own and GIZ: every page names GIZ and the institute again, under other indexes on a page of their own.
  let service: ReturnType<typeof queryService>;
  beforeAll(async () => {
    const log = new InMemoryEventStore();
    const context = deterministicContext('seed');
    await loadInstituteRecord(log, context);
    for (let i = 0; i < 110; i++) {
      const sessionId = `shared-${i}`;
      for (const command of [
        { type: 'RegisterPartner', partnerId: `partner-${i}`, name: { en: `Partner ${i}`, ar: `الشريك ${i}` }, kind: 'agency' },
        { type: 'ScheduleSession', sessionId, title: { en: `Session ${i}` }, kind: 'course', partners: [`partner-${i}`, 'giz'], plannedFor: `${2010 + (i % 12)}` },
        { type: 'RecordSessionHeld', sessionId, heldOn: `${2010 + (i % 12)}`, attendance: { count: 10 + i, basis: 'total' } },
      ] as const) {
        const result = await handle(log, command, context);
        if (!result.ok) throw new Error(result.error.message);
      }
    }
    const storage = new InMemoryReadModelStorage();
    service = queryService({ store: log, storage });
    for (const projection of service.projections()) await new ProjectionRunner(projection, { store: log, storage }).rebuild();
  });

  for (const [name, params, list] of [['sessions', {}, 'sessions'], ['partner-history', { partnerId: 'giz' }, 'entries']] as const) {
    it(`${name} as JSON: each page's references rewritten into the records of every page, the same text as the whole answer`, async () => {
      const paged = await answerPages(service, name, params, { pageRows: PAGE_ROWS });
      if (!paged.ok) throw new Error(paged.error.message);
      let pages = 0;
      for await (const _ of paged.value.pages()) pages++;
      expect(pages).toBeGreaterThanOrEqual(3);
      const sink: Sink & { text: string } = { text: '', write: async (text) => void (sink.text += text), close: async () => {} };
      await writePaged(paged.value, { ...how('json', list, [], new WatchingSink(counting)), betweenPages: () => {} }, sink);
      const whole = await service.query(name, params);
      if (!whole.ok) throw new Error(whole.error.message);
      expect(sink.text).toBe(printable('json', whole.value, presentAnswer(whole.value, params, { lang: 'en', list }), 'en', () => {}, {}));
      const records = (JSON.parse(sink.text) as { result: { records: { partners: Record<string, unknown>; institute: { names: unknown[] } } } }).result.records;
      expect(Object.keys(records.partners).length).toBeGreaterThanOrEqual(111); // GIZ and the 110 partners of the sessions, once
      expect(records.institute.names.length).toBeGreaterThanOrEqual(2);
    });
  }
});
