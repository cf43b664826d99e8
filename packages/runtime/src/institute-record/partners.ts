import type { CommandInputOf } from '@taawun/domain';

/**
 * The institute and its partners, as the source text names them (Arabic), with
 * the English of DOMAIN.md and the French official name where the institution
 * has one. Readable slugs are the ids the rest of the record refers to.
 */
export const institute = {
  id: 'ism',
  /** The name under which the institute signed with ENM in 1998 (F12). */
  formerName: {
    ar: 'المعهد الوطني للدراسات القضائية',
    fr: "Institut national d'études judiciaires",
    en: 'National Institute of Judicial Studies',
  },
  /** Its name in the 2016 protocol (F14) and today. */
  currentName: {
    ar: 'المعهد العالي للقضاء',
    fr: 'Institut supérieur de la magistrature',
    en: 'Higher Institute of the Judiciary',
  },
} as const;

type RegisterPartner = CommandInputOf<'RegisterPartner'>;
const partner = (p: Omit<RegisterPartner, 'type'>): RegisterPartner => ({ type: 'RegisterPartner', ...p });

export const partners = {
  ssmItaly: partner({
    partnerId: 'ssm-italy',
    name: { ar: 'المدرسة العليا الإيطالية للقضاء', en: 'Italian Higher School of the Judiciary (Scuola Superiore della Magistratura)' },
    kind: 'school',
    country: 'IT',
  }),
  giz: partner({
    partnerId: 'giz',
    name: { ar: 'الوكالة الألمانية للتعاون الدولي', en: 'German agency for international cooperation' },
    kind: 'agency',
    country: 'DE',
    acronym: 'GIZ',
  }),
  ministryOfJustice: partner({
    partnerId: 'ministry-of-justice-morocco',
    name: { ar: 'وزارة العدل المغربية', en: 'Moroccan Ministry of Justice' },
    kind: 'ministry',
    country: 'MA',
  }),
  embassyOfDenmark: partner({
    partnerId: 'embassy-denmark-rabat',
    name: { ar: 'سفارة الدنمارك بالرباط', en: 'Embassy of Denmark in Rabat' },
    kind: 'embassy',
    country: 'DK',
  }),
  kvinfo: partner({
    partnerId: 'kvinfo',
    name: { ar: 'المركز الدنماركي للبحث والاعلام حول النوع والمساواة', en: 'Danish centre for research and information on gender and equality' },
    kind: 'research-centre',
    country: 'DK',
    acronym: 'KVINFO',
  }),
  enabel: partner({
    partnerId: 'enabel',
    name: { ar: 'الوكالة البلجيكية للتنمية', en: 'Belgian development agency' },
    kind: 'agency',
    country: 'BE',
  }),
  embassyOfSpain: partner({
    partnerId: 'embassy-spain',
    name: { ar: 'السفارة الاسبانية', en: 'Embassy of Spain' },
    kind: 'embassy',
    country: 'ES',
  }),
  aecid: partner({
    partnerId: 'aecid',
    name: { ar: 'الوكالة الاسبانية للتعاون الدولي والتنمية', en: 'Spanish agency for international development cooperation' },
    kind: 'agency',
    country: 'ES',
    acronym: 'AECID',
  }),
  enm: partner({
    partnerId: 'enm-france',
    name: { ar: 'المدرسة الوطنية للقضاء بفرنسا', fr: 'École nationale de la magistrature', en: 'National School for the Judiciary (France)' },
    kind: 'school',
    country: 'FR',
    acronym: 'ENM',
  }),
  engDijon: partner({
    partnerId: 'eng-dijon',
    name: { ar: 'المدرسة الوطنية لكتابة الضبط بديجون', fr: 'École nationale des greffes (Dijon)', en: 'National School of Court Clerks (Dijon)' },
    kind: 'school',
    country: 'FR',
  }),
} as const;
