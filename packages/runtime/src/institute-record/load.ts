import { handle, type CommandContext, type DomainError, type EventStore } from '@taawun/domain';
import { instituteRecord, type RecordEntry } from './record.js';

export interface LoadReport {
  /** Commands that wrote events now. */
  readonly recorded: number;
  /** Commands already in the store (same idempotency key): nothing written. */
  readonly alreadyPresent: number;
  readonly failures: readonly { readonly entry: RecordEntry; readonly error: DomainError }[];
}

/**
 * Load the institute's record through the public command handler. Each command
 * carries its fact number as `sourceRef` and a stable idempotency key, so a
 * second load adds nothing.
 */
export async function loadInstituteRecord(
  store: EventStore,
  context: Omit<CommandContext, 'idempotencyKey' | 'sourceRef'>,
): Promise<LoadReport> {
  let recorded = 0;
  let alreadyPresent = 0;
  const failures: { entry: RecordEntry; error: DomainError }[] = [];
  for (const entry of instituteRecord) {
    const result = await handle(store, entry.command, { ...context, sourceRef: entry.fact, idempotencyKey: entry.key });
    if (!result.ok) failures.push({ entry, error: result.error });
    else if (result.value.alreadyApplied) alreadyPresent++;
    else recorded++;
  }
  return { recorded, alreadyPresent, failures };
}
