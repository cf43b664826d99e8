import { defineProjection } from '../engine/projection.js';
import { column, nullable, table, type Columns, type TableRow } from '../tables/columns.js';
import { defineReadModelTables } from '../tables/read-model-tables.js';

/*
 * A read model of a user's own, with tables, for tests of storages that keep
 * tables: sessions held per partner, one document (and one unit) per partner.
 */

export interface SessionsHeld {
  readonly held: number;
  /** When the last one was held, as recorded. */
  readonly lastHeld: string | null;
}

export const sessionsPerPartnerProjection = defineProjection({
  name: 'sessions-per-partner',
  version: 1,
  handles: ['SessionHeld'],
  initialState: { held: 0, lastHeld: null } as SessionsHeld,
  keyOf: (event) => event.data.partners,
  evolve: (doc: SessionsHeld, event) => ({ held: doc.held + 1, lastHeld: event.data.heldOn }),
});

/** Its tables: `rm_sessions_held`, and `extra` columns (with their values) to change the description as a later version of the code would. */
export function sessionsHeldTables(options: { readonly heldComment?: string; readonly extra?: Columns; readonly extraRow?: (doc: SessionsHeld) => TableRow } = {}) {
  const { heldComment = 'sessions held with the partner', extra = {}, extraRow = () => ({}) } = options;
  return defineReadModelTables({
    projection: sessionsPerPartnerProjection,
    comment: 'sessions held with each partner',
    tables: [
      table({
        name: 'rm_sessions_held',
        columns: { partner_id: column.text(), held: column.integer(heldComment), last_held_edtf: nullable(column.text('the last one, as recorded')), ...extra },
        primaryKey: ['partner_id'],
      }),
    ],
    unitColumn: 'partner_id',
    units: (model) => model.keys(),
    unitOf: (documentKey) => documentKey,
    async rows(model, partner_id) {
      const doc = (await model.get(partner_id)) as SessionsHeld | undefined;
      return { rm_sessions_held: doc ? [{ partner_id, held: doc.held, last_held_edtf: doc.lastHeld, ...extraRow(doc) }] : [] };
    },
  });
}
