import {
  generationMissing,
  prefixEnd,
  type IndexPosition,
  type IndexRange,
  type IndexRow,
  type KeyRange,
  type KeySpan,
  type ReadModelReads,
  type StoredDocument,
  type StoredIndexEntry,
} from '@taawun/projections';
import type { Pool } from 'pg';
import type { DocumentTextCache } from './document-cache.js';

/** The documents of a generation within a span of keys: `$3` after, `$4` prefix, `$5` the prefix's end (`keysWithin` gives them). */
const KEYS_WITHIN = `name = $1 AND generation = $2 AND ($3::text IS NULL OR key > $3)
  AND ($4::text IS NULL OR (key >= $4 AND ($5::text IS NULL OR key < $5) AND starts_with(key, $4)))`;

function keysWithin(range: KeySpan): unknown[] {
  const prefix = range.prefix === '' ? undefined : range.prefix;
  return [range.after ?? null, prefix ?? null, prefix === undefined ? null : (prefixEnd(prefix) ?? null)];
}

/** A pool, or a client inside a transaction: where reads are sent. */
export type Queryable = Pick<Pool, 'query'>;

/**
 * The reads of the storage port over a connection: the storage's pool, or the
 * client of one of its transactions (the rm_ tables are derived from what that
 * transaction sees, its own writes included). Each read is one statement that
 * also finds the generation, so a missing one is `generation-missing` without a
 * second round trip: the rows come from the generation's row joined to the read,
 * and no row at all means no generation.
 */
export class PostgresReads implements ReadModelReads {
  constructor(
    private readonly db: Queryable,
    private readonly s: string,
    private readonly where: () => string,
    /** Documents and key listings already read, answered without a read (only within one transaction that writes none meanwhile: see document-cache.ts). */
    private readonly cache?: DocumentTextCache,
  ) {}

  /** `SELECT … FROM <the generation> LEFT JOIN LATERAL (<read>)`: at least one row (all null when the read finds nothing) when the generation exists. */
  private async read<R extends Record<string, unknown>>(name: string, generation: number, columns: string, lateral: string, values: unknown[], order = ''): Promise<R[]> {
    const { rows } = await this.db.query<R>(
      `SELECT ${columns} FROM (SELECT FROM ${this.s}.read_model_generations WHERE name = $1 AND generation = $2) g
       LEFT JOIN LATERAL (${lateral}) x ON true${order ? ` ORDER BY ${order}` : ''}`,
      [name, generation, ...values],
    );
    if (rows.length === 0) throw generationMissing(this.where(), name, generation);
    return rows;
  }

  /**
   * One index lookup per key asked for, whatever the planner believes: a generation being rebuilt
   * grows faster than its statistics, and with `key = ANY($3)` the planner, sure the generation held a
   * row or two, scanned all of its documents and filtered them (11,000 per read at 100k events, every
   * read of a rebuild). The `LIMIT 1` (a key is unique) keeps the lookup a subquery of its own.
   */
  async documents(name: string, generation: number, keys: readonly string[]): Promise<Map<string, string>> {
    if (!this.cache) return this.readDocuments(name, generation, keys);
    const cache = this.cache;
    const cacheKey = (key: string) => `${name}\u0000${generation}\u0000${key}`;
    const found = new Map<string, string>();
    const missing: string[] = [];
    for (const key of new Set(keys)) {
      const text = cache.get(cacheKey(key));
      if (text === undefined) missing.push(key);
      else if (text !== null) found.set(key, text);
    }
    if (missing.length === 0) return found;
    const read = await this.readDocuments(name, generation, missing);
    for (const key of missing) {
      const text = read.get(key);
      cache.set(cacheKey(key), text ?? null);
      if (text !== undefined) found.set(key, text);
    }
    return found;
  }

  private async readDocuments(name: string, generation: number, keys: readonly string[]): Promise<Map<string, string>> {
    const rows = await this.read<{ key: string | null; value: string }>(
      name,
      generation,
      'x.key, x.value',
      `SELECT d.key, d.value FROM unnest($3::text[]) AS asked (key)
       CROSS JOIN LATERAL (SELECT key, value FROM ${this.s}.read_model_documents WHERE name = $1 AND generation = $2 AND key = asked.key LIMIT 1) d`,
      [keys],
    );
    return new Map(rows.filter((r) => r.key !== null).map((r) => [r.key!, r.value]));
  }

