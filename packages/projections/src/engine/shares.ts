import { COUNTERS_PREFIX, type AnyProjection } from './projection.js';
import type { ReadModelStorage } from './storage.js';

/*
 * A document's share of its model: how many index entries it gives each
 * `(index, key)` and what it adds to each counters document. A time lens on a
 * whole-log answer takes the shares of the streams it changes off the stored
 * model; for a projection that `keepsShares`, the engine keeps each
 * document's share beside it as a note, so the lens reads small notes instead
 * of parsing the documents (a training session's record holds its every
 * enrolment: 4.6 KB on average at 1M events, its share a few hundred bytes).
 */

/** What one document gives its model's lists and counters. */
export interface DocumentShare {
  /** Entries per index and key. */
  readonly entries: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Sums per counters document. */
  readonly counters: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** The engine's own notes sort under this prefix, apart from the counters (a counter name may not start with `#`): not the model's. */
export const ENGINE_NOTES_PREFIX = `${COUNTERS_PREFIX}#`;
/** The note saying every document of the generation has its share note: written with the generation's first commit. */
export const SHARES_KEPT = `${ENGINE_NOTES_PREFIX}shares-kept`;
/** The key of a document's share note (a document's key never starts with `#`; no NUL, which PostgreSQL's text refuses). */
export const shareNoteKey = (key: string) => `${ENGINE_NOTES_PREFIX}share:${key}`;

/** The share of a document, as the engine derives its entries and counters. */
export function shareOf(projection: AnyProjection, key: string, document: unknown): DocumentShare {
  // Maps without a prototype: a projection's names are data (an index named "__proto__" is one more index).
  const map = <V>() => Object.create(null) as Record<string, V>;
  const entries = map<Record<string, number>>();
  const counters = map<Record<string, number>>();
  for (const e of projection.indexes?.(key, document) ?? []) {
    const of = (entries[e.index] ??= map<number>());
    of[e.key] = (of[e.key] ?? 0) + 1;
  }
  for (const c of projection.counters?.(key, document) ?? []) {
    const sums = (counters[c.counters] ??= map<number>());
    for (const [name, value] of Object.entries(c.values)) sums[name] = (sums[name] ?? 0) + value;
  }
  return { entries, counters };
}

/**
 * The share notes of these documents, in a generation that keeps them (the
 * reader checks `SHARES_KEPT` first). A document absent from the model has no note.
 */
export async function readShares(storage: Pick<ReadModelStorage, 'documents'>, name: string, generation: number, keys: readonly string[]): Promise<Map<string, DocumentShare>> {
  const found = new Map<string, DocumentShare>();
  // Bounded batches: SQL drivers limit the parameters of one statement.
  for (let at = 0; at < keys.length; at += 500) {
    const chunk = keys.slice(at, at + 500);
    const notes = await storage.documents(name, generation, chunk.map(shareNoteKey));
    for (const key of chunk) {
      const text = notes.get(shareNoteKey(key));
      if (text !== undefined) found.set(key, JSON.parse(text) as DocumentShare);
    }
  }
  return found;
}
