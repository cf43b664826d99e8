import type { CommandInput } from '@taawun/domain';
import { institute, partners } from './partners.js';

/**
 * Every fact of the source text (DOMAIN.md, F1 to F18) as commands. Each entry
 * names its fact (kept as the events' `sourceRef`) and a stable idempotency
 * key, so loading the record twice adds nothing.
 *
 * What the text leaves unknown stays unknown: `XXXX` for a date not stated,
 * `../2022` for "before the end of 2022", no format where the text does not
 * say remote or in person, no names for people the text does not name, and a
 * plan (F8) stays a plan.
 */
export interface RecordEntry {
  readonly fact: string;
  readonly key: string;
  readonly command: CommandInput;
}

const entry = (fact: string, key: string, command: CommandInput): RecordEntry => ({ fact, key: `institute-record/${fact}/${key}`, command });

/**
 * The source of what the record holds beyond the text: the institute's
 * registry of partners, distinct from the facts F1 to F18.
 */
export const registrySource = 'registry:partners';

const vivreEnsemble = 'vivre-ensemble';
const enabelProgramme = 'enabel-migrants-rights';
const enmProgramme = 'enm-annual-programme';
const enabelGuide = 'enabel-guide-migration-asylum';
const enmCourseProgramme = 'enm-new-judges-course';

