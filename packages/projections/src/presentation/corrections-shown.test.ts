import { InMemoryEventStore, handle } from '@taawun/domain';
import { deterministicContext } from '@taawun/domain/testing';
import { loadInstituteRecord } from '@taawun/example-institute-record';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryAuditTrail, queryPartnerHistory, querySessions } from '../read-models/built-in.js';
import { presentAnswer } from './answers.js';
import { valueOf } from './table.js';

/*
 * A corrected figure is never shown as if first recorded: every table that
 * shows it marks it corrected, its details say who corrected what from what to
 * what and why, and the audit trail's table says the same beside the event.
 */
describe('a correction, as the tables show it', () => {
  const store = new InMemoryEventStore();
  beforeAll(async () => {
    await loadInstituteRecord(store, deterministicContext('seed'));
    const held = (await store.readStream('session-mediation-guide-meeting-2017')).find((e) => e.type === 'SessionHeld')!;
    const corrected = await handle(
      store,
      { type: 'CorrectRecord', stream: held.stream, eventId: held.id, changes: { attendance: { count: 75, basis: 'total' } }, reason: 'attendance re-counted from the sign-in sheet (hypothetical)' },
      deterministicContext('clerk-a'),
    );
    expect(corrected.ok).toBe(true);
  });

  const cellsOf = (table: ReturnType<typeof presentAnswer>, record: string) => {
    const row = table.rows.find((r) => table.columns.some((c) => valueOf(c.cell(r)) === record))!;
    return { cells: table.columns.map((c) => String(valueOf(c.cell(row)) ?? '')), details: table.details?.(row) ?? [] };
  };

  it("marks the corrected entry in the partner's history and the register of sessions, and its details say what changed", async () => {
    for (const answer of [await queryPartnerHistory({ store }, { partnerId: 'kvinfo' }), await querySessions({ store }, {})]) {
      if (!answer.ok) throw new Error(answer.error.message);
      for (const lang of ['en', 'fr', 'ar'] as const) {
        const { cells, details } = cellsOf(presentAnswer(answer.value, {}, { lang }), 'mediation-guide-meeting-2017');
        expect(cells, lang).toContain(`F5 · ${{ en: 'corrected 1×', fr: 'corrigé 1 fois', ar: 'صُحح مرة واحدة' }[lang]}`);
        expect(details.at(-1), lang).toContain('clerk-a');
        expect(details.at(-1), lang).toContain('attendance: {"count":70,"basis":"total"} → {"count":75,"basis":"total"}');
      }
    }
  });

  it('says in the audit trail table who corrected which field, from what to what', async () => {
    const answer = await queryAuditTrail({ store }, { recordType: 'session', recordId: 'mediation-guide-meeting-2017' });
    if (!answer.ok) throw new Error(answer.error.message);
    const table = presentAnswer(answer.value, {}, { lang: 'en' });
    const held = table.rows.find((r) => (r as { type: string }).type === 'SessionHeld')!;
    const note = String(valueOf(table.columns.at(-1)!.cell(held)));
    expect(note).toMatch(/^Corrected \d{4}-\d\d-\d\dT[^ ]+ by clerk-a: attendance re-counted from the sign-in sheet \(hypothetical\) \(attendance: \{"count":70,"basis":"total"\} → \{"count":75,"basis":"total"\}\)$/);
  });
});
