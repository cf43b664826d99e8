import { eraseParticipant } from '@taawun/domain';
import { UNTIL_THE_READER_CLOSES, purgeAfterErasure, unscrubbedCopies, type Purge } from '@taawun/runtime';
import type { Command } from 'commander';
import { CliError, exitCodes, fromDomainError, type ExitCode } from '../errors.js';
import { commandContext, runs, withStore, type CliContext, type GlobalOptions } from '../io.js';

export function registerErase(program: Command, context: CliContext): void {
  const { io } = context;
  program
    .command('erase-participant')
    .description("erase a participant's personal data: records who, when and why, and destroys their key (the log is not rewritten)")
    .argument('<participant-id>', 'the participant\'s id, e.g. enm-new-judges-course-2016-judge-1')
    .requiredOption('--reason <text>', 'why, without personal data (e.g. "request of 2024-05-28, file DPO-2024-17")')
    .addHelpText(
      'after',
      "\nWhat they took part in stays (counts, enrolments); their name reads as erased everywhere, and the\nhash chain still verifies. Running it again is safe: it finishes an erasure a crash interrupted.\nExit 3: erased, but another process held a read snapshot, so old copies are not scrubbed yet: run it again when it has closed.",
    )
    .action(
      runs(context, async (participantId: string, options: { reason: string }, command: Command): Promise<ExitCode> => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        return withStore(globals, io, async (opened) => {
          const { store, keys, description } = opened;
          if (!keys) throw new CliError('no key store is open: cannot erase');
          let purge: Purge = { rebuilt: [], skipped: [], residueCleared: true };
          const result = await eraseParticipant(store, keys, participantId, options.reason, commandContext(globals, io), {
            onErased: async () => {
              purge = await purgeAfterErasure(opened);
            },
          });
          if (!result.ok) throw fromDomainError(result.error, `erasing ${participantId}`);
          const { event, keyDestroyedNow, residueCleared } = result.value;
          const recorded = event ? `ParticipantDataErased recorded at position ${event.position} (event ${event.id})` : 'the log already recorded the erasure';
          const key = keyDestroyedNow ? 'key destroyed' : 'no key left to destroy';
          const models = purge.rebuilt.length > 0 ? `; stored read models rebuilt: ${purge.rebuilt.join(', ')}` : '';
          io.stdout.write(`Erased ${participantId} in ${description}: ${recorded}; ${key}${models}.\n`);
          if (purge.skipped.length > 0) {
            io.stderr.write(
              `taawun: warning: stored read models no built-in projection builds were left as they are: ${purge.skipped.join(', ')}; if they hold names, rebuild them with taawun replay <module>\n`,
            );
          }
          const left = unscrubbedCopies(opened.location, !residueCleared, purge);
          if (left.length > 0) {
            // Done as an erasure (nothing can decrypt the data), not yet as a scrub: its own exit status, so a script repeats it.
            io.stderr.write(
              `taawun: erasure incomplete: ${participantId} is erased (recorded, key destroyed), but another process holds a read snapshot, so these copies are not scrubbed yet: ${left.join('; ')}; ${UNTIL_THE_READER_CLOSES} (taawun erase-participant ${participantId} --reason …) (scrub-pending)\n`,
            );
            return exitCodes.incomplete;
          }
          return exitCodes.ok;
        }, { appends: true });
      }),
    );
}
