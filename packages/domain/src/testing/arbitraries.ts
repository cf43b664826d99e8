import fc from 'fast-check';
import type { Command } from '../catalogue/commands.js';
import { handle, type CommandContext } from '../command-handling/index.js';
import type { EventStore } from '../store/port.js';

/**
 * fast-check arbitraries for the domain: partial dates, multilingual text and
 * whole command sequences over small id pools (so commands refer to each other
 * and the rules are exercised). Used by the domain's properties and by every
 * package that needs "any generated log".
 */

const pad = (n: number) => String(n).padStart(2, '0');

const yearArb = fc.integer({ min: 1995, max: 2025 });
const monthArb = fc.integer({ min: 1, max: 12 });
const dayArb = fc.integer({ min: 1, max: 28 });

const pointArb = fc.oneof(
  yearArb.map(String),
  fc.tuple(yearArb, monthArb).map(([y, m]) => `${y}-${pad(m)}`),
  fc.tuple(yearArb, monthArb, dayArb).map(([y, m, d]) => `${y}-${pad(m)}-${pad(d)}`),
);

export const partialDateArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: pointArb },
  { weight: 2, arbitrary: fc.tuple(yearArb, fc.integer({ min: 0, max: 4 })).map(([y, span]) => `${y}/${y + span}`) },
  { weight: 1, arbitrary: fc.tuple(yearArb, monthArb, dayArb, fc.integer({ min: 0, max: 10 })).map(([y, m, d, k]) => `${y}-${pad(m)}-${pad(d)}/${y}-${pad(m)}-${pad(Math.min(28, d + k))}`) },
  { weight: 1, arbitrary: yearArb.map((y) => `../${y}`) },
  { weight: 1, arbitrary: yearArb.map((y) => `${y}/..`) },
  { weight: 1, arbitrary: fc.tuple(monthArb, dayArb).map(([m, d]) => `XXXX-${pad(m)}-${pad(d)}`) },
  { weight: 1, arbitrary: fc.constant('XXXX') },
);

const arabicWords = ['المعهد', 'العالي', 'للقضاء', 'دورة', 'تكوينية', 'الهجرة', 'اللجوء', 'قضاة', 'مكونين', 'اتفاقية'];
const frenchWords = ['École', 'nationale', 'magistrature', 'session', 'formation', 'formateurs', 'migration', 'asile', 'juges', 'coopération'];

const wordsArb = (words: string[]) => fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 4 }).map((w) => w.join(' '));

export const multilingualTextArb = fc
  .record(
    { ar: wordsArb(arabicWords), fr: wordsArb(frenchWords), en: fc.string({ minLength: 1, maxLength: 20 }) },
    { requiredKeys: [] },
  )
  .filter((t) => Object.keys(t).length > 0);

/** Small pools, so that random commands mostly refer to things that exist. */
export const pools = {
  partners: ['enm-france', 'giz', 'aecid', 'enabel', 'ssm-italy'],
  programmes: ['prog-a', 'prog-b'],
  sessions: ['s1', 's2', 's3'],
  participants: ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'],
  visits: ['v1', 'v2'],
  publications: ['pub1', 'pub2'],
  agreements: ['agr1', 'agr2'],
} as const;

const from = <T extends string>(ids: readonly T[]) => fc.constantFrom(...ids);
const partnersArb = fc.subarray([...pools.partners], { minLength: 1, maxLength: 3 });
const reasonArb = fc.constantFrom('typo in the source', 'بلاغ مصحح', 'date confirmed by the partner');
const sessionKindArb = fc.constantFrom('training-of-trainers', 'regional-session', 'course', 'specialised-session');
const formatArb = fc.constantFrom('in-person', 'remote');
const optionalProgramme = fc.option(from(pools.programmes), { nil: undefined });
/** A stated order (F3), one session in five: the session this one came after, whatever the dates say (a later correction may contradict them). */
const optionalFollowed = fc.oneof({ arbitrary: fc.constant(undefined), weight: 4 }, { arbitrary: from(pools.sessions), weight: 1 });
const strip = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