  async listDocuments(name: string, generation: number, range: KeyRange = {}): Promise<StoredDocument[]> {
    const rows = await this.listed<{ key: string | null; value: string }>(name, generation, range, 'key, value');
    return rows.filter((r) => r.key !== null).map((r) => ({ key: r.key!, value: r.value }));
  }

  async listKeys(name: string, generation: number, range: KeyRange = {}): Promise<string[]> {
    // Kept as a list's JSON, apart from documents (their cache keys start with a read model's name, never empty).
    const cacheKey = `\u0000keys\u0000${name}\u0000${generation}\u0000${JSON.stringify(range)}`;
    const cached = this.cache?.get(cacheKey);
    if (cached) return JSON.parse(cached) as string[];
    const keys = (await this.listed<{ key: string | null }>(name, generation, range, 'key')).flatMap((r) => (r.key === null ? [] : [r.key]));
    this.cache?.set(cacheKey, JSON.stringify(keys));
    return keys;
  }

  async countKeys(name: string, generation: number, range: KeySpan = {}): Promise<number> {
    const [row] = await this.read<{ n: number }>(name, generation, 'x.n', `SELECT count(*)::int AS n FROM ${this.s}.read_model_documents WHERE ${KEYS_WITHIN}`, keysWithin(range));
    return row!.n;
  }

  /** Documents (`columns`: with or without their values) in key order within `range`, the page skipped and limited in the database. */
  private async listed<R extends { key: string | null }>(name: string, generation: number, range: KeyRange, columns: 'key' | 'key, value'): Promise<R[]> {
    return this.read<R>(
      name,
      generation,
      columns === 'key' ? 'x.key' : 'x.key, x.value',
      `SELECT ${columns} FROM ${this.s}.read_model_documents WHERE ${KEYS_WITHIN} ORDER BY key LIMIT $6 OFFSET $7`,
      [...keysWithin(range), range.limit ?? null, Math.max(0, range.offset ?? 0)],
      'x.key',
    );
  }

  async readIndex(name: string, generation: number, index: string, key: string, range: IndexRange = {}): Promise<StoredIndexEntry[]> {
    const rows = await this.read<{ sort: string | null; document: string; value: string | null }>(
      name,
      generation,
      'x.sort, x.document, x.value',
      `SELECT sort, document, value FROM ${this.s}.read_model_index
       WHERE name = $1 AND generation = $2 AND idx = $3 AND key = $4 AND ($5::text IS NULL OR sort > $5)
       ORDER BY sort LIMIT $6 OFFSET $7`,
      [index, key, range.after ?? null, range.limit ?? null, range.offset ?? 0],
      'x.sort',
    );
    return rows.filter((r) => r.sort !== null).map((r) => ({ sort: r.sort!, document: r.document, value: r.value }));
  }

  async countIndex(name: string, generation: number, index: string, key: string): Promise<number> {
    const [row] = await this.read<{ n: number }>(
      name,
      generation,
      'x.n',
      `SELECT count(*)::int AS n FROM ${this.s}.read_model_index WHERE name = $1 AND generation = $2 AND idx = $3 AND key = $4`,
      [index, key],
    );
    return row!.n;
  }

  async listIndex(name: string, generation: number, range: { after?: IndexPosition; limit?: number } = {}): Promise<IndexRow[]> {
    const after = range.after;
    const rows = await this.read<{ idx: string | null; key: string; sort: string; document: string; value: string | null }>(
      name,
      generation,
      'x.idx, x.key, x.sort, x.document, x.value',
      `SELECT idx, key, sort, document, value FROM ${this.s}.read_model_index
       WHERE name = $1 AND generation = $2 AND ($3::text IS NULL OR (idx, key, sort) > ($3, $4, $5))
       ORDER BY idx, key, sort LIMIT $6`,
      [after?.index ?? null, after?.key ?? null, after?.sort ?? null, range.limit ?? null],
      'x.idx, x.key, x.sort',
    );
    return rows.filter((r) => r.idx !== null).map(({ idx, key, sort, document, value }) => ({ index: idx!, key, sort, document, value }));
  }
}
