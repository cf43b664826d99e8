import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyFileOf, instituteRecord, refusalsFileOf, splitNotes } from '@taawun/runtime';
import { processIo, witnessLocationOf } from '../src/io.js';
import { taawun, temporaryFolder } from './support.js';
import { rewriteSqliteLog } from './tamper-cases.js';
import { openSqliteEventStore } from '@taawun/adapter-sqlite';
import { newTestEvent } from '@taawun/domain/testing';

/** The seeded log: one event per command of the institute's record. */
const seededEvents = instituteRecord.length;

/**
 * The witness keeps every checkpoint it accepted, not only the latest: a log
 * rewritten after the last checkpoint but one is still proven intact up to that
 * one, and `verify` names the positions each kept checkpoint proves.
 */
let folder: { path: string; remove: () => Promise<void> };
const log = () => join(folder.path, 'log.db');
const witnessOf = (file: string) => witnessLocationOf({ store: `sqlite:${file}` }, { ...processIo(), cwd: folder.path, env: {} })!.witnessFile;
/** The size line of each signed note. */
const sizesIn = (text: string): number[] => splitNotes(text).map((note) => Number(note.split('\n')[1]));
const run = (args: string[], file = log()) => taawun([...args, '--store', `sqlite:${file}`], { cwd: folder.path });

beforeAll(async () => {
  folder = await temporaryFolder('witness-history');
  expect((await run(['seed'])).code).toBe(0);
  expect((await run(['erase-participant', 'madrid-trainer-judge-1', '--reason', 'request 1'])).code).toBe(0);
}, 60_000);
afterAll(() => folder.remove());

/** The log and its witness (latest and history) copied under another name, as taawun keeps them for that name. */
function copyOfLog(name: string): string {
  const file = join(folder.path, `${name}.db`);
  copyFileSync(log(), file);
  copyFileSync(witnessOf(log()), witnessOf(file));
  copyFileSync(historyFileOf(witnessOf(log())), historyFileOf(witnessOf(file)));
  return file;
}

