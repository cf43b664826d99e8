/**
 * Realistic institute activity as a stream of commands, deterministic from a
 * seed: the institute and its partners, agreements, programmes, training
 * sessions with enrolments and attendance, study visits, publications, renames
 * and corrections, in Arabic and French. The commands are what a clerk would
 * send; `decidedLog` (log.mjs) turns them into the events the deciders produce.
 *
 * The log spans twenty years (2005-2025) whatever its size: `events` sets how
 * fast the simulated clock moves, so a bigger log is a busier institute, with
 * more partners and participants, not a longer one.
 */
import { Random } from './random.mjs';
import {
  areas,
  audiences,
  correctionReasons,
  countries,
  familyNames,
  givenNames,
  knownPartners,
  moroccanCities,
  partnerKinds,
  sessionKinds,
  themes,
} from './vocabulary.mjs';

const DAY = 86_400_000;
const START = Date.UTC(2005, 0, 3, 8, 0, 0);
const SPAN = Date.UTC(2025, 0, 1) - START;

const actors = ['clerk:amina', 'clerk:youssef', 'clerk:salma', 'import:archives'];
const instituteId = 'ism-morocco';

/** @param {number} ms */
const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);
/** @param {number} ms */
const isoMonth = (ms) => new Date(ms).toISOString().slice(0, 7);
/** @param {number} ms */
const yearOf = (ms) => new Date(ms).getUTCFullYear();

/**
 * @typedef {object} CommandItem
 * @property {Record<string, unknown> & { type: string }} command  the command, as a client sends it
 * @property {number} at      when it is recorded (ms since the epoch)
 * @property {string} id      the id of the event it produces (uuid v7 at `at`)
 * @property {string} actor
 * @property {string} [sourceRef]
 * @property {string} [ends]  the stream this command closes: nothing more will be written to it
 */

/**
 * Commands without end. The first `events` of them make a log of that many
 * events (each command here produces exactly one event); the ones after it are
 * the sample sent one by one through the command handler.
 * @param {{ seed: number; events: number }} options
 * @returns {Generator<CommandItem>}
 */
