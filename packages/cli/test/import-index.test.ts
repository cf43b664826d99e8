import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ImportedEvents } from '../src/import-index.js';

/*
 * An import looks up every id of its file (duplicates, the event a correction
 * names, ids the target holds) without keeping the file: the ids are kept in
 * a compact table. It finds every id it was given, with its line, stream,
 * revision and type, and no other.
 */

describe('the ids of an import file', () => {
  it('finds each of 50,000 events by id, lower- and upper-case UUIDs and other ids alike, and nothing else', () => {
    const events = new ImportedEvents();
    const ids = Array.from({ length: 50_000 }, (_, i) => (i % 10 === 0 ? randomUUID().toUpperCase() : i % 10 === 1 ? `legacy-${i}` : randomUUID()));
    ids.forEach((id, i) => events.add(id, { line: i + 1, stream: `partner-${i % 700}`, revision: Math.floor(i / 700), type: i % 2 ? 'PartnerRenamed' : 'PartnerRegistered' }));
    expect(events.size).toBe(ids.length);
    for (const [i, id] of ids.entries()) {
      expect(events.get(id)).toEqual({ line: i + 1, stream: `partner-${i % 700}`, revision: Math.floor(i / 700), type: i % 2 ? 'PartnerRenamed' : 'PartnerRegistered' });
    }
    for (let i = 0; i < 1_000; i++) expect(events.get(randomUUID())).toBeUndefined();
    expect(events.get(ids[0]!.toLowerCase())).toBeUndefined(); // another spelling is another id
    expect(events.get('legacy-2')).toBeUndefined();
    expect(events.lineAt('partner-5', 3)).toBe(3 * 700 + 5 + 1);
  });
});
