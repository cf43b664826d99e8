import { GENESIS_HASH, chainHash, type ChainCheckpoint } from '@taawun/domain';
import { newTestEvent } from '@taawun/domain/testing';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PostgresEventStore } from './event-store.js';
import { adminClient, schemaPool } from './test-support/database.js';

const schemas = schemaPool('tamper');
let admin: pg.Client;
let store: PostgresEventStore;
let events: string; // the quoted events table
let head: string; // the quoted log_head table
let audited: ChainCheckpoint;

beforeAll(async () => {
  admin = await adminClient();
});
afterAll(async () => {
  await admin.end();
  await schemas.dropAll();
});

/** Eight events over three streams; the auditor keeps a checkpoint of the head. */
beforeEach(async () => {
  store = await schemas.open();
  const s = pg.escapeIdentifier(store.schema);
  events = `${s}.events`;
  head = `${s}.log_head`;
  // A forger with the table owner's rights first switches off the append-only triggers.
  await admin.query(`ALTER TABLE ${events} DISABLE TRIGGER events_are_never_changed`);
  await store.append('partner-1', [newTestEvent('PartnerRegistered', { name: 'ENM', i: 0 }), newTestEvent('PartnerRenamed', { name: 'École', i: 1 })], { expectedRevision: 'no-stream' });
  await store.append('session-1', [newTestEvent('SessionHeld', { title: 'الوساطة', i: 2 })], { expectedRevision: 'no-stream' });
  await store.append('partner-1', [newTestEvent('AgreementSigned', { i: 3 }), newTestEvent('AgreementAmended', { i: 4 })], { expectedRevision: 1 });
  await store.append('visit-1', [newTestEvent('VisitMade', { i: 5 }), newTestEvent('VisitReported', { i: 6 }), newTestEvent('VisitClosed', { i: 7 })], { expectedRevision: 'no-stream' });
  audited = await store.checkpoint();
});
afterEach(async () => {
  await store.close();
});

/** Recompute and store the chain's hashes from `from` on, as a forger with SQL access would. */
async function rehashFrom(from: bigint, moveHead: boolean): Promise<void> {
  const rows = (await admin.query(`SELECT position, stream, revision, id, type, schema_version, recorded_at, data::text AS data, metadata::text AS metadata, hash FROM ${events} ORDER BY position`)).rows;
  let previous = GENESIS_HASH;
  for (const row of rows) {
    const position = BigInt(row.position);
    if (position >= from) {
      const hash = chainHash(previous, { position, stream: row.stream, revision: row.revision, id: row.id, type: row.type, schemaVersion: row.schema_version, recordedAt: row.recorded_at, dataJson: row.data, metadataJson: row.metadata });
      await admin.query(`UPDATE ${events} SET hash = $1 WHERE position = $2`, [hash, row.position]);
      previous = hash;
    } else {
      previous = row.hash;
    }
  }
  if (moveHead) await admin.query(`UPDATE ${head} SET last_position = $1, head_hash = $2`, [rows[rows.length - 1]!.position, previous]);
}

