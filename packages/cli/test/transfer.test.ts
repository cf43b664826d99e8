import { InMemoryEventStore, newEventId, storedEventToJson, type StoredEvent } from '@taawun/domain';
import { openSqliteEventStore } from '@taawun/adapter-sqlite';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importEvents } from '../src/ndjson.js';
import { everyReadModel, hasNoStackTrace, taawun, temporaryFolder } from './support.js';

let folder: { path: string; remove: () => Promise<void> };
let exported: string;
const source = () => `sqlite:${folder.path}/source.db`;

beforeAll(async () => {
  folder = await temporaryFolder('transfer');
  await taawun(['seed', '--store', source()], { cwd: folder.path });
  const result = await taawun(['export', '--store', source()], { cwd: folder.path });
  expect(result.code).toBe(0);
  exported = result.stdout;
  await writeFile(`${folder.path}/log.ndjson`, exported);
});
afterAll(() => folder.remove());

async function logOf(file: string): Promise<StoredEvent[]> {
  const store = await openSqliteEventStore(file);
  const events: StoredEvent[] = [];
  for await (const e of store.readAll()) events.push(e);
  await store.close();
  return events;
}

/** What a log says, without where a store put it: positions are each store's own. */
const withoutPositions = (events: readonly StoredEvent[]) => events.map(({ position: _position, ...rest }) => rest);

