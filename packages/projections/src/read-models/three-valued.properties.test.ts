import { dateBounds, handle, InMemoryEventStore, type CommandInput } from '@taawun/domain';
import { deterministicContext } from '@taawun/domain/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extremes } from '../model/ordered.js';
import { queryAgreementsRegister, querySessions, queryYearlyActivityReport } from './built-in.js';
import { upperBound } from '../model/counts.js';

/*
 * Three-valued time, as a property: a derived value is reported certain exactly
 * when every completion of the record's partial dates (each event given a
 * precise day inside its range, respecting the stated orders) gives that same
 * value, and uncertain when two completions differ. Completions are sampled:
 * the corners of every range (where values change) and random days inside.
 */

const DAY = 86_400_000;
const epoch = Date.UTC(1990, 0, 1);
const iso = (n: number) => new Date(epoch + n * DAY).toISOString().slice(0, 10);
const dayOf = (isoDay: string) => Math.round((Date.parse(`${isoDay}T00:00:00Z`) - epoch) / DAY);
const span = 365 * 12; // 1990 to 2001
const year = (n: number) => iso(n).slice(0, 4);
const month = (n: number) => iso(n).slice(0, 7);

/** A partial date around day `a` (and `b`): a day, a month, a year, a range, or "by YYYY". */
const partialDateArb = fc
  .record({ form: fc.constantFrom('day', 'month', 'year', 'range', 'by'), a: fc.integer({ min: 0, max: span }), b: fc.integer({ min: 0, max: span }) })
  .map(({ form, a, b }) => {
    const [x, y] = a <= b ? [a, b] : [b, a];
    switch (form) {
      case 'day':
        return iso(a);
      case 'month':
        return month(a);
      case 'year':
        return year(a);
      case 'range':
        return x === y ? iso(x) : `${iso(x)}/${iso(y)}`;
      default:
        return `../${year(a)}`;
    }
  });

/** The days a partial date allows (an open start reaches back to the start of the span). */
const rangeOf = (date: string): [number, number] => {
  const b = dateBounds(date);
  return [b.earliest === undefined ? -365 : dayOf(b.earliest), dayOf(b.latest!)];
};

/** Sampled completions of ranges: every corner (first, last day) of each range, and random days. */
function completions(ranges: readonly [number, number][], random: () => number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < ranges.length; i++) {
    for (const pick of [0, 1] as const) {
      for (const others of [0, 1, 2] as const) {
        out.push(ranges.map(([lo, hi], k) => (k === i ? (pick === 0 ? lo : hi) : others === 0 ? lo : others === 1 ? hi : lo + Math.floor(random() * (hi - lo + 1)))));
      }
    }
  }
  // Ties: one item on another's first or last day, as near as its own range allows.
  const clamp = (d: number, [lo, hi]: [number, number]) => Math.min(hi, Math.max(lo, d));
  for (let i = 0; i < ranges.length; i++) {
    for (let j = 0; j < ranges.length; j++) {
      for (const pick of [0, 1] as const) {
        for (const others of [0, 1] as const) out.push(ranges.map((r, k) => (k === i ? clamp(ranges[j]![pick], r) : r[others])));
      }
    }
  }
  for (let n = 0; n < 20; n++) out.push(ranges.map(([lo, hi]) => lo + Math.floor(random() * (hi - lo + 1))));
  return out;
}

/**
 * Every ordering of the items the ranges allow, ties included: each item on each
 * day where a range starts or ends (inside its own range) or between two such
 * days. Which item is first or last depends only on these.
 */
function everyOrdering(ranges: readonly [number, number][]): number[][] {
  const critical = [...new Set(ranges.flat())].sort((a, b) => a - b);
  const points = critical.flatMap((d, i) => (i + 1 < critical.length && critical[i + 1]! - d > 1 ? [d, d + 1] : [d]));
  let out: number[][] = [[]];
  for (const [lo, hi] of ranges) {
    const here = points.filter((p) => p >= lo && p <= hi);
    out = out.flatMap((c) => here.map((p) => [...c, p]));
  }
  return out;
}

const former = { en: 'Former name' };
const current = { en: 'Current name' };

