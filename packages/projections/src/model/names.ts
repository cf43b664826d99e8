import { multilingualTextSchema, type MultilingualText, type PartialDate } from '@taawun/domain';
import { z } from 'zod';
import { compareByCompletion, dateBounds } from './dates.js';
import type { InstituteRecord, PartnerRecord, RecordSet } from './record-book.js';

/**
 * A name as it was at a date:
 * - `stated`: written on the record itself (the institute's name on an agreement);
 * - `in-force`: the registered name and the renames' effective dates decide it;
 * - `uncertain`: a rename may fall on either side of the date: `candidates` lists
 *   the names it could have been, and `name` is null rather than a guess;
 * - `unknown`: no name is recorded.
 */
export const nameAtTimeSchema = z
  .object({
    certainty: z.enum(['stated', 'in-force', 'uncertain', 'unknown']),
    name: multilingualTextSchema.nullable().meta({ description: 'null when uncertain or unknown: never a guess' }),
    candidates: z.array(multilingualTextSchema).meta({ description: 'The names it may have been' }),
  })
  .meta({ id: 'NameAtTime' });
export type NameAtTime = z.infer<typeof nameAtTimeSchema>;

export interface NameTimeline {
  /** The first known name (the registration), or null. */
  readonly first: MultilingualText | null;
  readonly renames: readonly { readonly name: MultilingualText; readonly effectiveOn: PartialDate }[];
}

export const statedName = (name: MultilingualText): NameAtTime => ({ certainty: 'stated', name, candidates: [name] });

export function nameAt(timeline: NameTimeline, date: PartialDate): NameAtTime {
  const at = dateBounds(date);
  let inForce = timeline.first;
  const possible: MultilingualText[] = [];
  const renames = [...timeline.renames].sort((a, b) => compareByCompletion(a.effectiveOn, b.effectiveOn));
  for (const rename of renames) {
    const r = dateBounds(rename.effectiveOn);
    const known = !at.yearUnknown && !r.yearUnknown;
    const before = known && r.latest !== undefined && at.earliest !== undefined && r.latest <= at.earliest;
    const after = known && r.earliest !== undefined && at.latest !== undefined && r.earliest > at.latest;
    if (before) inForce = rename.name;
    else if (!after) possible.push(rename.name);
  }
  if (possible.length === 0) return inForce ? { certainty: 'in-force', name: inForce, candidates: [inForce] } : { certainty: 'unknown', name: null, candidates: [] };
  const candidates = [...new Map([...(inForce ? [inForce] : []), ...possible].map((n) => [JSON.stringify(n), n])).values()];
  return candidates.length === 1 ? { certainty: 'in-force', name: candidates[0]!, candidates } : { certainty: 'uncertain', name: null, candidates };
}

/** The latest name: the last rename in date order, else the first name. */
export const currentName = (timeline: NameTimeline): MultilingualText | null =>
  [...timeline.renames].sort((a, b) => compareByCompletion(a.effectiveOn, b.effectiveOn)).at(-1)?.name ?? timeline.first;

/** The institute whose record this is: the log records one (the first registered, by id, if several). */
export function instituteOf(institutes: readonly InstituteRecord[]): InstituteRecord | undefined {
  return institutes.find((r) => r.registered) ?? institutes[0];
}

/** The institute's names over time, from its records (fetch them with `loadInstitutes`). */
export const instituteTimeline = (institutes: readonly InstituteRecord[]): NameTimeline => {
  const institute = instituteOf(institutes);
  return {
    first: institute?.registered?.data.name ?? null,
    renames: (institute?.renames ?? []).map((r) => ({ name: r.data.name, effectiveOn: r.data.effectiveOn })),
  };
};

/** A partner's registered details with their corrections (PartnerDetailsCorrected) applied in order. */
export function partnerDetails(record: PartnerRecord | undefined) {
  if (!record?.registered) return undefined;
  return record.detailCorrections.reduce((details, c) => ({ ...details, ...c.data.changes }), record.registered.data);
}

export function partnerTimeline(record: PartnerRecord | undefined): NameTimeline {
  return {
    first: partnerDetails(record)?.name ?? null,
    renames: (record?.renames ?? []).map((r) => ({ name: r.data.name, effectiveOn: r.data.effectiveOn })),
  };
}

/** A partner of a record, named as it was at the record's date. */
export const partnerAtTimeSchema = z
  .object({ partnerId: z.string(), acronym: z.string().nullable(), name: nameAtTimeSchema })
  .meta({ id: 'PartnerAtTime' });
export type PartnerAtTime = z.infer<typeof partnerAtTimeSchema>;

/** A partner of a record named at a date; its record must have been fetched into `records`. */
export function partnerAt(records: RecordSet, partnerId: string, date: PartialDate): PartnerAtTime {
  const record = records.get('partners', partnerId);
  return { partnerId, acronym: partnerDetails(record)?.acronym ?? null, name: nameAt(partnerTimeline(record), date) };
}

/** Fetch the institute's records (there are few) and give them in id order. */
export async function loadInstitutes(records: RecordSet): Promise<InstituteRecord[]> {
  const ids = await records.loadSection('institutes');
  return ids.flatMap((id) => records.get('institutes', id) ?? []);
}
