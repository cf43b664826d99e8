import { describe, expect, it } from 'vitest';
import { compareResults, differences, identityOf } from './compare.js';

describe('comparing one answer as known on two dates', () => {
  it('names an item by its record and kind, a period by its key, else its first id field, else its place', () => {
    expect(identityOf({ record: { type: 'session', id: 'giz-tot-2018' }, kind: 'session' }, 0)).toBe('session:giz-tot-2018:session');
    expect(identityOf({ period: { key: 'by-2022' } }, 0)).toBe('period:by-2022');
    expect(identityOf({ agreementId: 'enm-1998', partnerId: 'enm-france' }, 0)).toBe('agreementId:enm-1998');
    expect(identityOf({ title: 'no id' }, 3)).toBe('#3');
  });

  it('gives every changed leaf by its path, and a changed list whole', () => {
    expect(differences({ a: { b: 1, c: [1, 2] }, d: 'x' }, { a: { b: 2, c: [1, 3] }, d: 'x' })).toEqual([
      { path: 'a.b', before: 1, after: 2 },
      { path: 'a.c[1]', before: 2, after: 3 },
    ]);
    expect(differences({ list: [1] }, { list: [1, 2] })).toEqual([{ path: 'list', before: [1], after: [1, 2] }]);
    expect(differences({ gone: 1 }, {})).toEqual([{ path: 'gone', before: 1, after: null }]);
  });

  it('matches the items of the list: added, withdrawn, changed, and what changed outside the list', () => {
    const before = { entries: [{ partnerId: 'a', n: 1 }, { partnerId: 'b', n: 1 }], total: 2 };
    const after = { entries: [{ partnerId: 'b', n: 2 }, { partnerId: 'c', n: 1 }], total: 3 };
    expect(compareResults(before, after, 'entries')).toEqual({
      added: [{ key: 'partnerId:c', item: { partnerId: 'c', n: 1 } }],
      withdrawn: [{ key: 'partnerId:a', item: { partnerId: 'a', n: 1 } }],
      changed: [{ key: 'partnerId:b', fields: [{ path: 'n', before: 1, after: 2 }] }],
      otherChanges: [{ path: 'total', before: 2, after: 3 }],
    });
  });
});