describe('three-valued lenses (property)', () => {
  it("the institute's name on each agreement, as of a random day: certain exactly when every completion gives that name", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(partialDateArb, partialDateArb, fc.constant('XXXX')),
        fc.array(partialDateArb, { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 0, max: span }),
        fc.integer(),
        async (renamedOn, signedOn, asOfDay, seed) => {
          const store = new InMemoryEventStore();
          const context = deterministicContext('three-valued');
          const commands: CommandInput[] = [
            { type: 'RegisterInstitute', instituteId: 'institute', name: former },
            { type: 'RenameInstitute', instituteId: 'institute', name: current, effectiveOn: renamedOn },
            { type: 'RegisterPartner', partnerId: 'school', name: { en: 'A school' }, kind: 'school', country: 'FR' },
            ...signedOn.map((date, i): CommandInput => ({ type: 'SignAgreement', agreementId: `a${i}`, kind: 'agreement', partners: ['school'], signedOn: date })),
          ];
          for (const command of commands) {
            const done = await handle(store, command, context);
            if (!done.ok) throw new Error(`${command.type}: ${done.error.message}`);
          }
          const asOf = iso(asOfDay);
          const answer = await queryAgreementsRegister({ store }, {}, { asOf });
          if (!answer.ok) throw new Error(answer.error.message);

          // Sampled completions: the rename's day and each signature's day, inside their ranges.
          // The year unknown: any day, before or after every other date of the log.
          const ranges: [number, number][] = [renamedOn === 'XXXX' ? [-2000, span + 2000] : rangeOf(renamedOn), ...signedOn.map(rangeOf)];
          let state = seed;
          const random = () => ((state = (state * 1_103_515_245 + 12_345) & 0x7fffffff) / 0x80000000);
          const sampled = completions(ranges, random);

          for (const agreement of answer.value.result.agreements) {
            const i = Number(agreement.agreementId.slice(1));
            // Listed as of asOf: certainly signed by then.
            expect(rangeOf(signedOn[i]!)[1]).toBeLessThanOrEqual(asOfDay);
            // In a completion, the name in force when it was signed: the rename counts when it is by asOf and by the signature.
            const names = new Set(
              sampled.filter((c) => c[1 + i]! <= asOfDay).map((c) => (c[0]! <= asOfDay && c[0]! <= c[1 + i]! ? current.en : former.en)),
            );
            const reported = agreement.parties.institute;
            if (reported.certainty === 'in-force') {
              expect([...names]).toEqual([reported.name!.en]);
            } else {
              expect(reported.certainty).toBe('uncertain');
              expect(names.size).toBe(2);
              expect(reported.candidates.map((c) => c.en).sort()).toEqual([...names].sort());
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('the first and the last of a list with stated orders: certain exactly when every completion gives the same item', () => {
    fc.assert(
      fc.property(
        fc.array(partialDateArb, { minLength: 1, maxLength: 4 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 3 }),
        (dates, pairs) => {
          // Stated orders: item b followed item a (a < b keeps them acyclic).
          const follows = new Map<number, number>();
          for (const [x, y] of pairs) {
            const [a, b] = [x % dates.length, y % dates.length];
            if (a < b && !follows.has(b)) follows.set(b, a);
          }
          const ranges = dates.map(rangeOf);
          const bounds = dates.map((d) => {
            const b = dateBounds(d);
            return { earliest: b.earliest, latest: b.latest };
          });
          const found = extremes(bounds, { before: (i) => (follows.has(i) ? [follows.get(i)!] : []) })!;
          const valid = everyOrdering(ranges).filter((c) => [...follows].every(([b, a]) => c[b]! >= c[a]!));
          if (valid.length === 0) return;
          // The first: the items on the earliest day, less those stated to follow another item of that day.
          const extreme = (c: number[], pick: (a: number, b: number) => number, stated: (i: number, on: number[]) => boolean) => {
            const day = c.reduce((p, q) => pick(p, q));
            const on = c.flatMap((d, i) => (d === day ? [i] : []));
            return on.filter((i) => !stated(i, on)).join(',');
          };
          const firsts = new Set(valid.map((c) => extreme(c, Math.min, (i, on) => follows.has(i) && on.includes(follows.get(i)!))));
          const lasts = new Set(valid.map((c) => extreme(c, Math.max, (i, on) => on.some((j) => follows.get(j) === i))));
          for (const [x, seen] of [[found.first, firsts], [found.last, lasts]] as const) {
            // Certain: one entry in every completion. Uncertain: completions differ, or always tie (no one entry is it).
            if (x.certain) expect([...seen]).toEqual([String(x.candidates[0])]);
            else expect(seen.size > 1 || [...seen][0]!.includes(',')).toBe(true);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('the first and the last lie between days that make an interval, even where the stated orders contradict the dates (a correction moved one)', () => {
    fc.assert(
      fc.property(fc.array(partialDateArb, { minLength: 1, maxLength: 4 }), fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 3 }), (dates, pairs) => {
        const follows = new Map<number, number>();
        for (const [x, y] of pairs) {
          const [a, b] = [x % dates.length, y % dates.length];
          if (a < b && !follows.has(b)) follows.set(b, a);
        }
        const bounds = dates.map((d) => {
          const b = dateBounds(d);
          return { earliest: b.earliest, latest: b.latest };
        });
        const found = extremes(bounds, { before: (i) => (follows.has(i) ? [follows.get(i)!] : []) })!;
        for (const x of [found.first, found.last]) if (x.earliest !== undefined && x.latest !== undefined) expect(x.earliest <= x.latest, JSON.stringify(x)).toBe(true);
      }),
      { numRuns: 400 },
    );
    // A session stated to follow one a correction moved a year later: the last is one of them, between their own days.
    const moved = extremes([{ earliest: '2019-01-01', latest: '2019-12-31' }, { earliest: '2018-01-01', latest: '2018-12-31' }], { before: (i) => (i === 1 ? [0] : []) })!;
    expect(moved.last).toEqual({ certain: false, candidates: [0, 1], earliest: '2018-01-01', latest: '2019-12-31' });
  });

  it('sessions held as of a random day: a range from the fewest to the most any completion gives, exact only when they agree', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(partialDateArb, fc.constant('XXXX')), { minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: span }), async (heldOn, asOfDay) => {
        const store = new InMemoryEventStore();
        const context = deterministicContext('three-valued');
        const commands: CommandInput[] = [
          { type: 'RegisterPartner', partnerId: 'school', name: { en: 'A school' }, kind: 'school', country: 'FR' },
          ...heldOn.map((date, i): CommandInput => ({ type: 'RecordSessionHeld', sessionId: `s${i}`, title: { en: `Session ${i}` }, kind: 'training-session', partners: ['school'], heldOn: date, attendance: { count: 10, basis: 'total' } })),
        ];
        for (const command of commands) {
          const done = await handle(store, command, context);
          if (!done.ok) throw new Error(`${command.type}: ${done.error.message}`);
        }
        const answer = await queryYearlyActivityReport({ store }, {}, { asOf: iso(asOfDay) });
        if (!answer.ok) throw new Error(answer.error.message);
        // Over every completion: a session is by asOf from its first possible day on; the year unknown may be any day.
        const ranges = heldOn.map((d): [number, number] => (d === 'XXXX' ? [-Infinity, Infinity] : rangeOf(d)));
        const fewest = ranges.filter(([, hi]) => hi <= asOfDay).length;
        const most = ranges.filter(([lo]) => lo <= asOfDay).length;
        const { sessionsHeld, peopleTrained } = answer.value.result.totals;
        expect([sessionsHeld.known, upperBound(sessionsHeld), sessionsHeld.exact]).toEqual([fewest, most, fewest === most]);
        expect([peopleTrained.known, upperBound(peopleTrained)]).toEqual([10 * fewest, 10 * most]);
      }),
      { numRuns: 100 },
    );
  });
  it("a session's status as of a random day: certain exactly when every completion of the date it was held gives the same one", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(partialDateArb, fc.constant('XXXX')), fc.integer({ min: 0, max: span }), async (heldOn, asOfDay) => {
        const store = new InMemoryEventStore();
        const context = deterministicContext('three-valued');
        const details = { title: { en: 'Session' }, kind: 'training-session', partners: ['school'] } as const;
        const commands: CommandInput[] = [
          { type: 'RegisterPartner', partnerId: 'school', name: { en: 'A school' }, kind: 'school', country: 'FR' },
          // Planned for the first day of the span: the plan is certainly past under every lens.
          { type: 'ScheduleSession', sessionId: 's', ...details, plannedFor: iso(0) },
          { type: 'RecordSessionHeld', sessionId: 's', ...details, heldOn, attendance: { count: 10, basis: 'total' } },
        ];
        for (const command of commands) {
          const done = await handle(store, command, context);
          if (!done.ok) throw new Error(`${command.type}: ${done.error.message}`);
        }
        const answer = await querySessions({ store }, {}, { asOf: iso(asOfDay) });
        if (!answer.ok) throw new Error(answer.error.message);
        const [lo, hi] = heldOn === 'XXXX' ? [-Infinity, Infinity] : rangeOf(heldOn);
        // Over every completion: held once its day is by asOf, else still planned.
        const statuses = new Set([lo <= asOfDay ? 'held' : 'planned', hi <= asOfDay ? 'held' : 'planned']);
        const entry = answer.value.result.sessions.find((e) => e.record.id === 's')!;
        if (statuses.size === 1) {
          expect([entry.status, entry.statusCertain, entry.statusCandidates]).toEqual([[...statuses][0], undefined, undefined]);
        } else {
          expect([entry.status, entry.statusCertain, entry.statusCandidates]).toEqual(['planned', false, ['planned', 'held']]);
        }
      }),
      { numRuns: 100 },
    );
  });
});
