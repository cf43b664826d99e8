import type { CommandInput } from '../catalogue/commands.js';
import type { DomainError } from '../errors.js';
import type { Result } from '../result.js';
import type { EventStore } from '../store/port.js';
import type { CommandContext, CommandOutcome } from './context.js';
import { executeCommand } from './execute.js';
import { prepareCommand } from './prepare.js';

/**
 * Handle one command written in code. The type rejects a wrong shape at
 * compile time (a misspelt type, a missing or extra field, a value outside
 * its enum); the schema still parses it at run time, for what types cannot
 * say (slugs, partial dates, at least one language) and to fill defaults.
 */
export function handle(store: EventStore, command: CommandInput, context: CommandContext): Promise<Result<CommandOutcome, DomainError>> {
  return handleUnknown(store, command, context);
}

/** Handle input from outside (JSON, a file): parsed first, its errors naming every offending field. */
export async function handleUnknown(store: EventStore, input: unknown, context: CommandContext): Promise<Result<CommandOutcome, DomainError>> {
  const prepared = prepareCommand(input);
  return prepared.ok ? executeCommand(store, prepared.value, context) : prepared;
}
