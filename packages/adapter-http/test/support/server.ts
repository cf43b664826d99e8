import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteEventStore, openSqliteReadModelStorage, type SqliteReadModelStorage } from '@taawun/adapter-sqlite';
import { pino } from 'pino';
import { encryptPersonalData, InMemoryKeyStore, signCheckpoint, signingKeyFromSeed, type EventStore, type StoredEvent } from '@taawun/domain';
import { createApiKey, startServer, type HttpLimits, type ReadModelFollowerStatus, type ReportOptions, type RunningServer } from '../../src/index.js';

export type KeyName = 'admin' | 'clerk' | 'auditor';

export interface TestServer {
  readonly url: string;
  readonly server: RunningServer;
  readonly store: EventStore;
  readonly keys: Record<KeyName, string>;
  /** What the server logged (unexpected errors). */
  readonly logs: string[];
  /** The access log's entries (pino's JSON lines, parsed). */
  readonly accessLogs: Record<string, unknown>[];
  /** With `personalData`: the participants `onErased` was called for. */
  readonly erased: string[];
  /** The SQLite file of the log (and of the stored read models). */
  readonly file: string;
  /** With `personalData`: the key store of the encrypting store. */
  readonly keyStore: InMemoryKeyStore | undefined;
  readonly readModelStorage: SqliteReadModelStorage | undefined;
  /** fetch on the server with a key's bearer header (or none). */
  request(path: string, init?: RequestInit & { as?: KeyName | null; json?: unknown }): Promise<Response>;
  allEvents(): Promise<StoredEvent[]>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  readonly limits?: Partial<HttpLimits>;
  readonly personalData?: boolean;
  readonly storedReadModels?: boolean;
  /** With `personalData`: what `onErased` does after it notes the id (the embedding program's hook). Default: nothing more. */
  readonly onErased?: (participantId: string) => Promise<void>;
  /** The report's letterhead (the log's hash chain is the SQLite store's unless given). */
  readonly report?: ReportOptions;
  /** The read-model followers as the server should see them (`serveRuntime` passes its followers'). */
  readonly readModelStatus?: () => readonly ReadModelFollowerStatus[];
}

/**
 * A real server on an ephemeral loopback port, on a SQLite store in a temporary
 * folder. Stored read models are answered as the test leaves them: no follower
 * keeps them current (that is `serveRuntime`'s, in `@taawun/runtime`).
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const folder = mkdtempSync(join(tmpdir(), 'taawun-http-'));
  const file = join(folder, 'events.db');
  const events = await openSqliteEventStore(file);
  const keyStore = options.personalData ? new InMemoryKeyStore() : undefined;
  const store: EventStore = keyStore ? encryptPersonalData(events, keyStore) : events;
  const erased: string[] = [];
  const readModelStorage = options.storedReadModels ? await openSqliteReadModelStorage(events) : undefined;
  const onErased = async (id: string) => {
    erased.push(id);
    await options.onErased?.(id);
  };
  const admin = createApiKey('admin-test', 'admin');
  const clerk = createApiKey('clerk-rabat', 'clerk');
  const auditor = createApiKey('auditor-court', 'auditor');
  const logs: string[] = [];
  const accessLogs: Record<string, unknown>[] = [];
  const server = await startServer({
    accessLog: pino({ base: null }, { write: (line: string) => void accessLogs.push(JSON.parse(line) as Record<string, unknown>) }),
    store,
    keys: [admin.entry, clerk.entry, auditor.entry],
    port: 0,
    ...(options.limits ? { limits: options.limits } : {}),
    ...(readModelStorage ? { readModelStorage } : {}),
    ...(options.readModelStatus ? { readModelStatus: options.readModelStatus } : {}),
    ...(keyStore ? { personalData: { keys: keyStore, onErased } } : {}),
    log: (message) => logs.push(message),
    // The log routes, so that the document (and its lint) has them too.
    merkle: { log: events, sign: (head) => signCheckpoint({ origin: 'taawun.test/log', ...head }, signingKeyFromSeed('taawun.test', new Uint8Array(32))) },
    report: { chain: events, ...options.report },
  });
  const keys = { admin: admin.key, clerk: clerk.key, auditor: auditor.key };
  return {
    url: server.url,
    server,
    store,
    keys,
    logs,
    accessLogs,
    erased,
    file,
    keyStore,
    readModelStorage,
    request: (path, init = {}) => {
      const { as = 'clerk', json, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (as) headers.set('authorization', `Bearer ${keys[as]}`);
      if (json !== undefined) headers.set('content-type', 'application/json');
      return fetch(`${server.url}${path}`, { ...rest, headers, ...(json !== undefined ? { body: JSON.stringify(json), method: rest.method ?? 'POST' } : {}) });
    },
    allEvents: async () => {
      const events: StoredEvent[] = [];
      for await (const e of store.readAll()) events.push(e);
      return events;
    },
    close: async () => {
      await server.close();
      await readModelStorage?.close().catch(() => undefined);
      await store.close().catch(() => undefined);
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

export const partnerBody = (partnerId: string) => ({
  partnerId,
  name: { fr: "École nationale de la magistrature", ar: 'المدرسة الوطنية للقضاء', en: 'National School for the Judiciary' },
  kind: 'school',
  country: 'FR',
  acronym: 'ENM',
});