const commandArbs: fc.Arbitrary<Command>[] = [
  fc.record({ partnerId: from(pools.partners), name: multilingualTextArb, kind: fc.constantFrom('school', 'agency', 'embassy') })
    .map((c) => ({ type: 'RegisterPartner' as const, ...c })),
  fc.record({ partnerId: from(pools.partners), name: multilingualTextArb, effectiveOn: partialDateArb })
    .map((c) => ({ type: 'RenamePartner' as const, ...c })),
  fc.record({ agreementId: from(pools.agreements), partners: partnersArb, signedOn: partialDateArb, kind: fc.constantFrom('convention', 'protocol') })
    .map((c) => ({ type: 'SignAgreement' as const, signatories: [], areas: [], ...c })),
  fc.record({ agreementId: from(pools.agreements), amendedOn: partialDateArb, summary: multilingualTextArb })
    .map((c) => ({ type: 'AmendAgreement' as const, areasAdded: [], areasRemoved: [], ...c })),
  fc.record({ programmeId: from(pools.programmes), title: multilingualTextArb, partners: partnersArb, startedOn: partialDateArb })
    .map((c) => ({ type: 'LaunchProgramme' as const, themes: [], recurrence: 'once' as const, ...c })),
  fc.record({
    sessionId: from(pools.sessions), title: multilingualTextArb, kind: sessionKindArb, format: formatArb, partners: partnersArb,
    plannedFor: partialDateArb, capacity: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }), programmeId: optionalProgramme, follows: optionalFollowed,
  }).map((c) => strip({ type: 'ScheduleSession' as const, ...c })),
  fc.record({ sessionId: from(pools.sessions), plannedFor: partialDateArb }).map((c) => ({ type: 'RescheduleSession' as const, ...c })),
  fc.record({ sessionId: from(pools.sessions), reason: reasonArb }).map((c) => ({ type: 'CancelSession' as const, ...c })),
  fc.record({
    sessionId: from(pools.sessions), heldOn: partialDateArb,
    attendance: fc.option(fc.record({ count: fc.integer({ min: 0, max: 120 }), basis: fc.constantFrom('total', 'each-occurrence') }), { nil: undefined }),
    title: multilingualTextArb, kind: sessionKindArb, format: formatArb, partners: partnersArb, follows: optionalFollowed,
  }).map((c) => strip({ type: 'RecordSessionHeld' as const, ...c })),
  fc.record({ sessionId: from(pools.sessions), attendance: fc.record({ count: fc.integer({ min: 0, max: 120 }), basis: fc.constant('total' as const) }) })
    .map((c) => ({ type: 'RecordAttendance' as const, ...c })),
  fc.record({ sessionId: from(pools.sessions), participantId: from(pools.participants) })
    .map((c) => ({ type: 'EnrolParticipant' as const, role: 'trainee' as const, ...c })),
  fc.record({ sessionId: from(pools.sessions), participantId: from(pools.participants) })
    .map((c) => ({ type: 'WithdrawEnrolment' as const, ...c })),
  fc.record({ participantId: from(pools.participants), kind: fc.constantFrom('judge', 'judicial-attache', 'trainer-judge'), fullName: fc.option(multilingualTextArb, { nil: undefined }) })
    .map(({ fullName, ...c }) => ({ type: 'RegisterParticipant' as const, ...c, ...(fullName ? { personal: { fullName } } : {}) })),
  fc.record({ participantId: from(pools.participants), reason: reasonArb }).map((c) => ({ type: 'EraseParticipantData' as const, ...c })),
  fc.record({ visitId: from(pools.visits), direction: fc.constantFrom('outgoing', 'hosted'), partners: partnersArb, plannedFor: partialDateArb })
    .map((c) => ({ type: 'PlanStudyVisit' as const, ...c })),
  fc.record({ visitId: from(pools.visits), completedOn: partialDateArb, participantIds: fc.subarray([...pools.participants], { maxLength: 3 }), participantCount: fc.option(fc.integer({ min: 3, max: 12 }), { nil: undefined }) })
    .map((c) => strip({ type: 'CompleteStudyVisit' as const, ...c })),
  fc.record({ publicationId: from(pools.publications), kind: fc.constantFrom('guide', 'curriculum', 'module'), title: multilingualTextArb, partners: partnersArb, preparedOn: partialDateArb })
    .map((c) => ({ type: 'RecordPublicationPrepared' as const, ...c })),
  fc.record({ publicationId: from(pools.publications), plannedFor: partialDateArb }).map((c) => ({ type: 'PlanPublication' as const, ...c })),
  fc.record({ publicationId: from(pools.publications), publishedOn: partialDateArb }).map((c) => ({ type: 'RecordPublicationPublished' as const, ...c })),
  fc.record({ instituteId: fc.constant('ism'), name: multilingualTextArb }).map((c) => ({ type: 'RegisterInstitute' as const, ...c })),
  fc.record({ instituteId: fc.constant('ism'), name: multilingualTextArb, effectiveOn: partialDateArb }).map((c) => ({ type: 'RenameInstitute' as const, ...c })),
  fc.record({ partnerId: from(pools.partners), acronym: fc.constantFrom('ENM', 'GIZ', 'AECID'), reason: reasonArb })
    .map(({ acronym, ...c }) => ({ type: 'CorrectPartnerDetails' as const, changes: { acronym }, ...c })),
  fc.record({ agreementId: from(pools.agreements), terminatedOn: partialDateArb, reason: reasonArb }).map((c) => ({ type: 'TerminateAgreement' as const, ...c })),
  fc.record({ programmeId: from(pools.programmes), closedOn: partialDateArb }).map((c) => ({ type: 'CloseProgramme' as const, ...c })),
  fc.record({ participantId: from(pools.participants), fullName: multilingualTextArb, reason: reasonArb })
    .map(({ fullName, ...c }) => ({ type: 'CorrectParticipantPersonalData' as const, personal: { fullName }, ...c })),
  fc.record({ visitId: from(pools.visits), reason: reasonArb }).map((c) => ({ type: 'CancelStudyVisit' as const, ...c })),
  // The target is resolved when the command runs (see `recordCommands`): the first event of the stream.
  fc.record({
    stream: fc.constantFrom(...pools.sessions.map((s) => `session-${s}`), ...pools.publications.map((p) => `publication-${p}`)),
    title: multilingualTextArb,
    reason: reasonArb,
  }).map(({ title, ...c }) => ({ type: 'CorrectRecord' as const, eventId: firstEventOfStream, changes: { title }, ...c })),
];

