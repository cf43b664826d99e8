import { InMemoryEventStore, handle, type CommandContext, type CommandInput, type EventStore, type StoredEvent } from '@taawun/domain';
import { deterministicContext } from '@taawun/domain/testing';
import { loadInstituteRecord } from '@taawun/example-institute-record';

let recorded: Promise<StoredEvent[]> | undefined;

/** The institute's record (examples/institute-record), recorded once per test file in memory. */
export function instituteLog(): Promise<StoredEvent[]> {
  recorded ??= (async () => {
    const memory = new InMemoryEventStore();
    const report = await loadInstituteRecord(memory, deterministicContext('seed'));
    if (report.failures.length > 0) throw new Error(`the institute's record did not load: ${report.failures.map((f) => f.error.message).join('; ')}`);
    const log: StoredEvent[] = [];
    for await (const e of memory.readAll()) log.push(e);
    return log;
  })();
  return recorded;
}

/** Copy events into a store in log order, keeping their ids, dates and metadata. */
export async function copyInto(store: EventStore, events: readonly StoredEvent[]): Promise<void> {
  for (const e of events) {
    const result = await store.append(e.stream, [e], { expectedRevision: 'any' });
    if (!result.ok) throw new Error(`copying ${e.id} failed`);
  }
}

/** A clerk recording more after the record (fresh ids, so nothing collides with the seed's). */
export const laterClerk = (): CommandContext => {
  let clock = Date.parse('2025-03-01T08:00:00Z');
  return { actor: 'later-clerk', now: () => new Date((clock += 60_000)), newId: () => crypto.randomUUID() };
};

/** Run commands through the domain's handler, failing loudly on a rejection. */
export async function record(store: EventStore, commands: readonly CommandInput[], context: CommandContext = laterClerk()): Promise<void> {
  for (const command of commands) {
    const outcome = await handle(store, command, context);
    if (!outcome.ok) throw new Error(`${command.type} was refused: ${outcome.error.message}`);
  }
}

/** A held course with the ENM in `year`, with a named attendance figure. */
export const enmCourse = (id: string, year: string, attendance: number): CommandInput[] => [
  { type: 'ScheduleSession', sessionId: id, title: { fr: `Cours ${id}`, en: `Course ${id}` }, kind: 'course', partners: ['enm-france'], plannedFor: year },
  { type: 'RecordSessionHeld', sessionId: id, heldOn: year, attendance: { count: attendance, basis: 'total' } },
];
