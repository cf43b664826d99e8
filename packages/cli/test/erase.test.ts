import { encryptPersonalData, handle, newEventId } from '@taawun/domain';
import { deterministicContext } from '@taawun/domain/testing';
import { openSqliteEventStore, openSqliteKeyStore } from '@taawun/adapter-sqlite';
import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasNoStackTrace, taawun, temporaryFolder, withoutWitnessNotices } from './support.js';

let folder: { path: string; remove: () => Promise<void> };
const name = 'أمينة العلوي';
const store = () => ['--store', `sqlite:${folder.path}/taawun.db`];

beforeAll(async () => {
  folder = await temporaryFolder('erase');
  await taawun(['seed', ...store()], { cwd: folder.path });
  // A participant with a name, recorded by an embedding program through the encrypting store.
  const events = await openSqliteEventStore(`${folder.path}/taawun.db`);
  const keys = await openSqliteKeyStore(events);
  const registered = await handle(
    encryptPersonalData(events, keys),
    { type: 'RegisterParticipant', participantId: 'attache-41-a', kind: 'judicial-attache', cohort: 41, personal: { fullName: { ar: name, fr: 'Amina El Alaoui' } } },
    deterministicContext('registrar'),
  );
  expect(registered.ok).toBe(true);
  await keys.close();
  await events.close();
});
afterAll(() => folder.remove());

/** The raw bytes of the SQLite file and its WAL, as stored (the log holds only sealed personal data). */
async function storedBytes(): Promise<Buffer> {
  const parts = await Promise.all(['', '-wal'].map((suffix) => readFile(`${folder.path}/taawun.db${suffix}`).catch(() => Buffer.alloc(0))));
  return Buffer.concat(parts);
}