describe('the witness file keeps every checkpoint it accepted', () => {
  it('keeps them oldest first beside the latest: the seeded log, then the log after the erasure', () => {
    const history = readFileSync(historyFileOf(witnessOf(log())), 'utf8');
    const sizes = sizesIn(history);
    expect(sizes).toContain(seededEvents);
    expect(sizes.at(-1)).toBeGreaterThan(seededEvents);
    expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
    expect(new Set(sizes).size).toBe(sizes.length);
    expect(splitNotes(history).at(-1)).toBe(readFileSync(witnessOf(log()), 'utf8'));
  });

  it('verify counts every kept checkpoint and proves the log through the latest', async () => {
    const sizes = sizesIn(readFileSync(historyFileOf(witnessOf(log())), 'utf8'));
    const result = await run(['verify']);
    expect(result.stdout).toMatch(new RegExp(`^intact: ${sizes.at(-1)} events .*; proven by ${sizes.length} signed checkpoint\\(s\\) kept outside the log, through position ${sizes.at(-1)}\\n$`));
    expect(result.code).toBe(0);
  });

  it('an event after the seeded checkpoint rewritten and re-hashed: the seeded positions are proven intact, the first unproven is named', async () => {
    const file = copyOfLog('rewritten');
    const last = sizesIn(readFileSync(historyFileOf(witnessOf(file)), 'utf8')).at(-1)!;
    rewriteSqliteLog(file, (rows) => rows.map((r) => (r.position === BigInt(last) ? { ...r, dataJson: r.dataJson.replace('request 1', 'request 9') } : r)));
    const result = await run(['verify'], file);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(`^BROKEN at position ${last} \\(checkpoint-mismatch\\): .*; positions 1–${last - 1} are proven intact by a kept checkpoint; .*the first unproven position is ${last}\\n$`),
    );
  });

  it('the log cut back to the seeded events: positions 1–seeded proven, the removed ones named', async () => {
    const file = copyOfLog('truncated');
    const last = sizesIn(readFileSync(historyFileOf(witnessOf(file)), 'utf8')).at(-1)!;
    rewriteSqliteLog(file, (rows) => rows.slice(0, seededEvents));
    const result = await run(['verify'], file);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(`^BROKEN at position ${seededEvents + 1} \\(checkpoint-missing\\): the log has ${seededEvents} events but the witness file .* witnessed ${last}: positions ${seededEvents + 1}–${last} were removed; positions 1–${seededEvents} are proven intact by a kept checkpoint; the first unproven position is ${seededEvents + 1}\\n$`),
    );
  });

  it('a witness file written before histories were kept still counts (the latest alone)', async () => {
    const file = copyOfLog('no-history');
    const { rmSync } = await import('node:fs');
    rmSync(historyFileOf(witnessOf(file)));
    expect(existsSync(historyFileOf(witnessOf(file)))).toBe(false);
    const result = await run(['verify'], file);
    expect(result.stdout).toMatch(/; proven by 1 signed checkpoint\(s\) kept outside the log, through position \d+\n$/);
    expect(result.code).toBe(0);
  });

  it('refuses to witness a log cut back, keeps the refusal as evidence and the old checkpoints as they were', async () => {
    const file = log(); // the last test: it cuts the log itself (a copy's witness names another log, and is refused as such)
    const witness = witnessOf(file);
    const before = { latest: readFileSync(witness, 'utf8'), history: readFileSync(historyFileOf(witness), 'utf8') };
    const last = sizesIn(before.history).at(-1)!;
    rewriteSqliteLog(file, (rows) => rows.slice(0, seededEvents));
    const erased = await run(['erase-participant', 'madrid-trainer-judge-2', '--reason', 'request 2'], file);
    expect(erased.code).toBe(0);
    expect(erased.stderr).toContain(`taawun: witness: the log no longer extends the checkpoint of size ${last} in the witness file ${witness}: its history was rewritten`);
    expect(readFileSync(witness, 'utf8')).toBe(before.latest);
    expect(readFileSync(historyFileOf(witness), 'utf8')).toBe(before.history);
    // Refused twice: the cut log the erasure found when it opened it, then the log its append made.
    const refused = readFileSync(refusalsFileOf(witness), 'utf8');
    expect(refused).toMatch(new RegExp(`^# refused \\d{4}-\\d\\d-\\d\\dT.*: the log has ${seededEvents} events but the witness file .* witnessed ${last}: events were removed\n`));
    expect(refused).toMatch(/\n# refused \d{4}-\d\d-\d\dT.*: the log no longer extends the checkpoint of size \d+/);
    expect(sizesIn(refused.replace(/^#.*\n/gm, ''))).toEqual([seededEvents, seededEvents + 1]);
    // verify still finds the cut, from the kept checkpoints.
    expect((await run(['verify'], file)).code).toBe(1);
  });
});

describe('the institute\'s key signs only what the witness holds', () => {
  it('a log rewritten and re-hashed is not signed: prove refuses it (exit 1), and the witness keeps its checkpoint', async () => {
    const file = join(folder.path, 'rewritten-for-proof.db');
    expect((await run(['seed'], file)).code).toBe(0);
    const witnessed = readFileSync(witnessOf(file), 'utf8');
    rewriteSqliteLog(file, (rows) => rows.map((r) => (r.position === 10n ? { ...r, metadataJson: r.metadataJson.replace(/"actor":"[^"]*"/, '"actor":"mallory"') } : r)));
    const proved = await run(['prove', '10', '-o', 'forged-proof.json'], file);
    expect(proved.code).toBe(1);
    expect(proved.stderr).toMatch(/^taawun: the log's checkpoint is not signed: the log no longer extends the checkpoint of size \d+ in the witness file .*: its history was rewritten\n$/);
    expect(existsSync(join(folder.path, 'forged-proof.json'))).toBe(false);
    expect(readFileSync(witnessOf(file), 'utf8')).toBe(witnessed);
  });

  it('what a killed writer committed after its last checkpoint is witnessed by the next writer, even one that appends nothing', async () => {
    const file = join(folder.path, 'killed-writer.db');
    expect((await run(['seed'], file)).code).toBe(0);
    // The events a writer appended before it was killed, its checkpoint not yet written: the store alone, no witness.
    const store = await openSqliteEventStore(file);
    const before = Number(await store.lastPosition());
    await store.append('partner-late', [newTestEvent('TestRecorded', { n: 1 }), newTestEvent('TestRecorded', { n: 2 })], { expectedRevision: 'no-stream' });
    await store.close();
    expect(await run(['verify'], file)).toMatchObject({ code: 1, stdout: expect.stringMatching(new RegExp(`^BROKEN at position ${before + 1} \\(unwitnessed\\)`)) });
    // The seed is all there: it appends nothing, and witnesses the head it finds, which extends the last checkpoint, saying so.
    const reseeded = await run(['seed'], file);
    expect(reseeded.code).toBe(0);
    expect(reseeded.stderr).toContain(`taawun: witness: positions ${before + 1}–${before + 2} were in no witnessed checkpoint (a writer stopped before its next one, or they were appended without taawun): witnessed now\n`);
    // Said once: the next writer finds them witnessed.
    expect((await run(['seed'], file)).stderr).not.toContain('were in no witnessed checkpoint');
    expect(await run(['verify'], file)).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^intact: ${before + 2} events .*through position ${before + 2}\\n$`)) });
  });
});

