import type { Reference } from '../aggregates/define.js';
import { domainError, type DomainError } from '../errors.js';
import { err, ok, type Result } from '../result.js';
import type { EventStore } from '../store/port.js';

/** Every partner, programme, agreement or participant a command names must be recorded: the first missing one is the error. */
export async function checkReferences(store: EventStore, references: readonly Reference[]): Promise<Result<void, DomainError>> {
  for (const reference of references) {
    const [found] = await store.readStream(reference.stream, { maxCount: 1 });
    if (!found) {
      return err(domainError('unknown-reference', `${reference.field} refers to ${reference.stream}, which is not recorded`, { fields: [reference.field] }));
    }
  }
  return ok(undefined);
}