describe('taawun erase-participant', () => {
  it('before erasure, the export and the stored read model (read through the key store) show the name; the file holds it only sealed', async () => {
    const exported = await taawun(['export', ...store()], { cwd: folder.path });
    expect(exported.stdout).toContain(name);
    const report = await taawun(['report', 'participants', '--lang', 'ar', ...store()], { cwd: folder.path });
    expect(report.stdout).toMatch(new RegExp(`^attache-41-a +\u2068ملحق قضائي\u2069 +41 +\u2068${name}\u2069$`, 'm')); // Arabic isolated in its cell, the kind in words
    // A read model stored beside the log now holds the name too, sealed under the participant's key like the log:
    expect((await taawun(['replay', 'participant-record', ...store()], { cwd: folder.path })).code).toBe(0);
    const bytes = await storedBytes();
    for (const written of [name, 'Amina El Alaoui']) {
      expect(bytes.includes(Buffer.from(written, 'utf8'))).toBe(false);
      expect(bytes.includes(Buffer.from(written, 'utf16le'))).toBe(false);
    }
    // …and opened when a query is answered.
    const record = await taawun(['query', 'participant-record', '--param', 'participantId=attache-41-a', '--format', 'json', ...store()], { cwd: folder.path });
    expect(record.code).toBe(0);
    expect(JSON.parse(record.stdout).result.personal).toEqual({ fullName: { ar: name, fr: 'Amina El Alaoui' } });
    // Answered from the stored model: a query may store a model of personal data, since the storage seals it.
    expect(JSON.parse(record.stdout).source.kind).toBe('stored');
  });

  it('erases: records the event, destroys the key; the export no longer holds the name and the chain still verifies', async () => {
    const result = await taawun(['erase-participant', 'attache-41-a', '--reason', 'request of 2024-05-28, file DPO-2024-17', ...store()], { cwd: folder.path, env: { TAAWUN_ACTOR: 'dpo' } });
    // The participant was registered by an embedding program through the library, without a witness: the erasure, the next writer, says so.
    expect(result.stderr).toBe('taawun: witness: position 53 was in no witnessed checkpoint (a writer stopped before its next one, or they were appended without taawun): witnessed now\n');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^Erased attache-41-a in SQLite file .*: ParticipantDataErased recorded at position \d+ \(event [0-9a-f-]{36}\); key destroyed; stored read models rebuilt: participant-record\.\n$/,
    );
    // The stored read model was rebuilt, the old pages zeroed and the WAL emptied: no copy of the name is left.
    const bytes = await storedBytes();
    expect(bytes.includes(Buffer.from(name))).toBe(false);
    expect(bytes.includes(Buffer.from('Amina El Alaoui'))).toBe(false);

    const exported = await taawun(['export', ...store()], { cwd: folder.path });
    expect(exported.stdout).not.toContain(name);
    expect(exported.stdout).not.toContain('Amina');
    const lines = exported.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    const registered = lines.find((e) => e.type === 'ParticipantRegistered' && e.data.participantId === 'attache-41-a');
    expect(registered.data).toEqual({ participantId: 'attache-41-a', kind: 'judicial-attache', cohort: 41 });
    expect(registered.metadata.erasedPersonalFields).toEqual(['personal']);
    const erased = lines.find((e) => e.type === 'ParticipantDataErased');
    expect(erased).toMatchObject({ data: { participantId: 'attache-41-a', reason: 'request of 2024-05-28, file DPO-2024-17' }, metadata: { actor: 'dpo' } });

    expect((await taawun(['verify', ...store()], { cwd: folder.path })).code).toBe(0);
    const report = await taawun(['report', 'participants', ...store()], { cwd: folder.path });
    expect(report.stdout).toMatch(/^attache-41-a +judicial-attache +41 +\(erased\)$/m);
  });

  it('running it again is safe and says the erasure was already recorded', async () => {
    const again = await taawun(['erase-participant', 'attache-41-a', '--reason', 'again', ...store()], { cwd: folder.path });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('the log already recorded the erasure; no key left to destroy');
  });

  it('an export moves to another store with its own keys: names sealed again there, the erased one stays erased', async () => {
    // A second, named participant who is not erased.
    const events = await openSqliteEventStore(`${folder.path}/taawun.db`);
    const keys = await openSqliteKeyStore(events);
    const registered = await handle(
      encryptPersonalData(events, keys),
      { type: 'RegisterParticipant', participantId: 'attache-41-b', kind: 'judicial-attache', cohort: 41, personal: { fullName: { fr: 'Karim Tazi' } } },
      { actor: 'registrar', now: () => new Date(), newId: newEventId },
    );
    expect(registered.ok).toBe(true);
    await keys.close();
    await events.close();

    const exported = await taawun(['export', ...store()], { cwd: folder.path });
    await writeFile(`${folder.path}/log.ndjson`, exported.stdout);
    const target = ['--store', `sqlite:${folder.path}/moved.db`, '--keys', `sqlite:${folder.path}/moved-keys.db`];
    const imported = await taawun(['import', 'log.ndjson', ...target], { cwd: folder.path });
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    const report = await taawun(['report', 'participants', ...target], { cwd: folder.path });
    expect(report.stdout).toMatch(/^attache-41-a +judicial-attache +41 +\(erased\)$/m);
    expect(report.stdout).toMatch(/^attache-41-b +judicial-attache +41 +Karim Tazi$/m);
    // Sealed under the new key file: neither the log nor its keys' file holds the name in clear.
    expect((await readFile(`${folder.path}/moved.db`)).includes(Buffer.from('Karim Tazi'))).toBe(false);
    // Without the right key file the name cannot be read: one line, exit 1.
    const wrongKeys = await taawun(['report', 'participants', '--store', `sqlite:${folder.path}/moved.db`], { cwd: folder.path });
    expect(wrongKeys.code).toBe(1);
    expect(wrongKeys.stderr.trimEnd().split('\n')).toHaveLength(1);
    // (The stored read model answers first now that a query may store it: its sealed name does not open either.)
    expect(wrongKeys.stderr).toContain('holds personal data of participant attache-41-b sealed with a key this key store does not have; is it the key store that wrote it? (storage-failure)');
  });

  it('an unknown participant fails in one line (exit 1); a missing or empty reason is bad usage (exit 2)', async () => {
    const unknown = await taawun(['erase-participant', 'nobody-here', '--reason', 'test', ...store()], { cwd: folder.path });
    expect(unknown.code).toBe(1);
    expect(withoutWitnessNotices(unknown.stderr).trimEnd().split('\n')).toHaveLength(1);
    expect(withoutWitnessNotices(unknown.stderr)).toMatch(/^taawun: erasing nobody-here: .*\(not-found\)/);
    expect(hasNoStackTrace(unknown.stderr)).toBe(true);

    const noReason = await taawun(['erase-participant', 'attache-41-a', ...store()], { cwd: folder.path });
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain("required option '--reason <text>' not specified");

    const emptyReason = await taawun(['erase-participant', 'enm-new-judges-course-2016-judge-1', '--reason', '', ...store()], { cwd: folder.path });
    expect(emptyReason.code).toBe(2);
    expect(emptyReason.stderr).toContain('(invalid-command)');
  });
});