export function* institutionCommands({ seed, events }) {
  const rng = new Random(seed);
  const step = SPAN / Math.max(1, events);
  const targetPartners = 20 + Math.ceil(events / 2000);
  const targetParticipants = Math.max(60, Math.ceil(events / 40));
  let now = START;
  let counter = 0;
  /** @type {string[]} */ const partners = [];
  /** @type {string[]} */ const participants = [];
  /** @type {string[]} */ const openProgrammes = [];
  /** @type {string[]} */ const agreementsInForce = [];
  let instituteName = { fr: 'Institut national d’études judiciaires', ar: 'المعهد الوطني للدراسات القضائية' };
  let renamedInstitute = false;

  const nextId = (prefix) => `${prefix}-${yearOf(now)}-${(counter++).toString(36)}`;
  /** @returns {CommandItem} */
  const item = (command, extra = {}) => {
    now += step * (0.5 + rng.next());
    return {
      command,
      at: Math.round(now),
      id: rng.uuidV7(Math.round(now)),
      actor: rng.pick(actors),
      ...(rng.chance(0.3) ? { sourceRef: `PV-${yearOf(now)}-${rng.int(1, 999)}` } : {}),
      ...extra,
    };
  };
  /** A past date as precisely as a clerk knows it; never after today. */
  const pastDate = () => {
    const when = now - rng.int(0, 40) * DAY;
    const precision = rng.weighted({ day: 72, month: 10, year: 5, range: 8, before: 2, noYear: 1, unknown: 2 });
    switch (precision) {
      case 'day': return isoDay(when);
      case 'month': return isoMonth(when);
      case 'year': return String(yearOf(when));
      case 'range': return `${isoDay(when - rng.int(1, 5) * DAY)}/${isoDay(when)}`;
      case 'before': return `../${yearOf(when)}`;
      case 'noYear': return `XXXX-${isoDay(when).slice(5)}/XXXX-${isoDay(when).slice(5)}`;
      default: return 'XXXX';
    }
  };
  const text = (fr, ar) => (rng.chance(0.1) ? { fr } : rng.chance(0.1) ? { ar } : { fr, ar });
  const somePartners = () => rng.sample(partners, rng.weighted({ 1: 70, 2: 22, 3: 8 }));
  const someThemes = (n) => rng.sample(themes, n).map((t) => t.id);

  function* registerPartner() {
    const kind = rng.pick(partnerKinds);
    const country = rng.pick(countries);
    const partnerId = nextId(`${kind.kind}-${country.code.toLowerCase()}`);
    partners.push(partnerId);
    yield item({
      type: 'RegisterPartner',
      partnerId,
      kind: kind.kind,
      country: country.code,
      name: { fr: `${kind.fr} (${country.fr})`, ar: `${kind.ar} - ${country.ar}` },
      ...(rng.chance(0.3) ? { acronym: `${kind.kind.slice(0, 3).toUpperCase()}${country.code}` } : {}),
    });
  }

  function* registerParticipant() {
    const kind = rng.weighted({ judge: 40, 'judicial-attache': 30, 'trainer-judge': 12, 'court-clerk': 10, 'foreign-trainee-judge': 5, expert: 3 });
    const participantId = nextId(kind === 'judicial-attache' ? 'attache' : 'p');
    participants.push(participantId);
    const given = rng.pick(givenNames);
    const family = rng.pick(familyNames);
    yield item({
      type: 'RegisterParticipant',
      participantId,
      kind,
      ...(kind === 'judicial-attache' ? { cohort: yearOf(now) - 1975 } : {}),
      ...(kind === 'foreign-trainee-judge' ? { nationality: rng.pick(countries).code } : { nationality: 'MA' }),
      ...(rng.chance(0.9)
        ? { personal: { fullName: { fr: `${given.fr} ${family.fr}`, ar: `${given.ar} ${family.ar}` }, ...(rng.chance(0.4) ? { email: `${participantId}@justice.example.ma` } : {}) } }
        : {}),
    });
  }

  /** Participants for a session: known ones, and new ones registered first. */
  function* chooseParticipants(count, chosen) {
    const newShare = participants.length < targetParticipants ? 0.45 : 0.04;
    for (let i = 0; i < count; i++) {
      if (participants.length < 5 || rng.chance(newShare)) {
        yield* registerParticipant();
        chosen.add(participants.at(-1));
      } else {
        chosen.add(rng.pick(participants));
      }
    }
  }

  function sessionDetails() {
    const kind = rng.pick(sessionKinds);
    const theme = rng.pick(themes);
    const audience = rng.chance(0.5) ? rng.pick(audiences) : undefined;
    return {
      title: text(`${kind.fr} : ${theme.fr}`, `${kind.ar} حول ${theme.ar}`),
      kind: kind.kind,
      ...(rng.chance(0.8) ? { format: rng.chance(0.8) ? 'in-person' : 'remote' } : {}),
      partners: somePartners(),
      ...(openProgrammes.length > 0 && rng.chance(0.35) ? { programmeId: rng.pick(openProgrammes) } : {}),
      themes: [theme.id],
      ...(rng.chance(0.7) ? { place: rng.pick(moroccanCities) } : {}),
      ...(audience ? { audience } : {}),
      ...(audience === audiences[0] ? { cohorts: [yearOf(now) - 1975] } : {}),
    };
  }

  function* plannedSession() {
    const sessionId = nextId('session');
    const stream = `session-${sessionId}`;
    const capacity = rng.chance(0.3) ? rng.int(15, 40) : undefined;
    const chosen = new Set();
    yield* chooseParticipants(Math.min(capacity ?? 99, rng.int(4, 34)), chosen);
    const details = sessionDetails();
    yield item({ type: 'ScheduleSession', sessionId, ...details, ...(capacity ? { capacity } : {}), plannedFor: isoDay(now + rng.int(0, 30) * DAY) });
    if (rng.chance(0.08)) yield item({ type: 'RescheduleSession', sessionId, plannedFor: isoDay(now + rng.int(5, 40) * DAY), ...(rng.chance(0.5) ? { reason: 'indisponibilité des experts' } : {}) });
    const enrolled = [];
    for (const participantId of chosen) {
      yield item({ type: 'EnrolParticipant', sessionId, participantId, role: rng.chance(0.9) ? 'trainee' : 'trainer', ...(rng.chance(0.5) ? { enrolledOn: isoDay(now) } : {}) });
      enrolled.push(participantId);
    }
    if (enrolled.length > 1 && rng.chance(0.06)) {
      const participantId = enrolled.splice(rng.int(0, enrolled.length - 1), 1)[0];
      yield item({ type: 'WithdrawEnrolment', sessionId, participantId, ...(rng.chance(0.5) ? { reason: 'empêchement' } : {}) });
    }
    if (rng.chance(0.04)) {
      yield item({ type: 'CancelSession', sessionId, reason: rng.pick(['crise sanitaire (COVID-19)', 'report à une date ultérieure', 'إلغاء بطلب من الشريك']) }, { ends: stream });
      return;
    }
    const correcting = rng.chance(0.05);
    const revising = rng.chance(0.2);
    const held = item(
      { type: 'RecordSessionHeld', sessionId, heldOn: rng.chance(0.85) ? isoDay(now) : pastDate(), attendance: { count: Math.max(0, enrolled.length - rng.int(0, 3)), basis: 'total' } },
      correcting || revising ? {} : { ends: stream },
    );
    yield held;
    if (revising) {
      yield item({ type: 'RecordAttendance', sessionId, attendance: { count: enrolled.length + rng.int(0, 10), basis: 'total' }, ...(rng.chance(0.3) ? { note: { fr: 'auditeurs libres inclus' } } : {}) }, correcting ? {} : { ends: stream });
    }
    if (correcting) {
      const place = rng.pick(moroccanCities.filter((c) => c !== details.place));
      yield item({ type: 'CorrectRecord', stream, eventId: held.id, changes: { place }, reason: rng.pick(correctionReasons) }, { ends: stream });
    }
  }

  /** A series the source counts without names: "6 regional sessions with 20 judges each". */
  function* unplannedSession() {
    const sessionId = nextId('session');
    const occurrences = rng.chance(0.2) ? 'several' : rng.int(2, 8);
    yield item(
      {
        type: 'RecordSessionHeld',
        sessionId,
        ...sessionDetails(),
        occurrences,
        heldOn: pastDate(),
        ...(rng.chance(0.8) ? { attendance: { count: rng.int(10, 70), basis: occurrences === 'several' ? 'total' : 'each-occurrence' } } : {}),
      },
      { ends: `session-${sessionId}` },
    );
  }

  function* studyVisit() {
    const visitId = nextId('visit');
    const direction = rng.chance(0.6) ? 'outgoing' : 'hosted';
    const country = rng.pick(countries);
    yield item({
      type: 'PlanStudyVisit',
      visitId,
      direction,
      ...(rng.chance(0.7) ? { title: text(`Visite d’étude à ${country.city.fr}`, `زيارة دراسية إلى ${country.city.ar}`) } : {}),
      partners: somePartners(),
      destination: direction === 'outgoing' ? country.city : moroccanCities[0],
      plannedFor: isoDay(now + rng.int(0, 60) * DAY),
      ...(rng.chance(0.5) ? { themes: someThemes(rng.int(1, 2)) } : {}),
    });
    if (rng.chance(0.15)) {
      yield item({ type: 'CancelStudyVisit', visitId, reason: 'visas non obtenus' }, { ends: `visit-${visitId}` });
      return;
    }
    const named = rng.sample(participants, rng.int(0, 4));
    yield item(
      { type: 'CompleteStudyVisit', visitId, completedOn: rng.chance(0.8) ? isoDay(now) : pastDate(), participantIds: named, ...(rng.chance(0.6) ? { participantCount: named.length + rng.int(0, 6) } : {}) },
      { ends: `visit-${visitId}` },
    );
  }

  function* signAgreement() {
    const agreementId = nextId('agreement');
    const parties = somePartners();
    agreementsInForce.push(agreementId);
    yield item({
      type: 'SignAgreement',
      agreementId,
      kind: rng.pick(['convention', 'protocol', 'memorandum', 'agreement']),
      ...(rng.chance(0.6) ? { title: text('Convention de coopération en matière de formation judiciaire', 'اتفاقية تعاون في مجال التكوين القضائي') } : {}),
      partners: parties,
      instituteName,
      signatories: [
        { party: 'institute', role: { fr: 'Directeur général', ar: 'المدير العام' } },
        { party: parties[0], role: { fr: 'Président', ar: 'الرئيس' } },
      ],
      place: rng.pick([...moroccanCities.slice(0, 2), ...countries.map((c) => c.city)]),
      signedOn: rng.chance(0.9) ? isoDay(now - rng.int(0, 20) * DAY) : pastDate(),
      areas: rng.sample(areas, rng.int(1, 4)),
    });
  }

  function* amendOrTerminateAgreement() {
    if (agreementsInForce.length === 0) return yield* signAgreement();
    const agreementId = rng.pick(agreementsInForce);
    if (rng.chance(0.7)) {
      yield item({ type: 'AmendAgreement', agreementId, amendedOn: isoDay(now), summary: text('Avenant élargissant les domaines de coopération', 'ملحق يوسع مجالات التعاون'), areasAdded: rng.sample(areas, 1) });
    } else {
      agreementsInForce.splice(agreementsInForce.indexOf(agreementId), 1);
      yield item({ type: 'TerminateAgreement', agreementId, terminatedOn: isoDay(now), reason: 'arrivée à échéance' });
    }
  }

  function* launchProgramme() {
    const programmeId = nextId('programme');
    const theme = rng.pick(themes);
    openProgrammes.push(programmeId);
    yield item({
      type: 'LaunchProgramme',
      programmeId,
      title: text(`Programme de coopération : ${theme.fr}`, `برنامج التعاون: ${theme.ar}`),
      partners: somePartners(),
      themes: [theme.id],
      startedOn: rng.chance(0.7) ? isoDay(now) : String(yearOf(now)),
      recurrence: rng.chance(0.3) ? 'annual' : 'once',
      ...(agreementsInForce.length > 0 && rng.chance(0.3) ? { agreementId: rng.pick(agreementsInForce) } : {}),
    });
  }

  function* closeProgramme() {
    if (openProgrammes.length < 3) return yield* launchProgramme();
    const programmeId = openProgrammes.splice(rng.int(0, openProgrammes.length - 1), 1)[0];
    yield item({ type: 'CloseProgramme', programmeId, closedOn: isoDay(now), ...(rng.chance(0.5) ? { reason: 'objectifs atteints' } : {}) }, { ends: `programme-${programmeId}` });
  }

  function* publication() {
    const publicationId = nextId('publication');
    const theme = rng.pick(themes);
    const kind = rng.pick(['guide', 'curriculum', 'module']);
    const onlyPrepared = rng.chance(0.3); // prepared, never (yet) published: F7 before F8
    yield item({
      type: 'RecordPublicationPrepared',
      publicationId,
      kind,
      title: text(`${kind === 'guide' ? 'Guide' : kind === 'curriculum' ? 'Curriculum' : 'Module'} : ${theme.fr}`, `دليل حول ${theme.ar}`),
      partners: somePartners(),
      ...(openProgrammes.length > 0 && rng.chance(0.5) ? { programmeId: rng.pick(openProgrammes) } : {}),
      themes: [theme.id],
      preparedOn: rng.chance(0.7) ? isoDay(now) : pastDate(),
    }, onlyPrepared ? { ends: `publication-${publicationId}` } : {});
    if (onlyPrepared) return;
    if (rng.chance(0.5)) yield item({ type: 'PlanPublication', publicationId, plannedFor: `${yearOf(now)}-12` });
    yield item({ type: 'RecordPublicationPublished', publicationId, publishedOn: isoDay(now) }, { ends: `publication-${publicationId}` });
  }

  function* partnerChange() {
    const partnerId = rng.pick(partners);
    if (rng.chance(0.5)) {
      yield item({ type: 'RenamePartner', partnerId, name: text(`Nouvelle dénomination ${counter++}`, `التسمية الجديدة ${counter}`), effectiveOn: isoDay(now) });
    } else {
      yield item({ type: 'CorrectPartnerDetails', partnerId, changes: { acronym: `P${(counter++).toString(36).toUpperCase()}` }, reason: 'sigle officiel communiqué par le partenaire' });
    }
  }

  function* participantChange() {
    if (participants.length < 10) return yield* registerParticipant();
    const index = rng.int(0, participants.length - 1);
    const participantId = participants[index];
    if (rng.chance(0.1)) {
      participants.splice(index, 1); // erased people are not enrolled again in this log
      yield item({ type: 'EraseParticipantData', participantId, reason: 'demande d’effacement (loi 09-08)' });
    } else {
      const given = rng.pick(givenNames);
      const family = rng.pick(familyNames);
      yield item({ type: 'CorrectParticipantPersonalData', participantId, personal: { fullName: { fr: `${given.fr} ${family.fr}`, ar: `${given.ar} ${family.ar}` } }, reason: 'orthographe du nom corrigée' });
    }
  }

  yield item({ type: 'RegisterInstitute', instituteId, name: instituteName });
  for (const partner of knownPartners) {
    partners.push(partner.partnerId);
    yield item({ type: 'RegisterPartner', ...partner });
  }
  for (;;) {
    if (!renamedInstitute && now > START + SPAN * 0.55) {
      renamedInstitute = true;
      instituteName = { fr: 'Institut supérieur de la magistrature', ar: 'المعهد العالي للقضاء' };
      yield item({ type: 'RenameInstitute', instituteId, name: instituteName, effectiveOn: isoDay(now) });
    }
    const activity = rng.weighted({
      plannedSession: 68, unplannedSession: 6, studyVisit: 7, signAgreement: 2, amendOrTerminateAgreement: 2,
      launchProgramme: 2, closeProgramme: 1, publication: 3, partner: 3, participantChange: 6,
    });
    if (activity === 'partner') yield* partners.length < targetPartners || rng.chance(0.3) ? registerPartner() : partnerChange();
    else if (activity === 'plannedSession') yield* plannedSession();
    else if (activity === 'unplannedSession') yield* unplannedSession();
    else if (activity === 'studyVisit') yield* studyVisit();
    else if (activity === 'signAgreement') yield* signAgreement();
    else if (activity === 'amendOrTerminateAgreement') yield* amendOrTerminateAgreement();
    else if (activity === 'launchProgramme') yield* launchProgramme();
    else if (activity === 'closeProgramme') yield* closeProgramme();
    else if (activity === 'publication') yield* publication();
    else yield* participantChange();
  }
}
