import { instituteNameOfRef, nameOfRef, partnerOfRef, type NameRef, type PageRecords, type PartnerRef } from '../model/page-records.js';
import { peopleOfEntry, peopleOfPage, type PeopleByRole } from '../model/people.js';
import { handle, InMemoryEventStore, type Command, type StoredEvent } from '@taawun/domain';
import { commandSequenceArb, deterministicContext, partialDateArb, pools, recordCommands } from '@taawun/domain/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InMemoryReadModelStorage } from '../engine/in-memory-storage.js';
import { exportModel } from '../engine/model-reader.js';
import { ProjectionRunner, replay } from '../engine/runner.js';
import { replayThroughLens } from '../engine/temporal.js';
import { projections, queryReadModel, type ReadModelSource } from './built-in.js';

const allProjections = Object.values(projections);

/** The date field of each event type a correction may move. */
const dateFields: Record<string, string> = {
  SessionHeld: 'heldOn',
  SessionScheduled: 'plannedFor',
  StudyVisitPlanned: 'plannedFor',
  StudyVisitCompleted: 'completedOn',
  PublicationPrepared: 'preparedOn',
  PublicationPlanned: 'plannedFor',
  AgreementSigned: 'signedOn',
  ProgrammeLaunched: 'startedOn',
  PartnerRenamed: 'effectiveOn',
  InstituteRenamed: 'effectiveOn',
};

/** Corrections of recorded events: a new date (possibly partial or unknown) or a new title. */
const correctionsArb = fc.array(fc.record({ pick: fc.nat(), date: partialDateArb, retitle: fc.boolean() }), { maxLength: 12 });
type Corrections = { pick: number; date: string; retitle: boolean }[];

/** A generated log: the commands through the real handler, then corrections of what they recorded. */
async function generatedLog(commands: readonly Command[], corrections: Corrections = []): Promise<StoredEvent[]> {
  const store = new InMemoryEventStore();
  const context = deterministicContext();
  await recordCommands(store, commands, context);
  const correctable: StoredEvent[] = [];
  for await (const e of store.readAll()) if (dateFields[e.type]) correctable.push(e);
  for (const { pick, date, retitle } of correctable.length > 0 ? corrections : []) {
    const target = correctable[pick % correctable.length]!;
    const titled = typeof (target.data as { title?: unknown }).title === 'object';
    const changes = retitle && titled ? { title: { en: `corrected ${pick}` } } : { [dateFields[target.type]!]: date };
    await handle(store, { type: 'CorrectRecord', stream: target.stream, eventId: target.id, changes, reason: 'checked against the archive' }, context);
  }
  const log: StoredEvent[] = [];
  for await (const e of store.readAll()) log.push(e);
  return log;
}

async function storeOf(events: readonly StoredEvent[]): Promise<InMemoryEventStore> {
  const store = new InMemoryEventStore();
  for (const e of events) await store.append(e.stream, [e], { expectedRevision: 'any' });
  return store;
}

/** Every answer the read models give about the generated records, as JSON. */
async function answers(source: ReadModelSource): Promise<string> {
  const questions: [string, object][] = [
    ['agreements-register', {}],
    ['yearly-activity-report', {}],
    ...pools.partners.map((partnerId): [string, object] => ['partner-history', { partnerId }]),
    ...pools.participants.map((participantId): [string, object] => ['participant-record', { participantId }]),
  ];
  const out: unknown[] = [];
  for (const [name, params] of questions) {
    const answer = await queryReadModel(source, name, params);
    out.push(answer.ok ? answer.value.result : answer.error);
  }
  return JSON.stringify(out);
}

/** A result whose entries refer to its records, with every name resolved and the records left out: what a presentation shows. */
function resolvedNames(result: unknown, list: string, partnerId: string | undefined): Record<string, unknown> {
  const { records, ...rest } = result as Record<string, unknown> & { records?: PageRecords };
  if (!records) return rest;
  const items = (rest[list] as { partners: PartnerRef[]; instituteName: NameRef; partnerName?: NameRef; people?: PeopleByRole }[]).map((e) => ({
    ...e,
    ...(e.people ? { people: peopleOfEntry(e.people, records) } : {}),
    partners: e.partners.map((p) => partnerOfRef(p, records)),
    instituteName: instituteNameOfRef(e.instituteName, records),
    ...(e.partnerName && partnerId ? { partnerName: nameOfRef(e.partnerName, records.partners[partnerId]?.names ?? []) } : {}),
  }));
  return { ...rest, [list]: items };
}

