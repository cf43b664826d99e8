import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eraseParticipant, handle, type CommandInput, type EventStore } from '@taawun/domain';
import { defineProjection, defineReadModel, ProjectionRunner } from '@taawun/projections';
import { match } from 'ts-pattern';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadReadModels, openRuntime, purgeAfterErasure } from '../src/index.js';
import { clerk, temporaryFolders } from './support.js';

/*
 * A report written later, registered with the runtime: answered by its query
 * service beside the built-in read models, and, since it keeps names, rebuilt
 * by the purge after an erasure like the built-in participant record.
 */

const folders = temporaryFolders();
afterAll(() => folders.removeAll());

/** Names by cohort: a user's projection that keeps personal data. */
const namesByCohort = defineProjection({
  name: 'names-by-cohort',
  version: 1,
  handles: ['ParticipantRegistered', 'ParticipantDataErased'],
  initialState: {} as Record<string, string>,
  keyOf: (event) => (event.type === 'ParticipantRegistered' ? String(event.data.cohort ?? 'none') : undefined),
  evolve: (names: Record<string, string>, event) =>
    match(event)
      .with({ type: 'ParticipantRegistered' }, (e) => ({ ...names, [e.data.participantId]: e.data.personal?.fullName?.fr ?? '' }))
      .with({ type: 'ParticipantDataErased' }, () => names)
      .exhaustive(),
});

const namesByCohortReadModel = defineReadModel({
  name: 'names-by-cohort',
  title: 'Names by cohort',
  description: 'The names of the participants of a cohort',
  personalData: 'always',
  projection: namesByCohort,
  params: z.object({ cohort: z.string() }).strict(),
  result: z.object({ names: z.record(z.string(), z.string()) }),
  view: async (model, p) => {
    const names = await model.get(p.cohort);
    return names && { result: { names } };
  },
  notFound: (p) => `no participant of cohort ${p.cohort}`,
});

async function record(store: EventStore, commands: CommandInput[]): Promise<void> {
  for (const command of commands) expect((await handle(store, command, clerk())).ok).toBe(true);
}

describe("the program's own read models", () => {
  it('are answered by the runtime\'s query service and their stored models are purged after an erasure', async () => {
    const file = join(await folders.make('own'), 'taawun.db');
    const runtime = await openRuntime(`sqlite:${file}`, { readModels: [namesByCohortReadModel] });
    try {
      expect(runtime.readModels.map((m) => m.name)).toContain('names-by-cohort');
      await record(runtime.store, [
        { type: 'RegisterParticipant', participantId: 'p-amina', kind: 'judicial-attache', cohort: 39, personal: { fullName: { fr: 'Amina El Alaoui' } } },
      ]);
      const { queries, close } = await runtime.openQueries();
      try {
        const beside = (await runtime.openReadModelsBesideLog())!;
        await new ProjectionRunner(namesByCohort, { store: runtime.store, storage: beside.storage }).catchUp();
        await beside.close();
        const answer = await queries.query(namesByCohortReadModel, { cohort: '39' });
        expect(answer.ok && [answer.value.source.kind, answer.value.result.names]).toEqual(['stored', { 'p-amina': 'Amina El Alaoui' }]);
      } finally {
        await close();
      }
      const erased = await eraseParticipant(runtime.store, runtime.keys!, 'p-amina', 'request of 2024-05-28', clerk('dpo:nadia'), {
        onErased: async () => {
          const purge = await purgeAfterErasure(runtime);
          expect(purge.rebuilt).toContain('names-by-cohort');
        },
      });
      expect(erased.ok).toBe(true);
    } finally {
      await runtime.close();
    }
    expect(readFileSync(file).includes(Buffer.from('Amina El Alaoui'))).toBe(false);
  });

  it('are loaded from modules: every read model a module exports, else its projection', async () => {
    const folder = await folders.make('modules');
    writeFileSync(
      join(folder, 'counted.mjs'),
      "export default { name: 'sessions-counted', version: 1, handles: ['SessionHeld'], initialState: 0, evolve: (n) => n + 1 };\n",
    );
    const [counted] = await loadReadModels(['counted.mjs'], folder);
    expect(counted).toMatchObject({ name: 'sessions-counted', kind: 'projected', list: null });
    await expect(loadReadModels(['missing.mjs'], folder)).rejects.toMatchObject({ code: 'module-missing' });
    writeFileSync(join(folder, 'empty.mjs'), 'export const nothing = 1;\n');
    await expect(loadReadModels(['empty.mjs'], folder)).rejects.toMatchObject({ code: 'module-exports-nothing' });
  });
});
