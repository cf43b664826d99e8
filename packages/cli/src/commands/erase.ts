import { eraseParticipant } from '@taawun/domain';
import type { Command } from 'commander';
import { CliError, exitCodes, fromDomainError, type ExitCode } from '../errors.js';
import { commandContext, runs, withStore, type CliContext, type GlobalOptions } from '../io.js';

export interface EraseHooks {
  /** Purge or rebuild read models that may hold the participant's name (safe to repeat). */
  readonly onErased?: (participantId: string) => Promise<void>;
}

export function registerErase(program: Command, context: CliContext, hooks: EraseHooks = {}): void {
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
        return withStore(globals, io, async ({ store, keys, description }) => {
          if (!keys) throw new CliError('no key store is open: cannot erase');
          const result = await eraseParticipant(store, keys, participantId, options.reason, { ...commandContext(globals, io) }, hooks.onErased ? { onErased: hooks.onErased } : {});
          if (!result.ok) throw fromDomainError(result.error, `erasing ${participantId}`);
          const { event, keyDestroyedNow, residueCleared } = result.value;
          const recorded = event ? `ParticipantDataErased recorded at position ${event.position} (event ${event.id})` : 'the log already recorded the erasure';
          const key = keyDestroyedNow ? 'key destroyed' : 'no key left to destroy';
          io.stdout.write(`Erased ${participantId} in ${description}: ${recorded}; ${key}.\n`);
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
