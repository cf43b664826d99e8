import { existsSync, readFileSync } from 'node:fs';
import { eraseParticipant, handle, type EventStore } from '@taawun/domain';
import { participantRecordProjection, ProjectionRunner, projections, queryParticipantRecord, type AnyProjection } from '@taawun/projections';
import { afterAll, describe, expect, it } from 'vitest';
import { openRuntime, purgeAfterErasure, type Purge, type Runtime } from '../src/index.js';
import { clerk, DATABASE_URL, dropSchema, onServer, temporaryFolders, uniqueSchema } from './support.js';

const folders = temporaryFolders();
const schemas: string[] = [];
afterAll(async () => {
  await folders.removeAll();
  for (const schema of schemas) await dropSchema(schema);
});

const names = ['أمينة العلوي', 'Amina El Alaoui'];

async function recordAmina(store: EventStore): Promise<void> {
  const ok = async (command: Parameters<typeof handle>[1]) => expect((await handle(store, command, clerk())).ok).toBe(true);
  await ok({ type: 'RegisterPartner', partnerId: 'enm-france', name: { fr: 'École nationale de la magistrature' }, kind: 'school', country: 'FR' });
  await ok({ type: 'RegisterParticipant', participantId: 'p-amina', kind: 'judicial-attache', cohort: 39, personal: { fullName: { ar: names[0]!, fr: names[1]! } } });
  await ok({ type: 'RegisterParticipant', participantId: 'p-karim', kind: 'judicial-attache', cohort: 40, personal: { fullName: { fr: 'Karim Bennani' } } });
}

/** Build every built-in read model beside the log, record the erasure with the runtime's purge as its hook, and say what the purge did. */
async function eraseWithPurge(runtime: Runtime): Promise<Purge> {
  const beside = (await runtime.openReadModelsBesideLog())!;
  try {
    for (const projection of Object.values(projections) as AnyProjection[]) await new ProjectionRunner(projection, { store: runtime.store, storage: beside.storage }).catchUp();
    const before = await queryParticipantRecord({ store: runtime.store, storage: beside.storage }, { participantId: 'p-amina' });
    expect(before.ok && [before.value.source.kind, before.value.result.personal?.fullName.fr]).toEqual(['stored', 'Amina El Alaoui']);
  } finally {
    await beside.close();
  }
  let purge: Purge | undefined;
  const erased = await eraseParticipant(runtime.store, runtime.keys!, 'p-amina', 'request of 2024-05-28, file DPO-2024-17', clerk('dpo:nadia'), {
    onErased: async () => {
      purge = await purgeAfterErasure(runtime);
    },
  });
  expect(erased.ok).toBe(true);
  return purge!;
}

async function storedRecordOf(runtime: Runtime, participantId: string) {
  const beside = (await runtime.openReadModelsBesideLog())!;
  try {
    const answer = await queryParticipantRecord({ store: runtime.store, storage: beside.storage }, { participantId });
    if (!answer.ok) throw new Error(answer.error.message);
    return { source: answer.value.source.kind, personal: answer.value.result.personal, erased: answer.value.result.erased };
  } finally {
    await beside.close();
  }
}

const holdingNames = (Object.values(projections) as AnyProjection[]).filter((p) => p.holdsPersonalData).map((p) => p.name);

describe('the purge after an erasure', () => {
  it('SQLite: rebuilds the stored models that hold names, zeroes their old bytes and empties the WAL: no trace of the name in the files', async () => {
    const file = `${await folders.make('purge')}/taawun.db`;
    const runtime = await openRuntime(`sqlite:${file}`);
    try {
      await recordAmina(runtime.store);
      const purge = await eraseWithPurge(runtime);
      expect(purge).toMatchObject({ rebuilt: holdingNames, skipped: [], residueCleared: true });
      expect(await storedRecordOf(runtime, 'p-amina')).toEqual({ source: 'stored', personal: null, erased: true });
      expect(await storedRecordOf(runtime, 'p-karim')).toMatchObject({ source: 'stored', personal: { fullName: { fr: 'Karim Bennani' } } });
      for (const path of [file, `${file}-wal`].filter((f) => existsSync(f))) {
        const bytes = readFileSync(path);
        expect(names.filter((name) => bytes.includes(Buffer.from(name, 'utf8')))).toEqual([]);
      }
      expect(await runtime.chain!.verify()).toMatchObject({ intact: true });
    } finally {
      await runtime.close();
    }
  });

  it("PostgreSQL: rebuilds the stored models that hold names; their tables no longer name the participant", async () => {
    const schema = uniqueSchema('purge');
    schemas.push(schema);
    const runtime = await openRuntime(`${DATABASE_URL}?schema=${schema}`, { keys: 'memory:' });
    try {
      await recordAmina(runtime.store);
      const purge = await eraseWithPurge(runtime);
      expect(purge).toEqual({ rebuilt: holdingNames, skipped: [], residueCleared: true });
      expect(await storedRecordOf(runtime, 'p-amina')).toEqual({ source: 'stored', personal: null, erased: true });
      expect(await storedRecordOf(runtime, 'p-karim')).toMatchObject({ source: 'stored', personal: { fullName: { fr: 'Karim Bennani' } } });
      // Every live row of the schema's read-model tables, as text: the name is in none of them.
      const tables = await onServer<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name NOT IN ('events', 'log_head', 'schema_versions')`,
        [schema],
      );
      expect(tables.length).toBeGreaterThan(0);
      for (const { table_name } of tables) {
        const rows = await onServer(`SELECT * FROM "${schema}"."${table_name}"`);
        expect(names.filter((name) => JSON.stringify(rows).includes(name))).toEqual([]);
      }
    } finally {
      await runtime.close();
    }
  });

  it('a store without stored read models has nothing to purge', async () => {
    const runtime = await openRuntime('memory:');
    try {
      expect(await purgeAfterErasure(runtime)).toEqual({ rebuilt: [], skipped: [], residueCleared: true });
    } finally {
      await runtime.close();
    }
  });
});