describe('replaying generated logs', () => {
  it('generates logs that exercise the read models (corrections included)', async () => {
    const counts: Record<string, number> = {};
    for (const [commands, corrections] of fc.sample(fc.tuple(commandSequenceArb(80), correctionsArb), { numRuns: 20, seed: 7 })) {
      for (const e of await generatedLog(commands, corrections)) counts[e.type] = (counts[e.type] ?? 0) + 1;
    }
    for (const type of ['RecordCorrected', 'SessionHeld', 'StudyVisitCompleted', 'PublicationPlanned', 'ParticipantEnrolled', 'ParticipantDataErased', 'AgreementAmended']) {
      expect(counts[type] ?? 0, type).toBeGreaterThan(0);
    }
    expect(counts['RecordCorrected']).toBeGreaterThanOrEqual(10);
  });

  it('catching up in random chunks ends in the same read models as one full rebuild; rebuilding twice gives identical output', async () => {
    await fc.assert(
      fc.asyncProperty(
        commandSequenceArb(80),
        correctionsArb,
        fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 9 }),
        fc.option(fc.integer({ min: 1, max: 7 }), { nil: undefined }),
        async (commands, corrections, chunkSizes, batchSize, maxEvents) => {
          const log = await generatedLog(commands, corrections);

          // The log arrives chunk by chunk; the runners catch up after each (maybe a few events at a time).
          const live = new InMemoryEventStore();
          const chunked = new InMemoryReadModelStorage();
          const runners = allProjections.map((p) => new ProjectionRunner(p, { store: live, storage: chunked, batchSize }));
          for (let i = 0, c = 0; i < log.length; c++) {
            const size = chunkSizes[c % chunkSizes.length]!;
            for (const e of log.slice(i, i + size)) await live.append(e.stream, [e], { expectedRevision: 'any' });
            i += size;
            for (const runner of runners) while (!(await runner.catchUp(maxEvents === undefined ? {} : { maxEvents })).complete);
          }

          const full = await storeOf(log);
          const once = new InMemoryReadModelStorage();
          const twice = new InMemoryReadModelStorage();
          for (const projection of allProjections) {
            await new ProjectionRunner(projection, { store: full, storage: once }).rebuild();
            await new ProjectionRunner(projection, { store: full, storage: twice, batchSize: 1 }).rebuild();
            const [a, b, c] = await Promise.all(
              [once, twice, chunked].map(async (s) => {
                const info = (await s.generations(projection.name)).find((g) => g.status === 'active')!;
                return { info, state: await exportModel(s, projection.name, info.generation) };
              }),
            );
            expect(c.state).toBe(a.state);
            expect(b.state).toBe(a.state);
            expect(c.info.position).toBe(a.info.position);
            expect(c.info.eventsApplied).toBe(a.info.eventsApplied);
            expect(a.state).toBe(await (await replay(full, projection)).export());
          }
          const fromChunks = await answers({ store: live, storage: chunked });
          expect(fromChunks).toBe(await answers({ store: full, storage: once }));
          expect(fromChunks).toBe(await answers({ store: full })); // replayed in memory
        },
      ),
      { numRuns: 20 },
    );
  }, 60_000);

  it('a page of any list read natively is the slice of the whole answer, order certainty included', async () => {
    await fc.assert(
      fc.asyncProperty(commandSequenceArb(80), correctionsArb, fc.nat(12), fc.integer({ min: 1, max: 7 }), async (commands, corrections, offset, limit) => {
        const store = await storeOf(await generatedLog(commands, corrections));
        const storage = new InMemoryReadModelStorage();
        for (const projection of allProjections) await new ProjectionRunner(projection, { store, storage }).rebuild();
        const questions: [string, object, string][] = [
          ...pools.partners.map((partnerId): [string, object, string] => ['partner-history', { partnerId }, 'entries']),
          ...[undefined, ...pools.partners].map((partnerId): [string, object, string] => ['agreements-register', partnerId ? { partnerId } : {}, 'agreements']),
          ['yearly-activity-report', {}, 'periods'],
        ];
        for (const [name, params, list] of questions) {
          const whole = await queryReadModel({ store, storage }, name, params);
          const page = await queryReadModel({ store, storage }, name, params, {}, { offset, limit });
          if (!whole.ok || !page.ok) {
            expect(page.ok).toBe(whole.ok);
            continue;
          }
          const all = (whole.value.result as Record<string, unknown[]>)[list]!;
          // Names resolved through each answer's records: the page's records hold what the page names, the whole's what the whole does.
          const partnerId = (params as { partnerId?: string }).partnerId;
          const wholeResolved = resolvedNames(whole.value.result, list, partnerId);
          expect(resolvedNames(page.value.result, list, partnerId), `${name} ${JSON.stringify(params)}`).toEqual({ ...wholeResolved, [list]: (wholeResolved[list] as unknown[]).slice(offset, offset + limit) });
          const records = (page.value.result as { records?: PageRecords }).records;
          if (records) {
            const named = new Set((page.value.result as Record<string, { partners: { partnerId: string }[] }[]>)[list]!.flatMap((e) => e.partners.map((p) => p.partnerId)));
            expect(Object.keys(records.partners).sort()).toEqual([...named].sort());
            const people = (page.value.result as Record<string, { people?: PeopleByRole }[]>)[list]!.flatMap((e) => Object.values(e.people ?? {}).flat());
            expect(peopleOfPage(records.people).map(([id]) => id).sort()).toEqual([...new Set(people)].sort());
          }
          expect(page.value.page).toEqual({ list, offset, limit, total: all.length, nextOffset: offset + limit < all.length ? offset + limit : null });
        }
      }),
      { numRuns: 25 },
    );
  }, 60_000);

  it('"as known on" a time is the rebuild of the log recorded by then (an erasure applies whatever the time)', async () => {
    await fc.assert(
      fc.asyncProperty(commandSequenceArb(80), correctionsArb, fc.nat(), async (commands, corrections, pick) => {
        const log = await generatedLog(commands, corrections);
        const knownOn = log[pick % log.length]!.recordedAt;
        const full = await storeOf(log);
        const recorded = log.filter((e) => Date.parse(e.recordedAt) <= Date.parse(knownOn));
        const erasedLater = log.filter((e) => e.type === 'ParticipantDataErased' && !recorded.includes(e));
        for (const projection of allProjections) {
          const prefix = await storeOf(projection.alwaysApply.length > 0 ? [...recorded, ...erasedLater] : recorded);
          const { model, report } = await replayThroughLens(full, projection, { asKnownOn: knownOn });
          expect(await model.export()).toBe(await (await replay(prefix, projection)).export());
          const handledLater = log.filter((e) => projection.handlesType(e.type) && !recorded.includes(e) && !projection.alwaysApply.includes(e.type as never));
          expect(report.notCounted.recordedLater).toBe(handledLater.length);
        }
      }),
      { numRuns: 25 },
    );
  }, 60_000);

  it('"as of" a day counts every event once or says why not, and never counts less on a later day', async () => {
    const day = fc.tuple(fc.integer({ min: 1994, max: 2026 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 })).map(
      ([y, m, d]) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
    );
    await fc.assert(
      fc.asyncProperty(commandSequenceArb(80), correctionsArb, day, day, async (commands, corrections, d1, d2) => {
        const [earlier, later] = d1 <= d2 ? [d1, d2] : [d2, d1];
        const store = await storeOf(await generatedLog(commands, corrections));
        for (const projection of allProjections) {
          let handled = 0;
          for await (const e of store.readAll({ filter: { types: projection.handles } })) handled += e ? 1 : 0;
          const a = (await replayThroughLens(store, projection, { asOf: earlier })).report;
          const b = (await replayThroughLens(store, projection, { asOf: later })).report;
          for (const r of [a, b]) {
            expect(r.eventsCounted + r.notCounted.yearUnknown.length + r.notCounted.mayBeLater.length + r.notCounted.later).toBe(handled);
            expect(r.notCounted.yearUnknown.every((n) => n.date.startsWith('XXXX'))).toBe(true);
          }
          expect(a.eventsCounted).toBeLessThanOrEqual(b.eventsCounted);
        }
      }),
      { numRuns: 25 },
    );
  }, 60_000);
});
