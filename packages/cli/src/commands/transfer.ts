import type { Command } from 'commander';
import { isRuntimeError, type Runtime } from '@taawun/runtime';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CliError, exitCodes, type ExitCode } from '../errors.js';
import { runs, withStore, type CliContext, type GlobalOptions } from '../io.js';
import { checkAgainstEmptyTarget, checkImportFile, exportEvents, importEvents } from '../ndjson.js';
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
        if (!found?.isFile()) throw new CliError(found?.isDirectory() ? `${file}: a folder, not an NDJSON file` : `${file}: no such file`);
        // The file is read line by line, twice: what each line parsed is garbage once checked or appended. Half the
        // lists' bound: the file's ids are held beside the heap (about 60 MB at a million events).
        const keepHeap = heapBound(HEAP_BOUND / 2);
        // Checked before the store is opened: a refused file leaves no new, empty store behind.
        const checking = progress(io, `import: checking ${file}`);
        let checked;
        try {
          checked = await checkImportFile(path, file, (done) => {
            keepHeap();
            checking.update(done);
          });
        } finally {
          checking.stop();
        }
        const importInto = async ({ store, log, keys, description }: Runtime): Promise<ExitCode> => {
          const appending = progress(io, 'import');
          let report;
          try {
            report = await importEvents(store, path, file, {
              keys,
              raw: log,
              checked,
              onProgress: (_phase, done, total) => {
                keepHeap();
                appending.update(done, total);
              },
            });
          } finally {
            appending.stop();
          }
          io.stdout.write(
            `Imported ${file} into ${description}: ${report.events} events in ${report.streams} streams, ${report.appended} appended, ${report.alreadyPresent} already present.\n`,
          );
          return exitCodes.ok;
        };
        const options = command.optsWithGlobals<GlobalOptions>();
        try {
          return await withStore(options, io, importInto, { appends: true });
        } catch (error) {
          if (!isRuntimeError(error) || (error.code !== 'store-missing' && error.code !== 'keys-missing')) throw error;
        }
        // A new store: what an empty one would refuse is refused before it is created.
        await checkAgainstEmptyTarget(file, checked);
        return withStore(options, io, importInto, { create: true, appends: true });
      }),
    );
}
