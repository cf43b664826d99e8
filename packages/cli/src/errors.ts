import { isEventStoreError, type DomainError } from '@taawun/domain';
import { isProjectionError } from '@taawun/projections';
import { isRuntimeError, isUsageError, type RuntimeError } from '@taawun/runtime';

/**
 * Exit codes of every command: 0 ok, 1 a failed check or operation, 2 bad usage,
 * 3 done but not finished (`erase-participant`: erased, but a copy is not
 * scrubbed yet because another process holds a read snapshot; run it again).
 */
export const exitCodes = { ok: 0, failed: 1, usage: 2, incomplete: 3 } as const;
export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

/** A failure meant for a person: one line on stderr and an exit code, never a stack trace. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode = exitCodes.failed,
  ) {
    super(message);
  }
}

export const usageError = (message: string): CliError => new CliError(message, exitCodes.usage);

/** A domain error as a CLI failure: `code: message (fields)`. Validation errors are bad usage. */
export function fromDomainError(error: DomainError, doing?: string): CliError {
  const fields = error.fields && error.fields.length > 0 ? ` [${error.fields.join(', ')}]` : '';
  const prefix = doing ? `${doing}: ` : '';
  const exitCode = error.code === 'invalid-command' || error.code === 'invalid-date' ? exitCodes.usage : exitCodes.failed;
  return new CliError(`${prefix}${error.message} (${error.code})${fields}`, exitCode);
}

const firstLine = (text: string): string => text.split('\n').find((line) => line.trim().length > 0)?.trim() ?? text;

/** The runtime's refusal in terms of this program's options (`--store`, `--keys`). */
function runtimeErrorLine(error: RuntimeError): string {
  switch (error.code) {
    case 'invalid-store-url':
      return `--store ${error.message}`;
    case 'invalid-keys-url':
      return `--keys ${error.message}`;
    case 'keys-required':
      return `${error.details.location} needs --keys sqlite:PATH (or TAAWUN_KEYS): the file keeping participants' encryption keys, which must be the same every time this log is used`;
    case 'store-missing':
      return `${error.message}; check --store (taawun seed or taawun import creates a store)`;
    case 'keys-missing':
      return `the key file ${error.details.file} (--keys) does not exist: nothing was created; check --keys (it must be the file this log's keys were written to)`;
    case 'module-missing':
    case 'module-failed':
    case 'module-exports-nothing':
      return error.message;
  }
}

/** Any thrown value as the one line a person reads, and its exit code. */
export function describeFailure(error: unknown): { line: string; exitCode: ExitCode } {
  if (error instanceof CliError) return { line: firstLine(error.message), exitCode: error.exitCode };
  if (isRuntimeError(error)) return { line: runtimeErrorLine(error), exitCode: isUsageError(error) ? exitCodes.usage : exitCodes.failed };
  if (isEventStoreError(error)) return { line: `${firstLine(error.message)} (store: ${error.code})`, exitCode: exitCodes.failed };
  if (isProjectionError(error)) return { line: `${firstLine(error.message)} (${error.code})`, exitCode: error.code === 'invalid-query' ? exitCodes.usage : exitCodes.failed };
  if (isDomainError(error)) return { line: fromDomainError(error).message, exitCode: fromDomainError(error).exitCode };
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    // Node's system errors (ENOENT, EACCES, EPIPE) carry the path or syscall in their message.
    return { line: `${firstLine(error.message)}${typeof code === 'string' && !error.message.includes(code) ? ` (${code})` : ''}`, exitCode: exitCodes.failed };
  }
  return { line: String(error), exitCode: exitCodes.failed };
}

function isDomainError(value: unknown): value is DomainError {
  return typeof value === 'object' && value !== null && typeof (value as DomainError).code === 'string' && typeof (value as DomainError).message === 'string' && !(value instanceof Error);
}
