import { ProjectionRunner, defineProjection, projections, type AnyProjection, type Progress } from '@taawun/projections';
import { storageForRun } from '@taawun/runtime';
import { SingleBar } from 'cli-progress';
import { Option, type Command } from 'commander';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CliError, exitCodes, usageError, type ExitCode } from '../errors.js';
import { runs, withStore, type CliContext, type GlobalOptions, type Io } from '../io.js';
import { renderJson } from '../output/render.js';

const looksLikeProjection = (value: unknown): value is Partial<AnyProjection> =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as AnyProjection).name === 'string' &&
  typeof (value as AnyProjection).evolve === 'function' &&
  Array.isArray((value as AnyProjection).handles);

/**
 * The projection a module exports: its default export, an export named
 * `projection`, or its only export that is one. A plain definition (not made
 * with `defineProjection`) is checked by `defineProjection` here.
 */
export async function projectionFromModule(path: string, shownAs = path): Promise<AnyProjection> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    throw new CliError(`cannot load ${shownAs}: ${(error as Error).message.split('\n')[0]}`);
  }
  const found = [module['default'], module['projection'], ...Object.values(module)].filter(looksLikeProjection);
  const unique = [...new Set(found)];
  const chosen = looksLikeProjection(module['default']) ? module['default'] : looksLikeProjection(module['projection']) ? module['projection'] : unique.length === 1 ? unique[0] : undefined;
  if (!chosen) {
    throw usageError(
      unique.length === 0
        ? `${shownAs} exports no projection (an object made with defineProjection: name, version, handles, initialState, evolve)`
        : `${shownAs} exports ${unique.length} projections (${unique.map((p) => p.name).join(', ')}): export the one to replay as default or as "projection"`,
    );
  }
  return typeof (chosen as AnyProjection).handlesType === 'function' ? (chosen as AnyProjection) : defineProjection(chosen as Parameters<typeof defineProjection>[0]);
}

/** A name of the built-in read models, or a path to a module that exports a projection. */
export async function resolveProjection(target: string, cwd: string): Promise<AnyProjection> {
  const builtIn = (projections as Record<string, AnyProjection>)[target];
  if (builtIn) return builtIn;
  const path = resolve(cwd, target);
  if (!existsSync(path)) {
    throw usageError(`${target} is neither a projection (${Object.keys(projections).join(', ')}) nor a module file`);
  }
  return projectionFromModule(path, target);
}

function progressBar(io: Io, name: string): { update: (p: Progress) => void; stop: () => void } {
  if (!io.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({
    stream: io.stderr,
    format: `${name} [{bar}] {percentage}% | {value}/{total} events | {rate} events/s | {duration_formatted}`,
    barCompleteChar: '█',
    barIncompleteChar: '░',
    hideCursor: true,
    clearOnComplete: false,
  });
  let started = false;
  return {
    update: (p) => {
      const payload = { rate: Math.round(p.eventsPerSecond) };
      if (!started) {
        bar.start(Math.max(1, p.eventsTotal), p.eventsDone, payload);
        started = true;
      }
      bar.setTotal(Math.max(1, p.eventsTotal));
      bar.update(p.eventsDone, payload);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

export function registerReplay(program: Command, context: CliContext): void {
  const { io } = context;
  program
    .command('replay')
    .description('rebuild a projection from the whole log: a built-in read model, or one written after the fact in a module')
    .argument('<projection>', `${Object.keys(projections).join(', ')}, or the path of a .js module exporting a projection`)
    .addOption(new Option('--format <format>', 'text: a final line; json: the figures and the projection\'s state').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      '\nA progress bar is drawn on stderr when it is a terminal. On a SQLite store the rebuilt model is\nstored in the same file (and swapped in at the end); on other stores it is kept in memory for the run.\n\nExamples:\n  taawun replay partner-history\n  taawun replay ./examples/new-report/dist/cohorts.js --format json',
    )
    .action(
      runs(context, async (target: string, options: { format: 'text' | 'json' }, command: Command): Promise<ExitCode> => {
        const projection = await resolveProjection(target, io.cwd);
        return withStore(command.optsWithGlobals<GlobalOptions>(), io, async (opened) => {
          const { storage, where, close } = await storageForRun(opened);
          try {
            const bar = progressBar(io, projection.name);
            let last: Progress | undefined;
            const runner = new ProjectionRunner(projection, {
              store: opened.store,
              storage,
              onProgress: (p) => {
                last = p;
                bar.update(p);
              },
            });
            let result;
            try {
              result = await runner.rebuild({ fromScratch: true });
            } finally {
              bar.stop();
            }
            const events = last?.eventsDone ?? 0;
            const seconds = result.elapsedMs / 1000;
            const rate = seconds > 0 ? Math.round(events / seconds) : events;
            if (options.format === 'json') {
              // One document (a classic fold): its state; documents by key: every document (the counters and index entries are derived).
              const model = await runner.read();
              let state: unknown = null;
              if (model && projection.keyOf === undefined) state = await model.state();
              else if (model) state = Object.fromEntries([...(await model.getMany(await model.keys()))]);
              io.stdout.write(
                renderJson({ projection: projection.name, version: projection.version, generation: result.generation, events, applied: result.eventsApplied, seconds: Number(seconds.toFixed(3)), eventsPerSecond: rate, position: result.position ?? null, state }),
              );
            } else {
              io.stdout.write(
                `Replayed ${projection.name} v${projection.version}: ${events} events (${result.eventsApplied} applied) in ${seconds.toFixed(3)} s, ${rate} events/s; ${where}.\n`,
              );
            }
            return exitCodes.ok;
          } finally {
            await close();
          }
        });
      }),
    );
}
