import type { Command } from '../catalogue/commands.js';
import { eventDefinition, type DomainEvent } from '../catalogue/events.js';
import { domainError, type DomainError } from '../errors.js';
import { err, ok, type Result } from '../result.js';
import type { EventToAppend } from '../store/envelope.js';
import { idempotentEventId } from '../values/ids.js';
import type { CommandContext } from './context.js';
import { commandFingerprint } from './idempotency.js';

/** The decided events as the store takes them: data checked, ids, schema version, and the metadata auditing depends on. */
export function toAppend(events: readonly DomainEvent[], command: Command, context: CommandContext, recordedAt: string): Result<EventToAppend[], DomainError> {
  const out: EventToAppend[] = [];
  for (const [index, event] of events.entries()) {
    const definition = eventDefinition(event.type)!;
    // Belt and braces: what leaves the decider is checked against the schema it will be read back with.
    const checked = definition.data.safeParse(event.data);
    if (!checked.success) return err(domainError('invalid-command', `${event.type} would be invalid: ${checked.error.message}`));
    const id = context.idempotencyKey ? idempotentEventId(context.idempotencyKey, index) : context.newId();
    const correlationId = context.correlationId ?? id;
    const occurredOn = definition.occurredOn(checked.data);
    out.push({
      id,
      type: event.type,
      schemaVersion: definition.schemaVersion,
      data: checked.data,
      recordedAt,
      metadata: {
        actor: context.actor,
        correlationId,
        causationId: context.causationId ?? correlationId,
        commandType: command.type,
        ...(occurredOn === undefined ? {} : { occurredOn }),
        ...(context.sourceRef ? { sourceRef: context.sourceRef } : {}),
        ...(context.idempotencyKey ? { idempotencyKey: context.idempotencyKey, commandFingerprint: commandFingerprint(command) } : {}),
      },
    });
  }
  return ok(out);
}
