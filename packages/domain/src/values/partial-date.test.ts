import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { partialDateArb } from '../testing/arbitraries.js';
import {
  certainlyOnOrBefore,
  comparePartialDates,
  dateBounds,
  describePartialDate,
  fallsWithinYear,
  knownYear,
  parsePartialDate,
  partialDateSchema,
  yearSpan,
} from './partial-date.js';

describe('partial dates: what the source texts say, no more', () => {
  it.each([
    ['2018', '2018-01-01', '2018-12-31'],
    ['2018-11', '2018-11-01', '2018-11-30'],
    ['2024-02', '2024-02-01', '2024-02-29'],
    ['2022-12-15', '2022-12-15', '2022-12-15'],
    ['2018-11-07/2018-11-08', '2018-11-07', '2018-11-08'],
    ['2016/2020', '2016-01-01', '2020-12-31'],
    ['2021-05-25/2021-07-08', '2021-05-25', '2021-07-08'],
  ])('%s spans %s to %s', (date, earliest, latest) => {
    expect(dateBounds(date)).toEqual({ earliest, latest, yearUnknown: false });
  });

  it('open intervals keep their unknown end unknown', () => {
    expect(dateBounds('../2018')).toEqual({ latest: '2018-12-31', yearUnknown: false });
    expect(dateBounds('2002/..')).toEqual({ earliest: '2002-01-01', yearUnknown: false });
  });

  it('a day and month with no year (F10) and an unknown date (F11) have no bounds', () => {
    expect(dateBounds('XXXX-11-15/XXXX-11-25')).toEqual({ yearUnknown: true });
    expect(dateBounds('XXXX')).toEqual({ yearUnknown: true });
    expect(knownYear('XXXX-11-15/XXXX-11-25')).toBeUndefined();
  });

  it('refuses what is not a date, saying why', () => {
    for (const bad of ['', '18', '2018-13', '2019-02-29', '2018/2017', '../..', '2018-11-07/XXXX-11-08', '15 Nov', '2018-1-7', 'XXXX-11-25/XXXX-11-15', '0000']) {
      const parsed = parsePartialDate(bad);
      expect(parsed.ok, bad).toBe(false);
      expect(partialDateSchema.safeParse(bad).success).toBe(false);
    }
    expect(parsePartialDate('2024-02-29').ok).toBe(true);
  });

  it('"falls within year Y" answers yes, no or maybe', () => {
    expect(fallsWithinYear('2018-11-07/2018-11-08', 2018)).toBe('yes');
    expect(fallsWithinYear('2018', 2018)).toBe('yes');
    expect(fallsWithinYear('2018', 2019)).toBe('no');
    expect(fallsWithinYear('2016/2020', 2018)).toBe('maybe');
    expect(fallsWithinYear('2016/2020', 2021)).toBe('no');
    expect(fallsWithinYear('../2018', 2018)).toBe('maybe');
    expect(fallsWithinYear('../2018', 2019)).toBe('no');
    expect(fallsWithinYear('XXXX-11-15/XXXX-11-25', 2018)).toBe('maybe');
  });

  it('an event dated only "2018" is not before 2018-06-01, but is by 2018-12-31', () => {
    expect(certainlyOnOrBefore('2018', '2018-06-01')).toBe(false);
    expect(certainlyOnOrBefore('2018', '2018-12-31')).toBe(true);
    expect(certainlyOnOrBefore('XXXX', '2999-12-31')).toBe(false);
    expect(certainlyOnOrBefore('2002/..', '2999-12-31')).toBe(false);
  });

  it('knows a year only when the whole date lies in it', () => {
    expect(knownYear('2018-11-07/2018-11-08')).toBe(2018);
    expect(knownYear('2016/2020')).toBeUndefined();
    expect(yearSpan('2016/2020')).toEqual({ from: 2016, to: 2020 });
    expect(knownYear('../2018')).toBeUndefined();
  });

  it('orders the ENM history honestly, unknown years last', () => {
    const dates = ['XXXX', '2016-02-19', '2021', '1998-11-16', '2016/2020', 'XXXX-11-15/XXXX-11-25', '2016', '2002'];
    expect([...dates].sort(comparePartialDates)).toEqual(['1998-11-16', '2002', '2016', '2016/2020', '2016-02-19', '2021', 'XXXX-11-15/XXXX-11-25', 'XXXX']);
  });

  it('describes dates for readers', () => {
    expect(describePartialDate('2018-11-07/2018-11-08')).toBe('7–8 November 2018');
    expect(describePartialDate('XXXX-11-15/XXXX-11-25')).toBe('15–25 November (year unknown)');
    expect(describePartialDate('../2018')).toBe('by 2018');
    expect(describePartialDate('2002/..')).toBe('since 2002');
    expect(describePartialDate('XXXX')).toBe('date unknown');
    expect(describePartialDate('2016/2020')).toBe('2016 – 2020');
    expect(describePartialDate('2021-05-25/2021-07-08')).toBe('25 May 2021 – 8 July 2021');
  });

  it('property: ordering is a consistent total preorder', () => {
    fc.assert(
      fc.property(partialDateArb, partialDateArb, partialDateArb, (a, b, c) => {
        expect(Math.sign(comparePartialDates(a, b))).toBe(-Math.sign(comparePartialDates(b, a)) || 0);
        if (comparePartialDates(a, b) <= 0 && comparePartialDates(b, c) <= 0) expect(comparePartialDates(a, c)).toBeLessThanOrEqual(0);
        expect(comparePartialDates(a, a)).toBe(0);
      }),
    );
  });

  it('property: every generated date parses, its bounds are ordered, and "yes" for a year means inside it', () => {
    fc.assert(
      fc.property(partialDateArb, fc.integer({ min: 1990, max: 2030 }), (date, year) => {
        expect(partialDateSchema.safeParse(date).success).toBe(true);
        const { earliest, latest } = dateBounds(date);
        if (earliest && latest) expect(earliest <= latest).toBe(true);
        if (fallsWithinYear(date, year) === 'yes') expect(knownYear(date)).toBe(year);
        if (knownYear(date) !== undefined) expect(fallsWithinYear(date, knownYear(date)!)).toBe('yes');
      }),
    );
  });
});