export const instituteRecord: readonly RecordEntry[] = [
  // The institute under its former name (F12), and its present name (F14). The
  // text dates neither change: the new name was taken after 16 Nov 1998 and by 19 Feb 2016.
  entry('F12', 'institute', { type: 'RegisterInstitute', instituteId: institute.id, name: institute.formerName }),
  entry('F14', 'institute-renamed', { type: 'RenameInstitute', instituteId: institute.id, name: institute.currentName, effectiveOn: '1998-11-16/2016-02-19' }),

  // F1: agreement with the Italian Higher School of the Judiciary, Rome, 15 Dec 2022.
  entry('F1', 'partner', partners.ssmItaly),
  entry('F1', 'agreement', {
    type: 'SignAgreement',
    agreementId: 'ssm-italy-2022',
    kind: 'agreement',
    title: { ar: 'اتفاقية تعاون تهدف إلى تطوير التعاون في مجال التكوين القضائي', en: 'Cooperation agreement to develop cooperation in judicial training' },
    partners: ['ssm-italy'],
    instituteName: institute.currentName,
    signatories: [
      { party: 'institute', role: { ar: 'المدير العام للمعهد العالي للقضاء', en: 'Director-General of the institute' } },
      { party: 'ssm-italy', role: { ar: 'رئيس المدرسة العليا الإيطالية للقضاء', en: 'President of the school' }, name: { ar: 'جورجيو لاتانزي', en: 'Giorgio Lattanzi' } },
    ],
    place: { ar: 'روما', en: 'Rome' },
    signedOn: '2022-12-15',
    areas: [
      { ar: 'تطوير برامج التكوين والبحث المشتركة', en: 'Joint training and research programmes' },
      { ar: 'تنظيم اللقاءات وتبادل الزيارات', en: 'Meetings and exchange of visits' },
      { ar: 'استضافة المكونين', en: 'Hosting trainers' },
      { ar: 'التعاون في إعداد ونشر النصوص والمواد العلمية', en: 'Preparing and publishing scientific texts and materials' },
    ],
  }),

  // F2: GIZ guide on refugees' rights, prepared by 2018.
  entry('F2', 'partner', partners.giz),
  entry('F2', 'guide', {
    type: 'RecordPublicationPrepared',
    publicationId: 'giz-refugee-rights-guide',
    kind: 'guide',
    title: { ar: 'دليل حول حماية حقوق اللاجئين', en: "Guide on protecting refugees' rights" },
    partners: ['giz'],
    themes: ['refugee-rights'],
    preparedOn: '../2018',
  }),

  // F3: several training-of-trainers sessions at the institute, then 6 regional sessions of 20 judges each, in 2018.
  entry('F3', 'tot-sessions', {
    type: 'RecordSessionHeld',
    sessionId: 'giz-tot-2018',
    title: { ar: 'دورات لتكوين المكونين', en: 'Training-of-trainers sessions' },
    kind: 'training-of-trainers',
    partners: ['giz'],
    place: { ar: 'بالمعهد', en: 'At the institute' },
    occurrences: 'several',
    heldOn: '2018',
  }),
  entry('F3', 'regional-sessions', {
    type: 'RecordSessionHeld',
    sessionId: 'giz-regional-2018',
    title: { ar: 'دورات إقليمية', en: 'Regional sessions' },
    kind: 'regional-session',
    partners: ['giz'],
    audience: { ar: 'قضاة', en: 'Judges' },
    occurrences: 6,
    attendance: { count: 20, basis: 'each-occurrence' },
    heldOn: '2018',
    // "followed by": the text orders the two though it dates both only "2018".
    follows: 'giz-tot-2018',
  }),

  // F4: session for judicial attachés (two groups), 7-8 Nov 2018, led by institute professors supervised by GIZ experts.
  entry('F4', 'attaches-session', {
    type: 'RecordSessionHeld',
    sessionId: 'giz-attaches-2018-11',
    title: { ar: 'دورة تكوينية لفائدة الملحقين القضائيين', en: 'Training session for judicial attachés' },
    kind: 'training-session',
    partners: ['giz'],
    audience: { ar: 'الملحقون القضائيون (مجموعتين)', en: 'Judicial attachés (two groups)' },
    description: { ar: 'أطرها أساتذة المعهد تحت إشراف خبراء من مؤسسة GIZ الألمانية', en: 'Led by institute professors under the supervision of GIZ experts' },
    heldOn: '2018-11-07/2018-11-08',
  }),

  // F5: introductory meeting on the family-mediation guide, 15 May 2017, 70 participants.
  entry('F5', 'partner-ministry', partners.ministryOfJustice),
  entry('F5', 'partner-embassy', partners.embassyOfDenmark),
  entry('F5', 'partner-kvinfo', partners.kvinfo),
  entry('F5', 'programme', {
    type: 'LaunchProgramme',
    programmeId: 'morocco-denmark-cooperation',
    title: { ar: 'برنامج التعاون', en: 'Cooperation programme with the Ministry of Justice, the Embassy of Denmark and KVINFO' },
    partners: ['ministry-of-justice-morocco', 'embassy-denmark-rabat', 'kvinfo'],
    themes: ['family-mediation', 'gender-equality'],
    startedOn: '../2017-05-15',
  }),
  entry('F5', 'guide', {
    type: 'RecordPublicationPrepared',
    publicationId: 'facilitative-mediation-guide',
    kind: 'guide',
    title: { ar: 'مدخل إلى الوساطة التسهيلية في مجال الأسرة', en: 'Introduction to facilitative mediation in family matters' },
    partners: ['ministry-of-justice-morocco', 'embassy-denmark-rabat', 'kvinfo'],
    programmeId: 'morocco-denmark-cooperation',
    themes: ['family-mediation'],
    preparedOn: '../2017-05-15',
  }),
  entry('F5', 'meeting', {
    type: 'RecordSessionHeld',
    sessionId: 'mediation-guide-meeting-2017',
    title: { ar: 'لقاء تعريفي بالدليل: مدخل إلى الوساطة التسهيلية في مجال الأسرة', en: 'Introductory meeting presenting the guide on facilitative mediation in family matters' },
    kind: 'introductory-meeting',
    partners: ['ministry-of-justice-morocco', 'embassy-denmark-rabat', 'kvinfo'],
    programmeId: 'morocco-denmark-cooperation',
    themes: ['family-mediation'],
    audience: { ar: 'خبراء ورجال قانون من الدولتين', en: 'Experts and legal professionals of both countries' },
    attendance: { count: 70, basis: 'total' },
    heldOn: '2017-05-15',
  }),

  // F6: Enabel programme on migrants' rights, with preparatory meetings, before the end of 2022.
  entry('F6', 'partner', partners.enabel),
  // "Enabel" is the agency's name, but not the text's (F6 says "the Belgian development agency"): it comes from the registry.
  entry(registrySource, 'enabel-acronym', {
    type: 'CorrectPartnerDetails',
    partnerId: 'enabel',
    changes: { acronym: 'Enabel' },
    reason: "The text names the Belgian development agency only; its acronym Enabel comes from the institute's registry of partners, not from the text",
  }),
  entry('F6', 'programme', {
    type: 'LaunchProgramme',
    programmeId: enabelProgramme,
    title: { ar: 'برنامج تعزيز قدرات المكونين في مجال حقوق المهاجرين', en: "Programme to strengthen trainers' capacities in migrants' rights" },
    partners: ['enabel'],
    themes: ['migrants-rights', 'migration-asylum'],
    startedOn: '../2022',
  }),
  entry('F6', 'preparatory-meetings', {
    type: 'RecordSessionHeld',
    sessionId: 'enabel-preparatory-meetings',
    title: {
      ar: 'اجتماعات تحضيرية لإعداد منهاج دراسي حول الهجرة واللجوء وإعداد مجزوءات لفائدة الملحقين القضائيين والقضاة',
      en: 'Preparatory meetings for a curriculum on migration and asylum and modules for judicial attachés and judges',
    },
    kind: 'preparatory-meeting',
    partners: ['enabel'],
    programmeId: enabelProgramme,
    themes: ['migration-asylum'],
    occurrences: 'several',
    heldOn: '../2022',
  }),

  // F7: the guide for training trainers on migration and asylum law, and a session for trainer-judges.
  entry('F7', 'guide', {
    type: 'RecordPublicationPrepared',
    publicationId: enabelGuide,
    kind: 'guide',
    title: { ar: 'دليل لتكوين المكونين حول قانون الهجرة واللجوء', en: 'Guide for training trainers on migration and asylum law' },
    partners: ['enabel'],
    programmeId: enabelProgramme,
    themes: ['migration-asylum'],
    preparedOn: '../2022',
  }),
  entry('F7', 'trainer-judges-session', {
    type: 'RecordSessionHeld',
    sessionId: 'enabel-trainer-judges-session',
    title: { ar: 'دورة تكوينية لفائدة قضاة مكونين', en: 'Training session for trainer-judges' },
    kind: 'training-session',
    partners: ['enabel'],
    programmeId: enabelProgramme,
    themes: ['migration-asylum'],
    audience: { ar: 'قضاة مكونون', en: 'Trainer-judges' },
    heldOn: '../2022',
  }),

  // F8: the guide is to be printed and published at the end of 2022: a plan, not a publication.
  entry('F8', 'publication-plan', {
    type: 'PlanPublication',
    publicationId: enabelGuide,
    plannedFor: '2022',
    note: { ar: 'سيتم طبع ونشر الدليل في نهاية سنة 2022', en: 'To be printed and published at the end of 2022' },
  }),

  // F9: VIVRE ENSEMBLE, remote training of trainers, 25 May to 8 July 2021, 4 institute trainers.
  entry('F9', 'partner-embassy', partners.embassyOfSpain),
  entry('F9', 'partner-aecid', partners.aecid),
  entry('F9', 'programme', {
    type: 'LaunchProgramme',
    programmeId: vivreEnsemble,
    title: { ar: 'برنامج « VIVRE ENSEMBLE »', fr: 'VIVRE ENSEMBLE', en: 'VIVRE ENSEMBLE programme' },
    partners: ['embassy-spain', 'aecid'],
    themes: ['racism-xenophobia'],
    startedOn: '../2021-05-25',
    description: { ar: 'يهدف إلى تكوين المكونين حول مكافحة العنصرية وكراهية الأجانب', en: 'Training of trainers on combating racism and xenophobia' },
  }),
  entry('F9', 'remote-training', {
    type: 'RecordSessionHeld',
    sessionId: 'vivre-ensemble-tot-2021',
    title: { ar: 'تكوين المكونين حول مكافحة العنصرية وكراهية الأجانب', en: 'Training of trainers on combating racism and xenophobia' },
    kind: 'training-of-trainers',
    format: 'remote',
    partners: ['embassy-spain', 'aecid'],
    programmeId: vivreEnsemble,
    themes: ['racism-xenophobia'],
    audience: { ar: 'مكونون من المعهد', en: 'Trainers of the institute' },
    attendance: { count: 4, basis: 'total' },
    heldOn: '2021-05-25/2021-07-08',
  }),

  // F10: training-of-trainers sessions on five modules, 15 to 25 November, year not stated.
  entry('F10', 'five-modules', {
    type: 'RecordSessionHeld',
    sessionId: 'spain-tot-five-modules',
    title: { ar: 'دورات لتكوين المكونين حول خمسة مجزوءات تتعلق بمكافحة العنصرية وكراهية الأجانب', en: 'Training-of-trainers sessions on five modules on combating racism and xenophobia' },
    kind: 'training-of-trainers',
    partners: ['embassy-spain', 'aecid'],
    themes: ['racism-xenophobia'],
    occurrences: 'several',
    heldOn: 'XXXX-11-15/XXXX-11-25',
  }),

  // F11: a study visit to Madrid for two trainer-judges, date not stated. The text reports it done, never planned:
  // no plan is recorded. The two are registered without names (the text gives none), by their kind.
  ...['madrid-trainer-judge-1', 'madrid-trainer-judge-2'].map((participantId, i) =>
    entry('F11', `trainer-judge-${i + 1}`, { type: 'RegisterParticipant', participantId, kind: 'trainer-judge' }),
  ),
  entry('F11', 'visit-completed', {
    type: 'CompleteStudyVisit',
    visitId: 'madrid-study-visit',
    direction: 'outgoing',
    title: { ar: 'زيارة دراسية إلى مدريد', en: 'Study visit to Madrid' },
    partners: ['embassy-spain', 'aecid'],
    destination: { ar: 'مدريد', en: 'Madrid' },
    completedOn: 'XXXX',
    participantIds: ['madrid-trainer-judge-1', 'madrid-trainer-judge-2'],
    participantCount: 2,
  }),

  // F12: agreement between the National Institute of Judicial Studies and ENM, 16 Nov 1998.
  entry('F12', 'partner', partners.enm),
  entry('F12', 'agreement', {
    type: 'SignAgreement',
    agreementId: 'enm-1998',
    kind: 'agreement',
    title: { ar: 'اتفاقية تعاون', en: 'Cooperation agreement' },
    partners: ['enm-france'],
    instituteName: institute.formerName,
    signedOn: '1998-11-16',
  }),

  // F13: agreement with the National School of Court Clerks in Dijon, 7 Dec 2006.
  entry('F13', 'partner', partners.engDijon),
  entry('F13', 'agreement', {
    type: 'SignAgreement',
    agreementId: 'eng-dijon-2006',
    kind: 'agreement',
    title: { ar: 'اتفاقية تعاون', en: 'Cooperation agreement' },
    partners: ['eng-dijon'],
    signedOn: '2006-12-07',
  }),

  // F14: cooperation protocol between the institute, under its present name, and ENM, 19 Feb 2016.
  entry('F14', 'protocol', {
    type: 'SignAgreement',
    agreementId: 'enm-2016-protocol',
    kind: 'protocol',
    title: { ar: 'بروتوكول تعاون', en: 'Cooperation protocol' },
    partners: ['enm-france'],
    instituteName: institute.currentName,
    signedOn: '2016-02-19',
  }),

  // F15: the annual programme with ENM, not dated by the text; "since 2002" is about the judges who benefited, kept in the description.
  entry('F15', 'programme', {
    type: 'LaunchProgramme',
    programmeId: enmProgramme,
    title: { ar: 'برنامج سنوي للتعاون', en: 'Annual cooperation programme' },
    partners: ['enm-france'],
    recurrence: 'annual',
    startedOn: 'XXXX',
    description: { ar: 'استفاد من هذا التعاون عدة قضاة فرنسيين ومغاربة منذ سنة 2002', en: 'Several French and Moroccan judges have benefited since 2002' },
  }),

  // F16: ENM organises the course "every year": a recurring (annual) programme the two courses belong to; the text gives no start.
  entry('F16', 'course-programme', {
    type: 'LaunchProgramme',
    programmeId: enmCourseProgramme,
    title: { ar: 'دورة مدتها شهرين خاصة بالقضاة الجدد تنظم كل سنة', en: 'Yearly two-month course for new judges on the French judiciary' },
    partners: ['enm-france'],
    themes: ['french-judiciary'],
    recurrence: 'annual',
    startedOn: 'XXXX',
    description: { ar: 'تنظم المدرسة الوطنية للقضاء بفرنسا كل سنة دورة مدتها شهرين خاصة بالقضاة الجدد، تهدف إلى الاطلاع على القضاء الفرنسي', en: 'ENM organises the course every year; the institute picks the top-ranked judicial attachés of the final exam' },
  }),
  // F16: the two-month course for new judges, 2016: two judges from cohorts 39 and 40 (not named).
  ...enmCourse('F16', 'enm-new-judges-course-2016', '2016', { cohorts: [39, 40] }),
  // F17: the same course in 2021, attended remotely because of COVID-19: two judges from cohort 41.
  ...enmCourse('F17', 'enm-new-judges-course-2021', '2021', { cohorts: [41], remote: true }),

  // F18: the institute hosted 11 ENM trainee judges from 2016 to 2020 and organised specialised sessions for them.
  entry('F18', 'hosting-planned', {
    type: 'PlanStudyVisit',
    visitId: 'enm-auditeurs-2016-2020',
    direction: 'hosted',
    title: { ar: 'استقبال مستمعي عدالة من المدرسة الوطنية للقضاء بفرنسا', fr: "Accueil d'auditeurs de justice de l'ENM", en: 'Hosting ENM trainee judges' },
    partners: ['enm-france'],
    purpose: { ar: 'للاطلاع على التكوين والتدريب بالمعهد', en: 'To learn about training at the institute' },
    plannedFor: '2016/2020',
  }),
  entry('F18', 'hosting-completed', { type: 'CompleteStudyVisit', visitId: 'enm-auditeurs-2016-2020', completedOn: '2016/2020', participantIds: [], participantCount: 11 }),
  entry('F18', 'specialised-sessions', {
    type: 'RecordSessionHeld',
    sessionId: 'enm-auditeurs-specialised-sessions',
    title: { ar: 'دورات تكوينية متخصصة لفائدة مستمعي العدالة', fr: "Sessions de formation spécialisées pour les auditeurs de justice", en: 'Specialised training sessions for the ENM trainee judges' },
    kind: 'specialised-session',
    partners: ['enm-france'],
    audience: { ar: 'مستمعو عدالة من المدرسة الوطنية للقضاء بفرنسا', fr: 'Auditeurs de justice de l\'ENM', en: 'ENM trainee judges (auditeurs de justice)' },
    occurrences: 'several',
    heldOn: '2016/2020',
  }),
];

