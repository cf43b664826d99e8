import { multilingualTextSchema, slugSchema, type DomainEventType, type MultilingualText } from '@taawun/domain';
import { z } from 'zod';
import { modelChanged, type ModelReader } from '../engine/model-reader.js';
import { defineProjection, type IndexEntry } from '../engine/projection.js';
import { compareByCompletion, dateView, dateViewSchema } from '../model/dates.js';
import { correctionsOf, correctionViewSchema, sourcesOf } from '../model/facts.js';
import { instituteTimeline, nameAt, nameAtTimeSchema, partnerAt, partnerAtTimeSchema, partnerDetails, statedName } from '../model/names.js';
import { chronologicalEntries, chronologicalPage, isChronologicalIndex, type Page } from '../model/ordered.js';
import { namedRecord } from '../engine/record-streams.js';
import { evolveRecord, lensKeyPrefixes, partnerLensScope, partnerLensDocuments, partnerLensStreams, recordIds, recordKey, recordKeyOf, recordOfStream, RecordSet, type AgreementRecord, type ProgrammeRecord, type RecordDocument } from '../model/record-book.js';
import { checkPartner } from './keys.js';
import { defineReadModel } from './define.js';

const handles = [
  'InstituteRegistered', 'InstituteRenamed',
  'PartnerRegistered', 'PartnerRenamed', 'PartnerDetailsCorrected',
  'AgreementSigned', 'AgreementAmended', 'AgreementTerminated',
  'ProgrammeLaunched', 'ProgrammeClosed',
  'RecordCorrected',
] as const satisfies readonly DomainEventType[];

/** Signed agreements in date order: all of them under the key "", each partner's under its id. */
const REGISTER_INDEX = 'agreements';
/** Programmes by the agreement they were launched under, by programme id. */
const PROGRAMMES_INDEX = 'programmes-by-agreement';

export const agreementsRegisterProjection = defineProjection({
  name: 'agreements-register',
  version: 2,
  description: 'Every agreement: parties, signatories, place, date, areas of cooperation, status and amendments',
  handles,
  initialState: null as RecordDocument,
  keyOf: recordKeyOf,
  evolve: (record: RecordDocument, event) => evolveRecord(record, event, { personalData: false }),
  indexes: (key, record): IndexEntry[] => {
    const where = recordOfStream(key);
    if (!where || record === null) return [];
    if (where.section === 'agreements') {
      const signed = (record as AgreementRecord).signed?.data;
      if (!signed) return [];
      return ['', ...new Set(signed.partners)].flatMap((listKey) => chronologicalEntries(REGISTER_INDEX, listKey, signed.signedOn, where.id));
    }
    if (where.section === 'programmes') {
      const agreementId = (record as ProgrammeRecord).launched?.data.agreementId;
      return agreementId === undefined ? [] : [{ index: PROGRAMMES_INDEX, key: agreementId, sort: where.id }];
    }
    return [];
  },
});

export const agreementPartySchema = partnerAtTimeSchema
  .extend({ country: z.string().nullable(), kind: z.string().nullable() })
  .meta({ id: 'AgreementParty' });
export type AgreementParty = z.infer<typeof agreementPartySchema>;

const datedFacts = { corrections: z.array(correctionViewSchema), sourceRefs: z.array(z.string()) };

export const agreementEntrySchema = z
  .object({
    agreementId: z.string(),
    kind: z.string().meta({ description: 'convention, protocol, memorandum or agreement' }),
    title: multilingualTextSchema.nullable(),
    status: z.enum(['signed', 'terminated']).meta({ description: '`signed`: no termination recorded' }),
    statusCertain: z.boolean().optional().meta({ description: 'Through a lens: false when the termination may or may not be by `asOf`; absent: certain' }),
    statusCandidates: z.array(z.string()).optional().meta({ description: 'With `statusCertain: false`: "signed", "terminated"' }),
    signedOn: dateViewSchema,
    orderCertain: z.boolean(),
    place: multilingualTextSchema.nullable(),
    parties: z.object({
      institute: nameAtTimeSchema.meta({ description: 'The name on the document when stated, else the name in force at signature (or "uncertain")' }),
      partners: z.array(agreementPartySchema),
    }),
    signatories: z.array(z.object({ party: z.string(), partyName: nameAtTimeSchema, role: multilingualTextSchema, name: multilingualTextSchema.nullable() })),
    areas: z.array(multilingualTextSchema).meta({ description: 'Areas of cooperation after the amendments, in date order' }),
    areasAsSigned: z.array(multilingualTextSchema),
    amendments: z.array(
      z.object({
        amendedOn: dateViewSchema,
        summary: multilingualTextSchema,
        areasAdded: z.array(multilingualTextSchema),
        areasRemoved: z.array(multilingualTextSchema),
        ...datedFacts,
      }),
    ),
    termination: z.object({ terminatedOn: dateViewSchema, reason: z.string(), ...datedFacts }).nullable(),
    programmes: z
      .array(z.object({ programmeId: z.string(), title: multilingualTextSchema, startedOn: dateViewSchema }))
      .meta({ description: 'Programmes launched under the agreement' }),
    ...datedFacts,
  })
  .meta({ id: 'AgreementEntry' });
export type AgreementEntry = z.infer<typeof agreementEntrySchema>;

export const agreementsRegisterSchema = z
  .object({ agreements: z.array(agreementEntrySchema) })
  .meta({ id: 'AgreementsRegister', description: 'Signed agreements in date order' });
