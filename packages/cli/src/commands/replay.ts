import { ProjectionRunner, projections, type AnyProjection, type Progress } from '@taawun/projections';
import { projectionFromModule, storageForRun } from '@taawun/runtime';
import { Option, type Command } from 'commander';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { exitCodes, usageError, type ExitCode } from '../errors.js';
import { runs, withStore, type CliContext, type GlobalOptions } from '../io.js';
import { progress } from '../output/progress.js';
import { renderJson } from '../output/render.js';

/** A name of the built-in read models, or a path to a module that exports a projection. */
export async function resolveProjection(target: string, cwd: string): Promise<AnyProjection> {
  const builtIn = (projections as Record<string, AnyProjection>)[target];
  if (builtIn) return builtIn;
  if (!existsSync(resolve(cwd, target))) {
    throw usageError(`${target} is neither a projection (${Object.keys(projections).join(', ')}) nor a module file`);
  }
  return projectionFromModule(target, cwd);
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
            const bar = progress(io, projection.name);
            let last: Progress | undefined;
            const runner = new ProjectionRunner(projection, {
              store: opened.store,
              storage,
              onProgress: (p) => {
                last = p;
                bar.update(p.eventsDone, p.eventsTotal);
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
