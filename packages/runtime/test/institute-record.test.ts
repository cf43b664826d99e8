import { InMemoryEventStore, decodeEvent, type StoredEvent } from '@taawun/domain';
import { deterministicContext } from '@taawun/domain/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { instituteRecord, loadInstituteRecord } from '../src/institute-record/index.js';
import { registrySource } from '../src/institute-record/record.js';

const facts = Array.from({ length: 18 }, (_, i) => `F${i + 1}`);
let store: InMemoryEventStore;
let log: StoredEvent[];

beforeAll(async () => {
  store = new InMemoryEventStore();
  const report = await loadInstituteRecord(store, deterministicContext('seed'));
  expect(report.failures.map((f) => `${f.entry.key}: ${f.error.message}`)).toEqual([]);
  log = [];
  for await (const e of store.readAll()) log.push(e);
});

describe("the institute's record", () => {
  it('encodes every fact F1 to F18, each event citing its fact, and what the text does not say citing the registry', () => {
    expect(new Set(log.map((e) => e.metadata.sourceRef))).toEqual(new Set([...facts, registrySource]));
    // Only the Enabel acronym comes from beyond the text (DOMAIN.md, F6).
    expect(log.filter((e) => e.metadata.sourceRef === registrySource).map((e) => [e.type, e.data])).toEqual([
      ['PartnerDetailsCorrected', expect.objectContaining({ partnerId: 'enabel', changes: { acronym: 'Enabel' } })],
    ]);
    expect(log.every((e) => typeof e.metadata.sourceRef === 'string')).toBe(true);
    expect(log.every((e) => decodeEvent(e).ok)).toBe(true);
  });

  it('uses the card\'s four events', () => {
    const types = new Set(log.map((e) => e.type));
    for (const t of ['AgreementSigned', 'SessionHeld', 'ParticipantEnrolled', 'StudyVisitCompleted']) expect(types).toContain(t);
  });

  it('loading it twice adds nothing', async () => {
    const before = await store.lastPosition();
    const again = await loadInstituteRecord(store, deterministicContext('seed'));
    expect(again).toMatchObject({ recorded: 0, alreadyPresent: instituteRecord.length, failures: [] });
    expect(await store.lastPosition()).toBe(before);
  });

  it('keeps unknown dates unknown and partial dates partial', () => {
    const dateOf = (fact: string, type: string) => log.find((e) => e.metadata.sourceRef === fact && e.type === type)?.metadata.occurredOn;
    expect(dateOf('F1', 'AgreementSigned')).toBe('2022-12-15');
    expect(dateOf('F3', 'SessionHeld')).toBe('2018');
    expect(dateOf('F4', 'SessionHeld')).toBe('2018-11-07/2018-11-08');
    expect(dateOf('F10', 'SessionHeld')).toBe('XXXX-11-15/XXXX-11-25');
    expect(dateOf('F11', 'StudyVisitCompleted')).toBe('XXXX');
    expect(dateOf('F18', 'StudyVisitCompleted')).toBe('2016/2020');
    expect(dateOf('F7', 'PublicationPrepared')).toBe('../2022');
  });

  it("keeps F3's order: the regional sessions followed the training-of-trainers sessions (both only 2018)", async () => {
    const regional = log.find((e) => e.type === 'SessionHeld' && (e.data as { sessionId: string }).sessionId === 'giz-regional-2018')!;
    expect((regional.data as { follows?: string }).follows).toBe('giz-tot-2018');
    // The session it follows must be in the record: a follows naming no session is refused.
    const { handle } = await import('@taawun/domain');
    const refused = await handle(
      store,
      { type: 'RecordSessionHeld', sessionId: 'x-after-nothing', title: { en: 'x' }, kind: 'regional-session', partners: ['giz'], heldOn: '2018', follows: 'no-such-session' },
      deterministicContext('test'),
    );
    expect(refused.ok ? 'recorded' : refused.error.code).toBe('unknown-reference');
  });

  it('keeps the plan of F8 a plan: nothing is recorded as published', () => {
    expect(log.filter((e) => e.type === 'PublicationPlanned').map((e) => e.metadata.sourceRef)).toEqual(['F8']);
    expect(log.some((e) => e.type === 'PublicationPublished')).toBe(false);
  });

  it('invents no names: no participant has personal data, and counts come from the text', () => {
    const participants = log.filter((e) => e.type === 'ParticipantRegistered');
    // Two judges each of F16 and F17, and F11's two trainer-judges: kinds without names.
    expect(participants.map((e) => (e.data as { kind: string }).kind).sort()).toEqual(['judge', 'judge', 'judge', 'judge', 'trainer-judge', 'trainer-judge']);
    expect(participants.every((e) => (e.data as { personal?: unknown }).personal === undefined)).toBe(true);
    const counts = log.filter((e) => e.type === 'SessionHeld').map((e) => (e.data as { attendance?: { count: number; basis: string } }).attendance).filter(Boolean);
    expect(counts).toEqual(expect.arrayContaining([{ count: 20, basis: 'each-occurrence' }, { count: 70, basis: 'total' }, { count: 4, basis: 'total' }]));
  });

  it('keeps the institute\'s name as it was: the 1998 agreement under the former name, the 2016 protocol under the present one', () => {
    const signed = (id: string) => log.find((e) => e.type === 'AgreementSigned' && (e.data as { agreementId: string }).agreementId === id)!.data as { instituteName?: { ar?: string } };
    expect(signed('enm-1998').instituteName?.ar).toBe('المعهد الوطني للدراسات القضائية');
    expect(signed('enm-2016-protocol').instituteName?.ar).toBe('المعهد العالي للقضاء');
  });

  it('says what the text says: no recurrence it does not state, no plan for the Madrid visit, the ENM programmes undated, the course recurring', () => {
    const launched = log.filter((e) => e.type === 'ProgrammeLaunched').map((e) => e.data as { programmeId: string; recurrence?: string; startedOn: string });
    expect(launched.map((p) => [p.programmeId, p.recurrence ?? null, p.startedOn])).toEqual([
      ['morocco-denmark-cooperation', null, '../2017-05-15'],
      ['enabel-migrants-rights', null, '../2022'],
      ['vivre-ensemble', null, '../2021-05-25'],
      ['enm-annual-programme', 'annual', 'XXXX'],
      ['enm-new-judges-course', 'annual', 'XXXX'],
    ]);
    expect(log.some((e) => e.type === 'StudyVisitPlanned' && e.metadata.sourceRef === 'F11')).toBe(false);
    const courses = log.filter((e) => e.type === 'SessionScheduled' && (e.data as { kind: string }).kind === 'course');
    expect(courses.map((e) => (e.data as { programmeId?: string }).programmeId)).toEqual(['enm-new-judges-course', 'enm-new-judges-course']);
  });

  it('round-trips Arabic text unchanged', () => {
    const giz = log.find((e) => e.type === 'PartnerRegistered' && e.stream === 'partner-giz')!;
    expect((giz.data as { name: { ar: string } }).name.ar).toBe('الوكالة الألمانية للتعاون الدولي');
  });
});
