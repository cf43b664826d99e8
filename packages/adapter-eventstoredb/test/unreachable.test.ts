import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isEventStoreError, type EventStoreError } from '@taawun/domain';
import { newTestEvent } from '@taawun/domain/testing';
import { openEventStoreDbStore, type EventStoreDbEventStore, type RetryInfo } from '../src/index.js';

/**
 * No EventStoreDB runs here, so these tests use what a client meets when the
 * server is not there: a loopback port nobody listens on (the kernel refuses the
 * connection), and a listener that accepts TCP but never speaks gRPC (a wrong
 * service, a hung server, a firewall that swallows packets after the handshake).
 * The real client talks to real sockets; nothing is replaced.
 */
const DEADLINE_MS = 1_500;

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let silent: Server;
let silentPort: number;
const silentSockets = new Set<Socket>();
beforeAll(async () => {
  silent = createServer((socket) => {
    silentSockets.add(socket);
    socket.on('close', () => silentSockets.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentPort = (silent.address() as AddressInfo).port;
});
afterAll(async () => {
  for (const socket of silentSockets) socket.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});

const opened: EventStoreDbEventStore[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});
const openLazily = async (connectionString: string, options: Parameters<typeof openEventStoreDbStore>[1] = {}) => {
  const store = await openEventStoreDbStore(connectionString, { deadlineMs: DEADLINE_MS, verifyConnection: false, ...options });
  opened.push(store);
  return store;
};

/** Run `work`, which must fail with an EventStoreError; also report how long it took. */
async function failureOf(work: () => Promise<unknown>): Promise<{ error: EventStoreError; ms: number }> {
  const started = performance.now();
  const error = await work().then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  const ms = performance.now() - started;
  if (!isEventStoreError(error)) throw new Error(`expected an EventStoreError, got ${String(error)}`);
  return { error: error as EventStoreError, ms };
}

const drain = async (iterable: AsyncIterable<unknown>) => {
  for await (const _ of iterable) {
    /* nothing arrives */
  }
};

describe('a closed loopback port (connection refused)', () => {
  it('opening fails at once with unavailable, naming host and port and the cause', async () => {
    const port = await closedPort();
    const { error, ms } = await failureOf(() => openEventStoreDbStore(`esdb://127.0.0.1:${port}?tls=false`, { deadlineMs: DEADLINE_MS }));
    expect(error.code).toBe('unavailable');
    expect(error.message).toContain(`EventStoreDB at 127.0.0.1:${port} is unavailable`);
    expect(error.message).toContain('connection refused');
    expect(error.message).toContain('runs insecure (the connection string has ?tls=false)');
    expect(ms).toBeLessThan(DEADLINE_MS);
  });

  it("append turns the client's raw gRPC UNAVAILABLE error into unavailable, keeping it as the cause", async () => {
    const port = await closedPort();
    const store = await openLazily(`esdb://127.0.0.1:${port}?tls=false`);
    const { error, ms } = await failureOf(() => store.append('partner-1', [newTestEvent()], { expectedRevision: 'no-stream' }));
    expect(error.code).toBe('unavailable');
    expect(error.message).toMatch(new RegExp(`^EventStoreDB at 127\\.0\\.0\\.1:${port} is unavailable: appending 1 event to "partner-1" failed: connection refused\\.`));
    expect(error.cause).toBeInstanceOf(Error);
    expect(ms).toBeLessThan(DEADLINE_MS);
  });

  it('reads of a stream and of $all, and the head of the log, fail the same way', async () => {
    const port = await closedPort();
    const store = await openLazily(`esdb://127.0.0.1:${port}`);
    for (const [doing, work] of [
      ['reading stream "partner-1"', () => store.readStream('partner-1')],
      ['reading stream "partner-1"', () => store.readStream('partner-1', { direction: 'backwards', fromRevision: 3, maxCount: 2 })],
      ['reading $all', () => drain(store.readAll({ filter: { types: ['PartnerRegistered'] } }))],
      ['reading the head of $all', () => store.lastPosition()],
    ] as const) {
      const { error, ms } = await failureOf(work);
      expect(error.code).toBe('unavailable');
      expect(error.message).toContain(`EventStoreDB at 127.0.0.1:${port} is unavailable: ${doing} failed: connection refused`);
      // TLS is on by default: the message suggests the switch for an insecure dev server.
      expect(error.message).toContain('for an insecure dev server add ?tls=false');
      expect(ms).toBeLessThan(DEADLINE_MS);
    }
  });

  it('follow subscribes again from its checkpoint with growing pauses, then gives up with unavailable', async () => {
    const port = await closedPort();
    const retries: RetryInfo[] = [];
    const store = await openLazily(`esdb://127.0.0.1:${port}?tls=false`, {
      resubscribe: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 50, onRetry: (retry) => retries.push(retry) },
    });
    const checkpoint = (1_234n << 64n) | 1_230n;
    const { error } = await failureOf(() => drain(store.follow({ after: checkpoint })));
    expect(error.code).toBe('unavailable');
    expect(error.message).toContain(`EventStoreDB at 127.0.0.1:${port} is unavailable: subscribing to $all after position ${checkpoint} failed: connection refused`);
    expect(error.message).toContain('following stopped after 3 attempts to subscribe again');
    expect(retries.map((r) => [r.attempt, r.delayMs, r.after])).toEqual([
      [1, 20, checkpoint],
      [2, 40, checkpoint],
      [3, 50, checkpoint],
    ]);
    expect(retries.every((r) => r.error.code === 'unavailable')).toBe(true);
  });

  it('an aborted follow ends quietly, even while it waits to subscribe again', async () => {
    const port = await closedPort();
    const store = await openLazily(`esdb://127.0.0.1:${port}?tls=false`, { resubscribe: { initialDelayMs: 60_000 } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = performance.now();
    await drain(store.follow({ signal: controller.signal }));
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

describe('a server that accepts TCP but never answers', () => {
  it('opening fails with unavailable once the deadline passes, instead of waiting for ever', async () => {
    const { error, ms } = await failureOf(() => openEventStoreDbStore(`esdb://127.0.0.1:${silentPort}?tls=false`, { deadlineMs: DEADLINE_MS }));
    expect(error.code).toBe('unavailable');
    expect(error.message).toContain(`EventStoreDB at 127.0.0.1:${silentPort} is unavailable: reading the head of $all failed: the server did not answer within ${DEADLINE_MS} ms`);
    expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
    expect(ms).toBeLessThan(DEADLINE_MS + 2_000);
  });

  it('append fails with unavailable within the deadline instead of waiting for ever', async () => {
    const store = await openLazily(`esdb://127.0.0.1:${silentPort}?tls=false`);
    const { error, ms } = await failureOf(() => store.append('partner-1', [newTestEvent()], { expectedRevision: 'any' }));
    expect(error.code).toBe('unavailable');
    expect(error.message).toContain(`EventStoreDB at 127.0.0.1:${silentPort} is unavailable`);
    expect(error.message).toContain(`appending 1 event to "partner-1" failed: the server did not answer within ${DEADLINE_MS} ms`);
    expect(ms).toBeLessThan(DEADLINE_MS + 2_000);
  });

  it('follow treats an unconfirmed subscription as unavailable and retries it', async () => {
    const retries: RetryInfo[] = [];
    const store = await openLazily(`esdb://127.0.0.1:${silentPort}?tls=false`, { resubscribe: { maxAttempts: 1, initialDelayMs: 10, onRetry: (r) => retries.push(r) } });
    const { error, ms } = await failureOf(() => drain(store.follow()));
    expect(error.code).toBe('unavailable');
    expect(error.message).toContain('did not confirm the subscription within');
    expect(retries).toHaveLength(1);
    expect(ms).toBeLessThan(DEADLINE_MS * 2 + 2_000);
  });
});

describe('clusters that cannot be reached', () => {
  it('esdb+discover:// names the discovery address and the attempts made', async () => {
    const port = await closedPort();
    const { error, ms } = await failureOf(() =>
      openEventStoreDbStore(`esdb+discover://127.0.0.1:${port}?tls=false&maxDiscoverAttempts=2&discoveryInterval=50&gossipTimeout=1`, { deadlineMs: DEADLINE_MS }),
    );
    expect(error.code).toBe('unavailable');
    expect(error.message).toContain(`the EventStoreDB cluster discovered through 127.0.0.1:${port} is unavailable`);
    expect(error.message).toContain('no cluster node answered the gossip request after 2 attempts');
    expect(ms).toBeLessThan(DEADLINE_MS * 2);
  });

  it('a list of three nodes names them all', async () => {
    const ports = [await closedPort(), await closedPort(), await closedPort()];
    const list = ports.map((p) => `127.0.0.1:${p}`).join(',');
    const { error } = await failureOf(() => openEventStoreDbStore(`esdb://${list}?tls=false&maxDiscoverAttempts=1&gossipTimeout=1`, { deadlineMs: DEADLINE_MS }));
    expect(error.code).toBe('unavailable');
    expect(error.message).toContain(`the EventStoreDB cluster ${ports.map((p) => `127.0.0.1:${p}`).join(', ')} is unavailable`);
  });
});

describe('a closed store', () => {
  it('refuses every call with closed', async () => {
    const store = await openLazily(`esdb://127.0.0.1:${await closedPort()}?tls=false`);
    await store.close();
    for (const work of [
      () => store.append('s', [newTestEvent()], { expectedRevision: 'any' }),
      () => store.readStream('s'),
      () => drain(store.readAll()),
      () => drain(store.follow()),
      () => store.lastPosition(),
    ]) {
      const { error } = await failureOf(work);
      expect(error.code).toBe('closed');
    }
  });
});

describe('what is decided before the server is asked', () => {
  it('a batch this store cannot keep is refused with invalid-batch, not unavailable', async () => {
    const store = await openLazily(`esdb://127.0.0.1:${await closedPort()}?tls=false`);
    for (const [stream, events] of [
      ['$system', [newTestEvent()]],
      ['partner-1', [newTestEvent('X', {}, { id: 'F3A1C2D4-0000-4000-8000-000000000001' })]],
      ['partner-1', [newTestEvent('$metadata')]],
      ['partner-1', [newTestEvent('X', { n: 1n })]],
    ] as const) {
      const { error } = await failureOf(() => store.append(stream, events, { expectedRevision: 'any' }));
      expect(error.code).toBe('invalid-batch');
    }
  });

  it('a filter with an empty list reads nothing and follows nothing, without a connection', async () => {
    const store = await openLazily(`esdb://127.0.0.1:${await closedPort()}?tls=false`);
    const read: unknown[] = [];
    for await (const e of store.readAll({ filter: { types: [] } })) read.push(e);
    expect(read).toEqual([]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const followed: unknown[] = [];
    for await (const e of store.follow({ filter: { streamPrefixes: [] }, signal: controller.signal })) followed.push(e);
    expect(followed).toEqual([]);
    expect(await store.readStream('partner-1', { maxCount: 0 })).toEqual([]);
  });
});