describe('the hash chain', () => {
  it('an untouched log is intact, and its head matches the checkpoint', async () => {
    expect(await store.verify()).toMatchObject({ intact: true, events: 8, headHash: audited.headHash, headPosition: 8n });
    expect(await store.verify({ against: audited })).toMatchObject({ intact: true });
    expect(audited.position).toBe(8n);
  });

  it('the README’s audit query recomputes the chain with plain SQL, and locates a change', async () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const query = /<!-- audit-query -->\s*```sql\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(query).toBeDefined();
    const audit = async () => {
      await admin.query(`SET search_path TO ${pg.escapeIdentifier(store.schema)}`);
      try {
        return (await admin.query(query!)).rows[0];
      } finally {
        await admin.query('RESET search_path');
      }
    };
    expect(await audit()).toEqual({ last_position: '8', chained: '8', first_mismatch: null, head_hash: audited.headHash });
    await admin.query(`UPDATE ${events} SET data = replace(data::text, '"i":3', '"i":4')::json WHERE position = 4`);
    expect(await audit()).toMatchObject({ chained: '8', first_mismatch: '4' });
  });

  it('an empty log verifies, and its checkpoint is position 0 with the genesis hash', async () => {
    const empty = await schemas.open();
    expect(await empty.checkpoint()).toEqual({ position: 0n, headHash: GENESIS_HASH });
    expect(await empty.verify()).toMatchObject({ intact: true, events: 0, headHash: GENESIS_HASH, headPosition: undefined });
  });

  it('changing one byte of one event’s data is located', async () => {
    await admin.query(`UPDATE ${events} SET data = replace(data::text, '"i":3', '"i":4')::json WHERE position = 4`);
    expect(await store.verify()).toMatchObject({ intact: false, position: 4n, problem: 'hash-mismatch', events: 3 });
  });

  it('changing metadata is located', async () => {
    await admin.query(`UPDATE ${events} SET metadata = replace(metadata::text, 'contract-suite', 'contract-suitf')::json WHERE position = 2`);
    expect(await store.verify()).toMatchObject({ intact: false, position: 2n, problem: 'hash-mismatch' });
  });

  it('reformatting the JSON without changing its meaning is still a change', async () => {
    await admin.query(`UPDATE ${events} SET data = (data::jsonb)::json WHERE position = 3`); // jsonb re-spaces and re-orders
    expect(await store.verify()).toMatchObject({ intact: false, position: 3n, problem: 'hash-mismatch' });
  });

  it('changing the type is located', async () => {
    await admin.query(`UPDATE ${events} SET type = 'SessionCancelled' WHERE position = 3`);
    expect(await store.verify()).toMatchObject({ intact: false, position: 3n, problem: 'hash-mismatch' });
  });

  it('deleting an event is located', async () => {
    await admin.query(`DELETE FROM ${events} WHERE position = 5`);
    expect(await store.verify()).toMatchObject({ intact: false, position: 5n, problem: 'position-gap' });
  });

  it('swapping two events is located', async () => {
    await admin.query(`
      UPDATE ${events} SET position = 1000 WHERE position = 2;
      UPDATE ${events} SET position = 2 WHERE position = 6;
      UPDATE ${events} SET position = 6 WHERE position = 1000;`);
    expect(await store.verify()).toMatchObject({ intact: false, position: 2n });
  });

  it('cutting the tail is caught by the head row, and with a forged head by the checkpoint', async () => {
    await admin.query(`DELETE FROM ${events} WHERE position > 6`);
    expect(await store.verify()).toMatchObject({ intact: false, position: 7n, problem: 'position-gap' });
    const sixth = (await admin.query(`SELECT hash FROM ${events} WHERE position = 6`)).rows[0].hash as string;
    await admin.query(`UPDATE ${head} SET last_position = 6, head_hash = $1`, [sixth]);
    // The kept tree holds no node over the last 15 events (level 4 and up only): the checkpoint kept outside finds the cut.
    expect(await store.verify()).toMatchObject({ intact: true, events: 6 });
    expect(await store.verify({ against: audited })).toMatchObject({ intact: false, position: 8n, problem: 'checkpoint-missing' });
  });

  it('a cut across a kept Merkle node, head forged, is caught by the tree kept beside the rows', async () => {
    await store.append('partner-3', Array.from({ length: 12 }, (_, i) => newTestEvent('PartnerRenamed', { i: 8 + i })), { expectedRevision: 'no-stream' });
    const later = await store.checkpoint();
    await admin.query(`DELETE FROM ${events} WHERE position > 14`);
    const kept = (await admin.query(`SELECT hash FROM ${events} WHERE position = 14`)).rows[0].hash as string;
    await admin.query(`UPDATE ${head} SET last_position = 14, head_hash = $1`, [kept]);
    // The node over positions 1–16 is still kept: it is not one 14 events make.
    expect(await store.verify()).toMatchObject({ intact: false, problem: 'tree-mismatch', events: 14 });
    expect(await store.verify({ against: later })).toMatchObject({ intact: false, position: 20n, problem: 'checkpoint-missing' });
  });

  it('rewriting the tail and re-hashing it is caught by the head row, and with a forged head by the kept tree and the checkpoint', async () => {
    await store.append('partner-3', Array.from({ length: 12 }, (_, i) => newTestEvent('PartnerRenamed', { i: 8 + i })), { expectedRevision: 'no-stream' });
    const later = await store.checkpoint();
    await admin.query(`UPDATE ${events} SET data = '{"i":66,"forged":true}' WHERE position = 6`);
    expect(await store.verify()).toMatchObject({ intact: false, position: 6n, problem: 'hash-mismatch' });
    await rehashFrom(6n, false);
    expect(await store.verify()).toMatchObject({ intact: false, position: 20n, problem: 'hash-mismatch' });
    await rehashFrom(6n, true);
    expect(await store.verify()).toMatchObject({ intact: false, problem: 'tree-mismatch', events: 20 });
    expect(await store.verify({ against: later })).toMatchObject({ intact: false, position: 20n, problem: 'checkpoint-mismatch' });
  });

  it('appends after tampering keep chaining from the head; the tampered position stays reported', async () => {
    await admin.query(`UPDATE ${events} SET type = 'Forged' WHERE position = 2`);
    await store.append('partner-1', [newTestEvent()], { expectedRevision: 3 });
    expect(await store.verify()).toMatchObject({ intact: false, position: 2n, problem: 'hash-mismatch' });
  });

  it('a new append extends an intact chain, and the old checkpoint still holds', async () => {
    await store.append('partner-2', [newTestEvent()], { expectedRevision: 'no-stream' });
    expect(await store.verify({ against: audited })).toMatchObject({ intact: true, events: 9, headPosition: 9n });
  });
});

describe('the hash chain, as a property', () => {
  const fields = ['stream', 'revision', 'id', 'type', 'schema_version', 'recorded_at', 'data', 'metadata'] as const;

  /** Change one character (a letter for a letter, a digit for a digit, so JSON stays JSON), or add 1 to a number. */
  function mutate(value: string | number, at: number, replacement: number): string | number | undefined {
    if (typeof value === 'number') return value + 1;
    const spots = [...value].flatMap((c, i) => (/[A-Za-z0-9]/.test(c) ? [i] : []));
    if (spots.length === 0) return undefined;
    const i = spots[at % spots.length]!;
    const pool = /[0-9]/.test(value[i]!) ? '0123456789' : 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
    const others = [...pool].filter((c) => c !== value[i]);
    return value.slice(0, i) + others[replacement % others.length] + value.slice(i + 1);
  }

  it('changing one character or number of any field of any event is reported at that event', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 8 }), fc.constantFrom(...fields), fc.nat(), fc.nat(), async (position, field, at, replacement) => {
        const column = field === 'data' || field === 'metadata' ? `${field}::text` : field;
        const original = (await admin.query(`SELECT ${column} AS value FROM ${events} WHERE position = $1`, [position])).rows[0].value as string | number;
        const changed = mutate(original, at, replacement);
        fc.pre(changed !== undefined);
        const cast = field === 'data' || field === 'metadata' ? '::json' : '';
        const applied = await admin.query(`UPDATE ${events} SET ${field} = $1${cast} WHERE position = $2`, [changed, position]).then(
          () => true,
          (error: { code?: string }) => {
            if (error.code === '23505') return false; // the change collides with another event's id or (stream, revision)
            throw error;
          },
        );
        fc.pre(applied);
        try {
          const report = await store.verify();
          expect(report).toMatchObject({ intact: false, position: BigInt(position) });
        } finally {
          await admin.query(`UPDATE ${events} SET ${field} = $1${cast} WHERE position = $2`, [original, position]);
        }
      }),
      { numRuns: 30 },
    );
    expect(await store.verify({ against: audited })).toMatchObject({ intact: true });
  }, 60_000);
});

describe('what is stored', () => {
  it('refuses UPDATE, DELETE and TRUNCATE of events while the triggers are on', async () => {
    await admin.query(`ALTER TABLE ${events} ENABLE TRIGGER events_are_never_changed`);
    for (const sql of [`UPDATE ${events} SET type = 'X' WHERE position = 1`, `DELETE FROM ${events} WHERE position = 8`, `TRUNCATE ${events}`]) {
      await expect(admin.query(sql)).rejects.toThrow(/append-only/);
    }
    expect(await store.verify({ against: audited })).toMatchObject({ intact: true, events: 8 });
  });


  it('keeps the exact JSON text (key order, escapes), which the chain hashes; jsonb is there for queries', async () => {
    const data = { z: 1, a: { y: [3, 2, 1], b: 'نص عربي' }, m: 'line\nbreak "quoted" \\ \u200f' };
    const result = await store.append('exact', [newTestEvent('Exact', data)], { expectedRevision: 'no-stream' });
    const position = result.ok ? result.events[0]!.position : 0n;
    const { rows } = await admin.query(`SELECT data::text AS text, data::jsonb ->> 'z' AS z FROM ${events} WHERE position = $1`, [position.toString()]);
    expect(rows[0]).toEqual({ text: JSON.stringify(data), z: '1' });
    expect((await store.readStream('exact'))[0]!.data).toEqual(data);
  });

  it('property: the append writes its values into the statement as escaped literals, and any text comes back exactly (quotes, backslashes, dollar quotes, any code point)', async () => {
    const awkward = fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom("'", "''", '\\', "\\'", "E'\\x00'", '$$', '$tag$', '--', '/*', ';COMMIT;', 'نص'));
    await fc.assert(
      fc.asyncProperty(fc.array(awkward, { minLength: 1, maxLength: 4 }), awkward, async (texts, streamSuffix) => {
        const stream = `s-${streamSuffix.replace(/[\n\r\u0000]/g, '')}`;
        const batch = texts.map((text) => newTestEvent('Awkward', { text, again: [text] }));
        const written = await store.append(stream, batch, { expectedRevision: 'any' });
        expect(written.ok).toBe(true);
        const read = await store.readStream(stream, { direction: 'backwards', maxCount: batch.length });
        expect(read.reverse().map((e) => [e.id, e.data])).toEqual(batch.map((e) => [e.id, e.data]));
      }),
      { numRuns: 40 },
    );
    expect(await store.verify()).toMatchObject({ intact: true });
  });

  it('keeps text jsonb would refuse (a \\u0000 escape)', async () => {
    const data = { nul: 'before\u0000after' };
    await store.append('nul', [newTestEvent('Nul', data)], { expectedRevision: 'no-stream' });
    expect((await store.readStream('nul'))[0]!.data).toEqual(data);
    expect(await store.verify()).toMatchObject({ intact: true, events: 9 });
  });

  it('refuses stream names and types with line breaks (they are lines of the hashed text), writing nothing', async () => {
    await expect(store.append('two\nlines', [newTestEvent()], { expectedRevision: 'any' })).rejects.toMatchObject({ code: 'invalid-batch' });
    await expect(store.append('ok', [newTestEvent('Bad\nType')], { expectedRevision: 'any' })).rejects.toMatchObject({ code: 'invalid-batch' });
    expect(await store.lastPosition()).toBe(8n);
  });
});
