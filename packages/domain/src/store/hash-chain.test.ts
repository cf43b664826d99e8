import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, canonicalEventText, chainHash, chainLinkAndLeafHash, eventContentHex, linkAndGrow, verifyChain, type ChainedRow } from './hash-chain.js';
import { MemoryTree, TreeFrontier, leafHash, treeRoot } from './merkle/tree.js';

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest();

const row = (position: number, data: string): ChainedRow => ({
  position: BigInt(position),
  stream: 'partner-enabel',
  revision: position - 1,
  id: `e-${position}`,
  type: 'PartnerRegistered',
  schemaVersion: 1,
  recordedAt: '2024-05-01T10:00:00.000Z',
  dataJson: JSON.stringify({ name: data }),
  metadataJson: '{"actor":"كاتب الضبط"}',
});

/** A log chained in format 1 up to `contentLinkedFrom - 1` and in format 2 from there. */
function chained(texts: readonly string[], contentLinkedFrom: number) {
  let previous = GENESIS_HASH;
  return texts.map((text, i) => {
    const r = row(i + 1, text);
    previous = chainHash(previous, r, i + 1 >= contentLinkedFrom ? 2 : 1);
    return { ...r, hash: previous };
  });
}

describe('the hash chain formats', () => {
  it('format 2 links the content hash as hex, format 1 the canonical text, as an auditor recomputes them with sha256', () => {
    const r = row(1, 'المعهد العالي للقضاء "ENM" \\ |');
    const canonical = canonicalEventText(r);
    const content = sha256(Buffer.from(canonical, 'utf8')).toString('hex');
    expect(eventContentHex(r)).toBe(content);
    expect(chainHash(GENESIS_HASH, r, 2)).toBe(sha256(`${GENESIS_HASH}\n${content}\n`).toString('hex'));
    expect(chainHash(GENESIS_HASH, r, 1)).toBe(sha256(`${GENESIS_HASH}\n${canonical}`).toString('hex'));
    expect(chainHash(GENESIS_HASH, r)).toBe(chainHash(GENESIS_HASH, r, 2));
  });

  it('gives the same Merkle leaf hash in either format: the leaf is the content hash', () => {
    const r = row(3, 'Enabel');
    const leaf = leafHash(Uint8Array.from(Buffer.from(eventContentHex(r), 'hex')));
    expect(chainLinkAndLeafHash(GENESIS_HASH, r, 1).leafHash).toEqual(leaf);
    expect(chainLinkAndLeafHash(GENESIS_HASH, r, 2).leafHash).toEqual(leaf);
    expect(chainLinkAndLeafHash(GENESIS_HASH, r, 2).hash).toBe(chainHash(GENESIS_HASH, r, 2));
  });

  it('verifies a log whose format changes at any position only against that position', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string(), { minLength: 1, maxLength: 12 }), fc.nat(13), fc.nat(13), async (texts, switchAt, claimed) => {
        const from = Math.min(switchAt, texts.length) + 1;
        const log = chained(texts, from);
        const truthful = await verifyChain(log, { formats: { contentLinkedFrom: BigInt(from) } });
        expect(truthful).toMatchObject({ intact: true, events: texts.length });
        const other = Math.min(claimed, texts.length) + 1;
        const report = await verifyChain(log, { formats: { contentLinkedFrom: other === texts.length + 1 ? null : BigInt(other) } });
        // A wrong switch position breaks the first link it misreads (unless it only moves past the end).
        const firstMisread = Math.min(from, other);
        if (from === other || (from > texts.length && other > texts.length)) expect(report.intact).toBe(true);
        else expect(report).toMatchObject({ intact: false, problem: 'hash-mismatch', position: BigInt(firstMisread) });
      }),
    );
  });

  it('grows the chain and the tree in one step as the separate functions do, in either format, keeping the nodes asked for', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string(), { minLength: 1, maxLength: 40 }), fc.constantFrom(0, 4), fc.constantFrom<1 | 2>(1, 2), async (texts, fromLevel, format) => {
        const grown = new TreeFrontier(0, new Map());
        const reference = new MemoryTree();
        let previous = GENESIS_HASH;
        texts.forEach((text, i) => {
          const r = row(i + 1, text);
          const { hash, nodes } = linkAndGrow(previous, r, format, grown, fromLevel);
          const separate = chainLinkAndLeafHash(previous, r, format);
          expect(hash).toBe(separate.hash);
          expect(nodes.map((n) => ({ ...n, hash: [...n.hash] }))).toEqual(
            reference.append(separate.leafHash).filter((n) => n.level >= fromLevel).map((n) => ({ ...n, hash: [...n.hash] })),
          );
          previous = hash;
        });
        expect([...grown.root()]).toEqual([...(await treeRoot(reference.read, texts.length))]);
      }),
    );
  });
});
