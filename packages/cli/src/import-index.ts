import { hash } from 'node:crypto';

/** Where an event of an import file is: its line, stream, revision and type. */
export interface Seen {
  readonly line: number;
  readonly stream: string;
  readonly revision: number;
  readonly type: string;
}

const KEY_BYTES = 16;
const lowerCaseUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A growable array of whole numbers: typed, so a million of them are a few megabytes, not objects. */
class Numbers<T extends Uint32Array | Uint16Array> {
  private values: T;
  constructor(private readonly make: (length: number) => T) {
    this.values = make(1024);
  }
  set(at: number, value: number): void {
    if (at >= this.values.length) {
      const larger = this.make(Math.max(this.values.length * 2, at + 1));
      larger.set(this.values);
      this.values = larger;
    }
    this.values[at] = value;
  }
  get(at: number): number {
    return this.values[at]!;
  }
}

/** Strings numbered in the order they are first met (streams, event types): each kept once. */
class Names {
  private readonly numbers = new Map<string, number>();
  private readonly names: string[] = [];
  numberOf(name: string): number {
    let n = this.numbers.get(name);
    if (n === undefined) {
      n = this.names.length;
      this.names.push(name);
      this.numbers.set(name, n);
    }
    return n;
  }
  name(n: number): string {
    return this.names[n]!;
  }
}

/**
 * The events of an import file by id, in about 60 bytes each at a million
 * events (a `Map` of strings and objects took some 300): an import checks the
 * whole file before it writes, and must look each id up (duplicates, the event
 * a correction names, ids the target already holds) without holding the file.
 * An id is kept as its 16 bytes when it is a lower-case UUID, as taawun makes
 * them, else as the first 16 bytes of its SHA-256 (two ids are then taken for
 * one only if their digests agree on 128 bits); ids in an open-addressing
 * table, where each event is by its order in the file: line, stream, revision
 * and type as numbers, streams and types as names kept once.
 */
export class ImportedEvents {
  private keys = Buffer.alloc(1024 * KEY_BYTES);
  /** Per slot: the event's order in the file plus one; 0 is an empty slot. */
  private slots = new Uint32Array(1024);
  private readonly scratch = Buffer.alloc(KEY_BYTES);
  private readonly lines = new Numbers((n) => new Uint32Array(n));
  private readonly streamOf = new Numbers((n) => new Uint32Array(n));
  private readonly revisionOf = new Numbers((n) => new Uint32Array(n));
  private readonly typeOf = new Numbers((n) => new Uint16Array(n));
  private readonly streams = new Names();
  private readonly types = new Names();
  size = 0;

  /** Record the event with this id (not already recorded: see `get`). */
  add(id: string, seen: Seen): void {
    if ((this.size + 1) * 4 > this.slots.length * 3) this.grow();
    const order = this.size++;
    this.lines.set(order, seen.line);
    this.streamOf.set(order, this.streams.numberOf(seen.stream));
    this.revisionOf.set(order, seen.revision);
    this.typeOf.set(order, this.types.numberOf(seen.type));
    this.place(this.keyOf(id), order);
  }

  get(id: string): Seen | undefined {
    const key = this.keyOf(id);
    for (let slot = this.slotOf(key); ; slot = (slot + 1) & (this.slots.length - 1)) {
      const held = this.slots[slot]!;
      if (held === 0) return undefined;
      if (this.keys.compare(key, 0, KEY_BYTES, slot * KEY_BYTES, (slot + 1) * KEY_BYTES) === 0) return this.at(held - 1);
    }
  }

  /** The line of the event at this revision of this stream (a scan: for an error message). */
  lineAt(stream: string, revision: number): number | undefined {
    for (let order = 0; order < this.size; order++) {
      if (this.revisionOf.get(order) === revision && this.streams.name(this.streamOf.get(order)) === stream) return this.lines.get(order);
    }
    return undefined;
  }

  private at(order: number): Seen {
    return { line: this.lines.get(order), stream: this.streams.name(this.streamOf.get(order)), revision: this.revisionOf.get(order), type: this.types.name(this.typeOf.get(order)) };
  }

  private keyOf(id: string): Buffer {
    if (lowerCaseUuid.test(id)) this.scratch.write(id.replaceAll('-', ''), 0, 'hex');
    else hash('sha256', id, 'buffer').copy(this.scratch, 0, 0, KEY_BYTES);
    return this.scratch;
  }

  /** UUIDs of version 7 begin with a time: the slot mixes their last, random, bytes. */
  private slotOf(key: Buffer): number {
    const mixed = Math.imul(key.readUInt32LE(12) ^ Math.imul(key.readUInt32LE(8), 0x9e3779b1), 0x85ebca6b);
    return (mixed ^ (mixed >>> 15)) & (this.slots.length - 1);
  }

  private place(key: Buffer, order: number): void {
    let slot = this.slotOf(key);
    while (this.slots[slot] !== 0) slot = (slot + 1) & (this.slots.length - 1);
    key.copy(this.keys, slot * KEY_BYTES, 0, KEY_BYTES);
    this.slots[slot] = order + 1;
  }

  private grow(): void {
    const [keys, slots] = [this.keys, this.slots];
    this.keys = Buffer.alloc(keys.length * 2);
    this.slots = new Uint32Array(slots.length * 2);
    for (let slot = 0; slot < slots.length; slot++) {
      const held = slots[slot]!;
      if (held !== 0) this.place(keys.subarray(slot * KEY_BYTES, (slot + 1) * KEY_BYTES), held - 1);
    }
  }
}