describe('taawun export', () => {
  it('writes one line per event in the storedEventToJson shape, in log order', async () => {
    const log = await logOf(`${folder.path}/source.db`);
    const lines = exported.trimEnd().split('\n');
    expect(lines).toHaveLength(log.length);
    expect(lines.map((l) => JSON.parse(l))).toEqual(log.map((e) => JSON.parse(JSON.stringify(storedEventToJson(e)))));
  });

  it('keeps Arabic text byte for byte', () => {
    expect(exported).toContain('المدرسة الوطنية للقضاء بفرنسا');
  });

  it('writes nothing but the header-less NDJSON for an empty store', async () => {
    await (await openSqliteEventStore(`${folder.path}/empty.db`)).close();
    const result = await taawun(['export', '--store', `sqlite:${folder.path}/empty.db`], { cwd: folder.path });
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});

describe('taawun import', () => {
  it('copies the log into another store with the same ids, revisions, recordedAt, data and metadata; a second import adds nothing', async () => {
    const target = `${folder.path}/copy.db`;
    const first = await taawun(['import', 'log.ndjson', '--store', `sqlite:${target}`], { cwd: folder.path });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const count = exported.trimEnd().split('\n').length;
    expect(first.stdout).toContain(`${count} events`);
    expect(first.stdout).toContain(`${count} appended, 0 already present`);
    expect(withoutPositions(await logOf(target))).toEqual(withoutPositions(await logOf(`${folder.path}/source.db`)));

    const second = await taawun(['import', 'log.ndjson', '--store', `sqlite:${target}`], { cwd: folder.path });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`0 appended, ${count} already present`);
    expect(await logOf(target)).toHaveLength(count);

    const verified = await taawun(['verify', '--store', `sqlite:${target}`], { cwd: folder.path });
    expect(verified.code).toBe(0);
  });

  it('imports a file whose first part is already there: only the rest is appended', async () => {
    const lines = exported.trimEnd().split('\n');
    await writeFile(`${folder.path}/first-half.ndjson`, `${lines.slice(0, 20).join('\n')}\n`);
    const target = `sqlite:${folder.path}/halves.db`;
    expect((await taawun(['import', 'first-half.ndjson', '--store', target], { cwd: folder.path })).stdout).toContain('20 appended, 0 already present');
    const all = await taawun(['import', 'log.ndjson', '--store', target], { cwd: folder.path });
    expect(all.stdout).toContain(`${lines.length - 20} appended, 20 already present`);
  });

  const rejects = async (name: string, content: string, line: number, reason: RegExp) => {
    await writeFile(`${folder.path}/${name}`, content);
    const target = `${folder.path}/${name}.db`;
    const result = await taawun(['import', name, '--store', `sqlite:${target}`], { cwd: folder.path });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`${name}: line ${line}: `);
    expect(lines[0]).toMatch(reason);
    expect(lines[0]).toContain('nothing was imported');
    expect(hasNoStackTrace(result.stderr)).toBe(true);
    // The file is checked before the store is opened: a refused import leaves no new, empty store that verify would call intact.
    expect(existsSync(target)).toBe(false);
  };

  it('rejects a file with a line that is not JSON, naming the line, writing nothing', async () => {
    const lines = exported.trimEnd().split('\n');
    lines[30] = lines[30]!.slice(0, -5);
    await rejects('truncated.ndjson', `${lines.join('\n')}\n`, 31, /not JSON/);
  });

  it('rejects an envelope that breaks its schema (a revision that is not a number)', async () => {
    const lines = exported.trimEnd().split('\n');
    lines[9] = JSON.stringify({ ...JSON.parse(lines[9]!), revision: 'two' });
    await rejects('bad-envelope.ndjson', `${lines.join('\n')}\n`, 10, /not a stored event: revision/);
  });

  it('rejects an event whose data breaks its event schema (decodeEvent)', async () => {
    const lines = exported.trimEnd().split('\n');
    const index = lines.findIndex((l) => JSON.parse(l).type === 'AgreementSigned');
    const event = JSON.parse(lines[index]!);
    lines[index] = JSON.stringify({ ...event, data: { ...event.data, signedOn: '16 November 1998' } });
    await rejects('bad-data.ndjson', `${lines.join('\n')}\n`, index + 1, /invalid-event: AgreementSigned .*signedOn/);
  });

  it('rejects an unknown event type', async () => {
    const lines = exported.trimEnd().split('\n');
    lines[4] = JSON.stringify({ ...JSON.parse(lines[4]!), type: 'SomethingElseHappened' });
    await rejects('unknown-type.ndjson', `${lines.join('\n')}\n`, 5, /unknown-event-type/);
  });

  it('rejects a stream whose revisions skip one, and a repeated event id', async () => {
    const lines = exported.trimEnd().split('\n');
    const events = lines.map((l) => JSON.parse(l) as { stream: string; revision: number; id: string });
    // Remove revision 1 of a stream that has a revision 2: the file jumps from 0 to 2 there.
    const third = events.findIndex((e) => e.revision === 2);
    const second = events.findIndex((e) => e.revision === 1 && e.stream === events[third]!.stream);
    // Line numbers are 1-based and one line before it is gone: revision 2 is now on line `third`.
    await rejects('gap.ndjson', `${lines.filter((_, i) => i !== second).join('\n')}\n`, third, /goes from revision 0 to 2; revisions must follow one another/);
    const copy = { ...JSON.parse(lines[2]!), id: events[1]!.id };
    lines[2] = JSON.stringify(copy);
    await rejects('repeated-id.ndjson', `${lines.join('\n')}\n`, 3, /already appears on line 2/);
  });

  it('refuses a file that does not continue what the target holds', async () => {
    const lines = exported.trimEnd().split('\n');
    const target = `sqlite:${folder.path}/other-history.db`;
    // The target already has the institute's stream, written by another seed (other ids).
    await taawun(['seed', '--store', target], { cwd: folder.path, env: {} });
    const copied = await taawun(['export', '--store', target], { cwd: folder.path });
    const otherFirst = JSON.parse(copied.stdout.split('\n')[0]!);
    const mine = JSON.parse(lines[0]!);
    expect(otherFirst.id).toBe(mine.id); // idempotency keys make seeds agree on ids...
    // ...so rewrite one id to make the histories differ.
    const changed = { ...mine, id: '0190f0e0-0000-7000-8000-000000000001' };
    await writeFile(`${folder.path}/diverging.ndjson`, `${[JSON.stringify(changed), ...lines.slice(1)].join('\n')}\n`);
    const before = copied.stdout;
    const result = await taawun(['import', 'diverging.ndjson', '--store', target], { cwd: folder.path });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/diverging\.ndjson: line 1: the target store already holds a different event .* at institute-ism revision 0; nothing was imported/);
    expect((await taawun(['export', '--store', target], { cwd: folder.path })).stdout).toBe(before);
  });

  /** A line of a file, continuing the export: the next position, metadata and recordedAt of its last line. */
  const lineAfter = (lines: readonly string[], event: { id?: string; stream: string; revision: number; type: string; data: unknown }, offset = 1) => {
    const last = JSON.parse(lines.at(-1)!);
    return JSON.stringify({
      id: event.id ?? newEventId(),
      stream: event.stream,
      revision: event.revision,
      position: String(Number(last.position) + offset),
      type: event.type,
      schemaVersion: 1,
      recordedAt: last.recordedAt,
      data: event.data,
      metadata: last.metadata,
    });
  };
  const eventsOf = (lines: readonly string[]) => lines.map((l) => JSON.parse(l) as { id: string; stream: string; revision: number; type: string; data: Record<string, unknown> });
  const lastRevision = (lines: readonly string[], stream: string) => Math.max(...eventsOf(lines).filter((e) => e.stream === stream).map((e) => e.revision));

  it('rejects an event filed under a stream its data does not name, with its line', async () => {
    const lines = exported.trimEnd().split('\n');
    const index = eventsOf(lines).findIndex((e) => e.type === 'AgreementSigned' && e.revision === 0 && lastRevision(lines, e.stream) === 0);
    const event = JSON.parse(lines[index]!);
    lines[index] = JSON.stringify({ ...event, stream: 'agreement-somewhere-else' });
    await rejects('wrong-stream.ndjson', `${lines.join('\n')}\n`, index + 1, new RegExp(`AgreementSigned ${event.id} belongs in stream ${event.stream} \\(its data says so\\), not agreement-somewhere-else`));
  });

  it('rejects a correction outside the stream of the event it corrects, or of an event that is nowhere', async () => {
    const lines = exported.trimEnd().split('\n');
    const events = eventsOf(lines);
    const agreement = events.find((e) => e.type === 'AgreementSigned')!;
    const partner = events.find((e) => e.type === 'PartnerRegistered' && e.stream !== agreement.stream)!;
    const correction = (correctedEventId: string) => ({
      stream: partner.stream,
      revision: lastRevision(lines, partner.stream) + 1,
      type: 'RecordCorrected',
      data: { correctedEventId, correctedEventType: 'AgreementSigned', changes: { place: { fr: 'Rome' } }, previous: {}, reason: 'the text says Rome' },
    });
    const misplaced = [...lines, lineAfter(lines, correction(agreement.id))];
    await rejects('misplaced-correction.ndjson', `${misplaced.join('\n')}\n`, misplaced.length, new RegExp(`corrects event ${agreement.id}, which is in stream ${agreement.stream} \\(line \\d+\\), not ${partner.stream}`));
    const nowhere = [...lines, lineAfter(lines, correction(newEventId()))];
    await rejects('orphan-correction.ndjson', `${nowhere.join('\n')}\n`, nowhere.length, new RegExp(`which is neither earlier in stream ${partner.stream} in the file nor in that stream of the target store`));
  });

  it('accepts a correction of an event the target holds earlier in the same stream', async () => {
    const lines = exported.trimEnd().split('\n');
    const target = `sqlite:${folder.path}/corrected.db`;
    expect((await taawun(['import', 'log.ndjson', '--store', target], { cwd: folder.path })).code).toBe(0);
    const agreement = eventsOf(lines).find((e) => e.type === 'AgreementSigned')!;
    const correction = lineAfter(lines, {
      stream: agreement.stream,
      revision: lastRevision(lines, agreement.stream) + 1,
      type: 'RecordCorrected',
      data: { correctedEventId: agreement.id, correctedEventType: 'AgreementSigned', changes: {}, previous: {}, reason: 'checked against the signed copy' },
    });
    await writeFile(`${folder.path}/correction-only.ndjson`, `${correction}\n`);
    const result = await taawun(['import', 'correction-only.ndjson', '--store', target], { cwd: folder.path });
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('1 appended, 0 already present');
  });

  it('rejects a file reusing the id of an event the target holds in another stream: the whole file, before anything is written', async () => {
    const lines = exported.trimEnd().split('\n');
    const target = `${folder.path}/reused-id.db`;
    expect((await taawun(['import', 'log.ndjson', '--store', `sqlite:${target}`], { cwd: folder.path })).code).toBe(0);
    const before = await logOf(target);
    const taken = eventsOf(lines).find((e) => e.type === 'AgreementSigned')!;
    const register = (partnerId: string) => ({ type: 'PartnerRegistered', data: { partnerId, name: { fr: partnerId }, kind: 'school', country: 'FR' }, revision: 0, stream: `partner-${partnerId}` });
    // A first event that could be written, then one whose id the target already holds under another stream.
    const file = [lineAfter(lines, register('partner-aa')), lineAfter(lines, { ...register('partner-bb'), id: taken.id }, 2)];
    await writeFile(`${folder.path}/reused-id.ndjson`, `${file.join('\n')}\n`);
    const result = await taawun(['import', 'reused-id.ndjson', '--store', `sqlite:${target}`], { cwd: folder.path });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`taawun: reused-id.ndjson: line 2: event id ${taken.id} is already stored in the target, in stream ${taken.stream} at revision ${taken.revision}: an id names one event in the whole log; nothing was imported\n`);
    expect(await logOf(target)).toEqual(before);
  });

  it("rejects personal data for a participant the target erased, or that the file itself erased earlier, before anything is written", async () => {
    const lines = exported.trimEnd().split('\n');
    const target = `${folder.path}/erased-target.db`;
    expect((await taawun(['import', 'log.ndjson', '--store', `sqlite:${target}`], { cwd: folder.path })).code).toBe(0);
    const registered = lineAfter(lines, { stream: 'participant-attache-41-q', revision: 0, type: 'ParticipantRegistered', data: { participantId: 'attache-41-q', kind: 'judicial-attache', cohort: 41, personal: { fullName: { fr: 'Salma Idrissi' } } } });
    await writeFile(`${folder.path}/participant.ndjson`, `${registered}\n`);
    expect((await taawun(['import', 'participant.ndjson', '--store', `sqlite:${target}`], { cwd: folder.path })).code).toBe(0);
    expect((await taawun(['erase-participant', 'attache-41-q', '--reason', 'request of 2024-05-28', '--store', `sqlite:${target}`], { cwd: folder.path })).code).toBe(0);
    const before = await logOf(target);

    const erasedRevision = Math.max(...before.filter((e) => e.stream === 'participant-attache-41-q').map((e) => e.revision));
    const withLines = [...lines, registered];
    const file = [
      lineAfter(withLines, { stream: 'partner-partner-cc', revision: 0, type: 'PartnerRegistered', data: { partnerId: 'partner-cc', name: { fr: 'C' }, kind: 'school', country: 'FR' } }),
      lineAfter(withLines, { stream: 'participant-attache-41-q', revision: erasedRevision + 1, type: 'ParticipantPersonalDataCorrected', data: { participantId: 'attache-41-q', personal: { fullName: { fr: 'Salma Idrissi' } }, reason: 'spelling' } }, 2),
    ];
    await writeFile(`${folder.path}/after-erasure.ndjson`, `${file.join('\n')}\n`);
    const result = await taawun(['import', 'after-erasure.ndjson', '--store', `sqlite:${target}`], { cwd: folder.path });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`taawun: after-erasure.ndjson: line 2: participant attache-41-q's personal data was erased in the target store: it cannot take their personal data again; nothing was imported\n`);
    expect(await logOf(target)).toEqual(before);

    // In the file itself: an erasure, then personal data again.
    const inFile = [
      ...lines,
      lineAfter(lines, { stream: 'participant-attache-41-r', revision: 0, type: 'ParticipantRegistered', data: { participantId: 'attache-41-r', kind: 'judicial-attache', personal: { fullName: { fr: 'R' } } } }),
    ];
    inFile.push(lineAfter(inFile, { stream: 'participant-attache-41-r', revision: 1, type: 'ParticipantDataErased', data: { participantId: 'attache-41-r', reason: 'request' } }));
    inFile.push(lineAfter(inFile, { stream: 'participant-attache-41-r', revision: 2, type: 'ParticipantPersonalDataCorrected', data: { participantId: 'attache-41-r', personal: { fullName: { fr: 'R' } }, reason: 'again' } }));
    await rejects('erased-in-file.ndjson', `${inFile.join('\n')}\n`, inFile.length, new RegExp(`carries personal data of participant attache-41-r, whose data line ${inFile.length - 1} erased`));
  });

  it('says so in one line when the file does not exist, or is a folder', async () => {
    const result = await taawun(['import', 'missing.ndjson'], { cwd: folder.path });
    expect(result).toMatchObject({ code: 1, stdout: '', stderr: 'taawun: missing.ndjson: no such file\n' });
    const folderGiven = await taawun(['import', '.'], { cwd: folder.path });
    expect(folderGiven).toMatchObject({ code: 1, stdout: '', stderr: 'taawun: .: a folder, not an NDJSON file\n' });
  });

  it('export from SQLite and import into the in-memory store gives the same log and the same read models (library API, as the command runs it)', async () => {
    const memory = new InMemoryEventStore();
    const report = await importEvents(memory, `${folder.path}/log.ndjson`);
    expect(report.appended).toBe(exported.trimEnd().split('\n').length);
    const events: StoredEvent[] = [];
    for await (const e of memory.readAll()) events.push(e);
    expect(withoutPositions(events)).toEqual(withoutPositions(await logOf(`${folder.path}/source.db`)));
    const sqlite = await openSqliteEventStore(`${folder.path}/source.db`);
    try {
      const expected = await everyReadModel(sqlite);
      expect(Object.keys(expected).length).toBeGreaterThan(25);
      expect(await everyReadModel(memory)).toEqual(expected);
    } finally {
      await sqlite.close();
    }
  });
});
