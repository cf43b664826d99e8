import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryEventStore, type StoredEvent } from '@taawun/domain';
import { commandSequenceArb, deterministicContext, recordCommands } from '@taawun/domain/testing';
import { exportModel, InMemoryReadModelStorage, isProjectionError, partnerHistoryProjection, ProjectionRunner, projections, type ReadModelStorage } from '@taawun/projections';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteEventStore, type SqliteEventStore } from './event-store.js';
import { sqliteDecodingReader } from './log-decoding.js';
import { openSqliteReadModelStorage } from './read-model-storage.js';

// The worker thread runs the built adapter (`dist`): `npx tsc -b` first, as for the CLI's tests.

const folders: string[] = [];
afterAll(() => folders.forEach((f) => rmSync(f, { recursive: true, force: true })));
const newFile = () => {
  const folder = mkdtempSync(join(tmpdir(), 'taawun-log-decoding-'));
  folders.push(folder);
  return join(folder, 'events.db');
};

const allProjections = Object.values(projections);

async function activeModel(storage: ReadModelStorage, name: string): Promise<string> {
  const info = (await storage.generations(name)).find((g) => g.status === 'active')!;
  return exportModel(storage, name, info.generation);
}

async function logOf(store: SqliteEventStore): Promise<StoredEvent[]> {
  const log: StoredEvent[] = [];
  for await (const e of store.readAll()) log.push(e);
  return log;
}

describe('reading and decoding the log in a worker thread (sqliteDecodingReader)', () => {
  it('rebuilds every read model exactly as the followers build it incrementally on the runner thread', async () => {
    await fc.assert(
      fc.asyncProperty(
        commandSequenceArb(50),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.integer({ min: 1, max: 15 }), { minLength: 1, maxLength: 5 }),
        async (commands, pageSize, ahead, chunkSizes) => {
          const store = await openSqliteEventStore(newFile());
          try {
            await recordCommands(store, commands, deterministicContext());
            const log = await logOf(store);
            // In a worker: every page from the first event (no threshold), read ahead a page or three.
            const storage = await openSqliteReadModelStorage(store);
            const reader = sqliteDecodingReader(store, { minEvents: 0, ahead });
            // The followers' way: the log arrives chunk by chunk, each runner catches up after each, decoding on its own thread.
            const live = new InMemoryEventStore();
            const followed = new InMemoryReadModelStorage();
            const followers = allProjections.map((p) => new ProjectionRunner(p, { store: live, storage: followed }));
            for (let i = 0, c = 0; i < log.length; c++) {
              const size = chunkSizes[c % chunkSizes.length]!;
              for (const e of log.slice(i, i + size)) await live.append(e.stream, [e], { expectedRevision: 'any' });
              i += size;
              for (const follower of followers) await follower.catchUp();
            }
            for (const projection of allProjections) {
              const rebuilt = await new ProjectionRunner(projection, { store, storage, pageSize, decodingReader: reader }).rebuild();
              expect(rebuilt.complete).toBe(true);
              expect(await activeModel(storage, projection.name)).toBe(await activeModel(followed, projection.name));
            }
          } finally {
            await store.close();
          }
        },
      ),
      { numRuns: 2 },
    );
  }, 60_000);

  it('still refuses a stored event its schema refuses, with the message the runner thread gives', async () => {
    const store = await openSqliteEventStore(newFile());
    try {
      await recordCommands(store, fc.sample(commandSequenceArb(30), { numRuns: 1, seed: 3 })[0]!, deterministicContext());
      // The store keeps what it is given: a session held with a negative attendance reaches the log only this way.
      await store.append('session-refused', [
        {
          id: '00000000-0000-7000-8000-0000000fffff',
          type: 'SessionHeld',
          schemaVersion: 2,
          data: { sessionId: 'refused', heldOn: '2024-03', attendance: { count: -4 } },
          metadata: { actor: 'someone', correlationId: 'c', causationId: 'c' },
          recordedAt: '2024-03-02T10:00:00.000Z',
        },
      ], { expectedRevision: 'no-stream' });
      const storage = await openSqliteReadModelStorage(store);
      const refusal = async (decodingReader?: ReturnType<typeof sqliteDecodingReader>) => {
        const runner = new ProjectionRunner(partnerHistoryProjection, { store, storage, ...(decodingReader ? { decodingReader } : {}) });
        const error = await runner.rebuild({ fromScratch: true }).then(() => undefined, (e: unknown) => e);
        expect(isProjectionError(error) && error.code).toBe('undecodable-event');
        return (error as Error).message;
      };
      const inWorker = await refusal(sqliteDecodingReader(store, { minEvents: 0 }));
      expect(inWorker).toMatch(/cannot read the event at position \d+ \(SessionHeld in session-refused\)/);
      expect(inWorker).toBe(await refusal());
    } finally {
      await store.close();
    }
  });
});
