import type { Command } from 'commander';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CliError, exitCodes, type ExitCode } from '../errors.js';
import { runs, withStore, type CliContext, type GlobalOptions } from '../io.js';
import { exportEvents, importEvents } from '../ndjson.js';
import { progress, withProgress } from '../output/progress.js';
import { HEAP_BOUND, heapBound } from '../heap.js';

export function registerTransfer(program: Command, context: CliContext): void {
  const { io } = context;
  program
    .command('export')
    .description('write the whole log to stdout as NDJSON, one event per line, in log order (streamed: memory stays flat)')
    .addHelpText('after', '\nExample: taawun export --store sqlite:./data/taawun.db > taawun.ndjson')
    .action(
      runs(context, async (_options: unknown, command: Command): Promise<ExitCode> => {
        return withStore(command.optsWithGlobals<GlobalOptions>(), io, async ({ store }) => {
          const total = Number((await store.lastPosition()) ?? 0n);
          await withProgress(io, 'export', (shown) => exportEvents(store, io.stdout, (done) => shown.update(done, total)));
          return exitCodes.ok;
        });
      }),
    );

  program
    .command('import')
    .description('append the events of an NDJSON export, keeping ids, recordedAt and metadata; a bad line rejects the whole file, and importing it again adds nothing')
    .argument('<file>', 'an NDJSON file written by "taawun export"')
    .addHelpText('after', '\nExample: taawun import taawun.ndjson --store postgres://postgres@127.0.0.1:5432/taawun')
    .action(
      runs(context, async (file: string, _options: unknown, command: Command): Promise<ExitCode> => {
        const path = resolve(io.cwd, file);
        const found = await stat(path).catch(() => undefined);
        if (!found?.isFile()) throw new CliError(`${file}: no such file`);
        return withStore(command.optsWithGlobals<GlobalOptions>(), io, async ({ store, log, keys, description }) => {
          const checking = progress(io, `import: checking ${file}`);
          const appending = progress(io, 'import');
          // The file is read line by line, twice: what each line parsed is garbage once checked or appended. Half the
          // lists' bound: the file's ids are held beside the heap (about 60 MB at a million events).
          const keepHeap = heapBound(HEAP_BOUND / 2);
          let report;
          try {
            report = await importEvents(store, path, file, {
              keys,
              raw: log,
              onProgress: (phase, done, total) => {
                keepHeap();
                if (phase === 'checking') return checking.update(done);
                checking.stop();
                appending.update(done, total);
              },
            });
          } finally {
            checking.stop();
            appending.stop();
          }
          io.stdout.write(
            `Imported ${file} into ${description}: ${report.events} events in ${report.streams} streams, ${report.appended} appended, ${report.alreadyPresent} already present.\n`,
          );
          return exitCodes.ok;
        }, { create: true });
      }),
    );
}
