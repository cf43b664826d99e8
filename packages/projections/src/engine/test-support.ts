import { handle, type CommandContext, type CommandInput, type EventStore } from '@taawun/domain';
import { deterministicContext } from '@taawun/domain/testing';

const contexts = new WeakMap<EventStore, CommandContext>();

/** Record commands through the real handler, failing loudly on a rejection (tests build exact logs). One clock and id source per store. */
export async function record(store: EventStore, commands: readonly CommandInput[], context?: CommandContext): Promise<void> {
  const using = context ?? contexts.get(store) ?? deterministicContext();
  contexts.set(store, using);
  for (const command of commands) {
    const outcome = await handle(store, command, using);
    if (!outcome.ok) throw new Error(`${command.type} rejected: ${outcome.error.message}`);
  }
}

export const partner = (partnerId: string, name = partnerId): CommandInput => ({ type: 'RegisterPartner', partnerId, name: { en: name }, kind: 'school' });

export const heldSession = (sessionId: string, heldOn: string, extra: Record<string, unknown> = {}): CommandInput =>
  ({
    type: 'RecordSessionHeld',
    sessionId,
    title: { en: sessionId },
    kind: 'training-session',
    partners: ['giz'],
    heldOn,
    ...extra,
  }) as CommandInput;
