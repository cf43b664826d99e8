import type { Command } from '../catalogue/commands.js';
import { routeCommand, type CommandRoute } from '../catalogue/routing.js';
import type { DomainError } from '../errors.js';
import { ok, type Result } from '../result.js';
import { parseCommand } from './parse.js';

/**
 * A command parsed and routed once, ready to execute: an edge that needs the
 * stream before executing (the HTTP adapter queues commands per stream) reads
 * `stream` here instead of routing again.
 */
export interface PreparedCommand extends CommandRoute {
  readonly command: Command;
}

/** Parse input from outside (JSON) and route it. */
export function prepareCommand(input: unknown): Result<PreparedCommand, DomainError> {
  const parsed = parseCommand(input);
  return parsed.ok ? ok(prepareParsedCommand(parsed.value)) : parsed;
}

/** Route a command already parsed with `commandSchema` (or one of `commandSchemas`). */
export function prepareParsedCommand(command: Command): PreparedCommand {
  return { command, ...routeCommand(command) };
}
