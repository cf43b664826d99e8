/**
 * A reading of a SQLite `-wal` file by its format (https://sqlite.org/fileformat.html#the_write_ahead_log),
 * done before SQLite sees it: SQLite silently ignores every frame from the first
 * one whose salt or checksum does not match, so a damaged frame in the middle of
 * committed transactions makes them, and all after them, vanish without an error.
 * Here that is damage: frames of the WAL's current generation (its header's salts)
 * that mark a commit and come after a frame SQLite would stop at.
 */
export interface WalReading {
  /** Frames SQLite applies (up to and including the last valid commit frame). */
  readonly validFrames: number;
  /** Set when committed transactions would be dropped. */
  readonly damage?: {
    /** 1-based number of the first frame SQLite stops at. */
    readonly firstBadFrame: number;
    /** Commit frames of the current generation from there on: transactions lost if SQLite were left to recover. */
    readonly lostCommits: number;
    readonly reason: string;
  };
}

const WAL_HEADER = 32;
const FRAME_HEADER = 24;

/** SQLite's WAL checksum: pairs of 32-bit words, in the byte order the magic number names. */
function checksum(bytes: Uint8Array, start: number, end: number, bigEndian: boolean, seed: readonly [number, number]): [number, number] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let s0 = seed[0];
  let s1 = seed[1];
  for (let i = start; i < end; i += 8) {
    s0 = (s0 + view.getUint32(i, !bigEndian) + s1) >>> 0;
    s1 = (s1 + view.getUint32(i + 4, !bigEndian) + s0) >>> 0;
  }
  return [s0, s1];
}

export function readWal(bytes: Uint8Array): WalReading {
  if (bytes.length === 0) return { validFrames: 0 };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < WAL_HEADER) return { validFrames: 0, damage: { firstBadFrame: 1, lostCommits: 0, reason: `the -wal file is ${bytes.length} bytes, shorter than its 32-byte header` } };
  const magic = view.getUint32(0);
  if (magic !== 0x377f0682 && magic !== 0x377f0683) {
    return { validFrames: 0, damage: { firstBadFrame: 1, lostCommits: 0, reason: 'the -wal file does not start with the WAL magic number' } };
  }
  const bigEndian = (magic & 1) === 1;
  const pageSize = view.getUint32(8) === 1 ? 65536 : view.getUint32(8);
  const salt1 = view.getUint32(16);
  const salt2 = view.getUint32(20);
  const headerSum = checksum(bytes, 0, 24, bigEndian, [0, 0]);
  const frameSize = FRAME_HEADER + pageSize;
  const frames = Math.floor((bytes.length - WAL_HEADER) / frameSize);
  const frameAt = (n: number) => WAL_HEADER + (n - 1) * frameSize;
  const isCurrent = (n: number) => view.getUint32(frameAt(n) + 8) === salt1 && view.getUint32(frameAt(n) + 12) === salt2;
  const isCommit = (n: number) => view.getUint32(frameAt(n) + 4) !== 0;
  const commitsFrom = (first: number) => {
    let count = 0;
    for (let n = first; n <= frames; n++) if (isCurrent(n) && isCommit(n)) count++;
    return count;
  };

  if (headerSum[0] !== view.getUint32(24) || headerSum[1] !== view.getUint32(28) || pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) {
    // SQLite ignores a WAL whose header does not check out: every frame in it is lost.
    const lostCommits = commitsFrom(1);
    return lostCommits > 0 || frames > 0
      ? { validFrames: 0, damage: { firstBadFrame: 1, lostCommits, reason: "the -wal file's header checksum does not match (SQLite would ignore the whole file)" } }
      : { validFrames: 0 };
  }
  let running: [number, number] = headerSum;
  let validFrames = 0;
  for (let n = 1; n <= frames; n++) {
    const at = frameAt(n);
    let stop: string | undefined;
    if (!isCurrent(n)) {
      stop = `frame ${n} of the -wal file carries other salts than its header`; // normally: a frame of an earlier generation, the end of this one
    } else {
      running = checksum(bytes, at, at + 8, bigEndian, running);
      running = checksum(bytes, at + FRAME_HEADER, at + frameSize, bigEndian, running);
      if (running[0] !== view.getUint32(at + 16) || running[1] !== view.getUint32(at + 20)) stop = `frame ${n} of the -wal file does not match its checksum`;
    }
    if (stop !== undefined) {
      const lostCommits = commitsFrom(n);
      // A torn, never-committed tail (a crash mid-write) or an old generation is normal; a commit of this generation beyond the stop is not.
      return lostCommits === 0 ? { validFrames } : { validFrames, damage: { firstBadFrame: n, lostCommits, reason: stop } };
    }
    if (isCommit(n)) validFrames = n;
  }
  return { validFrames };
}
