import { newEventId, pickText } from '@taawun/domain';
import { queryPartnerHistory } from '@taawun/projections';
import { loadInstituteRecord, openRuntime, type LoadReport } from '@taawun/runtime';

export interface PartnerHistoryRun {
  readonly loaded: LoadReport;
  /** One line per entry of the partner's history: date, what happened, title. */
  readonly lines: readonly string[];
}

/**
 * Open the store a URL names, load the institute's record into it (a second
 * load adds nothing), and read one partner's history back: what a program
 * embedding taawun does with the record, through the public API only.
 */
export async function loadAndShowHistory(storeUrl: string, partnerId: string, actor = 'institute-record-example'): Promise<PartnerHistoryRun> {
  const runtime = await openRuntime(storeUrl);
  try {
    const loaded = await loadInstituteRecord(runtime.store, { actor, now: () => new Date(), newId: newEventId });
    if (loaded.failures.length > 0) {
      const { entry, error } = loaded.failures[0]!;
      throw new Error(`${entry.key} (${entry.fact}): ${error.message} (${error.code})`);
    }
    const answer = await queryPartnerHistory({ store: runtime.store }, { partnerId });
    if (!answer.ok) throw new Error(answer.error.message);
    const lines = answer.value.result.entries.map((entry) => `${entry.date.label.padEnd(24)} ${entry.what.padEnd(32)} ${pickText(entry.title ?? { en: entry.record.id }, 'en')}`);
    return { loaded, lines };
  } finally {
    await runtime.close();
  }
}
