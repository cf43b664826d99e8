/**
 * A persistent map in plain JSON: records spread over 128 buckets by a hash of
 * their id. An update copies the bucket index and one bucket instead of the whole
 * table, so folding n events costs about n·(128 + size/128), not n·size: the
 * record book stays a pure fold and still replays tens of thousands of events a
 * second. Iteration is by id, so answers never depend on arrival order.
 */
export type Table<V> = Readonly<Record<string, Readonly<Record<string, V>>>>;

const BUCKETS = 128;

/** FNV-1a over UTF-16 code units: stable across processes and versions (it decides where a record is stored). */
function bucketOf(id: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return ((hash >>> 0) % BUCKETS).toString(16).padStart(2, '0');
}

export const tableGet = <V>(table: Table<V>, id: string): V | undefined => table[bucketOf(id)]?.[id];

export function tableSet<V>(table: Table<V>, id: string, value: V): Table<V> {
  const bucket = bucketOf(id);
  return { ...table, [bucket]: { ...table[bucket], [id]: value } };
}

/** Every [id, value], ordered by id. */
export function tableEntries<V>(table: Table<V>): [string, V][] {
  const entries: [string, V][] = [];
  for (const bucket of Object.values(table)) for (const [id, value] of Object.entries(bucket)) entries.push([id, value]);
  return entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
