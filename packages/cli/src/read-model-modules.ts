import { readModelOfProjection, type AnyReadModel } from '@taawun/projections';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CliError, usageError } from './errors.js';
import { projectionFromModule } from './commands/replay.js';

const looksLikeReadModel = (value: unknown): value is AnyReadModel =>
  typeof value === 'object' &&
  value !== null &&
  ((value as AnyReadModel).kind === 'projected' || (value as AnyReadModel).kind === 'log') &&
  typeof (value as AnyReadModel).name === 'string' &&
  typeof (value as AnyReadModel).params?.safeParse === 'function';

/**
 * The read models of a report written later, from a module: every read model
 * it exports (made with `defineReadModel`), else its projection as a read
 * model of its documents (see `readModelOfProjection`).
 */
export async function readModelsFromModule(target: string, cwd: string): Promise<AnyReadModel[]> {
  const path = resolve(cwd, target);
  if (!existsSync(path)) throw usageError(`--read-model ${target}: no such module file`);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    throw new CliError(`cannot load ${target}: ${(error as Error).message.split('\n')[0]}`);
  }
  const readModels = [...new Set(Object.values(module).filter(looksLikeReadModel))];
  if (readModels.length > 0) return readModels;
  return [readModelOfProjection(await projectionFromModule(path, target))];
}

/** The read models of every `--read-model` module, in order. */
export async function readModelsFromModules(targets: readonly string[], cwd: string): Promise<AnyReadModel[]> {
  const all: AnyReadModel[] = [];
  for (const target of targets) all.push(...(await readModelsFromModule(target, cwd)));
  return all;
}
