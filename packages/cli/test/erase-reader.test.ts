import { encryptPersonalData, handle } from '@taawun/domain';
import { deterministicContext } from '@taawun/domain/testing';
import { openSqliteEventStore, openSqliteKeyStore } from '@taawun/adapter-sqlite';
import Database from 'better-sqlite3';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasNoStackTrace, serve, taawun, temporaryFolder, withoutWitnessNotices } from './support.js';

/**
 * Erasure while another process holds a read snapshot of the SQLite file: the
 * key is destroyed and the erasure recorded, but the old pages that held the
 * participant's key (and the read models' pages sealed under it) cannot be
 * checkpointed away until that reader ends: whoever copies the file then can
 * still open the name. The command says so with its own exit status (3), names
 * what remains and how to finish, and running it again once the reader is
 * gone finishes the scrub: no byte of the key is left.
 */
let folder: { path: string; remove: () => Promise<void> };
const name = 'Yasmina Berrada';
const file = () => `${folder.path}/taawun.db`;
const store = () => ['--store', `sqlite:${file()}`];
/** Each participant's key as the key store kept it before the erasure: the residue a reader's snapshot keeps. */
const keyBytes = new Map<string, Buffer>();

async function keepKeyOf(participantId: string): Promise<void> {
  const events = await openSqliteEventStore(file());
  const keys = await openSqliteKeyStore(events);
  const found = await keys.lookup(participantId);
  if (found.state !== 'active') throw new Error(`no key for ${participantId}`);
  keyBytes.set(participantId, Buffer.from(found.key));
  await keys.close();
  await events.close();
}

beforeAll(async () => {
  folder = await temporaryFolder('erase-reader');
  expect((await taawun(['seed', ...store()], { cwd: folder.path })).code).toBe(0);
  const events = await openSqliteEventStore(file());
  const keys = await openSqliteKeyStore(events);
  const registered = await handle(
    encryptPersonalData(events, keys),
    { type: 'RegisterParticipant', participantId: 'attache-42-a', kind: 'judicial-attache', cohort: 42, personal: { fullName: { fr: name } } },
    deterministicContext('registrar'),
  );
  expect(registered.ok).toBe(true);
  await keys.close();
  await events.close();
  await keepKeyOf('attache-42-a');
  // The participant's name now sits in a read model stored in the file, sealed under that key.
  expect((await taawun(['replay', 'participant-record', ...store()], { cwd: folder.path })).code).toBe(0);
}, 60_000);
afterAll(() => folder.remove());

/** The raw bytes of the SQLite file and its WAL. */
async function storedBytes(): Promise<Buffer> {
  const parts = await Promise.all(['', '-wal'].map((suffix) => readFile(`${file()}${suffix}`).catch(() => Buffer.alloc(0))));
  return Buffer.concat(parts);
}

describe('taawun erase-participant while another connection holds a read snapshot', () => {
  it('exits 3, naming the copies left, until when and how to finish; the re-run once the reader is gone scrubs them (exit 0)', async () => {
    const key = keyBytes.get('attache-42-a')!;
    expect((await storedBytes()).includes(key)).toBe(true);
    expect((await storedBytes()).includes(Buffer.from(name))).toBe(false); // never in clear
    // A reader (an auditor's sqlite3 shell, a backup) in the middle of a read transaction.
    const reader = new Database(file(), { readonly: true });
    reader.exec('BEGIN');
    expect(reader.prepare('SELECT count(*) FROM events').pluck().get()).toBeGreaterThan(0);
    try {
      const held = await taawun(['erase-participant', 'attache-42-a', '--reason', 'request 42', ...store()], { cwd: folder.path });
      expect(held.code).toBe(3);
      expect(held.stdout).toMatch(/^Erased attache-42-a in SQLite file .*: ParticipantDataErased recorded at position \d+ \(event [0-9a-f-]{36}\); key destroyed; stored read models rebuilt: participant-record\.\n$/);
      const lines = withoutWitnessNotices(held.stderr).trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(hasNoStackTrace(held.stderr)).toBe(true);
      expect(lines[0]).toMatch(/^taawun: erasure incomplete: attache-42-a is erased \(recorded, key destroyed\), but another process holds a read snapshot, so these copies are not scrubbed yet: /);
      expect(lines[0]).toContain(`old pages of the stored read models (participant-record) with the participant's personal data, sealed in ${file()} and ${file()}-wal`);
      expect(lines[0]).toContain('until the process holding the snapshot ends its read');
      expect(lines[0]).toMatch(/repeat the erasure then: it is safe to repeat and finishes the scrub \(taawun erase-participant attache-42-a --reason …\) \(scrub-pending\)$/);
      // What it says is so: the key that opens them is still in the file's bytes while the reader holds its snapshot.
      expect((await storedBytes()).includes(key)).toBe(true);
    } finally {
      reader.exec('COMMIT');
      reader.close();
    }
    const again = await taawun(['erase-participant', 'attache-42-a', '--reason', 'request 42', ...store()], { cwd: folder.path });
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('the log already recorded the erasure; no key left to destroy; stored read models rebuilt: participant-record.');
    expect((await storedBytes()).includes(key)).toBe(false);
  }, 60_000);

  it('over HTTP (taawun serve on the same file): 503 erasure-incomplete with Retry-After naming the copies; the repeat once the reader is gone answers 200', async () => {
    const config = `${folder.path}/taawun.json`;
    const added = await taawun(['keys', 'add', 'admin', '--role', 'admin', '--config', config], { cwd: folder.path });
    expect(added.code).toBe(0);
    const key = added.stdout.trim();
    const server = await serve(['serve', ...store(), '--config', config], { cwd: folder.path });
    const call = (path: string, body?: unknown) =>
      fetch(`${server.url}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    try {
      const other = 'Salma Bennani';
      expect((await call('/commands/register-participant', { participantId: 'attache-42-b', kind: 'judicial-attache', cohort: 42, personal: { fullName: { fr: other } } })).status).toBe(200);
      await keepKeyOf('attache-42-b');
      const key = keyBytes.get('attache-42-b')!;
      // The server's followers store the record, sealed: the name never reaches the file in clear.
      await expect.poll(async () => (await call('/read-models/participant-record?participantId=attache-42-b')).status, { timeout: 15_000, interval: 200 }).toBe(200);
      expect((await storedBytes()).includes(Buffer.from(other))).toBe(false);
      expect((await storedBytes()).includes(key)).toBe(true);
      const reader = new Database(file(), { readonly: true });
      reader.exec('BEGIN');
      reader.prepare('SELECT count(*) FROM events').pluck().get();
      try {
        const held = await call('/participants/attache-42-b/erasure', { reason: 'request 42b' });
        expect(held.status).toBe(503);
        expect(held.headers.get('retry-after')).toBe('5');
        const problem = (await held.json()) as { code: string; detail: string };
        expect(problem.code).toBe('erasure-incomplete');
        expect(problem.detail).toContain(`attache-42-b is erased (recorded, key destroyed), but another process holds a read snapshot of the database, so these copies are not scrubbed yet: old pages of the stored read models`);
        expect(problem.detail).toContain(`in ${file()} and ${file()}-wal`);
      } finally {
        reader.exec('COMMIT');
        reader.close();
      }
      const again = await call('/participants/attache-42-b/erasure', { reason: 'request 42b' });
      expect(again.status).toBe(200);
      expect(await again.json()).toMatchObject({ alreadyRecorded: true, residueCleared: true, readModels: 'purged' });
      expect((await storedBytes()).includes(key)).toBe(false);
    } finally {
      expect((await server.stop()).code).toBe(0);
    }
  }, 90_000);
});
