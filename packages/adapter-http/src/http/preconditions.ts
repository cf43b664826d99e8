import type { ExpectedRevision, StreamRevision } from '@taawun/domain';

/**
 * ETags are stream revisions: `"3"` is the revision of the stream's last event.
 * `If-Match: "3"` expects exactly that revision, `If-Match: *` expects the
 * stream to exist, `If-None-Match: *` expects it not to exist yet.
 *
 * If-Match uses the strong comparison of RFC 9110 (§8.8.3.2, §13.1.1): only an
 * ETag this API issued, byte for byte, matches. A weak tag (`W/"3"`) or another
 * spelling of the number (`"03"`) is a well-formed tag that never matches, so the
 * precondition fails (412), as it does when a list names more than one revision
 * (the domain checks one expected revision, atomically with the write). Only a header that is not an entity-tag list at all is a 400.
 */
export const etagOf = (revision: StreamRevision): string => `"${revision === 'no-stream' ? 'none' : revision}"`;

export type PreconditionParse =
  | { ok: true; expected?: ExpectedRevision }
  /** Well-formed, but nothing in it can match: the command fails its precondition without being decided. */
  | { ok: true; neverMatches: string }
  | { ok: false; message: string };

// entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, etagc = %x21 / %x23-7E / obs-text; listed with commas and optional whitespace.
const entityTag = /^(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"$/;
/** The ETags this API issues: a revision in canonical decimal. */
const issued = /^(0|[1-9]\d{0,14})$/;

function entityTags(header: string): { weak: boolean; opaque: string }[] | undefined {
  const parts = header.split(',').map((part) => part.trim()).filter((part) => part !== '');
  if (parts.length === 0) return undefined;
  const tags: { weak: boolean; opaque: string }[] = [];
  for (const part of parts) {
    const match = entityTag.exec(part);
    if (!match) return undefined;
    tags.push({ weak: match[1] !== undefined, opaque: match[2]! });
  }
  return tags;
}

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
  const tags = entityTags(value);
  if (!tags) return { ok: false, message: `If-Match ${JSON.stringify(ifMatch)} is not an ETag: give one from a previous response, e.g. "3", or *` };
  const revisions = [...new Set(tags.filter((tag) => !tag.weak && issued.test(tag.opaque)).map((tag) => tag.opaque))];
  if (revisions.length === 1) return { ok: true, expected: Number(revisions[0]) };
  return {
    ok: true,
    neverMatches:
      revisions.length === 0
        ? `If-Match ${JSON.stringify(ifMatch)} names no ETag this API issues (weak tags never match; a revision is written "3")`
        : `If-Match names ${revisions.length} revisions: this API compares with one; give the one you last read`,
  };
}
