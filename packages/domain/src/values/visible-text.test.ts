import { describe, expect, it } from 'vitest';
import { handle } from '../command-handling/handle.js';
import { InMemoryEventStore } from '../store/in-memory.js';
import { newEventId } from './ids.js';
import { unreadableText } from './visible-text.js';

const context = { actor: 'clerk:test', now: () => new Date('2024-01-10T10:00:00Z'), newId: newEventId };
const partner = (name: Record<string, string>, acronym = 'GIZ') => ({ type: 'RegisterPartner' as const, partnerId: 'giz', name, kind: 'agency' as const, country: 'DE', acronym });

describe('text a command records must be visible', () => {
  it('given a name of zero-width characters or direction marks, or holding an escape or a bell: refused, naming the field, nothing stored', async () => {
    for (const [name, acronym, field] of [
      [{ en: '\u200b\u200c\u200d' }, 'GIZ', 'name.en'],
      [{ en: '\u200e' }, 'GIZ', 'name.en'],
      [{ en: 'GIZ', ar: '\u0001\u0002' }, 'GIZ', 'name.ar'],
      [{ en: 'German agency' }, 'a\u0007\u001b[31mb', 'acronym'],
    ] as const) {
      const store = new InMemoryEventStore();
      const result = await handle(store, partner(name, acronym), context);
      expect(result.ok, JSON.stringify(name)).toBe(false);
      if (!result.ok) expect(result.error).toMatchObject({ code: 'invalid-command', fields: [field] });
      expect(await store.lastPosition()).toBeUndefined();
    }
  });

  it('Arabic beside Latin with its marks, joiners inside a word, and a reason on several lines are recorded', async () => {
    const store = new InMemoryEventStore();
    const result = await handle(store, partner({ ar: 'الوكالة الألمانية \u200E(GIZ)\u200F', en: 'Deutsche Gesellschaft', fr: 'coopé\u200dration' }), context);
    expect(result.ok).toBe(true);
    expect(unreadableText({ reason: 'first line\nsecond line\r\n\tindented' })).toBeUndefined();
  });

  it('names the first unreadable field and why', () => {
    expect(unreadableText({ changes: { title: { fr: 'ok', en: '\u2060' } } })).toEqual({ field: 'changes.title.en', message: 'changes.title.en: has no visible character' });
    expect(unreadableText({ acronym: 'x\u009by' })).toEqual({ field: 'acronym', message: 'acronym: contains U+009B, a control character' });
  });
});
