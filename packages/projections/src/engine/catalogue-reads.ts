import { storedModel, type ModelReader } from './model-reader.js';
import { recordStreamsProjection } from './record-streams.js';
import { rememberedReads } from './remembered-reads.js';
import type { GenerationInfo, ReadModelStorage } from './storage.js';

/**
 * The reads of the catalogue of streams (`record-streams.ts`) kept between
 * answers while it stays at one commit: a lens answer lists the streams naming
 * its partner, their entries and the institutes' streams, and the next lens
 * answer at the same commit reads the same (a partner asked as of one date,
 * then another). A commit moves the checkpoint, and with it the key: what was
 * read before is dropped, not updated. Kept by the query service, one per
 * storage.
 *
 * Exact: a generation at one version and checkpoint holds one fold of one log
 * prefix. An answer that read while a runner committed sees the checkpoint
 * moved at its end and is asked again (`answerThroughStreams`), at the new key.
 */
export class CatalogueReads {
  private kept: { readonly at: string; readonly reader: ModelReader } | undefined;

  constructor(
    /** Documents and lists kept at most (a partner's answer reads a few dozen). */
    private readonly limit = 5_000,
  ) {}

  /** The catalogue's reader at this generation's commit. */
  at(storage: ReadModelStorage, info: GenerationInfo): ModelReader {
    const at = JSON.stringify([info.generation, info.version, info.position?.toString() ?? null]);
    if (this.kept?.at !== at) this.kept = { at, reader: rememberedReads(storedModel(storage, recordStreamsProjection, info), this.limit) };
    return this.kept.reader;
  }
}
