import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, chainHash, type ChainCheckpoint } from '@taawun/domain';
import { newTestEvent } from '@taawun/domain/testing';
import { openSqliteEventStore } from '../src/index.js';
import { tempDatabases } from './temp-files.js';

const newDatabase = tempDatabases();

/** A file with 12 events in 3 streams; returns its path and the auditor's checkpoint. */
async function auditedFile(): Promise<{ path: string; checkpoint: ChainCheckpoint }> {
  const path = newDatabase();
  const store = await openSqliteEventStore(path);
  for (let round = 0; round < 4; round++) {
    for (const stream of ['partner-italy', 'partner-giz', 'session-39']) {
      await store.append(stream, [newTestEvent('CooperationRecorded', { round, stream, note: 'اتفاقية تعاون' }, { metadata: { actor: 'clerk', correlationId: `c${round}`, causationId: `c${round}`, sourceRef: 'F1' } })], { expectedRevision: 'any' });
    }
  }
  const checkpoint = await store.checkpoint();
  await store.close();
  return { path, checkpoint };
}

/** Edit the file as an intruder would: with raw SQL, after dropping the guards. */
function tamper(path: string, edit: (db: Database.Database) => void): void {
  const db = new Database(path);
  db.exec('DROP TRIGGER events_are_never_updated; DROP TRIGGER events_are_never_deleted;');
  edit(db);
  db.close();
}

async function verifyFile(path: string, against?: ChainCheckpoint) {
  const store = await openSqliteEventStore(path);
  try {
    return await store.verify(against ? { against } : {});
  } finally {
    await store.close();
  }
}

/** Change one character (one byte when it is ASCII) of a text at an index. */
const changeOneCharacter = (text: string, index: number): string => {
  const chars = [...text];
  const i = index % chars.length;
  const c = chars[i]!;
  chars[i] = c === 'x' ? 'y' : c.length === 1 && c.charCodeAt(0) < 128 ? String.fromCharCode(c.charCodeAt(0) ^ 1) : 'x';
  return chars.join('');
};

const editField = (db: Database.Database, position: number, column: 'data' | 'metadata' | 'type' | 'stream' | 'id' | 'recorded_at', index: number) => {
  const { value } = db.prepare(`SELECT ${column} AS value FROM events WHERE position = ?`).get(position) as { value: string };
  db.prepare(`UPDATE events SET ${column} = ? WHERE position = ?`).run(changeOneCharacter(value, index), position);
};

