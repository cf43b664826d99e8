import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { handle, isEventStoreError, looksSealed, type EventStore } from '@taawun/domain';
import { partnerHistoryProjection, ProjectionRunner, queryPartnerHistory } from '@taawun/projections';
import { afterAll, describe, expect, it } from 'vitest';
import { isRuntimeError, openRuntime, storageForRun, type Runtime } from '../src/index.js';
import { clerk, closedPort, DATABASE_URL, dropSchema, schemaExists, temporaryFolders, uniqueSchema } from './support.js';

const folders = temporaryFolders();
const schemas: string[] = [];
afterAll(async () => {
  await folders.removeAll();
  for (const schema of schemas) await dropSchema(schema);
});

const amina = { fullName: { ar: 'أمينة العلوي', fr: 'Amina El Alaoui' } };

async function record(store: EventStore): Promise<void> {
  const ok = async (command: Parameters<typeof handle>[1]) => expect((await handle(store, command, clerk())).ok).toBe(true);
  await ok({ type: 'RegisterPartner', partnerId: 'enm-france', name: { fr: 'École nationale de la magistrature' }, kind: 'school', country: 'FR' });
  await ok({ type: 'RegisterParticipant', participantId: 'p-amina', kind: 'judicial-attache', cohort: 39, personal: amina });
}

/** The participant's registration as the log holds it (sealed) and as the store reads it (open). */
async function personalDataOf(runtime: Runtime): Promise<{ stored: unknown; read: unknown }> {
  const [stored] = await runtime.log.readStream('participant-p-amina');
  const [read] = await runtime.store.readStream('participant-p-amina');
  return { stored: (stored!.data as { personal?: unknown }).personal, read: (read!.data as { personal?: unknown }).personal };
}

/** How long a wait for a commit takes, with a commit made meanwhile or not. */
async function wakeUp(runtime: Runtime, commit?: () => Promise<void>): Promise<number> {
  const started = performance.now();
  const woke = runtime.notifier!.waitForCommit();
  await commit?.();
  await woke;
  return performance.now() - started;
}

/** The read models beside the log answer from storage, and a commit wakes the notifier sooner than its poll. */
async function expectStoredAnswersAndWakes(runtime: Runtime, where: string): Promise<void> {
  const readModels = (await runtime.openReadModelsBesideLog())!;
  try {
    expect(readModels).toMatchObject({ besideLog: true, where });
    await new ProjectionRunner(partnerHistoryProjection, { store: runtime.store, storage: readModels.storage }).catchUp();
    const answer = await queryPartnerHistory({ store: runtime.store, storage: readModels.storage }, { partnerId: 'enm-france' });
    expect(answer.ok && answer.value.source.kind).toBe('stored');
  } finally {
    await readModels.close();
  }
  const idle = await wakeUp(runtime);
  const woken = await wakeUp(runtime, registerPartner(runtime.store, 'giz'));
  expect(woken).toBeLessThan(idle);
}

const registerPartner = (store: EventStore, partnerId: string) => async () => {
  expect((await handle(store, { type: 'RegisterPartner', partnerId, name: { fr: partnerId }, kind: 'school', country: 'FR' }, clerk())).ok).toBe(true);
};

describe('sqlite:PATH', () => {
  it('creates the file and opens the log, its keys and its read models in it, a hash chain and a notifier', async () => {
    const file = join(await folders.make('sqlite'), 'data', 'taawun.db');
    const runtime = await openRuntime(`sqlite:${file}`);
    try {
      expect(existsSync(file)).toBe(true);
      expect(runtime.description).toBe(`SQLite file ${file}`);
      await record(runtime.store);
      const { stored, read } = await personalDataOf(runtime);
      expect(looksSealed(stored)).toBe(true);
      expect(read).toEqual(amina);
      expect(await runtime.chain!.verify()).toMatchObject({ intact: true, events: 2 });

      await expectStoredAnswersAndWakes(runtime, `stored in SQLite file ${file}`);
    } finally {
      await runtime.close();
    }
    // The keys are in the same file: opened again, the name reads.
    const again = await openRuntime(`sqlite:${file}`, { mustExist: true });
    try {
      expect((await personalDataOf(again)).read).toEqual(amina);
    } finally {
      await again.close();
    }
  });

  it('resolves a relative path against cwd, and keeps the keys in a file of their own when told', async () => {
    const folder = await folders.make('relative');
    const runtime = await openRuntime('sqlite:./log.db', { cwd: folder, keys: 'sqlite:./keys.db' });
    try {
      await record(runtime.store);
      expect(existsSync(join(folder, 'log.db'))).toBe(true);
      expect(existsSync(join(folder, 'keys.db'))).toBe(true);
    } finally {
      await runtime.close();
    }
    // Without that key file the names cannot be read: the keys were not written to the log's file.
    const withoutKeys = await openRuntime('sqlite:./log.db', { cwd: folder });
    try {
      const error = await withoutKeys.store.readStream('participant-p-amina').catch((e: unknown) => e);
      expect(isEventStoreError(error) && error.message).toMatch(/no key for participant p-amina; is this the key store that wrote it\?/);
    } finally {
      await withoutKeys.close();
    }
  });

  it('opens the log as stored, without keys, for a check of what is stored', async () => {
    const folder = await folders.make('as-stored');
    const writer = await openRuntime(`sqlite:${folder}/taawun.db`);
    await record(writer.store);
    await writer.close();
    const runtime = await openRuntime(`sqlite:${folder}/taawun.db`, { personalData: false });
    try {
      expect(runtime.keys).toBeUndefined();
      expect(runtime.store).toBe(runtime.log);
      expect(looksSealed((await personalDataOf(runtime)).read)).toBe(true);
    } finally {
      await runtime.close();
    }
  });
});

