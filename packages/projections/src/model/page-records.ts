import { multilingualTextSchema, type MultilingualText, type PartialDate } from '@taawun/domain';
import { z } from 'zod';
import { compareByCompletion } from './dates.js';
import { nameAt, nameAtTimeSchema, partnerDetails, partnerTimeline, statedName, type NameAtTime, type NameTimeline } from './names.js';
import { groupPeopleOnPage, peopleOfPage, peopleOnPageSchema, personOnPage, type PersonOnPage } from './people.js';
import type { RecordSet } from './record-book.js';

/*
 * The records a page of activity entries names, once per page: the partners
 * (acronym and names), the institute (its names) and the people (kind and
 * cohort: no personal data; entries list them by id under their role). Entries refer to them by
 * id, and to a name by its index in the record's `names`, with the certainty
 * of the name at the entry's date: a page of a hundred entries holds each
 * partner's names once, not on every entry (1.8 KB an entry before).
 */

/** A name at a date, by reference: indexes into the `names` of the record it names (a partner's, the institute's). */
export const nameRefSchema = z
  .object({
    certainty: nameAtTimeSchema.shape.certainty,
    name: z.number().int().min(0).nullable().meta({ description: "Index in the record's `names`; null when uncertain or unknown: never a guess" }),
    candidates: z.array(z.number().int().min(0)).meta({ description: "Indexes in the record's `names` of the names it may have been" }),
  })
  .meta({ id: 'NameRef', description: 'A name as it was at a date (as NameAtTime), each name given by its index in the `names` of the record it names, in the answer\'s `records`' });
export type NameRef = z.infer<typeof nameRefSchema>;

/** A partner of an entry, named as at the entry's date: its acronym and names are in the answer's `records.partners`. */
export const partnerRefSchema = z.object({ partnerId: z.string(), name: nameRefSchema }).meta({ id: 'PartnerRef' });
export type PartnerRef = z.infer<typeof partnerRefSchema>;

export const pageRecordsSchema = z
  .object({
    institute: z
      .object({ names: z.array(multilingualTextSchema) })
      .meta({ description: 'The institute\'s names: registered, then each rename in date order, then any other name an agreement of the page states' }),
    partners: z
      .record(z.string(), z.object({ acronym: z.string().nullable(), names: z.array(multilingualTextSchema) }))
      .meta({ description: 'Each partner the entries name, by id: its acronym, and its names (registered, then each rename in date order)' }),
    people: peopleOnPageSchema,
  })
  .meta({ id: 'PageRecords', description: 'The records the entries name, once: entries refer to them by id, and to their names by index in `names`' });
export type PageRecords = z.infer<typeof pageRecordsSchema>;

/** Names listed once, in the record's order (registered, renames by date), then any other met: the index of each. */
class NameList {
  readonly names: MultilingualText[] = [];
  private readonly at = new Map<string, number>();
  constructor(timeline: NameTimeline) {
    const renames = [...timeline.renames].sort((a, b) => compareByCompletion(a.effectiveOn, b.effectiveOn));
    for (const name of [...(timeline.first ? [timeline.first] : []), ...renames.map((r) => r.name)]) this.indexOf(name);
  }
  indexOf(name: MultilingualText): number {
    const key = JSON.stringify(name);
    let i = this.at.get(key);
    if (i === undefined) {
      i = this.names.push(name) - 1;
      this.at.set(key, i);
    }
    return i;
  }
  ref(name: NameAtTime): NameRef {
    return { certainty: name.certainty, name: name.name === null ? null : this.indexOf(name.name), candidates: name.candidates.map((n) => this.indexOf(n)) };
  }
}

/** Gathers the records a page names while its entries are built. The partners' records must have been fetched into `records`. */
export class PageRecordsBuilder {
  private readonly institute: NameList;
  private readonly partners = new Map<string, { acronym: string | null; names: NameList; timeline: NameTimeline }>();
  private readonly named = new Map<string, PersonOnPage>();

  constructor(
    private readonly records: RecordSet,
    private readonly instituteTimeline: NameTimeline,
  ) {
    this.institute = new NameList(instituteTimeline);
  }

  /** The institute's name at a date, or as stated on the record. */
  instituteAt(on: PartialDate, stated: MultilingualText | undefined): NameRef {
    return this.institute.ref(stated ? statedName(stated) : nameAt(this.instituteTimeline, on));
  }

  /** A partner named as at a date. */
  partnerAt(partnerId: string, on: PartialDate): PartnerRef {
    const partner = this.partner(partnerId);
    return { partnerId, name: partner.names.ref(nameAt(partner.timeline, on)) };
  }