/**
 * The ENM course for new judges: the institute picks the top-ranked judicial
 * attachés of the final exam. The two judges are registered without names
 * (the text gives none) and enrolled, so the course has both a count and people.
 */
function enmCourse(fact: string, sessionId: string, year: string, options: { cohorts: number[]; remote?: boolean }): RecordEntry[] {
  const judges = [`${sessionId}-judge-1`, `${sessionId}-judge-2`];
  const cohort = options.cohorts.length === 1 ? { cohort: options.cohorts[0]! } : {};
  return [
    entry(fact, 'course-planned', {
      type: 'ScheduleSession',
      sessionId,
      title: { ar: 'دورة مدتها شهرين خاصة بالقضاة الجدد للاطلاع على القضاء الفرنسي', en: 'Two-month course for new judges on the French judiciary' },
      kind: 'course',
      partners: ['enm-france'],
      programmeId: enmCourseProgramme,
      audience: { ar: 'قضاة من ضمن الأوائل في امتحان نهاية التكوين الخاص بالملحقين القضائيين', en: 'Judges ranked among the first in the judicial attachés\' final exam' },
      cohorts: options.cohorts,
      themes: ['french-judiciary'],
      plannedFor: year,
    }),
    ...judges.flatMap((participantId, i) => [
      entry(fact, `judge-${i + 1}`, { type: 'RegisterParticipant', participantId, kind: 'judge', ...cohort }),
      entry(fact, `judge-${i + 1}-enrolled`, { type: 'EnrolParticipant', sessionId, participantId, role: 'trainee' }),
    ]),
    entry(fact, 'course-held', {
      type: 'RecordSessionHeld',
      sessionId,
      heldOn: year,
      attendance: { count: 2, basis: 'total' },
      ...(options.remote
        ? { format: 'remote' as const, description: { ar: 'عن بعد بسبب جائحة كورونا', en: 'Attended remotely because of COVID-19' } }
        : {}),
    }),
  ];
}
