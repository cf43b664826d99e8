import { eraseParticipant } from '@taawun/domain';
import { ProjectionRunner, projections, type AnyProjection } from '@taawun/projections';
import type { Command } from 'commander';
import { CliError, exitCodes, fromDomainError, type ExitCode } from '../errors.js';
import { commandContext, runs, withStore, type CliContext, type GlobalOptions } from '../io.js';
import type { OpenedStore } from '../store-url.js';
import { storageFor } from './replay.js';

/**
 * After the key is destroyed: rebuild every built-in read model stored beside the
 * log, so none keeps the participant's name (the rebuild reads them as erased).
 */
async function rebuildStoredReadModels(opened: OpenedStore): Promise<string[]> {
  if (opened.location.kind !== 'sqlite') return [];
  const { storage } = await storageFor(opened);
  const rebuilt: string[] = [];
  for (const projection of Object.values(projections) as AnyProjection[]) {
    const runner = new ProjectionRunner(projection, { store: opened.store, storage });
    if (!(await runner.status()).active) continue;
    await runner.rebuild({ fromScratch: true });
    rebuilt.push(projection.name);
  }
  return rebuilt;
}

export function registerErase(program: Command, context: CliContext): void {
  const { io } = context;
  program
    .command('erase-participant')
    .description("erase a participant's personal data: records who, when and why, and destroys their key (the log is not rewritten)")
    .argument('<participant-id>', 'the participant\'s id, e.g. enm-new-judges-course-2016-judge-1')
    .requiredOption('--reason <text>', 'why, without personal data (e.g. "request of 2024-05-28, file DPO-2024-17")')
    .addHelpText(
      'after',
      "\nWhat they took part in stays (counts, enrolments); their name reads as erased everywhere, and the\nhash chain still verifies. Running it again is safe: it finishes an erasure a crash interrupted.",
    )
    .action(
      runs(context, async (participantId: string, options: { reason: string }, command: Command): Promise<ExitCode> => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        return withStore(globals, io, async (opened) => {
          const { store, keys, description } = opened;
          if (!keys) throw new CliError('no key store is open: cannot erase');
          let rebuilt: string[] = [];
          const result = await eraseParticipant(store, keys, participantId, options.reason, commandContext(globals, io), {
            onErased: async () => {
              rebuilt = await rebuildStoredReadModels(opened);
            },
          });
          if (!result.ok) throw fromDomainError(result.error, `erasing ${participantId}`);
          const { event, keyDestroyedNow, residueCleared } = result.value;
          const recorded = event ? `ParticipantDataErased recorded at position ${event.position} (event ${event.id})` : 'the log already recorded the erasure';
          const key = keyDestroyedNow ? 'key destroyed' : 'no key left to destroy';
          const models = rebuilt.length > 0 ? `; stored read models rebuilt: ${rebuilt.join(', ')}` : '';
          io.stdout.write(`Erased ${participantId} in ${description}: ${recorded}; ${key}${models}.\n`);
          if (!residueCleared) {
            io.stderr.write(
              'taawun: warning: the key is destroyed, but another process was reading the database: run the command again when it is idle to remove the last copy from the WAL\n',
            );
          }
          return exitCodes.ok;
        });
      }),
    );
}
