import { handle, newEventId, type CommandInput } from '@taawun/domain';
import { loadInstituteRecord, openRuntime } from '@taawun/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taawun, temporaryFolder } from './support.js';

/*
 * `taawun diff <report> --known-on D1 --known-on D2`: a report as the record
 * stood on two recording dates, and what was recorded in between. The log is
 * written with a clock: the institute's record on 2024-01-10, a correction of
 * F4's attendance on 2024-06-03 and one of F10's year on 2025-02-17
 * (hypothetical corrections, not in the source text).
 */

let folder: { path: string; remove: () => Promise<void> };
const store = () => ['--store', `sqlite:${folder.path}/taawun.db`];
const at = (day: string) => ({ actor: 'registrar:salma', now: () => new Date(`${day}T10:00:00Z`), newId: newEventId });

beforeAll(async () => {
  folder = await temporaryFolder('diff');
  const runtime = await openRuntime(`sqlite:${folder.path}/taawun.db`);
  try {
    expect((await loadInstituteRecord(runtime.store, at('2024-01-10'))).failures).toEqual([]);
    const held = async (stream: string) => (await runtime.store.readStream(stream)).find((e) => e.type === 'SessionHeld')!;
    const attaches = await held('session-giz-attaches-2018-11');
    const fiveModules = await held('session-spain-tot-five-modules');
    const correct = async (command: CommandInput, day: string) => expect((await handle(runtime.store, command, at(day))).ok).toBe(true);
    await correct({ type: 'CorrectRecord', stream: attaches.stream, eventId: attaches.id, changes: { attendance: { count: 40, basis: 'total' } }, reason: 'attendance sheet found (hypothetical)' }, '2024-06-03');
    await correct({ type: 'CorrectRecord', stream: fiveModules.stream, eventId: fiveModules.id, changes: { heldOn: '2019-11-15/2019-11-25' }, reason: 'year found in the programme report (hypothetical)' }, '2025-02-17');
  } finally {
    await runtime.close();
  }
});
afterAll(() => folder.remove());

interface Comparison {
  knownOn: [string, string];
  added: { key: string }[];
  withdrawn: { key: string }[];
  changed: { key: string; fields: { path: string; before: unknown; after: unknown }[] }[];
  recorded: { type: string; stream: string; reason: string | null; corrects: string | null }[];
}

const diff = async (...args: string[]) => {
  const result = await taawun(['diff', ...args, ...store()], { cwd: folder.path });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
};

