import type { DomainEventType, MultilingualText } from '@taawun/domain';
import { defineProjection } from '../engine/projection.js';
import { compareByCompletion, dateView, orderCertainty, type DateView } from '../model/dates.js';
import { correctionsOf, sourcesOf, type CorrectionView } from '../model/facts.js';
import { instituteTimeline, nameAt, partnerAt, partnerDetails, statedName, type NameAtTime, type PartnerAtTime } from '../model/names.js';
import { emptyRecordBook, evolveRecordBook, type RecordBook } from '../model/record-book.js';
import { tableEntries, tableGet } from '../model/table.js';

const handles = [
  'InstituteRegistered', 'InstituteRenamed',
  'PartnerRegistered', 'PartnerRenamed', 'PartnerDetailsCorrected',
  'AgreementSigned', 'AgreementAmended', 'AgreementTerminated',
  'ProgrammeLaunched', 'ProgrammeClosed',
  'RecordCorrected',
] as const satisfies readonly DomainEventType[];

export const agreementsRegisterProjection = defineProjection({
  name: 'agreements-register',
  version: 1,
  description: 'Every agreement: parties, signatories, place, date, areas of cooperation, status and amendments',
  handles,
  initialState: emptyRecordBook,
  evolve: (book: RecordBook, event) => evolveRecordBook(book, event, { personalData: false }),
});

export interface AgreementParty extends PartnerAtTime {
  readonly country: string | null;
  readonly kind: string | null;
}

export interface AgreementEntry {
  readonly agreementId: string;
  /** convention, protocol, memorandum or agreement. */
  readonly kind: string;
  readonly title: MultilingualText | null;
  /** `signed`: no termination recorded; `terminated`. */
  readonly status: 'signed' | 'terminated';
  readonly signedOn: DateView;
  readonly orderCertain: boolean;
  readonly place: MultilingualText | null;
  readonly parties: {
    /** The name on the document when stated, else the name in force at signature (or "uncertain"). */
    readonly institute: NameAtTime;
    readonly partners: readonly AgreementParty[];
  };
  readonly signatories: readonly {
    readonly party: string;
    readonly partyName: NameAtTime;
    readonly role: MultilingualText;
    readonly name: MultilingualText | null;
  }[];
  /** Areas of cooperation after the amendments, in date order. */
  readonly areas: readonly MultilingualText[];
  readonly areasAsSigned: readonly MultilingualText[];
  readonly amendments: readonly {
    readonly amendedOn: DateView;
    readonly summary: MultilingualText;
    readonly areasAdded: readonly MultilingualText[];
    readonly areasRemoved: readonly MultilingualText[];
    readonly corrections: readonly CorrectionView[];
    readonly sourceRefs: readonly string[];
  }[];
  readonly termination: { readonly terminatedOn: DateView; readonly reason: string; readonly corrections: readonly CorrectionView[]; readonly sourceRefs: readonly string[] } | null;
  /** Programmes launched under the agreement. */
  readonly programmes: readonly { readonly programmeId: string; readonly title: MultilingualText; readonly startedOn: DateView }[];
  readonly corrections: readonly CorrectionView[];
  readonly sourceRefs: readonly string[];
}

export interface AgreementsRegister {
  readonly agreements: readonly AgreementEntry[];
}

const same = (a: MultilingualText, b: MultilingualText) => JSON.stringify(a) === JSON.stringify(b);
/** An amendment names an area to remove in one language or more: every language it gives must match. */
const names = (removed: MultilingualText, area: MultilingualText) =>
  (Object.entries(removed) as [keyof MultilingualText, string][]).every(([lang, text]) => area[lang] === text);

/** Every agreement (of one partner, when given), in date order. */
export function agreementsRegisterView(book: RecordBook, filter: { partnerId?: string | undefined } = {}): AgreementsRegister {
  const institute = instituteTimeline(book);
  const rows = tableEntries(book.agreements)
    .filter(([, r]) => r.signed && (filter.partnerId === undefined || r.signed.data.partners.includes(filter.partnerId)))
    .sort(([, a], [, b]) => compareByCompletion(a.signed!.data.signedOn, b.signed!.data.signedOn));
  const certain = orderCertainty(rows.map(([, r]) => r.signed!.data.signedOn));
  const agreements = rows.map(([agreementId, r], i): AgreementEntry => {
    const signed = r.signed!.data;
    const on = signed.signedOn;
    const instituteName = signed.instituteName ? statedName(signed.instituteName) : nameAt(institute, on);
    const amendments = [...r.amendments].sort((a, b) => compareByCompletion(a.data.amendedOn, b.data.amendedOn));
    let areas = [...signed.areas];
    for (const a of amendments) {
      areas = areas.filter((area) => !a.data.areasRemoved.some((removed) => names(removed, area)));
      for (const added of a.data.areasAdded) if (!areas.some((area) => same(area, added))) areas.push(added);
    }
    const programmes = tableEntries(book.programmes)
      .filter(([, p]) => p.launched?.data.agreementId === agreementId)
      .map(([programmeId, p]) => ({ programmeId, title: p.launched!.data.title, startedOn: dateView(p.launched!.data.startedOn) }));
    return {
      agreementId,
      kind: signed.kind,
      title: signed.title ?? null,
      status: r.terminated ? 'terminated' : 'signed',
      signedOn: dateView(on),
      orderCertain: certain[i]!,
      place: signed.place ?? null,
      parties: {
        institute: instituteName,
        partners: signed.partners.map((partnerId) => {
          const details = partnerDetails(tableGet(book.partners, partnerId));
          return { ...partnerAt(book, partnerId, on), country: details?.country ?? null, kind: details?.kind ?? null };
        }),
      },
      signatories: signed.signatories.map((s) => ({
        party: s.party,
        partyName: s.party === 'institute' ? instituteName : partnerAt(book, s.party, on).name,
        role: s.role,
        name: s.name ?? null,
      })),
      areas,
      areasAsSigned: signed.areas,
      amendments: amendments.map((a) => ({
        amendedOn: dateView(a.data.amendedOn),
        summary: a.data.summary,
        areasAdded: a.data.areasAdded,
        areasRemoved: a.data.areasRemoved,
        corrections: correctionsOf(a),
        sourceRefs: sourcesOf(a),
      })),
      termination: r.terminated
        ? { terminatedOn: dateView(r.terminated.data.terminatedOn), reason: r.terminated.data.reason, corrections: correctionsOf(r.terminated), sourceRefs: sourcesOf(r.terminated) }
        : null,
      programmes,
      corrections: correctionsOf(r.signed, ...r.amendments, r.terminated),
      sourceRefs: sourcesOf(r.signed, ...r.amendments, r.terminated),
    };
  });
  return { agreements };
}