describe('memory:', () => {
  it('opens the in-memory log with its keys; no hash chain, no read models beside it (a run keeps them in memory)', async () => {
    const runtime = await openRuntime('memory:');
    try {
      await record(runtime.store);
      const { stored, read } = await personalDataOf(runtime);
      expect([looksSealed(stored), read]).toEqual([true, amina]);
      expect(runtime.chain).toBeUndefined();
      expect(runtime.notifier).toBeUndefined();
      expect(await runtime.openReadModelsBesideLog()).toBeUndefined();
      const forRun = await storageForRun(runtime);
      expect(forRun).toMatchObject({ besideLog: false, where: 'kept in memory for this run' });
      expect(await forRun.purgeAfterErasure()).toEqual({ rebuilt: [], skipped: [], residueCleared: true });
    } finally {
      await runtime.close();
    }
  });
});

describe('postgres://…?schema=', () => {
  it('needs a key store, and says so before connecting', async () => {
    const error = await openRuntime(`${DATABASE_URL}?schema=x`).catch((e: unknown) => e);
    expect(isRuntimeError(error) && [error.code, error.details.location]).toEqual(['keys-required', `PostgreSQL ${DATABASE_URL} (schema x)`]);
  });

  it('opens the log in its schema (created on first use), with a hash chain, read models beside it and a notifier', async () => {
    const schema = uniqueSchema('open');
    schemas.push(schema);
    const runtime = await openRuntime(`${DATABASE_URL}?schema=${schema}`, { keys: 'memory:' });
    try {
      expect(await schemaExists(schema)).toBe(true);
      expect(runtime.description).toBe(`PostgreSQL ${DATABASE_URL} (schema ${schema})`);
      await record(runtime.store);
      const { stored, read } = await personalDataOf(runtime);
      expect([looksSealed(stored), read]).toEqual([true, amina]);
      expect(await runtime.chain!.verify()).toMatchObject({ intact: true, events: 2 });

      await expectStoredAnswersAndWakes(runtime, `stored in PostgreSQL ${DATABASE_URL} (schema ${schema})`);
    } finally {
      await runtime.close();
    }
  });

  it('names the server in one line when it cannot be reached', async () => {
    const port = await closedPort();
    const error = await openRuntime(`postgres://postgres@127.0.0.1:${port}/test`, { keys: 'memory:' }).catch((e: unknown) => e);
    expect(isEventStoreError(error) && error.code).toBe('unavailable');
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
  });
});

describe('esdb://… and eventstoredb:esdb://…', () => {
  it('needs a key store, and says so before connecting', async () => {
    const error = await openRuntime('eventstoredb:esdb://127.0.0.1:1?tls=false').catch((e: unknown) => e);
    expect(isRuntimeError(error) && [error.code, error.details.location]).toEqual(['keys-required', 'EventStoreDB esdb://127.0.0.1:1?tls=false']);
  });

  it('a closed port fails at once with unavailable, naming host and port; nothing stays open', async () => {
    const port = await closedPort();
    for (const url of [`esdb://127.0.0.1:${port}?tls=false`, `eventstoredb:esdb://127.0.0.1:${port}?tls=false`]) {
      const started = performance.now();
      const error = await openRuntime(url, { keys: 'memory:' }).catch((e: unknown) => e);
      expect(isEventStoreError(error) && error.code).toBe('unavailable');
      expect((error as Error).message).toContain(`127.0.0.1:${port}`);
      expect(performance.now() - started).toBeLessThan(5_000);
    }
  });
});
