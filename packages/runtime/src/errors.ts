/**
 * Why a store could not be opened as asked, before any adapter was involved
 * (an adapter's own failures are `EventStoreError`s). Programs phrase these for
 * their own options: the CLI, for instance, names `--store` and `--keys`.
 */
export type RuntimeErrorCode =
  /** The store URL is not one of `sqlite:PATH`, `memory:`, `postgres://…`, `esdb://…` (bad usage). */
  | 'invalid-store-url'
  /** The key store URL is not `sqlite:PATH` or `memory:` (bad usage). */
  | 'invalid-keys-url'
  /** The store keeps no participants' keys beside its log: a key store must be given (bad usage). */
  | 'keys-required'
  /** `mustExist`: the store holds no log (a missing SQLite file, a PostgreSQL schema without the log). */
  | 'store-missing'
  /** `mustExist`: the separate key file does not exist. */
  | 'keys-missing'
  /** A module of read models or a projection does not exist (bad usage). */
  | 'module-missing'
  /** A module could not be loaded (it threw, or is not JavaScript). */
  | 'module-failed'
  /** A module exports no read model and no projection, or several projections and none chosen (bad usage). */
  | 'module-exports-nothing';

export interface RuntimeErrorDetails {
  /** The store as messages name it (`describeLocation`). */
  readonly location?: string;
  /** The file concerned (a key file). */
  readonly file?: string;
}

export class RuntimeError extends Error {
  override readonly name = 'RuntimeError';
  constructor(
    readonly code: RuntimeErrorCode,
    message: string,
    readonly details: RuntimeErrorDetails = {},
  ) {
    super(message);
  }
}

export const isRuntimeError = (value: unknown): value is RuntimeError =>
  value instanceof Error && value.name === 'RuntimeError' && typeof (value as { code?: unknown }).code === 'string';

/** The error codes that mean the program was asked for something it cannot do (bad usage), not that something failed. */
export const isUsageError = (error: RuntimeError): boolean =>
  ['invalid-store-url', 'invalid-keys-url', 'keys-required', 'module-missing', 'module-exports-nothing'].includes(error.code);
