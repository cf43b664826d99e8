import type { ExpectedRevision, StreamRevision } from '@taawun/domain';

/**
 * ETags are stream revisions: `"3"` is the revision of the stream's last event.
 * `If-Match: "3"` expects exactly that revision, `If-Match: *` expects the
 * stream to exist, `If-None-Match: *` expects it not to exist yet.
 */
export const etagOf = (revision: StreamRevision): string => `"${revision === 'no-stream' ? 'none' : revision}"`;

export type PreconditionParse = { ok: true; expected?: ExpectedRevision } | { ok: false; message: string };

const strongEtag = /^"(\d{1,15})"$/;

export function parsePreconditions(ifMatch: string | undefined, ifNoneMatch: string | undefined): PreconditionParse {
  if (ifMatch !== undefined && ifNoneMatch !== undefined) {
    return { ok: false, message: 'send If-Match or If-None-Match, not both' };
  }
  if (ifNoneMatch !== undefined) {
    return ifNoneMatch.trim() === '*' ? { ok: true, expected: 'no-stream' } : { ok: false, message: 'If-None-Match only takes * (the record must not exist yet)' };
  }
  if (ifMatch === undefined) return { ok: true };
  const value = ifMatch.trim();
  if (value === '*') return { ok: true, expected: 'stream-exists' };
  const match = strongEtag.exec(value);
  if (!match) return { ok: false, message: `If-Match ${JSON.stringify(ifMatch)} is not an ETag from this API: give one, e.g. "3", or *` };
  return { ok: true, expected: Number(match[1]) };
}
