import type { EventStore } from '@taawun/domain';
import type { ReadModelStorage } from '../engine/storage.js';
import type { TimeLens } from '../engine/temporal.js';
import { queryService } from './built-in.js';

/** For tests: the yearly report through a lens from the stored models, and the replay's, their sources set aside (equal when the lens is served right). */
export async function yearlyReportBothWays(store: EventStore, storage: ReadModelStorage, lens: TimeLens) {
  const [fromStreams, replayed] = await Promise.all([
    queryService({ store, storage }).query('yearly-activity-report', {}, { lens }),
    queryService({ store }).query('yearly-activity-report', {}, { lens }),
  ]);
  if (!fromStreams.ok || !replayed.ok) throw new Error('the yearly report was not answered');
  return { source: fromStreams.value.source.kind, stored: { ...fromStreams.value, source: null }, replayed: { ...replayed.value, source: null } };
}
