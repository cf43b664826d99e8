import { handle, InMemoryEventStore } from '@taawun/domain';
import { deterministicContext } from '@taawun/domain/testing';
import { loadInstituteRecord } from '@taawun/example-institute-record';
import { match } from 'ts-pattern';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InMemoryReadModelStorage } from '../engine/in-memory-storage.js';
import { defineProjection } from '../engine/projection.js';
import { ProjectionRunner } from '../engine/runner.js';
import { answerSchemaOf, storedStampOf, type Answer } from './answer.js';
import { builtInReadModels, queryService } from './built-in.js';
import { defineReadModel, readModelOfProjection } from './define.js';
import { partnersReadModel } from './partner-history.js';
import type { QueryService } from './query-service.js';

/*
 * The query service over the institute's record: every list a report needs,
 * answered the same way with or without stored models, paged in one place,
 * and reports written later registered beside the built-in ones.
 */

const answerOf = <R>(result: { ok: true; value: Answer<R> } | { ok: false; error: { code: string; message: string } }): Answer<R> => {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
};

let store: InMemoryEventStore;
let replaying: QueryService;
let stored: QueryService;

beforeAll(async () => {
  store = new InMemoryEventStore();
  await loadInstituteRecord(store, deterministicContext('seed'));
  replaying = queryService({ store });
  const storage = new InMemoryReadModelStorage();
  for (const projection of replaying.projections()) await new ProjectionRunner(projection, { store, storage }).rebuild();
  stored = queryService({ store, storage });
});

