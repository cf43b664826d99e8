import { defineProjection, readModelOfProjection, type AnyProjection, type AnyReadModel } from '@taawun/projections';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RuntimeError } from './errors.js';

/*
 * Reports written later, loaded from the program's own modules: a module
 * exports read models (`defineReadModel`) or a projection (`defineProjection`,
 * or a plain definition of one). The runtime registers them beside the
 * built-in read models (`openRuntime({ readModels })`).
 */

const looksLikeProjection = (value: unknown): value is Partial<AnyProjection> =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as AnyProjection).name === 'string' &&
  typeof (value as AnyProjection).evolve === 'function' &&
  Array.isArray((value as AnyProjection).handles);

const looksLikeReadModel = (value: unknown): value is AnyReadModel =>
  typeof value === 'object' &&
  value !== null &&
  ((value as AnyReadModel).kind === 'projected' || (value as AnyReadModel).kind === 'log') &&
  typeof (value as AnyReadModel).name === 'string' &&
  typeof (value as AnyReadModel).params?.safeParse === 'function';

async function load(target: string, cwd: string): Promise<{ path: string; module: Record<string, unknown> }> {
  const path = resolve(cwd, target);
  if (!existsSync(path)) throw new RuntimeError('module-missing', `${target}: no such module file`, { file: path });
  try {
    return { path, module: (await import(pathToFileURL(path).href)) as Record<string, unknown> };
  } catch (error) {
    throw new RuntimeError('module-failed', `cannot load ${target}: ${(error as Error).message.split('\n')[0]}`, { file: path });
  }
}

/**
 * The projection a module exports: its default export, an export named
 * `projection`, or its only export that is one. A plain definition (not made
 * with `defineProjection`) is checked by `defineProjection` here.
 */
export async function projectionFromModule(target: string, cwd = process.cwd()): Promise<AnyProjection> {
  const { path, module } = await load(target, cwd);
  const unique = [...new Set([module['default'], module['projection'], ...Object.values(module)].filter(looksLikeProjection))];
  const chosen = looksLikeProjection(module['default']) ? module['default'] : looksLikeProjection(module['projection']) ? module['projection'] : unique.length === 1 ? unique[0] : undefined;
  if (!chosen) {
    throw new RuntimeError(
      'module-exports-nothing',
      unique.length === 0
        ? `${target} exports no projection (an object made with defineProjection: name, version, handles, initialState, evolve)`
        : `${target} exports ${unique.length} projections (${unique.map((p) => p.name).join(', ')}): export the one to use as default or as "projection"`,
      { file: path },
    );
  }
  return typeof (chosen as AnyProjection).handlesType === 'function' ? (chosen as AnyProjection) : defineProjection(chosen as Parameters<typeof defineProjection>[0]);
}

/**
 * The read models of a module: every read model it exports (made with
 * `defineReadModel`), else its projection as a read model of its documents
 * (`readModelOfProjection`).
 */
export async function readModelsFromModule(target: string, cwd = process.cwd()): Promise<AnyReadModel[]> {
  const { module } = await load(target, cwd);
  const readModels = [...new Set(Object.values(module).filter(looksLikeReadModel))];
  if (readModels.length > 0) return readModels;
  return [readModelOfProjection(await projectionFromModule(target, cwd))];
}

/** The read models of every module, in order (relative paths against `cwd`). */
export async function loadReadModels(targets: readonly string[], cwd = process.cwd()): Promise<AnyReadModel[]> {
  const all: AnyReadModel[] = [];
  for (const target of targets) all.push(...(await readModelsFromModule(target, cwd)));
  return all;
}
