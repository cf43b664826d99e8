import { handle, InMemoryEventStore, type Command } from '@taawun/domain';
import { deterministicContext } from '@taawun/domain/testing';
import { loadInstituteRecord } from '@taawun/example-institute-record';
import { beforeAll, describe, expect, it } from 'vitest';
import { CountingStorage } from '../testing/counting-storage.js';
import { InMemoryReadModelStorage } from '../engine/in-memory-storage.js';
import { ProjectionRunner } from '../engine/runner.js';
import { answerPages } from './answer-pages.js';
import { queryService } from './built-in.js';

/*
 * A page of a list holds one page: given a record of many partners and many
 * participants, a page of 20 of them reads the documents of those 20 (and what
 * they name), never the whole list, whatever the offset. The CLI's --limit and
 * --offset and the API's limit and offset ask the service for exactly this.
 */

const PEOPLE = 1_200;

let counting: CountingStorage;

beforeAll(async () => {
  const store = new InMemoryEventStore();
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

describe('a page of a list', () => {
  for (const [list, ids] of [
    ['partners', (result: unknown) => (result as { partners: { partnerId: string }[] }).partners.map((p) => p.partnerId)],
    ['participants', (result: unknown) => (result as { participants: { participantId: string }[] }).participants.map((p) => p.participantId)],
  ] as const) {
    it(`${list}: 20 rows at offset 900 read about 20 documents, not ${PEOPLE}; the whole list reads them all`, async () => {
      const service = queryService({ store: new InMemoryEventStore(), storage: counting.storage });
      counting.documentsRead = 0;
      counting.keysListed = 0;
      const page = await service.query(list, {}, { page: { offset: 900, limit: 20 } });
      if (!page.ok) throw new Error(page.error.message);
      expect(page.value.page).toMatchObject({ offset: 900, limit: 20, total: PEOPLE, nextOffset: 920 });
      expect(ids(page.value.result)).toEqual(Array.from({ length: 20 }, (_, i) => expect.stringMatching(new RegExp(`-${String(900 + i).padStart(4, '0')}$`))));
      expect(counting.documentsRead).toBeLessThanOrEqual(20 * 2 + 5);
      // The page's keys are read by their place in the list and the list counted: its 20 keys, not the 900 before them.
      expect(counting.keysListed).toBe(20);

      counting.documentsRead = 0;
      const whole = await service.query(list, {});
      if (!whole.ok) throw new Error(whole.error.message);
      expect(ids(whole.value.result)).toHaveLength(PEOPLE);
      expect(counting.documentsRead).toBeGreaterThanOrEqual(PEOPLE); // the counter sees every read
    });

    it(`${list}: the whole list written a page of 100 at a time lists each key once, not the list once a page`, async () => {
      const service = queryService({ store: new InMemoryEventStore(), storage: counting.storage });
      counting.keysListed = 0;
      const paged = await answerPages(service, list, {}, { pageRows: 100 });
      if (!paged.ok) throw new Error(paged.error.message);
      const shown: string[] = [];
      for await (const page of paged.value.pages()) shown.push(...ids(page.result));
      expect(shown).toHaveLength(PEOPLE);
      expect(new Set(shown).size).toBe(PEOPLE);
      expect(counting.keysListed).toBe(PEOPLE);
    });
  }
});

describe('an answer through a lens, a page at a time', () => {
  it('is read once when its first page holds the whole list (the yearly report as of a day), else at once; either way the answer the service gives in one piece', async () => {
    const store = new InMemoryEventStore();
    await loadInstituteRecord(store, deterministicContext('seed'));
    const storage = new CountingStorage(new InMemoryReadModelStorage());
    const service = queryService({ store, storage: storage.storage });
    for (const projection of service.projections()) await new ProjectionRunner(projection, { store, storage: storage.storage }).rebuild();
    // As of a day after the record's dates: only the records of an unknown year are folded through it.
    const lens = { asOf: '2030-12-31' };
    // Asked once before: what the service keeps between answers (the catalogue's reads) is read by the first alone.
    await service.query('yearly-activity-report', {}, { lens });
    storage.documentsRead = 0;
    const atOnce = await service.query('yearly-activity-report', {}, { lens });
    if (!atOnce.ok) throw new Error(atOnce.error.message);
    expect(atOnce.value.source).toMatchObject({ kind: 'streams' });
    const readAtOnce = storage.documentsRead;
    expect(readAtOnce).toBeGreaterThan(0);
    const periods = (atOnce.value.result as { periods: unknown[] }).periods;
    expect(periods.length).toBeGreaterThan(2);

    for (const pageRows of [100, 2]) {
      storage.documentsRead = 0;
      const paged = await answerPages(service, 'yearly-activity-report', {}, { lens, pageRows });
      if (!paged.ok) throw new Error(paged.error.message);
      const pages = [];
      for await (const page of paged.value.pages()) pages.push(page);
      expect(pages).toHaveLength(1);
      expect((pages[0]!.result as { periods: unknown[] }).periods).toEqual(periods);
      expect(paged.value.range).toBeNull();
      // 100 rows: the first page is the answer, read once; 2 rows: the first page, then the answer at once.
      if (pageRows === 100) expect(storage.documentsRead).toBe(readAtOnce);
      else expect(storage.documentsRead).toBeGreaterThan(readAtOnce);
    }
  });
});