describe('the lists', () => {
  it('lists the partners with the span of their histories: ENM by 1998 (the programme of F15 may be earlier) to 2021', async () => {
    const answer = answerOf(await stored.query(partnersReadModel, {}));
    expect(answer.source.kind).toBe('stored');
    const enm = answer.result.partners.find((p) => p.partnerId === 'enm-france')!;
    expect(enm.acronym).toBe('ENM');
    // The annual programme is dated "by 2002": it may be older than the 1998 agreement, so the first activity is not certain.
    expect(enm.firstDate?.edtf).toBe('../1998-11-16');
    expect(enm.first?.certain).toBe(false);
    expect(enm.first?.candidates.map((c) => c.record.id)).toEqual(['enm-1998', 'enm-annual-programme', 'enm-new-judges-course']);
    expect(enm.lastDate?.label).toContain('2021');
    expect(enm.entries).toBeGreaterThan(5);
    expect(answer.result.partners.map((p) => p.partnerId)).toEqual([...answer.result.partners.map((p) => p.partnerId)].sort());
  });

  it('lists the study visits: the Madrid visit of F11 with no date, never guessed', async () => {
    const answer = answerOf(await stored.query('study-visits', {}));
    const visits = (answer.result as { studyVisits: { record: { id: string }; date: { edtf: string; yearUnknown: boolean } }[] }).studyVisits;
    const madrid = visits.find((v) => v.record.id.includes('madrid'));
    expect(madrid?.date).toMatchObject({ edtf: 'XXXX', yearUnknown: true });
  });

  it("lists one partner's sessions, each with its partners named as at its date", async () => {
    const answer = answerOf(await stored.query('sessions', { partnerId: 'giz' }));
    const sessions = (answer.result as { sessions: { partners: { partnerId: string }[]; date: { edtf: string } }[] }).sessions;
    expect(sessions.length).toBeGreaterThan(0);
    for (const session of sessions) expect(session.partners.map((p) => p.partnerId)).toContain('giz');
  });

  it('gives the same answer from the stored models as from a replay of the log, for every built-in list', async () => {
    for (const model of builtInReadModels) {
      if (model.kind === 'log' || model.name === 'partner-history' || model.name === 'participant-record') continue;
      const fromStorage = answerOf(await stored.query(model.name, {}));
      const fromReplay = answerOf(await replaying.query(model.name, {}));
      expect(fromStorage.result, model.name).toEqual(fromReplay.result);
      expect(fromStorage.source.kind).toBe('stored');
      expect(fromReplay.source.kind).toBe('replayed');
    }
  });

  it('pages every list in one place: a page is the slice of the whole list, with where the next one starts', async () => {
    for (const model of builtInReadModels) {
      if (model.list === null || model.kind === 'log' || model.name === 'partner-history' || model.name === 'participant-record') continue;
      const whole = answerOf(await stored.query(model.name, {}));
      const all = (whole.result as Record<string, unknown[]>)[model.list]!;
      const page = answerOf(await stored.query(model.name, {}, { page: { offset: 1, limit: 2 } }));
      expect((page.result as Record<string, unknown[]>)[model.list], model.name).toEqual(all.slice(1, 3));
      expect(page.page).toEqual({ list: model.list, offset: 1, limit: 2, total: all.length, nextOffset: all.length > 3 ? 3 : null });
    }
  });

  it('answers with the schema it declares, for every built-in read model', async () => {
    const asked: Record<string, unknown> = { 'partner-history': { partnerId: 'enm-france' }, 'participant-record': { participantId: 'enm-new-judges-course-2016-judge-1' }, 'audit-trail': { stream: 'partner-giz' } };
    for (const model of builtInReadModels) {
      const answer = answerOf(await stored.query(model.name, asked[model.name] ?? {}));
      const checked = answerSchemaOf(model.result).safeParse(JSON.parse(JSON.stringify(answer)));
      expect(checked.success, `${model.name}: ${checked.error?.message}`).toBe(true);
    }
  });

  it('reads the generations twice for a stored answer: once to choose it, once to check it did not change while read', async () => {
    const storage = new InMemoryReadModelStorage();
    for (const projection of replaying.projections()) await new ProjectionRunner(projection, { store, storage }).rebuild();
    let reads = 0;
    const counting = new Proxy(storage, { get: (target, key, receiver) => (key === 'generations' ? (name: string) => (reads++, target.generations(name)) : Reflect.get(target, key, receiver)) });
    const answer = answerOf(await queryService({ store, storage: counting }).query('partner-history', { partnerId: 'enm-france' }, { page: { offset: 0, limit: 100 } }));
    expect(answer.source.kind).toBe('stored');
    expect(reads).toBe(2);
  });

  it('runs a replay through the gate it is given, and says when the gate had no room', async () => {
    let ran = 0;
    const open = { run: async <T>(work: () => Promise<T>) => (ran++, { busy: false as const, value: await work() }) };
    const shut = { run: async () => ({ busy: true as const }) };
    expect(answerOf(await stored.query('partners', {}, { lens: { asOf: '2010' }, replays: open })).source.kind).toBe('replayed');
    expect(ran).toBe(1);
    expect(answerOf(await stored.query('partners', {}, { replays: shut })).source.kind).toBe('stored');
    const busy = await stored.query('partners', {}, { lens: { asOf: '2010' }, replays: shut });
    expect(busy.ok ? 'answered' : busy.error.code).toBe('replays-busy');
  });

  it('says which read model does not exist, and which do', async () => {
    const result = await stored.query('no-such-model', {});
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toMatch(/no read model no-such-model; there are: partners, partner-history/);
  });
});

