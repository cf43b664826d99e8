import { ANY, NO_STREAM, STREAM_EXISTS, type AppendExpectedRevision } from '@eventstore/db-client';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ExpectedRevision } from '@taawun/domain';
import { toClientExpectedRevision, toStreamRevision } from '../src/index.js';

describe('expected revisions in the client’s terms', () => {
  it('maps the named ones to the client constants', () => {
    const named: [ExpectedRevision, AppendExpectedRevision][] = [
      ['no-stream', NO_STREAM],
      ['any', ANY],
      ['stream-exists', STREAM_EXISTS],
    ];
    for (const [ours, theirs] of named) expect(toClientExpectedRevision(ours)).toBe(theirs);
  });

  it('maps a revision number to the same bigint, and the server’s answer back to the same number', () => {
    fc.assert(
      fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), (revision) => {
        const sent = toClientExpectedRevision(revision);
        expect(sent).toBe(BigInt(revision));
        expect(toStreamRevision(sent as bigint)).toBe(revision);
      }),
    );
  });
});
