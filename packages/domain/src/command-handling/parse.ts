import { commandSchema, type Command } from '../catalogue/commands.js';
import { domainError, type DomainError } from '../errors.js';
import { err, ok, type Result } from '../result.js';

/** Parse input with the command schemas; the error names every offending field. */
export function parseCommand(input: unknown): Result<Command, DomainError> {
  const parsed = commandSchema.safeParse(input);
  if (parsed.success) return ok(parsed.data as Command);
  const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || 'type'))];
  const message = parsed.error.issues.map((i) => `${i.path.join('.') || '(command)'}: ${i.message}`).join('; ');
  return err(domainError('invalid-command', message, { fields }));
}