describe('a report written later', () => {
  const heldPerPartner = defineProjection({
    name: 'sessions-held-per-partner',
    version: 1,
    handles: ['SessionHeld'],
    initialState: 0,
    keyOf: (event) => event.data.partners,
    evolve: (held: number, event) => match(event).with({ type: 'SessionHeld' }, () => held + 1).exhaustive(),
  });

  it('is answered like a built-in one once registered: its documents as JSON, paged, one by key', async () => {
    const service = queryService({ store }, [readModelOfProjection(heldPerPartner)]);
    expect(service.list().map((m) => m.name)).toContain('sessions-held-per-partner');
    const all = answerOf(await service.query('sessions-held-per-partner', {}, { page: { offset: 0, limit: 100 } }));
    expect(all.result).toMatchObject({ documents: expect.arrayContaining([{ key: 'giz', document: 3 }, { key: 'enm-france', document: expect.any(Number) }]) });
    const giz = answerOf(await service.query('sessions-held-per-partner', { key: 'giz' }));
    expect(giz.result).toEqual({ documents: [{ key: 'giz', document: 3 }] });
    const none = await service.query('sessions-held-per-partner', { key: 'nobody' });
    expect(none.ok ? 'found' : none.error.code).toBe('not-found');
  });

  it('is answered through a view and a result schema of its own, with the time lenses', async () => {
    const busiest = defineReadModel({
      name: 'busiest-partners',
      title: 'Busiest partners',
      description: 'Partners by sessions held',
      projection: heldPerPartner,
      params: z.object({ atLeast: z.coerce.number().int().min(0).default(1) }).strict(),
      result: z.object({ partners: z.array(z.object({ partnerId: z.string(), held: z.number() })) }),
      list: 'partners',
      view: async (model, p) => {
        const keys = await model.keys();
        const found = await model.getMany(keys);
        const partners = keys.map((partnerId) => ({ partnerId, held: found.get(partnerId) as number })).filter((x) => x.held >= p.atLeast);
        return { result: { partners: partners.sort((a, b) => b.held - a.held || a.partnerId.localeCompare(b.partnerId)) } };
      },
      notFound: () => 'nothing',
    });
    const service = queryService({ store }, [busiest]);
    const now = answerOf(await service.query(busiest, { atLeast: 3 }));
    expect(now.result.partners).toContainEqual({ partnerId: 'giz', held: 3 });
    expect(now.result.partners.every((p) => p.held >= 3)).toBe(true);
    const then = answerOf(await service.query(busiest, { atLeast: 1 }, { lens: { asOf: '2017-12-31' } }));
    expect(then.result.partners.map((p) => p.partnerId)).not.toContain('giz');
    expect(then.lens?.asOf).toBe('2017-12-31');
  });

  it('refuses a second read model under a name already taken', () => {
    expect(() => queryService({ store }, [readModelOfProjection(defineProjection({ ...heldPerPartner, name: 'partners' }))])).toThrow(/already registered/);
  });
});

describe('the stamp of a stored answer', () => {
  it("is the answer's own (generation and checkpoint), none through a lens or a replay, and another once a commit reaches the model", async () => {
    const log = new InMemoryEventStore();
    const context = deterministicContext('seed');
    await loadInstituteRecord(log, context);
    const storage = new InMemoryReadModelStorage();
    const service = queryService({ store: log, storage });
    expect(await service.storedStamp('partner-history')).toBeUndefined(); // not built: the answer would be replayed
    await new ProjectionRunner(partnersReadModel.projection, { store: log, storage }).rebuild();
    const before = await service.storedStamp('partner-history');
    const answer = answerOf(await service.query('partner-history', { partnerId: 'giz' }));
    expect(before).toBeDefined();
    expect(storedStampOf(answer)).toBe(before);
    expect(await service.storedStamp('partner-history', { asOf: '2018' })).toBeUndefined();
    expect(await service.storedStamp('audit-trail')).toBeUndefined();

    const renamed = await handle(log, { type: 'RenamePartner', partnerId: 'giz', name: { en: 'GIZ renamed' }, effectiveOn: '2024' }, context);
    expect(renamed.ok).toBe(true);
    expect(await service.storedStamp('partner-history')).toBe(before); // recorded, not yet in the model: the same answer
    await new ProjectionRunner(partnersReadModel.projection, { store: log, storage }).catchUp();
    const after = await service.storedStamp('partner-history');
    expect(after).not.toBe(before);
    expect(storedStampOf(answerOf(await service.query('partner-history', { partnerId: 'giz' })))).toBe(after);
  });
});