describe('tamper evidence', () => {
  it('an untouched file is intact: N events, head hash H, matching the checkpoint', async () => {
    const { path, checkpoint } = await auditedFile();
    expect(checkpoint.position).toBe(12n);
    expect(checkpoint.headHash).toMatch(/^[0-9a-f]{64}$/);
    expect(await verifyFile(path, checkpoint)).toMatchObject({ intact: true, events: 12, headHash: checkpoint.headHash, headPosition: 12n });
  });

  it('an empty store checkpoints at position 0 with the genesis hash, and verifies', async () => {
    const store = await openSqliteEventStore(newDatabase());
    const checkpoint = await store.checkpoint();
    expect(checkpoint).toEqual({ position: 0n, headHash: GENESIS_HASH });
    expect(await store.verify({ against: checkpoint })).toMatchObject({ intact: true, events: 0 });
    await store.close();
  });

  it.each([
    ['data', 5],
    ['metadata', 7],
    ['type', 3],
  ] as const)('one byte of one event %s changed is found at its position', async (column, position) => {
    const { path } = await auditedFile();
    tamper(path, (db) => editField(db, position, column, 2));
    expect(await verifyFile(path)).toMatchObject({ intact: false, position: BigInt(position), problem: 'hash-mismatch' });
  });

  it('a deleted event is found at its position', async () => {
    const { path } = await auditedFile();
    tamper(path, (db) => db.prepare('DELETE FROM events WHERE position = 6').run());
    expect(await verifyFile(path)).toMatchObject({ intact: false, position: 6n, problem: 'position-gap' });
  });

  it('two swapped events are found at the first of them', async () => {
    const { path } = await auditedFile();
    tamper(path, (db) => {
      db.exec('UPDATE events SET position = 1000 WHERE position = 4; UPDATE events SET position = 4 WHERE position = 9; UPDATE events SET position = 9 WHERE position = 1000;');
    });
    const report = await verifyFile(path);
    expect(report).toMatchObject({ intact: false, position: 4n });
  });

  it('two events whose contents are swapped (positions kept) are found at the first of them', async () => {
    const { path } = await auditedFile();
    tamper(path, (db) => {
      // Positions 2 and 5 are revisions 0 and 1 of partner-giz: the revisions stay consecutive, only the hashes tell.
      const columns = 'id, type, schema_version, recorded_at, data, metadata, hash';
      const a = db.prepare(`SELECT ${columns} FROM events WHERE position = 2`).get() as Record<string, unknown>;
      const b = db.prepare(`SELECT ${columns} FROM events WHERE position = 5`).get() as Record<string, unknown>;
      const write = db.prepare(`UPDATE events SET id = @id, type = @type, schema_version = @schema_version, recorded_at = @recorded_at, data = @data, metadata = @metadata, hash = @hash WHERE position = @position`);
      db.transaction(() => {
        write.run({ ...a, id: 'swap-temp', position: 5 });
        write.run({ ...b, position: 2 });
        write.run({ ...a, position: 5 });
      })();
    });
    expect(await verifyFile(path)).toMatchObject({ intact: false, position: 2n, problem: 'hash-mismatch' });
  });

  it('a tail rewritten and re-hashed passes a bare verify, and is caught against the auditor\'s checkpoint', async () => {
    const { path, checkpoint } = await auditedFile();
    tamper(path, (db) => {
      const rows = db.prepare('SELECT * FROM events WHERE position >= 9 ORDER BY position').all() as Record<string, string | number>[];
      let previous = (db.prepare('SELECT hash FROM events WHERE position = 8').get() as { hash: string }).hash;
      for (const row of rows) {
        const data = row.position === 10 ? JSON.stringify({ round: 99, rewritten: true }) : String(row.data);
        previous = chainHash(previous, {
          position: BigInt(row.position!), stream: String(row.stream), revision: Number(row.revision), id: String(row.id), type: String(row.type),
          schemaVersion: Number(row.schema_version), recordedAt: String(row.recorded_at), dataJson: data, metadataJson: String(row.metadata),
        });
        db.prepare('UPDATE events SET data = ?, hash = ? WHERE position = ?').run(data, previous, row.position);
      }
    });
    expect(await verifyFile(path)).toMatchObject({ intact: true, events: 12 });
    expect(await verifyFile(path, checkpoint)).toMatchObject({ intact: false, position: 12n, problem: 'checkpoint-mismatch' });
  });

  it('a truncated tail passes a bare verify, and is caught against the auditor\'s checkpoint', async () => {
    const { path, checkpoint } = await auditedFile();
    tamper(path, (db) => db.prepare('DELETE FROM events WHERE position > 10').run());
    expect(await verifyFile(path)).toMatchObject({ intact: true, events: 10 });
    expect(await verifyFile(path, checkpoint)).toMatchObject({ intact: false, position: 12n, problem: 'checkpoint-missing' });
  });

  it('verifies across many pages', async () => {
    const store = await openSqliteEventStore(newDatabase(), { pageSize: 7 });
    await store.append('a', Array.from({ length: 50 }, (_, i) => newTestEvent('T', { i })), { expectedRevision: 'no-stream' });
    const checkpoint = await store.checkpoint();
    expect(await store.verify({ against: checkpoint })).toMatchObject({ intact: true, events: 50, headPosition: 50n });
    await store.close();
  });

  it('property: any one-character change to any field of any event is found at that event', async () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'é', 'ق', '\u200F', '"', '\\', '\n', '👩🏽‍⚖️', ' '), minLength: 1, maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ stream: fc.constantFrom('a', 'b'), data: fc.dictionary(text, fc.oneof(text, fc.integer())), actor: text }), { minLength: 1, maxLength: 8 }),
        fc.nat(),
        fc.constantFrom('data', 'metadata', 'type', 'stream', 'id', 'recorded_at'),
        fc.nat(),
        async (events, pick, column, index) => {
          const path = newDatabase();
          const store = await openSqliteEventStore(path, { integrityCheck: 'none' });
          for (const e of events) {
            await store.append(e.stream, [newTestEvent('Recorded', e.data, { metadata: { actor: e.actor, correlationId: 'c', causationId: 'c' } })], { expectedRevision: 'any' });
          }
          await store.close();
          const position = (pick % events.length) + 1;
          tamper(path, (db) => editField(db, position, column, index));
          const report = await verifyFile(path);
          expect(report).toMatchObject({ intact: false, position: BigInt(position) });
        },
      ),
      { numRuns: 40 },
    );
  });
});