  /** People named by id: each listed once in the page's records. Their records must have been fetched into `records`. */
  people<P extends { readonly participantId: string }>(people: readonly P[]): readonly P[] {
    for (const { participantId } of people) if (!this.named.has(participantId)) this.named.set(participantId, personOnPage(this.records, participantId));
    return people;
  }

  build(): PageRecords {
    return {
      institute: { names: this.institute.names },
      partners: Object.fromEntries([...this.partners].map(([id, p]) => [id, { acronym: p.acronym, names: p.names.names }])),
      people: groupPeopleOnPage(this.named),
    };
  }

  private partner(partnerId: string) {
    let found = this.partners.get(partnerId);
    if (!found) {
      const record = this.records.get('partners', partnerId);
      const timeline = partnerTimeline(record);
      found = { acronym: partnerDetails(record)?.acronym ?? null, names: new NameList(timeline), timeline };
      this.partners.set(partnerId, found);
    }
    return found;
  }
}

/** No records: a page with no entries. */
export const emptyPageRecords: PageRecords = { institute: { names: [] }, partners: {}, people: [] };

/** A name by reference, resolved against the names of the record it names. */
export const nameOfRef = (ref: NameRef, names: readonly MultilingualText[]): NameAtTime => ({
  certainty: ref.certainty,
  name: ref.name === null ? null : (names[ref.name] ?? null),
  candidates: ref.candidates.flatMap((i) => names[i] ?? []),
});

/** A partner of an entry with its acronym and its name at the entry's date, from the answer's records. */
export function partnerOfRef(ref: PartnerRef, records: PageRecords): { partnerId: string; acronym: string | null; name: NameAtTime } {
  const partner = records.partners[ref.partnerId];
  return { partnerId: ref.partnerId, acronym: partner?.acronym ?? null, name: nameOfRef(ref.name, partner?.names ?? []) };
}

/** The institute's name of an entry, from the answer's records. */
export const instituteNameOfRef = (ref: NameRef, records: PageRecords): NameAtTime => nameOfRef(ref, records.institute.names);

/** An item of a list whose names refer to the answer's records: the references in it (activity entries, history entries). */
interface RefItem {
  readonly partners?: readonly PartnerRef[];
  readonly instituteName?: NameRef;
  readonly partnerName?: NameRef;
}

/**
 * The records of several pages of one list as one (a long list written a page
 * at a time): each page's items are given back with their references into the
 * merged records. A partner's names are the same on every page (registered,
 * then renames by date); the institute's may differ by the names agreements
 * state, which is why references are rewritten. People are referred to by id,
 * the same on every page. Holds the records, never the items.
 */
export class PageRecordsMerger {
  private readonly institute = new NameList({ first: null, renames: [] });
  private readonly partners = new Map<string, { acronym: string | null; names: NameList }>();
  private readonly people = new Map<string, PersonOnPage>();

  /** The page's items, their references rewritten into the merged records. `partnerId`: the partner whose history it is (its `partnerName`). */
  add<I>(records: PageRecords, items: readonly I[], partnerId?: string): I[] {
    // Every name the page lists, in its order: the merged lists keep a partner's order (registered, renames by date).
    for (const name of records.institute.names) this.institute.indexOf(name);
    for (const [id, p] of Object.entries(records.partners)) for (const name of p.names) this.partner(id, p.acronym).indexOf(name);
    for (const [id, person] of peopleOfPage(records.people)) if (!this.people.has(id)) this.people.set(id, person);
    const institute = (ref: NameRef) => this.institute.ref(instituteNameOfRef(ref, records));
    const partner = (id: string, ref: NameRef): NameRef => this.partner(id, records.partners[id]?.acronym ?? null).ref(nameOfRef(ref, records.partners[id]?.names ?? []));
    return items.map((item) => {
      const i = item as RefItem;
      return {
        ...item,
        ...(i.partners ? { partners: i.partners.map((p) => ({ partnerId: p.partnerId, name: partner(p.partnerId, p.name) })) } : {}),
        ...(i.instituteName ? { instituteName: institute(i.instituteName) } : {}),
        ...(i.partnerName && partnerId !== undefined ? { partnerName: partner(partnerId, i.partnerName) } : {}),
      } as I;
    });
  }

  private partner(id: string, acronym: string | null): NameList {
    const kept = this.partners.get(id) ?? this.partners.set(id, { acronym, names: new NameList({ first: null, renames: [] }) }).get(id)!;
    return kept.names;
  }

  records(): PageRecords {
    return {
      institute: { names: this.institute.names },
      partners: Object.fromEntries([...this.partners].map(([id, p]) => [id, { acronym: p.acronym, names: p.names.names }])),
      people: groupPeopleOnPage(this.people),
    };
  }
}