/** Any single command over the pools; plans weigh more, so later commands find something to act on. */
export const commandArb: fc.Arbitrary<Command> = fc.oneof(
  ...commandArbs.map((arbitrary, i) => ({ arbitrary, weight: i === 5 || i === 10 ? 4 : 1 })),
);

/** A sequence of commands; registrations come first so later commands mostly find their references. */
export const commandSequenceArb = (maxLength = 60): fc.Arbitrary<Command[]> =>
  fc.array(commandArb, { minLength: Math.floor(maxLength / 2), maxLength }).map((commands) => {
    const registrations: Command[] = [
      ...pools.partners.map((partnerId) => ({ type: 'RegisterPartner' as const, partnerId, name: { en: partnerId }, kind: 'school' as const })),
      ...pools.programmes.map((programmeId) => ({
        type: 'LaunchProgramme' as const, programmeId, title: { en: programmeId }, partners: [pools.partners[0]], themes: [], startedOn: '2015', recurrence: 'once' as const,
      })),
      ...pools.participants.slice(0, 4).map((participantId) => ({ type: 'RegisterParticipant' as const, participantId, kind: 'judge' as const })),
    ];
    return [...registrations, ...commands];
  });

/** A deterministic context: a clock that ticks one minute per call and counter-based uuid v7-shaped ids. */
export function deterministicContext(actor = 'test-clerk', start = Date.parse('2024-01-01T08:00:00Z')): CommandContext & { tick: () => void } {
  let clock = start;
  let ids = 0;
  return {
    actor,
    now: () => new Date((clock += 60_000)),
    newId: () => `00000000-0000-7000-8000-${(++ids).toString(16).padStart(12, '0')}`,
    tick: () => void (clock += 60_000),
  };
}

/** In a generated `CorrectRecord`, this event id stands for the first event of the named stream. */
export const firstEventOfStream = '00000000-0000-0000-0000-000000000000';

/** Run commands through the real handler into a store; rejected commands are simply not recorded. */
export async function recordCommands(store: EventStore, commands: readonly Command[], context: CommandContext = deterministicContext()): Promise<void> {
  for (const command of commands) {
    if (command.type === 'CorrectRecord' && command.eventId === firstEventOfStream) {
      const [first] = await store.readStream(command.stream, { maxCount: 1 });
      if (first) await handle(store, { ...command, eventId: first.id }, context);
      continue;
    }
    await handle(store, command, context);
  }
}