describe('taawun diff', () => {
  it('lists exactly the correction recorded between two dates, and what it changed in the yearly report', async () => {
    const json = JSON.parse(await diff('yearly', '--known-on', '2024-03-01', '--known-on', '2024-12-31', '--format', 'json')) as Comparison;
    expect(json.knownOn).toEqual(['2024-03-01T23:59:59.999Z', '2024-12-31T23:59:59.999Z']);
    expect(json.recorded).toEqual([expect.objectContaining({ type: 'RecordCorrected', stream: 'session-giz-attaches-2018-11', reason: 'attendance sheet found (hypothetical)' })]);
    expect(json.added).toEqual([]);
    expect(json.withdrawn).toEqual([]);
    // 2018's people trained moved by the corrected attendance of F4's session, and nothing else changed period by period.
    expect(json.changed.map((c) => c.key)).toEqual(['period:2018']);
    expect(json.changed[0]!.fields).toContainEqual(expect.objectContaining({ path: 'totals.peopleTrained.known' }));
  });

  it('the later correction moves F10 out of "year unknown" into 2019: a period added, one changed', async () => {
    const json = JSON.parse(await diff('yearly', '--known-on', '2024-12-31', '--known-on', '2025-12-31', '--format', 'json')) as Comparison;
    expect(json.recorded.map((e) => e.reason)).toEqual(['year found in the programme report (hypothetical)']);
    expect(json.added.map((a) => a.key)).toEqual(['period:2019']);
    expect(json.changed.map((c) => c.key)).toContain('period:year-unknown');
  });

  it('before anything was corrected, nothing changed; the table says so', async () => {
    const text = await diff('yearly', '--known-on', '2024-02-01', '--known-on', '2024-03-01');
    expect(text).toMatch(/^yearly-activity-report: as known on 2024-02-01T23:59:59.999Z, then on 2024-03-01T23:59:59.999Z$/m);
    expect(text).toMatch(/^No change; 0 events recorded in between\.$/m);
  });

  it('as a table: one row per changed value, the corrections and their reasons in the notes', async () => {
    const text = await diff('history', '--partner', 'giz', '--known-on', '2024-03-01', '--known-on', '2024-12-31');
    expect(text).toMatch(/^changed +session:giz-attaches-2018-11:session +counts\.attendance/m);
    expect(text).toContain('Recorded in between:');
    expect(text).toContain('attendance sheet found (hypothetical)');
  });

  it('--lang fr and ar: the same table in the reader\'s language, the record\'s own keys, fields and reasons as they are', async () => {
    const fr = await diff('history', '--partner', 'giz', '--known-on', '2024-03-01', '--known-on', '2024-12-31', '--lang', 'fr');
    expect(fr).toContain('partner-history : tel que connu le 2024-03-01T23:59:59.999Z, puis le 2024-12-31T23:59:59.999Z');
    expect(fr).toMatch(/^modifié +session:giz-attaches-2018-11:session +counts\.attendance/m);
    expect(fr).toContain('Enregistré entre les deux :');
    expect(fr).toContain('attendance sheet found (hypothetical)');
    expect(fr).not.toMatch(/Recorded in between|as known on|\bCHANGE\b/);
    const ar = await diff('yearly', '--known-on', '2024-02-01', '--known-on', '2024-03-01', '--lang', 'ar');
    expect(ar).toContain('لا تغيير؛ 0 حدث سجلت بينهما.');
  });

  it('a partner not yet recorded on the first date: its whole history is added, not refused', async () => {
    const json = JSON.parse(await diff('history', '--partner', 'enm-france', '--known-on', '2024-01-01', '--known-on', '2024-03-01', '--format', 'json')) as Comparison & {
      otherChanges: { path: string; before: unknown }[];
    };
    expect(json.withdrawn).toEqual([]);
    expect(json.changed).toEqual([]);
    // ENM's history as the README gives it: from the 1998 agreement to the 2021 remote course.
    expect(json.added.map((a) => a.key)).toContain('agreement:enm-1998:agreement-signed');
    expect(json.added.map((a) => a.key)).toContain('session:enm-new-judges-course-2021:session');
    expect(json.otherChanges.find((c) => c.path === 'partner')).toMatchObject({ before: null });
    expect(json.recorded.length).toBeGreaterThan(0);
    // As a table, an item added is what it says of itself (what, when, its title), not its JSON.
    const table = await diff('history', '--partner', 'enm-france', '--known-on', '2024-01-01', '--known-on', '2024-03-01');
    expect(table).toMatch(/^added +agreement:enm-1998:agreement-signed +Agreement signed · 16 November 1998 · Cooperation agreement$/m);
    expect(table).not.toContain('{"kind"');
  });

  it('a partner unknown on both dates: one line, exit 1 as for a history', async () => {
    const result = await taawun(['diff', 'history', '--partner', 'nobody', '--known-on', '2024-03-01', '--known-on', '2024-12-31', ...store()], { cwd: folder.path });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^taawun: no partner "nobody"; valid: .* \(unknown-key\)\n$/);
  });

  it('asks for two dates, in one line, exit 2', async () => {
    const result = await taawun(['diff', 'yearly', '--known-on', '2024-03-01', ...store()], { cwd: folder.path });
    expect(result).toMatchObject({ code: 2, stderr: 'taawun: give --known-on twice (two recording dates to compare); got 1\n' });
  });
});
