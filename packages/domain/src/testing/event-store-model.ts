import fc from 'fast-check';
import { expect } from 'vitest';
import type { EventToAppend, StoredEvent } from '../store/envelope.js';
import type { EventStore, ExpectedRevision } from '../store/port.js';

/** The model: streams as lists of ids, the log as a list of (stream, id). */
export interface StoreModel {
  readonly streams: Map<string, string[]>;
  readonly log: { stream: string; id: string }[];
  lastOk: { stream: string; events: EventToAppend[]; expected: ExpectedRevision } | undefined;
  readonly prefix: string;
}

type Real = EventStore;
const streamNames = ['a', 'b', 'c'] as const;
const nameOf = (m: StoreModel, s: string) => `${m.prefix}-${s}`;

const modelRevision = (m: StoreModel, stream: string): ExpectedRevision => {
  const ids = m.streams.get(stream);
  return ids && ids.length > 0 ? ids.length - 1 : 'no-stream';
};

type ExpectedKind = 'correct' | 'stale' | 'ahead' | 'any' | 'no-stream';

class AppendCommand implements fc.AsyncCommand<StoreModel, Real> {
  constructor(
    readonly label: string,
    readonly count: number,
    readonly kind: ExpectedKind,
  ) {}
  check = () => true;
  async run(m: StoreModel, store: Real): Promise<void> {
    const stream = nameOf(m, this.label);
    const current = modelRevision(m, stream);
    const length = m.streams.get(stream)?.length ?? 0;
    const expected: ExpectedRevision =
      this.kind === 'correct' ? current
      : this.kind === 'any' ? 'any'
      : this.kind === 'no-stream' ? 'no-stream'
      : this.kind === 'ahead' ? length + 3
      : length >= 2 ? length - 2 : length === 1 ? 'no-stream' : 0;
    const events = Array.from({ length: this.count }, (_, i) =>
      ({ id: crypto.randomUUID(), type: 'Modelled', schemaVersion: 1, data: { i }, metadata: { actor: 'model', correlationId: 'm', causationId: 'm' }, recordedAt: '2024-01-01T00:00:00.000Z' }) satisfies EventToAppend,
    );
    const shouldSucceed = expected === 'any' || expected === current;
    const result = await store.append(stream, events, { expectedRevision: expected });
    expect(result.ok).toBe(shouldSucceed);
    if (!result.ok) {
      expect(result.error.actual).toBe(current);
      return;
    }
    const ids = m.streams.get(stream) ?? [];
    ids.push(...events.map((e) => e.id));
    m.streams.set(stream, ids);
    m.log.push(...events.map((e) => ({ stream, id: e.id })));
    expect(result.nextExpectedRevision).toBe(ids.length === 0 ? 'no-stream' : ids.length - 1);
    if (events.length > 0) m.lastOk = { stream, events, expected };
  }
  toString = () => `append(${this.label}, ${this.count}, ${this.kind})`;
}

class RetryLastCommand implements fc.AsyncCommand<StoreModel, Real> {
  check = (m: Readonly<StoreModel>) => m.lastOk !== undefined;
  async run(m: StoreModel, store: Real): Promise<void> {
    const last = m.lastOk!;
    const result = await store.append(last.stream, last.events, { expectedRevision: last.expected });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.events.map((e) => e.id)).toEqual(last.events.map((e) => e.id));
    expect((await store.readStream(last.stream)).map((e) => e.id)).toEqual(m.streams.get(last.stream));
  }
  toString = () => 'retryLast()';
}

class ReadStreamCommand implements fc.AsyncCommand<StoreModel, Real> {
  constructor(
    readonly label: string,
    readonly backwards: boolean,
    readonly from: number | undefined,
    readonly max: number | undefined,
  ) {}
  check = () => true;
  async run(m: StoreModel, store: Real): Promise<void> {
    const stream = nameOf(m, this.label);
    const ids = m.streams.get(stream) ?? [];
    let expected: string[];
    if (this.backwards) {
      const from = Math.min(this.from ?? ids.length - 1, ids.length - 1);
      expected = ids.slice(0, from + 1).reverse();
    } else {
      expected = ids.slice(this.from ?? 0);
    }
    if (this.max !== undefined) expected = expected.slice(0, this.max);
    const read: StoredEvent[] = await store.readStream(stream, {
      direction: this.backwards ? 'backwards' : 'forwards',
      ...(this.from === undefined ? {} : { fromRevision: this.from }),
      ...(this.max === undefined ? {} : { maxCount: this.max }),
    });
    expect(read.map((e) => e.id)).toEqual(expected);
    for (const e of read) expect(ids[e.revision]).toBe(e.id);
  }
  toString = () => `readStream(${this.label}, ${this.backwards ? 'back' : 'fwd'}, ${this.from}, ${this.max})`;
}

class ReadAllCommand implements fc.AsyncCommand<StoreModel, Real> {
  constructor(readonly skip: number) {}
  check = () => true;
  async run(m: StoreModel, store: Real): Promise<void> {
    const filter = { streamPrefixes: [`${m.prefix}-`] };
    const all: StoredEvent[] = [];
    for await (const e of store.readAll({ filter })) all.push(e);
    expect(all.map((e) => e.id)).toEqual(m.log.map((e) => e.id));
    const skip = Math.min(this.skip, all.length);
    if (skip === 0) return;
    const rest: StoredEvent[] = [];
    for await (const e of store.readAll({ after: all[skip - 1]!.position, filter })) rest.push(e);
    expect(rest.map((e) => e.id)).toEqual(m.log.slice(skip).map((e) => e.id));
  }
  toString = () => `readAll(skip ${this.skip})`;
}

export const appendModelCommands = () => {
  const label = fc.constantFrom(...streamNames);
  return [
    fc.tuple(label, fc.integer({ min: 0, max: 4 }), fc.constantFrom<ExpectedKind>('correct', 'correct', 'stale', 'ahead', 'any', 'no-stream'))
      .map(([l, n, k]) => new AppendCommand(l, n, k)),
    fc.constant(null).map(() => new RetryLastCommand()),
    fc.tuple(label, fc.boolean(), fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }), fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }))
      .map(([l, b, f, x]) => new ReadStreamCommand(l, b, f, x)),
    fc.integer({ min: 0, max: 10 }).map((n) => new ReadAllCommand(n)),
  ];
};
