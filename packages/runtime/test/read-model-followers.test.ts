import { handle, InMemoryEventStore } from '@taawun/domain';
import { deterministicContext } from '@taawun/domain/testing';
import { InMemoryReadModelStorage, partnerHistoryProjection, ProjectionRunner, queryPartnerHistory, recordStreamsProjection } from '@taawun/projections';
import { afterEach, describe, expect, it } from 'vitest';
import { ReadModelFollowers } from '../src/index.js';

const context = deterministicContext('clerk');
const register = async (store: InMemoryEventStore, partnerId: string) => {
  const result = await handle(store, { type: 'RegisterPartner', partnerId, name: { fr: partnerId }, kind: 'school', country: 'FR' }, context);
  expect(result.ok).toBe(true);
};

let running: ReadModelFollowers | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

/** Poll the stored model (never a replay) for a partner. */
const stored = (source: { store: InMemoryEventStore; storage: InMemoryReadModelStorage }, partnerId: string) =>
  expect
    .poll(async () => {
      const answer = await queryPartnerHistory(source, { partnerId });
      return answer.ok ? answer.value.source.kind : answer.error.code;
    }, { timeout: 10_000, interval: 50 })
    .toBe('stored');

describe('ReadModelFollowers', () => {
  it('a follower whose generation another runner replaced fails at its next commit, and follows the new generation after a short wait', async () => {
    const store = new InMemoryEventStore();
    const storage = new InMemoryReadModelStorage();
    const logs: string[] = [];
    // No periodic check for a minute: only the failure itself can bring the follower back.
    running = new ReadModelFollowers({ store, storage, projections: [partnerHistoryProjection], log: (m) => logs.push(m), checkIntervalMs: 60_000, retryMs: 50 });
    await register(store, 'enm-france');
    await stored({ store, storage }, 'enm-france');

    // Another runner (an erasure's purge) rebuilds the model: the follower's generation is deleted.
    await new ProjectionRunner(partnerHistoryProjection, { store, storage }).rebuild({ fromScratch: true });
    await register(store, 'giz'); // folded into the deleted generation: its commit fails
    await new Promise((resolve) => setTimeout(resolve, 300));
    await register(store, 'aecid'); // the follower meets the failure and stops; the supervisor starts it again

    await stored({ store, storage }, 'giz');
    await stored({ store, storage }, 'aecid');
    expect(logs.join('\n')).toMatch(/read model partner-history: another runner replaced or wrote the stored model \(.*generation.*\); following again from the active generation in 50 ms/);
    // What /metrics and /health/ready of the server read: the restart, its cause, the position now.
    const [status] = running.status();
    expect(status).toMatchObject({ name: 'partner-history', rebuilding: false, stopped: false, lastError: expect.stringMatching(/generation/) });
    expect(status!.restarts).toBeGreaterThanOrEqual(1);
    await expect.poll(() => running!.status()[0]!.position, { timeout: 5_000 }).toBe(await store.lastPosition());
  });

  it('a quiet follower whose generation was replaced is found out by the periodic check (the same mismatch twice) and follows the new one', async () => {
    const store = new InMemoryEventStore();
    const storage = new InMemoryReadModelStorage();
    const logs: string[] = [];
    running = new ReadModelFollowers({ store, storage, projections: [partnerHistoryProjection], log: (m) => logs.push(m), checkIntervalMs: 50 });
    await register(store, 'enm-france');
    await stored({ store, storage }, 'enm-france');

    await new ProjectionRunner(partnerHistoryProjection, { store, storage }).rebuild({ fromScratch: true });
    await expect.poll(() => logs.join('\n'), { timeout: 5_000 }).toMatch(/generation 1 is no longer the active one \(generation 2 is\)/);
    await register(store, 'giz'); // one event, and no other after it
    await stored({ store, storage }, 'giz');
  });

  it('resync() restarts every follower at once; close() stops them', async () => {
    const store = new InMemoryEventStore();
    const storage = new InMemoryReadModelStorage();
    const logs: string[] = [];
    running = new ReadModelFollowers({ store, storage, projections: [partnerHistoryProjection], log: (m) => logs.push(m), checkIntervalMs: 60_000 });
    await register(store, 'enm-france');
    await stored({ store, storage }, 'enm-france');

    await new ProjectionRunner(partnerHistoryProjection, { store, storage }).rebuild({ fromScratch: true });
    running.resync();
    await register(store, 'giz');
    await stored({ store, storage }, 'giz');
    // Restarted on purpose: nothing to report.
    expect(logs).toEqual([]);

    await running.close();
    running = undefined;
    await register(store, 'aecid');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = await queryPartnerHistory({ store, storage }, { partnerId: 'aecid' });
    // Answered from the stored model, which no follower keeps current any more: the partner is unknown there.
    expect(after.ok ? after.value.source.kind : after.error.code).toBe('unknown-key');
    const active = (await storage.generations(partnerHistoryProjection.name)).find((g) => g.status === 'active')!;
    expect(active.position).toBeLessThan((await store.lastPosition())!);
  });

  it('the followers catch up one at a time (the memory of one build at once), then all follow the live log', async () => {
    const store = new InMemoryEventStore();
    for (let i = 0; i < 600; i++) await register(store, `partner-${i}`);
    /** The models in the order their commits came: one build's commits all together, then the next's. */
    const commits: string[] = [];
    /** At each commit, which followers wait their turn to catch up. */
    const waiting: boolean[][] = [];
    const storage = new (class extends InMemoryReadModelStorage {
      override async commit(...args: Parameters<InMemoryReadModelStorage['commit']>) {
        commits.push(args[0]);
        if (running) waiting.push(running.status().map((s) => s.waitingTurn));
        return super.commit(...args);
      }
    })();
    running = new ReadModelFollowers({ store, storage, projections: [partnerHistoryProjection, recordStreamsProjection], log: () => {}, checkIntervalMs: 60_000 });
    const head = await store.lastPosition();
    await expect.poll(() => running!.status().map((s) => s.position), { timeout: 10_000 }).toEqual([head, head]);
    // 600 documents each, committed by 250: three commits a build, the two builds one after the other.
    expect(commits.length).toBeGreaterThanOrEqual(6);
    expect(commits.filter((name, i) => name !== commits[i - 1])).toHaveLength(2);
    // While the first builds, the second says it waits its turn (for /health/ready); the one building never does.
    expect(waiting[0]).toEqual([false, true]);
    expect(waiting.at(-1)).toEqual([false, false]);
    expect(running!.status().map((s) => s.waitingTurn)).toEqual([false, false]);

    await register(store, 'giz');
    await stored({ store, storage }, 'giz');
    const after = await store.lastPosition();
    await expect.poll(() => running!.status().map((s) => s.position), { timeout: 10_000 }).toEqual([after, after]);
  });
});
