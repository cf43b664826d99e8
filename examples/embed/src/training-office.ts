import { handle, newEventId, type CommandContext, type CommandInput } from '@taawun/domain';
import { partnerHistoryReadModel, type PartnerHistory } from '@taawun/projections';
import { openRuntime } from '@taawun/runtime';

/**
 * A training office's own system, embedding taawun: it keeps the institute's
 * log in a SQLite file it already has, records what its staff enter, and reads
 * the read models back. Everything goes through the public API.
 */
export interface TrainingOffice {
  /** Record a command; the idempotency key makes a retried (or re-run) request count once. */
  record(command: CommandInput, idempotencyKey: string): Promise<'recorded' | 'already recorded'>;
  history(partnerId: string): Promise<PartnerHistory>;
  close(): Promise<void>;
}

export async function openTrainingOffice(file: string, actor: string): Promise<TrainingOffice> {
  // The log and participants' keys in the same file; names are sealed at rest, erasable.
  const runtime = await openRuntime(`sqlite:${file}`);
  const store = runtime.store;
  // Answers from the read models kept in the same file, brought up to the log's head before each answer.
  const { queries, close: closeQueries } = await runtime.openQueries({ catchUp: true });
  const context: Omit<CommandContext, 'idempotencyKey'> = { actor, now: () => new Date(), newId: newEventId };
  return {
    async record(command, idempotencyKey) {
      const result = await handle(store, command, { ...context, idempotencyKey });
      if (result.ok) return result.value.alreadyApplied ? 'already recorded' : 'recorded';
      // The partner may be registered already (by `taawun seed`, by a colleague): that is fine.
      if (result.error.code === 'already-exists' && command.type === 'RegisterPartner') return 'already recorded';
      throw new Error(`${command.type}: ${result.error.message} (${result.error.code})`);
    },
    async history(partnerId) {
      const answer = await queries.query(partnerHistoryReadModel, { partnerId });
      if (!answer.ok) throw new Error(answer.error.message);
      return answer.value.result;
    },
    close: async () => {
      await closeQueries();
      await runtime.close();
    },
  };
}

/** What the office records: a workshop with ENM, one named participant enrolled, then held. */
export const workshop: readonly { readonly key: string; readonly command: CommandInput }[] = [
  {
    key: 'training-office/partner-enm',
    command: {
      type: 'RegisterPartner',
      partnerId: 'enm-france',
      name: { ar: 'المدرسة الوطنية للقضاء بفرنسا', fr: 'École nationale de la magistrature', en: 'National School for the Judiciary (France)' },
      kind: 'school',
      country: 'FR',
      acronym: 'ENM',
    },
  },
  {
    key: 'training-office/workshop-2024-03/scheduled',
    command: {
      type: 'ScheduleSession',
      sessionId: 'enm-ethics-workshop-2024-03',
      title: { ar: 'ورشة حول أخلاقيات المهنة القضائية', fr: 'Atelier sur la déontologie judiciaire', en: 'Workshop on judicial ethics' },
      kind: 'workshop',
      format: 'in-person',
      partners: ['enm-france'],
      themes: ['judicial-ethics'],
      plannedFor: '2024-03-12/2024-03-14',
    },
  },
  {
    key: 'training-office/workshop-2024-03/participant',
    command: {
      type: 'RegisterParticipant',
      participantId: 'attache-47-0193a5c2',
      kind: 'judicial-attache',
      cohort: 47,
      personal: { fullName: { ar: 'سلمى بناني', fr: 'Salma Bennani' } },
    },
  },
  {
    key: 'training-office/workshop-2024-03/enrolled',
    command: { type: 'EnrolParticipant', sessionId: 'enm-ethics-workshop-2024-03', participantId: 'attache-47-0193a5c2', role: 'trainee' },
  },
  {
    key: 'training-office/workshop-2024-03/held',
    command: { type: 'RecordSessionHeld', sessionId: 'enm-ethics-workshop-2024-03', heldOn: '2024-03-12/2024-03-14', attendance: { count: 24, basis: 'total' } },
  },
];
