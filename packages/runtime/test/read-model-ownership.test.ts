import { handle } from '@taawun/domain';
import { deterministicContext } from '@taawun/domain/testing';
import { activeGeneration, partnerHistoryProjection } from '@taawun/projections';
import { afterAll, describe, expect, it } from 'vitest';
import { openRuntime, ReadModelFollowers, type OpenedStorage, type Runtime } from '../src/index.js';
import { DATABASE_URL, dropSchema, onServer, uniqueSchema } from './support.js';

const schema = uniqueSchema('ownership');
afterAll(() => dropSchema(schema));
const context = deterministicContext('clerk');

/** A server's worth of followers on the shared schema: its own runtime, storage and ownership. */
async function node(logs: string[]) {
  const runtime: Runtime = await openRuntime(`${DATABASE_URL}?schema=${schema}`, { keys: 'memory:' });
  const opened: OpenedStorage = (await runtime.openReadModelsBesideLog())!;
  expect(opened.ownership).toBeDefined();
  const followers = new ReadModelFollowers({
    store: runtime.store,
    storage: opened.storage,
    projections: [partnerHistoryProjection],
    ownership: opened.ownership!,
    leaseMs: 600,
    log: (m) => logs.push(m),
  });
  return {
    runtime,
    opened,
    node: opened.ownership!.node,
    close: async () => {
      await followers.close();
      await opened.close();
      await runtime.close();
    },
  };
}

const owners = () => onServer<{ owner: string; live: boolean }>(`SELECT owner, expires_at > clock_timestamp() AS live FROM "${schema}".read_model_leases WHERE read_model = 'partner-history'`);

describe('read-model followers with an ownership (PostgreSQL)', () => {
  it('of two servers, one builds the read model; when it stops, the other takes it over and builds on', async () => {
    const [logsA, logsB] = [[] as string[], [] as string[]];
    const a = await node(logsA);
    const b = await node(logsB);
    try {
      const register = async (partnerId: string) =>
        expect((await handle(a.runtime.store, { type: 'RegisterPartner', partnerId, name: { fr: partnerId }, kind: 'school', country: 'FR' }, context)).ok).toBe(true);
      const atHead = async (on = a) => {
        const head = await on.runtime.store.lastPosition();
        await expect.poll(async () => (await activeGeneration(on.opened.storage, 'partner-history'))?.position, { timeout: 10_000, interval: 50 }).toBe(head);
      };

      await register('enm-france');
      await atHead();
      const [lease] = await owners();
      expect([a.node, b.node]).toContain(lease!.owner);
      const [builder, other, builderLogs, otherLogs] = lease!.owner === a.node ? [a, b, logsA, logsB] : [b, a, logsB, logsA];
      expect(builderLogs.join('\n')).toContain('partner-history: built by this server');
      expect(otherLogs.join('\n')).not.toContain('built by this server');

      await builder.close(); // releases its lease
      await expect.poll(async () => (await owners())[0]?.owner, { timeout: 5_000, interval: 50 }).toBe(other.node);
      expect((await handle(other.runtime.store, { type: 'RegisterPartner', partnerId: 'giz', name: { fr: 'giz' }, kind: 'school', country: 'DE' }, context)).ok).toBe(true);
      await atHead(other);
      expect((await activeGeneration(other.opened.storage, 'partner-history'))?.eventsApplied).toBe(2);
    } finally {
      await Promise.allSettled([a.close(), b.close()]);
    }
  });
});
