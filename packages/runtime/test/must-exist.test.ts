import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRuntimeError, openRuntime, type RuntimeError } from '../src/index.js';
import { DATABASE_URL, dropSchema, schemaExists, temporaryFolders, uniqueSchema } from './support.js';

const folders = temporaryFolders();
const schemas: string[] = [];
afterAll(async () => {
  await folders.removeAll();
  for (const schema of schemas) await dropSchema(schema);
});

const refusal = async (opening: Promise<unknown>): Promise<RuntimeError> => {
  const error = await opening.then(
    async (runtime) => {
      await (runtime as { close(): Promise<void> }).close();
      throw new Error('expected the store to be refused');
    },
    (e: unknown) => e,
  );
  if (!isRuntimeError(error)) throw error;
  return error;
};

describe('mustExist: a store that is not there is refused, and nothing is created', () => {
  it('a SQLite file that does not exist (nor its folder)', async () => {
    const folder = await folders.make('missing');
    const file = join(folder, 'mistyped', 'path.db');
    const error = await refusal(openRuntime(`sqlite:${file}`, { mustExist: true }));
    expect([error.code, error.message]).toEqual(['store-missing', `SQLite file ${file} does not exist: nothing was created`]);
    expect(existsSync(join(folder, 'mistyped'))).toBe(false);
  });

  it('a key file that does not exist, beside a store that does', async () => {
    const folder = await folders.make('keys');
    const created = await openRuntime('sqlite:taawun.db', { cwd: folder, keys: 'sqlite:keys.db' });
    await created.close();
    const error = await refusal(openRuntime('sqlite:taawun.db', { cwd: folder, keys: 'sqlite:kyes.db', mustExist: true }));
    expect([error.code, error.details.file]).toEqual(['keys-missing', join(folder, 'kyes.db')]);
    expect(existsSync(join(folder, 'kyes.db'))).toBe(false);
    const reopened = await openRuntime('sqlite:taawun.db', { cwd: folder, keys: 'sqlite:keys.db', mustExist: true });
    await reopened.close();
  });

  it('a PostgreSQL schema without the log: the adapter checks, and the schema is not created', async () => {
    const schema = uniqueSchema('absent');
    schemas.push(schema);
    const error = await refusal(openRuntime(`${DATABASE_URL}?schema=${schema}`, { keys: 'memory:', mustExist: true }));
    expect([error.code, error.message]).toEqual(['store-missing', `PostgreSQL ${DATABASE_URL} (schema ${schema}) holds no taawun log (no table ${schema}.events): nothing was created`]);
    expect(await schemaExists(schema)).toBe(false);

    const created = await openRuntime(`${DATABASE_URL}?schema=${schema}`, { keys: 'memory:' });
    await created.close();
    const reopened = await openRuntime(`${DATABASE_URL}?schema=${schema}`, { keys: 'memory:', mustExist: true });
    await reopened.close();
  });

  it('without mustExist, the store is created (seed, import, start)', async () => {
    const folder = await folders.make('create');
    const runtime = await openRuntime(`sqlite:${folder}/new/taawun.db`);
    await runtime.close();
    expect(existsSync(join(folder, 'new', 'taawun.db'))).toBe(true);
  });
});
