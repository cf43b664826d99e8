import type { Purge } from './backend.js';
import type { StoreLocation } from './store-url.js';

/**
 * What an erasure left unscrubbed because another process held a read
 * snapshot, each copy named for people (CLI message, HTTP problem):
 * `keyResidue` when the key store could not empty its WAL of the destroyed
 * key, `purge` when the stored read models' old pages (with the participant's
 * personal data, sealed under the key: readable by whoever also has a copy of
 * the key's bytes) could not be checkpointed away. Empty: every copy is scrubbed.
 */
export function unscrubbedCopies(location: StoreLocation, keyResidue: boolean, purge: Pick<Purge, 'residueCleared' | 'rebuilt'> | undefined): string[] {
  const file = location.kind === 'sqlite' ? location.file : undefined;
  const inFile = file ? ` in ${file} and ${file}-wal` : '';
  const models = purge && purge.rebuilt.length > 0 ? ` (${purge.rebuilt.join(', ')})` : '';
  return [
    ...(purge && !purge.residueCleared ? [`old pages of the stored read models${models} with the participant's personal data, sealed${inFile}`] : []),
    ...(keyResidue ? ["the destroyed key's bytes in the key store's write-ahead log (its -wal file)"] : []),
  ];
}

/** Until when, and how to finish: the same words wherever an incomplete erasure is reported. */
export const UNTIL_THE_READER_CLOSES =
  'they remain until the process holding the snapshot ends its read (and the WAL is checkpointed); repeat the erasure then: it is safe to repeat and finishes the scrub';