export type AgreementsRegister = z.infer<typeof agreementsRegisterSchema>;

const same = (a: MultilingualText, b: MultilingualText) => JSON.stringify(a) === JSON.stringify(b);
/** An amendment names an area to remove in one language or more: every language it gives must match. */
const names = (removed: MultilingualText, area: MultilingualText) =>
  (Object.entries(removed) as [keyof MultilingualText, string][]).every(([lang, text]) => area[lang] === text);

/** Every agreement (of one partner, when given), in date order; a page of them when asked. */
export async function agreementsRegisterView(model: ModelReader, filter: { partnerId?: string | undefined } = {}, page: Page = {}): Promise<AgreementsRegister> {
  return (await agreementsRegisterPage(model, filter, page)).register;
}

export async function agreementsRegisterPage(
  model: ModelReader,
  filter: { partnerId?: string | undefined } = {},
  page: Page = {},
): Promise<{ register: AgreementsRegister; total: number; offset: number }> {
  const records = new RecordSet(model as ModelReader<RecordDocument>);
  await checkPartner(model, records, filter.partnerId);
  const list = await chronologicalPage(model, REGISTER_INDEX, filter.partnerId ?? '', page);
  await records.load(list.entries.map((e) => e.document));
  const rows = list.entries.map((e): [string, AgreementRecord] => {
    const record = records.byKey(e.document) as AgreementRecord | null;
    if (!record?.signed) throw modelChanged(`agreements-register: ${e.document} is not a signed agreement`);
    return [recordOfStream(e.document)!.id, record];
  });
  const parties = rows.flatMap(([, r]) => [...r.signed!.data.partners, ...r.signed!.data.signatories.map((s) => s.party)].filter((p) => p !== 'institute').map((p) => recordKey('partners', p)));
  // The parties read with the programmes' lists, the programmes with the institutes: as many reads as before, and
  // through a lens the parties' streams are folded with the programmes' (one fold, not two).
  const [programmeEntries, instituteIds] = await Promise.all([
    Promise.all(rows.map(([agreementId]) => model.index(PROGRAMMES_INDEX, agreementId))),
    recordIds(model, 'institutes'),
    records.load(parties),
  ]);
  await records.load([...programmeEntries.flatMap((entries) => entries.map((e) => e.document)), ...instituteIds.map((id) => recordKey('institutes', id))]);
  const institute = instituteTimeline(instituteIds.flatMap((id) => records.get('institutes', id) ?? []));
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
    const programmes = programmeEntries[i]!.flatMap((e) => {
      const launched = (records.byKey(e.document) as ProgrammeRecord | null)?.launched;
      if (launched?.data.agreementId !== agreementId) throw modelChanged(`agreements-register: ${e.document} is not launched under ${agreementId}`);
      return [{ programmeId: recordOfStream(e.document)!.id, title: launched.data.title, startedOn: dateView(launched.data.startedOn) }];
    });
    return {
      agreementId,
      kind: signed.kind,
      title: signed.title ?? null,
      status: r.terminated ? 'terminated' : 'signed',
      signedOn: dateView(on),
      orderCertain: list.certain[i]!,
      place: signed.place ?? null,
      parties: {
        institute: instituteName,
        partners: signed.partners.map((partnerId) => {
          const details = partnerDetails(records.get('partners', partnerId));
          return { ...partnerAt(records, partnerId, on), country: details?.country ?? null, kind: details?.kind ?? null };
        }),
      },
      signatories: signed.signatories.map((s) => ({
        party: s.party,
        partyName: s.party === 'institute' ? instituteName : partnerAt(records, s.party, on).name,
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
  return { register: { agreements }, total: list.total, offset: list.offset };
}

export const agreementsRegisterReadModel = defineReadModel({
  name: 'agreements-register',
  title: 'Agreements register',
  description: agreementsRegisterProjection.description!,
  projection: agreementsRegisterProjection,
  params: z.object({ partnerId: slugSchema.optional().meta({ description: 'Only the agreements of this partner' }) }).strict(),
  lensScope: (p) => (p.partnerId === undefined ? undefined : partnerLensScope(p.partnerId)),
  // One partner's agreements are served from the streams that ever named it; the whole register from the stored model and the streams the lens changes.
  documentsByStream: true,
  lensStreams: {
    scope: (p) => (p.partnerId === undefined ? undefined : partnerLensStreams(p.partnerId)),
    index: (index, key) =>
      isChronologicalIndex(index, REGISTER_INDEX) && key !== '' ? namedRecord('partner', key) : index === PROGRAMMES_INDEX ? namedRecord('agreement', key) : undefined,
    keyPrefixes: lensKeyPrefixes,
    isList: (p, index, key) => index === REGISTER_INDEX && key === (p.partnerId ?? ''),
    // Every record opens with a dated event (signed, launched, scheduled or held, planned, prepared).
    undatedGiveNoEntries: true,
    documents: (p) => (p.partnerId === undefined ? undefined : partnerLensDocuments(p.partnerId)),
  },
  result: agreementsRegisterSchema,
  list: 'agreements',
  // Under a lens, a termination that may be by then makes the status uncertain (lens-ranges.ts).
  lensRanges: true,
  view: async (model, p, page) => {
    const { register, total } = await agreementsRegisterPage(model, p, page);
    return { result: register, total };
  },
  notFound: () => 'no agreement',
});
